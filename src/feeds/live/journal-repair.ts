/**
 * Checks a live journal before a run resumes from it, and truncates it on request: a journal holding a
 * scan from the future (or with an implausible time) would make every real scan after it "late", so the
 * run refuses to start until told where to cut (`--truncate-journal-at`). What is cut is moved aside
 * into a dot-folder (never read as data), not deleted.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, JournalError } from '../../core/errors.js';
import { timestampProblem } from '../../core/scan-limits.js';
import { listScanFiles } from '../replay/scan-directory.js';
import { JOURNAL_FILES } from './journal.js';

/** A scan file of a journal with the timestamp its name carries (`scan_<ns>.arrow`). */
export interface JournalScanFile {
  readonly path: string;
  /** Relative to the journal folder. */
  readonly rel: string;
  readonly ts: bigint;
}

const NAME_RE = /^scan_(\d{1,19})\.arrow$/;

/** The journal's scan files whose names carry a timestamp (the journal writer's names), in time order. */
export function journalScanFiles(dir: string): JournalScanFile[] {
  if (!existsSync(dir)) return [];
  const out: JournalScanFile[] = [];
  for (const f of listScanFiles(dir)) {
    const m = NAME_RE.exec(f.rel.slice(f.rel.lastIndexOf('/') + 1));
    if (m !== null) out.push({ path: f.path, rel: f.rel, ts: BigInt(m[1] as string) });
  }
  out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  return out;
}

/** ISO-8601 (UTC) of epoch ns, or the number when out of Date's range. */
export function nsToIso(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? `${ns} ns` : d.toISOString();
}

/**
 * Refuses a journal whose scans include one from the future (more than `maxAheadNs` after `nowNs`) or
 * with an implausible time: a JournalError naming the first such file and the flag that truncates.
 */
export function checkJournalTimes(dir: string, nowNs: bigint, maxAheadNs: bigint): void {
  const files = journalScanFiles(dir);
  const bad = files.filter((f) => timestampProblem(f.ts) !== null || f.ts - nowNs > maxAheadNs);
  if (bad.length === 0) return;
  const first = bad[0] as JournalScanFile;
  const keep = files.filter((f) => f.ts < first.ts);
  const last = keep[keep.length - 1];
  throw new JournalError(
    `journal ${dir} holds ${bad.length} scan(s) from the future or with an implausible time (first: ${first.rel}, ${nsToIso(first.ts)}; this machine's clock says ${nsToIso(nowNs)}). ` +
      `Every real scan after it would be dropped as out of order, so the run does not resume from it. ` +
      `Cut the journal before it with --truncate-journal-at ${first.ts} (keeps the ${keep.length} scan(s) before${last ? `, the last at ${nsToIso(last.ts)}` : ''}; what is cut is moved to ${dir}/.truncated-*/), or start a new --journal folder.`,
  );
}

/**
 * Parses `--truncate-journal-at`: epoch nanoseconds (digits) or an ISO-8601 UTC time.
 * @throws ConfigError naming the value.
 */
export function parseTruncateAt(text: string): bigint {
  const t = text.trim();
  if (/^\d{1,19}$/.test(t)) return BigInt(t);
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:\d{2})?)?$/.exec(t);
  const ms = m === null ? NaN : Date.parse(`${m[1] as string}T${m[2] ?? '00:00:00'}${m[3] ?? 'Z'}`);
  if (!Number.isFinite(ms)) {
    throw new ConfigError([`--truncate-journal-at must be epoch nanoseconds or an ISO-8601 UTC time such as 2026-01-05T12:00:00Z, was ${JSON.stringify(text)}`]);
  }
  return BigInt(ms) * 1_000_000n;
}

/** What truncateJournal did. */
export interface TruncateResult {
  /** Scan files moved aside. */
  readonly scansMoved: number;
  /** Factor records moved aside. */
  readonly factorsMoved: number;
  /** Scan files kept. */
  readonly scansKept: number;
  /** The dot-folder holding what was cut (null when nothing was). */
  readonly aside: string | null;
}

/**
 * Cuts the journal at `atNs`: scans at or after it and factor records effective from it on are moved to
 * `<dir>/.truncated-<stamp>/`; fills, trades and the stream position (derived, rebuilt on resume) move
 * there too. Scans before `atNs` are kept as they are.
 */
export function truncateJournal(dir: string, atNs: bigint, stamp: string): TruncateResult {
  const files = journalScanFiles(dir);
  const cut = files.filter((f) => f.ts >= atNs);
  const factorsPath = join(dir, JOURNAL_FILES.factors);
  const factorLines = existsSync(factorsPath) ? readFileSync(factorsPath, 'utf8').split('\n').filter(Boolean) : [];
  const cutFactors = factorLines.filter((l) => effectiveFrom(l) >= atNs);
  if (cut.length === 0 && cutFactors.length === 0) return { scansMoved: 0, factorsMoved: 0, scansKept: files.length, aside: null };
  const aside = join(dir, `.truncated-${stamp.replace(/[:.]/g, '-')}`);
  try {
    mkdirSync(aside, { recursive: true });
    for (const f of cut) {
      const to = join(aside, f.rel);
      mkdirSync(dirname(to), { recursive: true });
      renameSync(f.path, to);
    }
    if (cutFactors.length > 0) {
      writeFileSync(join(aside, JOURNAL_FILES.factors), `${cutFactors.join('\n')}\n`);
      const kept = factorLines.filter((l) => effectiveFrom(l) < atNs);
      writeFileSync(factorsPath, kept.length ? `${kept.join('\n')}\n` : '');
    }
    for (const derived of [JOURNAL_FILES.fills, JOURNAL_FILES.trades, JOURNAL_FILES.position]) {
      const p = join(dir, derived);
      if (existsSync(p)) renameSync(p, join(aside, derived));
    }
  } catch (e) {
    throw new JournalError(`could not truncate journal ${dir} at ${atNs}: ${(e as Error).message}; what was moved so far is in ${aside}`);
  }
  return { scansMoved: cut.length, factorsMoved: cutFactors.length, scansKept: files.length - cut.length, aside };
}

/** effectiveFromNs of a factors.ndjson line (a line that cannot be read is kept: the loader reports it). */
function effectiveFrom(line: string): bigint {
  try {
    const v = (JSON.parse(line) as { effectiveFromNs?: unknown }).effectiveFromNs;
    return typeof v === 'string' && /^-?\d+$/.test(v) ? BigInt(v) : -1n;
  } catch {
    return -1n;
  }
}
