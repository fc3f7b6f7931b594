/** The runs of a runs folder for `dolphin serve`: each subfolder holding a report or a live journal. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../report/report.js';
import { parseReport } from '../../report/report-json.js';

/** One run folder and its headline figures (null when it has no readable report yet). */
export interface RunEntry {
  /** Folder name (the URL segment). */
  readonly name: string;
  readonly dir: string;
  readonly kind: 'backtest' | 'live' | 'journal' | 'unknown';
  readonly hasReport: boolean;
  /** Why report.json could not be read, when it exists. */
  readonly problem: string | null;
  readonly finalEquity: number | null;
  readonly roi: number | null;
  readonly trades: number | null;
  readonly maxDrawdown: number | null;
  readonly sharpe: number | null;
  readonly scans: number | null;
  /** Files a browser can open: report.html, report.md, compare.html... */
  readonly pages: readonly string[];
  readonly modifiedMs: number;
}

/** Files served as pages of a run, when present. */
const PAGE_FILES = /^(report|compare|sweep)[\w.-]*\.(html|md|json|csv)$/;

/** Lists the run folders (dot-names skipped), newest first. */
export function listRuns(root: string): RunEntry[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const out: RunEntry[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const dir = join(root, name);
    let st;
    try {
      st = statSync(dir);
    } catch {
      continue;
    }
    if (!st.isDirectory()) continue;
    const files = safeList(dir);
    const isJournal = files.includes('journal.json');
    if (!files.includes('report.json') && !isJournal && !files.some((f) => PAGE_FILES.test(f))) continue;
    const { report, problem } = readReport(dir);
    const m = report?.metrics;
    out.push({
      name,
      dir,
      kind: report?.kind ?? (isJournal ? 'journal' : 'unknown'),
      hasReport: report !== null,
      problem,
      finalEquity: m?.finalEquity ?? null,
      roi: m?.roi ?? null,
      trades: m?.trades ?? null,
      maxDrawdown: m?.maxDrawdown ?? null,
      sharpe: m?.sharpe ?? null,
      scans: report?.fingerprint.scans ?? null,
      pages: files.filter((f) => PAGE_FILES.test(f)).sort(),
      modifiedMs: st.mtimeMs,
    });
  }
  return out.sort((a, b) => b.modifiedMs - a.modifiedMs || a.name.localeCompare(b.name));
}

/** A run folder's report.json, or why it cannot be read (null, null when there is none). */
export function readReport(dir: string): { report: Report | null; problem: string | null } {
  const file = join(dir, 'report.json');
  if (!existsSync(file)) return { report: null, problem: null };
  try {
    return { report: parseReport(readFileSync(file, 'utf8'), file), problem: null };
  } catch (e) {
    return { report: null, problem: e instanceof Error ? e.message : String(e) };
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
