/**
 * The replay loader. Without a cache: every file decoded (on this thread or the pool, through `decode`),
 * then ordered and assembled at once. With the day cache: units (date folders, daily files) come from
 * their column files when fresh, otherwise are decoded, assembled and cached one by one; then their
 * columns are placed one after another into the replay's shared columns.
 */
import { emptyDataQuality, type DataQuality, type SourceProblem } from '../../core/data-quality.js';
import { ScanFormatError } from '../../core/errors.js';
import { FEATURE_COUNT } from '../../core/scan.js';
import { marketReturnAt } from '../../core/features.js';
import { ScanStore } from '../../core/scan-store.js';
import { placeColumns, readColumnBody, type ColumnTarget, type DayColumns, type OpenColumnFile } from './column-file.js';
import { DayCache } from './day-cache.js';
import { FileBytes, decodeFile, decodeFileInto, finishReplay, finishStore, requireScanFiles, type ReplayData } from './load-scan-directory.js';
import { buildUnit, corruptCacheWarning, mergeDataQuality, resolveUnits, timeOrder, universeOf, type DecodeFn, type ResolveOptions, type UnitPart } from './unit-parts.js';
import { groupFilesByFolder, listScanUnits, type ScanFile, type ScanUnit } from './scan-directory.js';
import { shareBatch, sharedBigInt64, sharedF64, sharedI32 } from './shared-arrays.js';
import type { ScanBatch } from './scan-batch.js';
import { ScanBatchBuilder } from './scan-batch-builder.js';
import { TemplateDecoder } from './template-decoder.js';

export type { DecodeFn } from './unit-parts.js';

/** Files above this size hold many scans (daily files): decoded on their own, never copied into a builder. */
const MULTI_ROW_BYTES = 1 << 20;
/** Expected asset entries per scan file when sizing a task's columns (they grow past it). */
const ITEMS_PER_FILE = 64;

/**
 * Decodes files (of one folder) in order: small one-scan files into one builder (what decoding each file
 * and mergeBatches gives, each column allocated once), big multi-scan files each on their own. A bad file
 * is skipped and named (thrown when strict). `shared` puts the columns in SharedArrayBuffers (pool tasks).
 */
export function decodeFileList(files: readonly ScanFile[], strict: boolean, shared: boolean): { batches: ScanBatch[]; skipped: SourceProblem[] } {
  const skipped: SourceProblem[] = [];
  const batches: ScanBatch[] = [];
  const template = new TemplateDecoder();
  const small = files.filter((f) => f.size <= MULTI_ROW_BYTES);
  const out = new ScanBatchBuilder({ rows: small.length, items: small.length * ITEMS_PER_FILE, shared });
  const bytes = new FileBytes();
  for (const f of files) {
    try {
      if (f.size <= MULTI_ROW_BYTES) decodeFileInto(f, template, out, bytes);
      else batches.push(shared ? shareBatch(decodeFile(f, template)) : decodeFile(f, template));
    } catch (e) {
      if (strict || !(e instanceof ScanFormatError)) throw e;
      skipped.push({ source: e.source, reason: e.reason });
    }
  }
  const first = small[0]?.rel ?? '';
  const batch = out.result(first.includes('/') ? `${first.slice(0, first.lastIndexOf('/'))}/` : first);
  if (batch) batches.push(batch);
  return { batches, skipped };
}

/** Decodes on this thread. */
export const decodeSerial: DecodeFn = async (files, strict) => decodeFileList(files, strict, false);

/** Reads a cached unit's body into the replay's columns (rejects when the file is corrupt). */
export type BodyReadFn = (file: OpenColumnFile<unknown>, target: ColumnTarget) => Promise<void>;

/** Options of loadReplay. */
export interface LoadReplayOptions {
  readonly decode?: DecodeFn;
  /** How cached units' bodies are read (on this thread by default; the pool's workers in parallel). */
  readonly readBody?: BodyReadFn;
  /** Cache root; no caching when undefined. */
  readonly cacheRoot?: string;
  /** Check every file of every cached unit (size, mtime), closed days too (`cache build`). */
  readonly fullCheck?: boolean;
  /** Now in ms since the epoch (which day folders are closed); the system clock by default. */
  readonly nowMs?: number;
  readonly strict?: boolean;
  /** Progress in files (cached units count all their files at once). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Warnings (a corrupted cache file being rebuilt). */
  readonly onWarning?: (message: string) => void;
  /** Per-unit outcome, for `dolphin cache build`. */
  readonly onFolder?: (folder: string, status: 'hit' | 'built' | 'uncached', files: number) => void;
}

/** Loads a data folder, through the day cache when `cacheRoot` is set; the same ReplayData either way. */
export async function loadReplay(dir: string, o: LoadReplayOptions = {}): Promise<ReplayData> {
  return o.cacheRoot ? loadCached(dir, o.cacheRoot, o) : loadUncached(dir, o);
}

/** Decodes every file and assembles them at once (no cache). */
async function loadUncached(dir: string, o: LoadReplayOptions): Promise<ReplayData> {
  const files = requireScanFiles(dir);
  const dq = emptyDataQuality();
  const groups = [...groupFilesByFolder(files)];
  const results: ScanBatch[][] = new Array(groups.length);
  let done = 0;
  await Promise.all(
    groups.map(async ([folder, fs], gi) => {
      const r = await (o.decode ?? decodeSerial)(fs, Boolean(o.strict));
      results[gi] = r.batches;
      dq.filesRead += fs.length - r.skipped.length;
      dq.skippedFiles.push(...r.skipped);
      o.onFolder?.(folder, 'uncached', fs.length);
      done += fs.length;
      o.onProgress?.(done, files.length);
    }),
  );
  return finishReplay(dir, files.length, results.flat(), dq);
}

/** How loadCached resolves units (also the streamed replay's). */
export function resolveOptionsOf(dir: string, cacheRoot: string | undefined, o: LoadReplayOptions, keepColumns: boolean, onFiles?: (files: number) => void): ResolveOptions {
  return {
    decode: o.decode ?? decodeSerial,
    strict: Boolean(o.strict),
    cache: cacheRoot ? new DayCache(cacheRoot, dir) : null,
    fullCheck: o.fullCheck,
    nowMs: o.nowMs ?? Date.now(),
    keepColumns,
    concurrency: keepColumns ? undefined : 2,
    onWarning: o.onWarning,
    onFolder: o.onFolder,
    onFiles,
  };
}

/** The units of a data folder and their file count (DataEmptyError when there is no scan file). */
export function requireScanUnits(dir: string): { units: ScanUnit[]; files: number } {
  const units = listScanUnits(dir);
  const files = units.reduce((k, u) => k + u.rels.length, 0);
  if (files === 0) requireScanFiles(dir);
  return { units, files };
}

/**
 * Loads through the day cache: every unit comes from its column file or is decoded, assembled on its own
 * and cached; the units' columns are then placed one after the other into the replay's shared columns.
 * That equals assembling everything at once when the units follow each other in time, the normal case;
 * when they overlap (two units holding the same instant) the replay is assembled from the files instead.
 */
async function loadCached(dir: string, cacheRoot: string, o: LoadReplayOptions): Promise<ReplayData> {
  const { units, files: total } = requireScanUnits(dir);
  let done = 0;
  const ro = resolveOptionsOf(dir, cacheRoot, o, true, (n) => {
    done += n;
    o.onProgress?.(done, total);
  });
  const parts = await resolveUnits(units, ro);
  for (;;) {
    const placed = await placeParts(parts, o.readBody ?? readSerial, async (i, reason) => {
      o.onWarning?.(corruptCacheWarning(parts[i].unit, reason));
      parts[i] = await buildUnit(parts[i].unit, ro);
    });
    if (placed === 'overlap') return loadUncached(dir, { ...o, onFolder: undefined, onProgress: undefined });
    if (placed !== 'retry') return { ...finishStore(dir, total, placed.store, placed.dq), cached: { store: placed.store, market: placed.market, hashes: placed.hashes } };
  }
}

/** Reads a unit's body on this thread. */
export const readSerial: BodyReadFn = async (file, target) => readColumnBody(file, target);

/** The replay's row columns for n scans of `stride` symbols, in shared memory. */
export function sharedRowColumns(n: number, stride: number): Omit<DayColumns, 'n' | 'symbols'> {
  return {
    ts: sharedBigInt64(n),
    scanNumber: sharedF64(n),
    velDiv: sharedF64(n),
    features: Array.from({ length: FEATURE_COUNT }, () => sharedF64(n)),
    market: sharedF64(n),
    prices: sharedF64(n * stride),
    hash: new Uint32Array(new SharedArrayBuffer(Math.max(4, n * 4)), 0, n),
    nAssets: sharedI32(n),
  };
}

/** Where a part's rows go in columns of the given universe (prices remapped unless the universes are equal). */
export function targetOf(part: UnitPart, columns: Omit<DayColumns, 'n' | 'symbols'>, symbols: readonly string[], col: ReadonlyMap<string, number>, row0: number): ColumnTarget {
  const same = part.symbols.length === symbols.length && part.symbols.length > 0;
  return { columns, stride: Math.max(1, symbols.length), row0, symbolMap: same ? null : Int32Array.from(part.symbols, (s) => col.get(s)!) };
}

/**
 * Places the units' columns one after another into new shared columns and merges their data quality.
 * 'overlap' when the units do not follow each other in time; 'retry' after a corrupt body was rebuilt.
 */
export async function placeParts(parts: readonly UnitPart[], readBody: BodyReadFn, rebuild: (i: number, reason: string) => Promise<void>): Promise<{ store: ScanStore; dq: DataQuality; market: Float64Array; hashes: Uint32Array } | 'overlap' | 'retry'> {
  const order = timeOrder(parts);
  if (order === 'overlap') return 'overlap';
  const symbols = universeOf(parts);
  const col = new Map(symbols.map((s, i) => [s, i]));
  const n = order.reduce((k, i) => k + parts[i].n, 0);
  const columns = sharedRowColumns(n, Math.max(1, symbols.length));
  const corrupt: [number, string][] = [];
  let row0 = 0;
  await Promise.all(
    order.map(async (i) => {
      const p = parts[i];
      const target = targetOf(p, columns, symbols, col, row0);
      row0 += p.n;
      if (p.columns) return placeColumns(p.columns, target);
      if (p.reload) return placeColumns(await p.reload(), target);
      try {
        await readBody(p.file!, target);
      } catch (e) {
        corrupt.push([i, `${p.file!.path}: ${(e as Error).message}`]);
      }
    }),
  );
  if (corrupt.length > 0) {
    for (const [i, reason] of corrupt.sort((a, b) => a[0] - b[0])) await rebuild(i, reason);
    return 'retry';
  }
  const day = sharedI32(n);
  const barOfDay = sharedI32(n);
  ScanStore.computeDays(columns.ts, n, day, barOfDay);
  const store = ScanStore.fromColumns({ n, symbols, ...columns, day, barOfDay });
  // a unit's first market return read no earlier scan: recompute it now that the scan before is there
  for (let k = 0, row = 0; k < order.length; row += parts[order[k]].n, k++) if (row > 0) columns.market[row] = marketReturnAt(store, row);
  return { store, dq: mergeDataQuality(parts, order), market: columns.market, hashes: columns.hash };
}
