/**
 * The one replay input: data folder -> loader (day cache, pool) -> assembled columns -> features ->
 * calibration -> engine. Every command that replays goes through here (backtest, sweep, calibrate,
 * cache build, compare's replay check).
 */
import { chooseVolThreshold, type VolThresholdChoice } from '../core/calibration.js';
import { withVolThreshold, type EngineConfig, type StrategyConfig } from '../core/config.js';
import type { Engine } from '../core/engine.js';
import { runEngine } from '../core/run-engine.js';
import type { ScanStore } from '../core/scan-store.js';
import type { FactorRecord } from '../core/trade.js';
import { ArrowReplayFeed } from '../feeds/replay/arrow-replay.feed.js';
import { decodeSerial, loadReplay, type LoadReplayOptions } from '../feeds/replay/load-replay.js';
import { cachedColumnsOf, type CachedColumns, type ReplayData } from '../feeds/replay/load-scan-directory.js';
import type { ReplayedFolder, ReplayRunner } from '../report/compare/replay-check.js';
import { buildReport, isoDays, type CalibrationInfo, type Report } from '../report/report.js';
import { encodeScanLogAsync, type ScanLog } from '../report/scan-log.js';
import { computeFeaturesParallel, poolBodyReader, poolDecoder } from '../workers/parallel-replay.js';
import type { WorkerPool } from '../workers/pool.js';

export type { ReplayData };

/** Options of loadReplayInput. */
export interface ReplayInputOptions extends Omit<LoadReplayOptions, 'decode' | 'readBody'> {
  /** Decode files on this pool (serial on this thread without). */
  readonly pool?: WorkerPool;
}

/**
 * Loads a data folder: lists and decodes its files (on the pool when given), through the day cache when
 * `cacheRoot` is set, and assembles the columnar store. Same ReplayData whatever was cached or pooled.
 */
export function loadReplayInput(dir: string, o: ReplayInputOptions = {}): Promise<ReplayData> {
  const { pool, ...rest } = o;
  return loadReplay(dir, { ...rest, decode: pool ? poolDecoder(pool) : decodeSerial, readBody: pool ? poolBodyReader(pool) : undefined });
}

/** Feature columns for a run: the market return, btcVol and the scans' content hashes, each when known ahead. */
export interface RunColumns {
  readonly market?: Float64Array;
  readonly btcVol?: Float64Array;
  readonly hashes?: Uint32Array;
}

/**
 * Feature columns of a store for a config (bit-identical to the engine's lazy ones): the day cache's
 * market returns and content hashes when `cached` belongs to the store, the rest computed on the pool;
 * without a pool only what the cache has (the engine computes the rest as it goes).
 */
export async function featureColumnsFor(store: ScanStore, config: StrategyConfig, pool?: WorkerPool, withHashes = false, cached: CachedColumns | null = null): Promise<RunColumns> {
  if (cached) {
    const btcVol = pool ? (await computeFeaturesParallel(store, config, pool, {})).btcVol : undefined;
    return { market: cached.market, btcVol, hashes: cached.hashes };
  }
  return pool ? computeFeaturesParallel(store, config, pool, { market: true, hashes: withHashes }) : {};
}

/** A volThreshold choice as the report shows it, with the in-sample days. */
export function calibrationInfoOf(choice: VolThresholdChoice): { info: CalibrationInfo; inSample: Set<number> } {
  return {
    info: { mode: choice.mode, volThreshold: choice.volThreshold, sampleSize: choice.sampleSize, inSampleDays: isoDays(choice.days) },
    inSample: new Set(choice.days),
  };
}

/** Resolves volThreshold for a replay: the number given, or the calibration of its first days (btcVol from the column when computed ahead). */
export function calibrationFor(store: ScanStore, config: StrategyConfig, btcVol?: Float64Array): { info: CalibrationInfo; inSample: Set<number> } {
  return calibrationInfoOf(chooseVolThreshold(store, config, btcVol));
}

/** Options of runReplay. */
export interface RunReplayOptions {
  readonly pool?: WorkerPool;
  readonly onRunProgress?: (done: number, total: number) => void;
  /** Factor records to use instead of the data folder's (compare's replay check). */
  readonly factors?: readonly FactorRecord[];
}

/** A replay run: the engine after the last scan, its calibration and the engine config it ran with. */
export interface ReplayRun {
  readonly engine: Engine;
  readonly calibration: CalibrationInfo;
  readonly inSample: Set<number>;
  readonly engineConfig: EngineConfig;
  /** The scans' content hashes when the pool computed them with the features (the report's scan log). */
  readonly contentHashes?: Uint32Array;
  /** The scan log, encoded during the run when the day cache gave the hashes ahead. */
  readonly scanLog?: Promise<ScanLog>;
}

/** Features -> calibration -> engine over a loaded replay. */
export async function runReplay(replay: ReplayData, config: StrategyConfig, o: RunReplayOptions = {}): Promise<ReplayRun> {
  const cached = cachedColumnsOf(replay);
  // timestamps and hashes known ahead: deflate the scan log on the libuv pool while the replay runs
  const scanLog = cached ? encodeScanLogAsync(replay.store, replay.store.n, cached.hashes) : undefined;
  scanLog?.catch(() => undefined);
  const features = await featureColumnsFor(replay.store, config, o.pool, true, cached);
  const { info, inSample } = calibrationFor(replay.store, config, features.btcVol);
  const engineConfig = withVolThreshold(config, info.volThreshold);
  const engine = await runEngine(new ArrowReplayFeed(replay.store, o.onRunProgress), engineConfig, {
    factors: o.factors ?? replay.factors,
    featureColumns: features,
  });
  return { engine, calibration: info, inSample, engineConfig, contentHashes: features.hashes, scanLog };
}

/** runReplay plus the backtest report of the run. */
export async function replayReport(replay: ReplayData, config: StrategyConfig, o: RunReplayOptions = {}): Promise<ReplayRun & { readonly report: Report }> {
  const run = await runReplay(replay, config, o);
  const report = buildReport(run.engine, { kind: 'backtest', calibration: run.calibration, inSampleDays: run.inSample, dataQuality: replay.dataQuality, contentHashes: run.contentHashes, scanLog: await run.scanLog });
  return { ...run, report };
}

/** Calibrates a data folder as volThreshold "auto" would, whatever the config holds (`dolphin calibrate`). */
export async function calibrateFolder(dir: string, config: StrategyConfig, o: ReplayInputOptions = {}): Promise<CalibrationInfo> {
  const replay = await loadReplayInput(dir, o);
  return calibrationFor(replay.store, { ...config, volThreshold: 'auto' }).info;
}

/** A replayed folder as compare's replay check sees it, with the loaded replay kept for rebuilt runs. */
interface ReplayedInput extends ReplayedFolder {
  readonly replay: ReplayData;
}

/**
 * compare's replay check through the one replay input (`compareRuns({ replay: replayRunner })`): a data
 * folder is backtested as `dolphin backtest` does without pool or cache; rebuilt scans keep the base
 * folder's data quality and take the given factor records.
 */
export const replayRunner: ReplayRunner = {
  async replayFolder(dir: string, config: EngineConfig): Promise<ReplayedInput> {
    const replay = await loadReplayInput(dir);
    const { report } = await replayReport(replay, config);
    return { dir, report, store: replay.store, replay };
  },
  async replayScans(base: ReplayedFolder, store: ScanStore, config: EngineConfig, factors: readonly FactorRecord[]): Promise<Report> {
    const replay: ReplayData = { ...(base as ReplayedInput).replay, store, factors };
    return (await replayReport(replay, config)).report;
  },
};
