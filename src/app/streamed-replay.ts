/**
 * Streamed backtests: a long range replayed unit by unit (StreamedReplayFeed) so peak memory stays flat
 * whatever the number of days. Same units, calibration, features, engine and report as the one-shot
 * replay, and the same report bytes: calibration runs on a one-shot store of the first units (it reads
 * only the first calibration days), feature columns and content hashes are filled window by window.
 */
import { type StrategyConfig, withVolThreshold } from '../core/config.js';
import { dayOf } from '../core/scan.js';
import { ScanStore } from '../core/scan-store.js';
import { runEngine } from '../core/run-engine.js';
import { placeParts, readSerial, requireScanUnits, resolveOptionsOf, type LoadReplayOptions } from '../feeds/replay/load-replay.js';
import { readReplayFactors, requireScans } from '../feeds/replay/load-scan-directory.js';
import { StreamedReplayFeed } from '../feeds/replay/streamed-replay.feed.js';
import { buildUnit, corruptCacheWarning, mergeDataQuality, resolveUnits, timeOrder, universeOf, type UnitPart } from '../feeds/replay/unit-parts.js';
import { assessTimeline } from '../core/timeline-quality.js';
import { buildReport } from '../report/report.js';
import { HashLogStream } from '../report/scan-log.js';
import { computeFeatureRange, poolBodyReader, poolDecoder } from '../workers/parallel-replay.js';
import { sharedF64 } from '../feeds/replay/shared-arrays.js';
import type { WorkerPool } from '../workers/pool.js';
import { calibrationFor, type ReplayData, type ReplayRun } from './replay-input.js';
import type { Report } from '../report/report.js';

/** Options of streamedReplay. */
export interface StreamedReplayInputOptions extends Omit<LoadReplayOptions, 'decode' | 'readBody' | 'onProgress'> {
  readonly pool?: WorkerPool;
  readonly onLoadProgress?: (done: number, total: number) => void;
  readonly onRunProgress?: (done: number, total: number) => void;
}

/** The first units, assembled at once: enough for the calibration days (it never reads further). */
async function calibrationPrefix(parts: readonly UnitPart[], days: number, o: { readBody: Parameters<typeof placeParts>[1]; rebuild: (p: UnitPart) => Promise<UnitPart> }): Promise<ScanStore> {
  let k = 0;
  const seen = new Set<number>();
  // every scan day up to one past the calibration days: a unit's own days are only known once read, so take
  // units while their first day is among the first `days` days seen, then one more
  while (k < parts.length) {
    seen.add(dayOf(parts[k].firstTs));
    if (seen.size > days) break;
    seen.add(dayOf(parts[k].lastTs));
    k++;
  }
  const prefix = parts.slice(0, k + 1);
  for (;;) {
    const placed = await placeParts(prefix, o.readBody, async (i) => {
      prefix[i] = await o.rebuild(prefix[i]);
    });
    // the parts come in time order (timeOrder), so they never overlap; 'retry' follows a rebuilt unit
    if (placed === 'overlap') throw new Error('units overlap in time');
    if (placed !== 'retry') return placed.store;
  }
}

/**
 * Backtests a data folder streamed; null when its units overlap in time (the caller replays it one-shot,
 * which merges what the overlap holds).
 */
export async function streamedReplay(dir: string, config: StrategyConfig, o: StreamedReplayInputOptions = {}): Promise<(ReplayRun & { readonly report: Report; readonly replay: ReplayData; readonly loadMs: number }) | null> {
  const t0 = performance.now();
  const { units, files } = requireScanUnits(dir);
  let done = 0;
  const pool = o.pool;
  const ro = resolveOptionsOf(dir, o.cacheRoot, { ...o, decode: pool ? poolDecoder(pool) : undefined }, false, (n) => {
    done += n;
    o.onLoadProgress?.(done, files);
  });
  const resolved = await resolveUnits(units, ro);
  const order = timeOrder(resolved);
  if (order === 'overlap') return null;
  const parts = order.map((i) => resolved[i]);
  const dq = mergeDataQuality(resolved, order);
  const total = parts.reduce((k, p) => k + p.n, 0);
  requireScans(dir, files, total, dq);
  const factors = readReplayFactors(dir, dq);
  const readBody = pool ? poolBodyReader(pool) : readSerial;
  const rebuild = (p: UnitPart): Promise<UnitPart> => buildUnit(p.unit, { ...ro, keepColumns: true });
  const symbols = universeOf(parts);
  const needsCalibration = config.volThreshold === 'auto';
  const prefix = needsCalibration ? await calibrationPrefix(parts, config.calibrationDays, { readBody, rebuild }) : null;
  // a numeric volThreshold reads no scan: any store will do
  const { info, inSample } = calibrationFor(prefix ?? new ScanStore(1, 1), config);
  const loadMs = performance.now() - t0;
  const engineConfig = withVolThreshold(config, info.volThreshold);
  const btcVol = pool ? sharedF64(total) : null;
  // the scan log's hashes deflate on the libuv pool unit by unit while the replay runs
  const hashLog = new HashLogStream();
  const feed: StreamedReplayFeed = new StreamedReplayFeed({
    parts,
    symbols,
    tail: Math.max(config.volWindow, config.alignWindow) + 2,
    readBody,
    rebuild: async (p, reason) => {
      o.onWarning?.(corruptCacheWarning(p.unit, reason));
      return (await rebuild(p)).columns!;
    },
    prepare: async (view, from, to) => {
      hashLog.push(feed.hashes.subarray(from, to));
      if (pool && btcVol) await computeFeatureRange(view, config, pool, from, to, { btcVol }, 1);
    },
    onProgress: o.onRunProgress,
  });
  const engine = await runEngine(feed, engineConfig, { factors, featureColumns: { market: feed.market, btcVol: btcVol ?? undefined } });
  assessTimeline(feed.store, new Set(factors.map((f) => f.day)), dq);
  const scanLog = engine.recorder.n === feed.total ? await hashLog.scanLog(feed.store, feed.total) : undefined;
  const report = buildReport(engine, { kind: 'backtest', calibration: info, inSampleDays: inSample, dataQuality: dq, contentHashes: feed.hashes, scanLog });
  return { engine, calibration: info, inSample, engineConfig, report, replay: { dir, store: feed.store, factors, dataQuality: dq }, loadMs };
}
