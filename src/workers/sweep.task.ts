/** Worker task: run a chunk of parameter sets over the shared scan columns; return each config's metrics. */
import { calibrateVolThreshold } from '../core/calibration.js';
import { withVolThreshold, type StrategyConfig } from '../core/config.js';
import { Engine } from '../core/engine.js';
import { PaperExecutor } from '../core/paper-executor.js';
import { Recorder } from '../core/recorder.js';
import { ScanStore, type ScanColumns } from '../core/scan-store.js';
import type { FactorRecord } from '../core/trade.js';
import type { Metrics } from '../report/metrics.js';
import { computeMetrics } from '../report/metrics.js';
import { configHash, runSeries } from '../report/report.js';

/** One parameter set of a sweep: its resolved config and the key that identifies it in sweep.ndjson. */
export interface SweepItem {
  readonly key: string;
  readonly config: StrategyConfig;
  /** Calibration done once per (volWindow, volAsset, calibrationDays) on the main thread, when "auto". */
  readonly calibrated?: { readonly volThreshold: number; readonly days: readonly number[] };
}

/** Input: shared columns, factor records, the precomputed market return column and a chunk of configs. */
export interface SweepTask {
  readonly columns: Required<ScanColumns>;
  readonly factors: readonly FactorRecord[];
  readonly market: Float64Array;
  /** btcVol column computed for volWindow/volAsset = btcVolKey (shared by configs with that key). */
  readonly btcVol?: Float64Array;
  readonly btcVolKey?: string;
  readonly items: readonly SweepItem[];
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

/** Runs one config over a store (also used on the main thread for --workers 0 and tests). */
export function runSweepItem(store: ScanStore, factors: readonly FactorRecord[], market: Float64Array | null, item: SweepItem, btcVol?: { key: string; column: Float64Array }): SweepResult {
  let volThreshold: number;
  let inSample = new Set<number>();
  try {
    if (item.config.volThreshold === 'auto' && item.calibrated) {
      volThreshold = item.calibrated.volThreshold;
      inSample = new Set(item.calibrated.days);
    } else if (item.config.volThreshold === 'auto') {
      const c = calibrateVolThreshold(store, item.config);
      volThreshold = c.volThreshold;
      inSample = new Set(c.days);
    } else volThreshold = item.config.volThreshold;
  } catch (e) {
    return { key: item.key, configHash: '', volThreshold: NaN, config: item.config, metrics: null, error: (e as Error).message, scans: store.n };
  }
  const config = withVolThreshold(item.config, volThreshold);
  const engine = new Engine(store, config, new PaperExecutor(config), factors, new Recorder(store.n));
  if (market) engine.features.useMarketColumn(market);
  if (btcVol && btcVol.key === btcVolKeyOf(config)) engine.features.useBtcVolColumn(btcVol.column);
  for (let t = 0; t < store.n; t++) engine.onScan(t);
  engine.finish();
  return { key: item.key, configHash: configHash(config), volThreshold, config, metrics: computeMetrics(runSeries(engine, inSample)), scans: store.n };
}

/** Runs every item of the chunk. */
export function sweepConfigs(task: SweepTask): SweepResult[] {
  const store = ScanStore.fromColumns(task.columns);
  const vol = task.btcVol && task.btcVolKey ? { key: task.btcVolKey, column: task.btcVol } : undefined;
  return task.items.map((item) => runSweepItem(store, task.factors, task.market, item, vol));
}
