/**
 * Parameter sweeps: every combination of --grid values over the same shared columns, run on the pool in
 * chunks of parameter sets; results appended to sweep.ndjson as they come, so a killed sweep resumes.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { chooseVolThreshold, volThresholdKey, type VolThresholdChoice } from '../core/calibration.js';
import { DEFAULT_CONFIG, canonicalConfigJson, resolveConfig, type StrategyConfig } from '../core/config.js';
import { ConfigError, UsageError } from '../core/errors.js';
import { writeFileAtomic } from '../feeds/fs/atomic-write.js';
import { jsonReplacer } from '../core/json-replacer.js';
import type { Metrics } from '../report/metrics.js';
import type { WorkerPool } from '../workers/pool.js';
import { btcVolKeyOf, runSweepItem, type CalibratedSweepItem, type SweepItem, type SweepResult, type SweepTask } from '../workers/sweep.task.js';
import { cachedColumnsOf } from '../feeds/replay/load-scan-directory.js';
import { fmtNum, fmtPct, mdTable } from '../report/format.js';
import { featureColumnsFor, type ReplayData } from './replay-input.js';

/** One --grid axis. */
export interface GridAxis {
  readonly key: string;
  readonly values: readonly unknown[];
}

/** Parses `key=v1,v2` (each value JSON when valid, else a string) or `key=[...]` (a JSON array of values). */
export function parseGrid(text: string): GridAxis {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new ConfigError([`--grid expects key=v1,v2,... or key=[json values], got ${JSON.stringify(text)}`]);
  const key = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1).trim();
  if (raw.startsWith('[')) {
    try {
      const arr: unknown = JSON.parse(raw);
      if (Array.isArray(arr) && arr.length > 0) {
        // For array-valued keys, [[50,750],[50,150]] lists values and [50,750] is one value.
        const arrayKey = Array.isArray((DEFAULT_CONFIG as unknown as Record<string, unknown>)[key]);
        const listOfValues = !arrayKey || arr.every((v) => Array.isArray(v));
        return { key, values: listOfValues ? arr : [arr] };
      }
    } catch {
      // fall through to comma splitting
    }
  }
  const values = raw.split(',').map((v) => {
    const t = v.trim();
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return t;
    }
  });
  if (values.length === 0 || values.some((v) => v === '')) throw new ConfigError([`--grid ${key}: empty value in ${JSON.stringify(raw)}`]);
  return { key, values };
}

/** Every combination of the axes (first axis varies slowest). */
export function gridCombinations(axes: readonly GridAxis[]): Record<string, unknown>[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const a of axes) combos = combos.flatMap((c) => a.values.map((v) => ({ ...c, [a.key]: v })));
  return combos;
}

/** Stable key of a resolved config (the resume key in sweep.ndjson). */
export function sweepKey(config: StrategyConfig): string {
  return createHash('sha256').update(canonicalConfigJson(config)).digest('hex').slice(0, 16);
}

/** Resolves every combination on top of the base config; reports every invalid combination at once. */
export function sweepItems(base: StrategyConfig, axes: readonly GridAxis[]): { items: SweepItem[]; overrides: Map<string, Record<string, unknown>> } {
  const problems: string[] = [];
  const items: SweepItem[] = [];
  const overrides = new Map<string, Record<string, unknown>>();
  for (const combo of gridCombinations(axes)) {
    try {
      const config = resolveConfig(base as unknown as Record<string, unknown>, combo);
      const key = sweepKey(config);
      if (overrides.has(key)) continue;
      overrides.set(key, combo);
      items.push({ key, config });
    } catch (e) {
      problems.push(...(e instanceof ConfigError ? e.problems.map((p) => `${JSON.stringify(combo)}: ${p}`) : [String(e)]));
    }
  }
  if (problems.length) throw new ConfigError([...new Set(problems)]);
  return { items, overrides };
}

/** A line of sweep.ndjson that is not a result line: its 1-based number, its text and why. */
export interface BadSweepLine {
  readonly line: number;
  readonly text: string;
  readonly reason: string;
}

const SWEEP_KEY = /^[0-9a-f]{16}$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a parsed line is not a sweep result line, or null. */
function sweepLineProblem(v: unknown): string | null {
  if (!isObject(v)) return 'not a JSON object';
  if (typeof v.key !== 'string' || !SWEEP_KEY.test(v.key)) return 'no 16-hex-digit "key"';
  if (!isObject(v.overrides)) return 'no "overrides" object';
  if (v.metrics !== null && !isObject(v.metrics)) return '"metrics" is neither an object nor null';
  if (v.error !== null && v.error !== undefined && typeof v.error !== 'string') return '"error" is neither text nor null';
  return null;
}

/** Splits sweep.ndjson text (complete lines) into result lines and bad lines, by line number. */
export function parseSweepText(text: string): { lines: SweepLine[]; bad: BadSweepLine[] } {
  const lines: SweepLine[] = [];
  const bad: BadSweepLine[] = [];
  text.split('\n').forEach((t, i) => {
    if (!t) return;
    let v: unknown;
    let reason: string | null;
    try {
      v = JSON.parse(t);
      reason = sweepLineProblem(v);
    } catch (e) {
      reason = `not JSON (${(e as Error).message})`;
    }
    if (reason === null) lines.push(v as SweepLine);
    else bad.push({ line: i + 1, text: t, reason });
  });
  return { lines, bad };
}

/**
 * Keys already in a sweep.ndjson. A torn last line (killed mid-write) is cut off. A bad line anywhere
 * else (edited, corrupted) is named by its line number, moved to `<path>.rejected` and its config runs
 * again: a resume never stops on it.
 */
export function completedKeys(path: string, onWarning?: (message: string) => void): Set<string> {
  const done = new Set<string>();
  if (!existsSync(path)) return done;
  const text = readFileSync(path, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, end)));
  const complete = text.slice(0, end);
  const { lines, bad } = parseSweepText(complete);
  for (const l of lines) done.add(l.key);
  if (bad.length > 0) {
    const rejected = `${path}.rejected`;
    const badLines = new Set(bad.map((x) => x.line));
    appendFileSync(rejected, bad.map((x) => `${x.text}\n`).join(''));
    // the good lines keep their bytes and order
    writeFileAtomic(path, complete.split('\n').filter((t, i) => t && !badLines.has(i + 1)).map((t) => `${t}\n`).join(''));
    for (const b of bad) onWarning?.(`${path} line ${b.line} is not a sweep result (${b.reason}); moved to ${rejected}, its config runs again`);
  }
  return done;
}

/** Options of runSweep. */
export interface SweepOptions {
  readonly replay: ReplayData;
  readonly items: readonly SweepItem[];
  readonly overrides: ReadonlyMap<string, Record<string, unknown>>;
  readonly ndjsonPath: string;
  readonly pool?: WorkerPool;
  /** Parameter sets per pool task. */
  readonly chunk?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /** Problems that do not stop the sweep (bad lines of a resumed sweep.ndjson). */
  readonly onWarning?: (message: string) => void;
}

/**
 * What every sweep task shares: the store's columns, the factor records, the market returns (the day
 * cache's or computed on the pool) and btcVol for the first config's volWindow/volAsset.
 */
export async function sweepColumns(replay: ReplayData, first: StrategyConfig | undefined, pool: WorkerPool): Promise<Omit<SweepTask, 'items'>> {
  const { store, factors } = replay;
  const cols = first ? await featureColumnsFor(store, first, pool, false, cachedColumnsOf(replay)) : null;
  return { columns: store.columns(), factors, market: cols?.market ?? new Float64Array(0), btcVol: cols?.btcVol, btcVolKey: first ? btcVolKeyOf(first) : undefined };
}

/** Runs the configs not yet in sweep.ndjson; returns how many ran and were skipped. */
export async function runSweep(o: SweepOptions): Promise<{ ran: number; skipped: number }> {
  const chunk = o.chunk ?? 1;
  if (!Number.isInteger(chunk) || chunk < 1) throw new UsageError(`chunk (parameter sets per pool task) must be an integer >= 1, was ${chunk}`);
  const done = completedKeys(o.ndjsonPath, o.onWarning);
  if (!existsSync(o.ndjsonPath)) writeFileSync(o.ndjsonPath, '');
  const pending = o.items.filter((i) => !done.has(i.key));
  const skipped = o.items.length - pending.length;
  let finished = skipped;
  o.onProgress?.(finished, o.items.length);
  const write = (r: SweepResult): void => {
    appendFileSync(o.ndjsonPath, sweepResultLine(r, o.overrides.get(r.key) ?? {}));
    o.onProgress?.(++finished, o.items.length);
  };
  const { store, factors } = o.replay;
  if (!o.pool) {
    for (const item of calibrateOnce(o.replay, pending)) write(await runSweepItem(store, factors, null, item));
    return { ran: pending.length, skipped };
  }
  const pool = o.pool;
  const first = pending[0]?.config ?? o.items[0]?.config;
  const shared = await sweepColumns(o.replay, first, pool);
  // Calibration reads btcVol over the first days: the pool's column when the key matches (same values).
  const todo = calibrateOnce(o.replay, pending, shared.btcVol && shared.btcVolKey ? { key: shared.btcVolKey, column: shared.btcVol } : undefined);
  const tasks: Promise<void>[] = [];
  for (let i = 0; i < todo.length; i += chunk) {
    const items = todo.slice(i, i + chunk);
    tasks.push(pool.run<SweepResult[]>('sweepConfigs', { ...shared, items }).then((rs) => rs.forEach(write)));
  }
  await Promise.all(tasks);
  return { ran: todo.length, skipped };
}

/** The sweep.ndjson line of a result (with its newline); distributed sweeps store the same text. */
export function sweepResultLine(r: SweepResult, overrides: Record<string, unknown>): string {
  const line = { key: r.key, overrides, configHash: r.configHash, volThreshold: r.volThreshold, metrics: r.metrics, error: r.error ?? null, config: r.config };
  return `${JSON.stringify(line, jsonReplacer)}\n`;
}

/**
 * Chooses each item's volThreshold, calibrating each distinct (volWindow, volAsset, calibrationDays) once;
 * `btcVol` (a column computed ahead, e.g. the sweep's shared one) is read for the configs of its key.
 */
export function calibrateOnce(replay: ReplayData, items: readonly SweepItem[], btcVol?: { readonly key: string; readonly column: Float64Array }): CalibratedSweepItem[] {
  const memo = new Map<string, VolThresholdChoice | { error: string }>();
  return items.map((item) => {
    const k = volThresholdKey(item.config);
    let choice = memo.get(k);
    if (!choice) {
      try {
        choice = chooseVolThreshold(replay.store, item.config, btcVol && btcVol.key === btcVolKeyOf(item.config) ? btcVol.column : undefined);
      } catch (e) {
        choice = { error: (e as Error).message };
      }
      memo.set(k, choice);
    }
    return { ...item, volThreshold: choice };
  });
}

/** A sweep result line as read back from sweep.ndjson. */
export interface SweepLine {
  readonly key: string;
  readonly overrides: Record<string, unknown>;
  readonly metrics: Metrics | null;
  readonly error: string | null;
}

/** Reads the result lines of sweep.ndjson; bad lines are left out (runSweep sets them aside and warns). */
export function readSweep(path: string): SweepLine[] {
  return parseSweepText(readFileSync(path, 'utf8')).lines;
}

/** Ranked Markdown summary: top configs by `rank` (descending; nulls last; ties by key). */
export function sweepMarkdown(lines: readonly SweepLine[], rank: keyof Metrics, top: number, title: string): string {
  const val = (l: SweepLine): number | null => {
    const v = l.metrics?.[rank];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  const sorted = [...lines].sort((a, b) => {
    const va = val(a);
    const vb = val(b);
    if (va === null || vb === null) return va === null && vb === null ? (a.key < b.key ? -1 : 1) : va === null ? 1 : -1;
    return vb - va || (a.key < b.key ? -1 : 1);
  });
  const rows = sorted.slice(0, top).map((l, i) => [
    String(i + 1),
    Object.entries(l.overrides).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ') || '(base)',
    String(l.metrics?.trades ?? '-'),
    fmtPct(l.metrics?.roi),
    fmtPct(l.metrics?.maxDrawdown),
    fmtNum(l.metrics?.profitFactor, 3),
    fmtNum(l.metrics?.sharpe, 2),
    l.error ? `error: ${l.error}` : '',
  ]);
  return `# ${title}\n\n${lines.length} configs, ranked by ${String(rank)} (top ${Math.min(top, lines.length)}).\n\n${mdTable(['#', 'config', 'trades', 'ROI', 'max DD', 'profit factor', 'Sharpe', ''], rows)}\n`;
}
