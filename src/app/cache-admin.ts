/** The cache use cases (`dolphin cache build|verify|clear`): build through the one replay input, verify, clear. */
import { DayCache, groupByFolder } from '../feeds/replay/day-cache.js';
import { requireScanFiles } from '../feeds/replay/load-scan-directory.js';
import type { WorkerPool } from '../workers/pool.js';
import { loadReplayInput } from './replay-input.js';

/** What building did to one date folder ('' is the top level: daily files, never cached). */
export interface CacheBuildRow {
  readonly folder: string;
  readonly status: 'hit' | 'built' | 'uncached';
  readonly files: number;
}

/** Options of buildCache. */
export interface CacheBuildOptions {
  readonly pool?: WorkerPool;
  readonly onProgress?: (done: number, total: number) => void;
  readonly onWarning?: (message: string) => void;
}

/** Caches every stale or missing day of a data folder (a replay load with the cache on); rows by folder. */
export async function buildCache(dir: string, cacheRoot: string, o: CacheBuildOptions = {}): Promise<{ cacheDir: string; folders: CacheBuildRow[] }> {
  const folders: CacheBuildRow[] = [];
  await loadReplayInput(dir, { pool: o.pool, cacheRoot, onProgress: o.onProgress, onWarning: o.onWarning, onFolder: (folder, status, files) => folders.push({ folder, status, files }) });
  folders.sort((a, b) => (a.folder < b.folder ? -1 : 1));
  return { cacheDir: new DayCache(cacheRoot, dir).dir, folders };
}

/** How one date folder's cache file stands. */
export interface CacheVerifyRow {
  readonly folder: string;
  readonly status: 'fresh' | 'stale' | 'missing' | 'corrupt';
  readonly reason?: string;
}

/** Checks every date folder's cache file against the folder (full check: every file's name, size, mtime). */
export function verifyCache(dir: string, cacheRoot: string): { cacheDir: string; folders: CacheVerifyRow[] } {
  const cache = new DayCache(cacheRoot, dir);
  const folders: CacheVerifyRow[] = [];
  for (const [folder, files] of groupByFolder(requireScanFiles(dir))) {
    if (folder === '') continue;
    const r = cache.lookup(folder, files);
    folders.push(r.status === 'hit' ? { folder, status: 'fresh' } : r.status === 'corrupt' ? { folder, status: 'corrupt', reason: r.reason } : { folder, status: r.status });
  }
  return { cacheDir: cache.dir, folders };
}

/** Deletes a data folder's cache; returns the folder deleted. */
export function clearCache(dir: string, cacheRoot: string): string {
  const cache = new DayCache(cacheRoot, dir);
  cache.clear();
  return cache.dir;
}
