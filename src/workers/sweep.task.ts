/** Worker task: run a chunk of parameter sets over the shared scan columns; return each config's metrics. */
import type { VolThresholdChoice } from '../core/calibration.js';
import { withVolThreshold, type StrategyConfig } from '../core/config.js';
import { runEngine } from '../core/run-engine.js';
import { ScanStore, type ScanColumns } from '../core/scan-store.js';
import type { FactorRecord } from '../core/trade.js';
import { ArrowReplayFeed } from '../feeds/replay/arrow-replay.feed.js';
import type { Metrics } from '../report/metrics.js';
import { computeMetrics } from '../report/metrics.js';
import { configHash, runSeries } from '../report/report.js';

/** One parameter set of a sweep: its resolved config and the key that identifies it in sweep.ndjson. */
export interface SweepItem {
  readonly key: string;
  readonly config: StrategyConfig;
}

/**
 * A sweep item with its volThreshold chosen on the main thread (`chooseVolThreshold`, once per
 * volWindow/volAsset/calibrationDays), or why "auto" could not be calibrated.
 */
export interface CalibratedSweepItem extends SweepItem {
  readonly volThreshold: VolThresholdChoice | { readonly error: string };
}

/** Input: shared columns, factor records, the precomputed market return column and a chunk of configs. */
export interface SweepTask {
  readonly columns: Required<ScanColumns>;
  readonly factors: readonly FactorRecord[];
  readonly market: Float64Array;
  /** btcVol column computed for volWindow/volAsset = btcVolKey (shared by configs with that key). */
  readonly btcVol?: Float64Array;
  readonly btcVolKey?: string;
  readonly items: readonly CalibratedSweepItem[];
}

/** Key of the config fields btcVol depends on. */
export function btcVolKeyOf(c: StrategyConfig): string {
  return `${c.volWindow}|${c.volAsset}`;
}

/** One sweep result line. */
export interface SweepResult {
  readonly key: string;
  readonly configHash: string;
  readonly volThreshold: number;
  readonly config: StrategyConfig;
  readonly metrics: Metrics | null;
  readonly error?: string;
  readonly scans: number;
}

/** Runs one config over a store through runEngine (also on the main thread for --workers 0 and tests). */
export async function runSweepItem(store: ScanStore, factors: readonly FactorRecord[], market: Float64Array | null, item: CalibratedSweepItem, btcVol?: { key: string; column: Float64Array }): Promise<SweepResult> {
  const choice = item.volThreshold;
  if ('error' in choice) return { key: item.key, configHash: '', volThreshold: NaN, config: item.config, metrics: null, error: choice.error, scans: store.n };
  const config = withVolThreshold(item.config, choice.volThreshold);
  const engine = await runEngine(new ArrowReplayFeed(store), config, {
    factors,
    featureColumns: { market: market ?? undefined, btcVol: btcVol && btcVol.key === btcVolKeyOf(config) ? btcVol.column : undefined },
  });
  return { key: item.key, configHash: configHash(config), volThreshold: choice.volThreshold, config, metrics: computeMetrics(runSeries(engine, new Set(choice.days))), scans: store.n };
}

/** Runs every item of the chunk, in order. */
export async function sweepConfigs(task: SweepTask): Promise<SweepResult[]> {
  const store = ScanStore.fromColumns(task.columns);
  const vol = task.btcVol && task.btcVolKey ? { key: task.btcVolKey, column: task.btcVol } : undefined;
  const out: SweepResult[] = [];
  for (const item of task.items) out.push(await runSweepItem(store, task.factors, task.market, item, vol));
  return out;
}
