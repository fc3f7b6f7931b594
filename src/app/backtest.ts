/** The backtest use case: load a data folder, calibrate, run the engine, build the report. */
import { calibrateVolThreshold } from '../core/calibration.js';
import { withVolThreshold, type StrategyConfig } from '../core/config.js';
import type { Engine } from '../core/engine.js';
import { runEngine } from '../core/run-engine.js';
import { ArrowReplayFeed } from '../feeds/replay/arrow-replay.feed.js';
import type { ReplayData } from '../feeds/replay/load-scan-directory.js';
import { decodeSerial, loadReplay } from '../feeds/replay/load-replay.js';
import { computeFeaturesParallel, poolDecoder } from '../workers/parallel-replay.js';
import type { WorkerPool } from '../workers/pool.js';
import { buildReport, isoDays, type CalibrationInfo, type Report } from '../report/report.js';

/** Options of backtest. */
export interface BacktestOptions {
  readonly strict?: boolean;
  readonly onLoadProgress?: (done: number, total: number) => void;
  readonly onRunProgress?: (done: number, total: number) => void;
  /** An already loaded replay (parallel loaders, sweeps). */
  readonly replay?: ReplayData;
  /** Decode files and compute features on this pool (DESIGN.md two-phase replay); serial without. */
  readonly pool?: WorkerPool;
  /** Day cache root (DESIGN.md); no cache when undefined. */
  readonly cacheRoot?: string;
  readonly onWarning?: (message: string) => void;
}

/** Timings of a backtest, wall clock (kept out of the report). */
export interface BacktestTiming {
  readonly loadMs: number;
  readonly runMs: number;
  readonly scans: number;
}

/** Result of a backtest. */
export interface BacktestResult {
  readonly report: Report;
  readonly engine: Engine;
  readonly replay: ReplayData;
  readonly timing: BacktestTiming;
}

/** Resolves volThreshold: the number given, or the calibration of the replay's first days. */
export function calibrationFor(replay: ReplayData, config: StrategyConfig): { info: CalibrationInfo; inSample: Set<number> } {
  if (config.volThreshold !== 'auto') {
    return { info: { mode: 'config', volThreshold: config.volThreshold, sampleSize: null, inSampleDays: [] }, inSample: new Set() };
  }
  const c = calibrateVolThreshold(replay.store, config);
  return { info: { mode: 'auto', volThreshold: c.volThreshold, sampleSize: c.sampleSize, inSampleDays: isoDays(c.days) }, inSample: new Set(c.days) };
}

/** Runs a backtest over a data folder. */
export async function backtest(dir: string, config: StrategyConfig, options: BacktestOptions = {}): Promise<BacktestResult> {
  const t0 = performance.now();
  const pool = options.pool;
  const replay =
    options.replay ??
    (await loadReplay(dir, {
      decode: pool ? poolDecoder(pool) : decodeSerial,
      cacheRoot: options.cacheRoot,
      strict: options.strict,
      onProgress: options.onLoadProgress,
      onWarning: options.onWarning,
    }));
  const t1 = performance.now();
  const features = pool ? await computeFeaturesParallel(replay.store, config, pool) : null;
  const { info, inSample } = calibrationFor(replay, config);
  const engineConfig = withVolThreshold(config, info.volThreshold);
  const engine = await runEngine(new ArrowReplayFeed(replay.store, options.onRunProgress), engineConfig, {
    factors: replay.factors,
    onEngine: (e) => {
      if (!features) return;
      e.features.useMarketColumn(features.market);
      e.features.useBtcVolColumn(features.btcVol);
    },
  });
  const report = buildReport(engine, { kind: 'backtest', calibration: info, inSampleDays: inSample, dataQuality: replay.dataQuality });
  const t2 = performance.now();
  return { report, engine, replay, timing: { loadMs: t1 - t0, runMs: t2 - t1, scans: replay.store.n } };
}
