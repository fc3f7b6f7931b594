/** Worker task: run configs over index ranges of the shared scan columns (walk-forward folds, full-range runs). */
import type { EngineConfig } from '../core/config.js';
import { periodReturns } from '../core/overfitting/period-returns.js';
import { runEngine } from '../core/run-engine.js';
import { ScanStore, type ScanColumns } from '../core/scan-store.js';
import type { FactorRecord, Trade } from '../core/trade.js';
import { ArrowReplayFeed } from '../feeds/replay/arrow-replay.feed.js';
import { computeMetrics, type Metrics } from '../report/metrics.js';
import { runSeries } from '../report/report.js';

/** One run: a config (volThreshold already a number) over scans [from, to) of the store. */
export interface SegmentItem {
  /** Caller's id of the run (echoed in the result). */
  readonly id: number;
  readonly config: EngineConfig;
  readonly from: number;
  readonly to: number;
  /** UTC days flagged in-sample in the run's daily rows. */
  readonly inSampleDays: readonly number[];
  /** Return the per-scan series (test windows, stitched out of sample). */
  readonly keepSeries?: boolean;
  /** Return hourly period returns on this grid (start ns as a decimal string, hour count). */
  readonly periods?: { readonly from: string; readonly count: number };
}

/** Input of the walkForwardSegments task. */
export interface SegmentTask {
  readonly columns: Required<ScanColumns>;
  readonly factors: readonly FactorRecord[];
  readonly items: readonly SegmentItem[];
}

/** What one run gives back. */
export interface SegmentResult {
  readonly id: number;
  readonly metrics: Metrics;
  readonly series?: { readonly ts: BigInt64Array; readonly equity: Float64Array; readonly openPositions: Int32Array; readonly acbCut: Float64Array; readonly trades: readonly Trade[] };
  readonly periodReturns?: Float64Array;
}

/**
 * The scans [from, to) of a store as a store of their own, sharing its columns (no copy). Ranges start
 * on a UTC day boundary, so day and bar-of-day columns stay valid. The run cannot see any other scan.
 */
export function sliceStore(store: ScanStore, from: number, to: number): ScanStore {
  const c = store.columns();
  const s = c.symbols.length;
  return ScanStore.fromColumns({
    n: to - from,
    symbols: c.symbols,
    ts: c.ts.subarray(from, to),
    scanNumber: c.scanNumber.subarray(from, to),
    velDiv: c.velDiv.subarray(from, to),
    features: c.features.map((f) => f.subarray(from, to)),
    prices: c.prices.subarray(from * s, to * s),
    nAssets: c.nAssets.subarray(from, to),
    day: c.day.subarray(from, to),
    barOfDay: c.barOfDay.subarray(from, to),
  });
}

/** Factor records in effect before `endNs` (a run over a window never receives later records). */
export function factorsBefore(factors: readonly FactorRecord[], endNs: bigint): FactorRecord[] {
  return factors.filter((f) => f.effectiveFromNs < endNs);
}

/** Runs one segment through runEngine (also on the main thread without a pool). */
export async function runSegment(store: ScanStore, factors: readonly FactorRecord[], item: SegmentItem): Promise<SegmentResult> {
  const sub = sliceStore(store, item.from, item.to);
  const end = sub.n > 0 ? sub.ts[sub.n - 1] + 1n : 0n;
  const engine = await runEngine(new ArrowReplayFeed(sub), item.config, { factors: factorsBefore(factors, end) });
  const s = runSeries(engine, new Set(item.inSampleDays));
  const metrics = computeMetrics(s);
  const periods = item.periods ? periodReturns(s.ts, s.equity, s.initialCapital, BigInt(item.periods.from), item.periods.count) : undefined;
  // copies: the recorder's columns are views of larger buffers, which a structured clone would copy whole
  const series = item.keepSeries ? { ts: s.ts.slice(), equity: s.equity.slice(), openPositions: s.openPositions.slice(), acbCut: s.acbCut.slice(), trades: s.trades } : undefined;
  return { id: item.id, metrics, series, periodReturns: periods };
}

/** Runs every segment of the task, in order. */
export async function walkForwardSegments(task: SegmentTask): Promise<SegmentResult[]> {
  const store = ScanStore.fromColumns(task.columns);
  const out: SegmentResult[] = [];
  for (const item of task.items) out.push(await runSegment(store, task.factors, item));
  return out;
}
