/**
 * Parallel replay, two phases (DESIGN.md performance): workers decode files into shared batches; the
 * main thread orders, dedupes and assigns t; then workers compute features per index range.
 */
import type { StrategyConfig } from '../core/config.js';
import type { ScanStore } from '../core/scan-store.js';
import type { ReplayData } from '../feeds/replay/load-scan-directory.js';
import { loadReplay, type BodyReadFn, type DecodeFn, type LoadReplayOptions } from '../feeds/replay/load-replay.js';
import type { ScanFile } from '../feeds/replay/scan-directory.js';
import { sharedF64 } from '../feeds/replay/shared-arrays.js';
import type { DecodeFilesResult } from './decode-files.task.js';
import type { WorkerPool } from './pool.js';

/** Splits files into tasks: never more than one folder per task, at most `max` files per task. */
export function chunkFiles(files: readonly ScanFile[], max: number): ScanFile[][] {
  const chunks: ScanFile[][] = [];
  let cur: ScanFile[] = [];
  let folder = '';
  for (const f of files) {
    const fo = f.rel.includes('/') ? f.rel.slice(0, f.rel.lastIndexOf('/')) : '';
    if (cur.length > 0 && (fo !== folder || cur.length >= max)) {
      chunks.push(cur);
      cur = [];
    }
    folder = fo;
    cur.push(f);
  }
  if (cur.length) chunks.push(cur);
  return chunks;
}

/** A DecodeFn that spreads a folder's files over the pool in chunks and keeps file order. */
export function poolDecoder(pool: WorkerPool): DecodeFn {
  return async (files, strict) => {
    const chunks = chunkFiles(files, Math.max(16, Math.min(2000, Math.ceil(files.length / (pool.size * 2)))));
    const results = await Promise.all(chunks.map((c) => pool.run<DecodeFilesResult>('decodeFiles', { files: c, strict })));
    return { batches: results.flatMap((r) => r.batches), skipped: results.flatMap((r) => r.skipped) };
  };
}

/** A BodyReadFn reading day-cache units on the pool (straight into the shared columns, in parallel). */
export function poolBodyReader(pool: WorkerPool): BodyReadFn {
  return async (file, target) => {
    const { n, symbols, checksum, firstTs, lastTs } = file.header;
    await pool.run<number>('readColumns', { file: { path: file.path, bodyOffset: file.bodyOffset, header: { n, symbols, checksum, firstTs, lastTs, record: null } }, target });
  };
}

/** Loads a data folder with the pool decoding files (and the day cache when given); same result as loadScanDirectory. */
export async function loadScanDirectoryParallel(dir: string, pool: WorkerPool, options: Omit<LoadReplayOptions, 'decode'> = {}): Promise<ReplayData> {
  return loadReplay(dir, { ...options, decode: poolDecoder(pool), readBody: poolBodyReader(pool) });
}

/**
 * Computes btcVol[t], and m[t] and the scan log's content hashes when asked, for every t in index ranges
 * on the pool; bit-identical to a serial pass.
 */
export async function computeFeaturesParallel(store: ScanStore, config: StrategyConfig, pool: WorkerPool, want: { readonly market?: boolean; readonly hashes?: boolean } = { market: true }): Promise<{ readonly market?: Float64Array; readonly btcVol: Float64Array; readonly hashes?: Uint32Array }> {
  const hashes = want.hashes ? new Uint32Array(new SharedArrayBuffer(Math.max(4, store.n * 4)), 0, store.n) : undefined;
  const out = { market: want.market ? sharedF64(store.n) : undefined, btcVol: sharedF64(store.n), hashes };
  await computeFeatureRange(store, config, pool, 0, store.n, out);
  return out;
}

/**
 * Fills out.market[t] and out.btcVol[t] for t in [from, to) on the pool (streamed replays: the scans in
 * the store's window); every window a value reads must be in the store.
 */
export async function computeFeatureRange(store: ScanStore, config: StrategyConfig, pool: WorkerPool, from: number, to: number, out: { readonly market?: Float64Array; readonly btcVol: Float64Array; readonly hashes?: Uint32Array }, tasksPerWorker = 4): Promise<void> {
  const { market, btcVol, hashes } = out;
  const columns = store.columns();
  const n = to - from;
  const parts = Math.max(1, Math.min(pool.size * tasksPerWorker, Math.ceil(n / 4096)));
  const step = Math.ceil(n / parts);
  const tasks: Promise<number>[] = [];
  for (let a = from; a < to; a += step) {
    tasks.push(pool.run<number>('featureRange', { columns, config, from: a, to: Math.min(to, a + step), market, btcVol, hashes }));
  }
  await Promise.all(tasks);
}
