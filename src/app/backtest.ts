/** The backtest use case: load a data folder, calibrate, run the engine, build the report. */
import type { StrategyConfig } from '../core/config.js';
import type { Engine } from '../core/engine.js';
import type { WorkerPool } from '../workers/pool.js';
import type { Report } from '../report/report.js';
import { listScanUnits } from '../feeds/replay/scan-directory.js';
import { loadReplayInput, replayReport, type ReplayData } from './replay-input.js';
import { streamedReplay } from './streamed-replay.js';

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
  /** Per cache unit: read from the cache ('hit') or decoded and cached ('built'). */
  readonly onFolder?: (unit: string, status: 'hit' | 'built' | 'uncached', files: number) => void;
  /**
   * Stream the range unit by unit with flat memory (true), load it at once (false), or stream when the
   * folder holds more than STREAM_AUTO_UNITS units ('auto', the default). Same report either way.
   */
  readonly stream?: boolean | 'auto';
}

/** 'auto' streams a folder of more units (date folders, daily files) than this: about two months of days. */
export const STREAM_AUTO_UNITS = 62;

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

/** Runs a backtest over a data folder. */
export async function backtest(dir: string, config: StrategyConfig, options: BacktestOptions = {}): Promise<BacktestResult> {
  const t0 = performance.now();
  const pool = options.pool;
  const stream = options.stream ?? 'auto';
  if (!options.replay && (stream === true || (stream === 'auto' && listScanUnits(dir).length > STREAM_AUTO_UNITS))) {
    const r = await streamedReplay(dir, config, options);
    if (r) {
      const t2 = performance.now();
      return { report: r.report, engine: r.engine, replay: r.replay, timing: { loadMs: r.loadMs, runMs: t2 - t0 - r.loadMs, scans: r.replay.store.n } };
    }
    // the units overlap in time: only the one-shot assembly merges them
  }
  const replay =
    options.replay ??
    (await loadReplayInput(dir, {
      pool,
      cacheRoot: options.cacheRoot,
      strict: options.strict,
      onProgress: options.onLoadProgress,
      onWarning: options.onWarning,
      onFolder: options.onFolder,
    }));
  const t1 = performance.now();
  const { report, engine } = await replayReport(replay, config, { pool, onRunProgress: options.onRunProgress });
  const t2 = performance.now();
  return { report, engine, replay, timing: { loadMs: t1 - t0, runMs: t2 - t1, scans: replay.store.n } };
}
