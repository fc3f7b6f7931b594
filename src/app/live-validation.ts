/**
 * Validation during live (issue 5): replay the scanner's own Arrow files for the live window with the
 * live config and compare with the live run; the verdict goes into the run's state and status.
 */
import type { EngineConfig } from '../core/config.js';
import { ScanStore } from '../core/scan-store.js';
import type { ValidationState } from '../feeds/live/paper-state.js';
import { compareReports, compareSummary, type CompareResult } from '../report/compare/compare.js';
import type { Report } from '../report/report.js';
import type { WorkerPool } from '../workers/pool.js';
import { loadReplayInput, replayReport } from './replay-input.js';

/** Options of validateLive. */
export interface ValidateOptions {
  readonly scannerDir: string;
  readonly pool?: WorkerPool;
  readonly cacheRoot?: string;
  /** Wall clock of the verdict (ms); passed in. */
  readonly nowMs: number;
}

/** Replays the scanner folder over the live report's window with its config and compares. */
export async function validateLive(live: Report, o: ValidateOptions): Promise<{ state: ValidationState; result: CompareResult | null }> {
  const first = live.fingerprint.firstTs;
  const last = live.fingerprint.lastTs;
  if (first === null || last === null) {
    return { state: { verdict: 'NOT_COMPARABLE', atMs: o.nowMs, summary: 'no live scan yet' }, result: null };
  }
  const replay = await loadReplayInput(o.scannerDir, { pool: o.pool, cacheRoot: o.cacheRoot });
  const lo = BigInt(first);
  const hi = BigInt(last);
  const rows: { store: typeof replay.store; t: number }[] = [];
  for (let t = 0; t < replay.store.n; t++) if (replay.store.ts[t] >= lo && replay.store.ts[t] <= hi) rows.push({ store: replay.store, t });
  if (rows.length === 0) {
    return { state: { verdict: 'NOT_COMPARABLE', atMs: o.nowMs, summary: `${o.scannerDir} has no scan in the live window` }, result: null };
  }
  // the live config already holds a numeric volThreshold: the replay uses it as it is
  const { report } = await replayReport({ ...replay, store: ScanStore.fromRows(rows) }, live.config as EngineConfig, { pool: o.pool });
  const result = compareReports(live, report, { labels: { a: 'live', b: `replay of ${o.scannerDir}` } });
  // The verdict line, the first divergence with its cause, and the PnL split: what a status line needs.
  const lines = compareSummary(result).split('\n');
  const keep = lines.filter((l, i) => i === 0 || /First divergence|cause:|PnL split/.test(l));
  return { state: { verdict: result.verdict, atMs: o.nowMs, summary: keep.join('\n') }, result };
}

/** Parses a duration: 90, 90s, 15m, 1h, 2h30m (seconds when unitless); returns ms or NaN. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let ms = 0;
  let consumed = 0;
  for (const m of t.matchAll(re)) {
    ms += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    consumed += m[0].length;
  }
  return consumed === t.length && consumed > 0 ? ms : NaN;
}
