/** The cache use cases (`dolphin cache build|verify|clear`): build through the one replay input, verify, clear. */
import { readColumnBody } from '../feeds/replay/column-file.js';
import { DayCache } from '../feeds/replay/day-cache.js';
import { sharedRowColumns } from '../feeds/replay/load-replay.js';
import { requireScanFiles } from '../feeds/replay/load-scan-directory.js';
import { listScanUnits } from '../feeds/replay/scan-directory.js';
import type { WorkerPool } from '../workers/pool.js';
import { loadReplayInput } from './replay-input.js';

/** What building did to one unit (a date folder or a daily file). */
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

/** Caches every stale or missing unit of a data folder (a replay load with the cache on, every file checked); rows by unit. */
export async function buildCache(dir: string, cacheRoot: string, o: CacheBuildOptions = {}): Promise<{ cacheDir: string; folders: CacheBuildRow[] }> {
  // a unit whose cache file turns out corrupt while its columns are read is reported again, rebuilt: keep the last word
  const byUnit = new Map<string, CacheBuildRow>();
  await loadReplayInput(dir, { pool: o.pool, cacheRoot, fullCheck: true, onProgress: o.onProgress, onWarning: o.onWarning, onFolder: (folder, status, files) => byUnit.set(folder, { folder, status, files }) });
  const folders = [...byUnit.values()].sort((a, b) => (a.folder < b.folder ? -1 : 1));
  return { cacheDir: new DayCache(cacheRoot, dir).dir, folders };
}

/** How one unit's cache file stands. */
export interface CacheVerifyRow {
  readonly folder: string;
  readonly status: 'fresh' | 'stale' | 'missing' | 'corrupt';
  readonly reason?: string;
}

/** Checks every unit's cache file against its files (full check: every file's name, size, mtime) and its body checksum. */
export function verifyCache(dir: string, cacheRoot: string, nowMs = Date.now()): { cacheDir: string; folders: CacheVerifyRow[] } {
  requireScanFiles(dir);
  const cache = new DayCache(cacheRoot, dir);
  const folders: CacheVerifyRow[] = [];
  for (const unit of listScanUnits(dir)) {
    const r = cache.lookup(unit, { full: true, nowMs });
    if (r.status === 'hit') {
      const { n, symbols } = r.file.header;
      const S = symbols.length;
      try {
        readColumnBody(r.file, { columns: sharedRowColumns(n, S), stride: S, row0: 0, symbolMap: null });
        folders.push({ folder: unit.name, status: 'fresh' });
      } catch (e) {
        folders.push({ folder: unit.name, status: 'corrupt', reason: `${r.file.path}: ${(e as Error).message}` });
      }
    } else folders.push(r.status === 'corrupt' ? { folder: unit.name, status: 'corrupt', reason: r.reason } : { folder: unit.name, status: r.status });
  }
  return { cacheDir: cache.dir, folders };
}

/** Deletes a data folder's cache; returns the folder deleted. */
export function clearCache(dir: string, cacheRoot: string): string {
  const cache = new DayCache(cacheRoot, dir);
  cache.clear();
  return cache.dir;
}
