/**
 * The replay loader. Without a cache: every file decoded (on this thread or the pool, through `decode`),
 * then ordered and assembled at once. With the day cache: units (date folders, daily files) come from
 * their column files when fresh, otherwise are decoded, assembled and cached one by one; then their
 * columns are placed one after another into the replay's shared columns.
 */
import { emptyDataQuality, type DataQuality, type SourceProblem } from '../../core/data-quality.js';
import { ScanFormatError } from '../../core/errors.js';
import { FEATURE_COUNT } from '../../core/scan.js';
import { ScanStore } from '../../core/scan-store.js';
import { placeColumns, readColumnBody, type ColumnTarget, type DayColumns, type OpenColumnFile } from './column-file.js';
import { DayCache, type DayFile, type DayRecord } from './day-cache.js';
import { FileBytes, decodeFile, decodeFileInto, finishReplay, finishStore, requireScanFiles, type ReplayData } from './load-scan-directory.js';
import { MAX_LISTED, assembleScans, canonicalOrder } from './scan-assembler.js';
import { groupFilesByFolder, listScanUnits, type ScanFile, type ScanUnit } from './scan-directory.js';
import { shareBatch, sharedBigInt64, sharedF64, sharedI32 } from './shared-arrays.js';
import type { ScanBatch } from './scan-batch.js';
import { ScanBatchBuilder } from './scan-batch-builder.js';
import { TemplateDecoder } from './template-decoder.js';

/** Decodes a list of files (one folder), returning batches in file order and the skipped files. */
export type DecodeFn = (files: readonly ScanFile[], strict: boolean) => Promise<{ batches: ScanBatch[]; skipped: SourceProblem[] }>;

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

/** A unit ready to be placed: its cache file (body not read yet) or its freshly assembled columns. */
interface UnitPart {
  readonly unit: ScanUnit;
  readonly n: number;
  readonly symbols: readonly string[];
  readonly firstTs: bigint;
  readonly lastTs: bigint;
  readonly dq: DataQuality;
  readonly file?: DayFile;
  readonly columns?: DayColumns;
}

/**
 * Loads through the day cache: every unit comes from its column file or is decoded, assembled on its own
 * and cached; the units' columns are then placed one after the other into the replay's shared columns.
 * That equals assembling everything at once when the units follow each other in time, the normal case;
 * when they overlap (two units holding the same instant) the replay is assembled from the files instead.
 */
async function loadCached(dir: string, cacheRoot: string, o: LoadReplayOptions): Promise<ReplayData> {
  const units = listScanUnits(dir);
  const total = units.reduce((k, u) => k + u.rels.length, 0);
  if (total === 0) requireScanFiles(dir);
  const cache = new DayCache(cacheRoot, dir);
  const nowMs = o.nowMs ?? Date.now();
  let done = 0;
  const progress = (n: number): void => {
    done += n;
    o.onProgress?.(done, total);
  };
  const build = async (unit: ScanUnit): Promise<UnitPart> => {
    const files = unit.files();
    const r = await (o.decode ?? decodeSerial)(files, Boolean(o.strict));
    const dq = emptyDataQuality();
    dq.filesRead = files.length - r.skipped.length;
    dq.skippedFiles.push(...r.skipped);
    const columns = assembleScans(r.batches, dq).columns();
    const { failure } = cache.write(unit, columns, dq);
    if (failure !== null) o.onWarning?.(`cache for ${unit.name}: ${failure}`);
    o.onFolder?.(unit.name, 'built', files.length);
    return { unit, n: columns.n, symbols: columns.symbols, firstTs: columns.ts[0] ?? 0n, lastTs: columns.ts[columns.n - 1] ?? 0n, dq, columns };
  };
  const resolveUnit = async (unit: ScanUnit): Promise<UnitPart> => {
    const hit = cache.lookup(unit, { full: o.fullCheck, nowMs });
    if (hit.status === 'corrupt') o.onWarning?.(`cache file for ${unit.name} is corrupt (${hit.reason}); rebuilding it from ${unit.rels.length} scan file(s)`);
    if (hit.status !== 'hit') {
      const part = await build(unit);
      progress(unit.rels.length);
      return part;
    }
    const { header } = hit.file;
    const rec = header.record;
    if (o.strict && rec.skipped.length) throw new ScanFormatError(rec.skipped[0].source, rec.skipped[0].reason);
    o.onFolder?.(unit.name, 'hit', unit.rels.length);
    progress(unit.rels.length);
    return { unit, n: header.n, symbols: header.symbols, firstTs: BigInt(header.firstTs || '0'), lastTs: BigInt(header.lastTs || '0'), dq: dqOf(rec), file: hit.file };
  };
  const parts = await Promise.all(units.map(resolveUnit));
  for (;;) {
    const placed = await placeParts(parts, o.readBody ?? readSerial, async (i, reason) => {
      o.onWarning?.(`cache file for ${parts[i].unit.name} is corrupt (${reason}); rebuilding it from ${parts[i].unit.rels.length} scan file(s)`);
      parts[i] = await build(parts[i].unit);
    });
    if (placed === 'overlap') return loadUncached(dir, { ...o, onFolder: undefined, onProgress: undefined });
    if (placed !== 'retry') return finishStore(dir, total, placed.store, placed.dq);
  }
}

/** Reads a unit's body on this thread. */
const readSerial: BodyReadFn = async (file, target) => readColumnBody(file, target);

/** The data-quality part of a cached unit. */
function dqOf(r: DayRecord): DataQuality {
  const dq = emptyDataQuality();
  dq.filesRead = r.filesRead;
  dq.rowsRead = r.rowsRead;
  dq.skippedFiles.push(...r.skipped);
  dq.malformedRows.push(...r.malformed);
  dq.duplicatesDropped = r.duplicatesDropped;
  dq.duplicates.push(...r.duplicates);
  dq.conflictsDropped = r.conflictsDropped;
  dq.conflicts.push(...r.conflicts);
  dq.invalidPrices = { count: r.invalidPrices.count, byAsset: { ...r.invalidPrices.byAsset } };
  return dq;
}

/**
 * Places the units' columns one after another into new shared columns and merges their data quality.
 * 'overlap' when the units do not follow each other in time; 'retry' after a corrupt body was rebuilt.
 */
async function placeParts(parts: readonly UnitPart[], readBody: BodyReadFn, rebuild: (i: number, reason: string) => Promise<void>): Promise<{ store: ScanStore; dq: DataQuality } | 'overlap' | 'retry'> {
  const order = parts.map((_, i) => i).filter((i) => parts[i].n > 0);
  order.sort((a, b) => (parts[a].firstTs < parts[b].firstTs ? -1 : parts[a].firstTs > parts[b].firstTs ? 1 : 0));
  for (let k = 1; k < order.length; k++) if (parts[order[k - 1]].lastTs >= parts[order[k]].firstTs) return 'overlap';
  const universe = new Set<string>();
  for (const p of parts) for (const s of p.symbols) universe.add(s);
  const symbols = [...universe].sort();
  const col = new Map(symbols.map((s, i) => [s, i]));
  const stride = Math.max(1, symbols.length);
  const n = order.reduce((k, i) => k + parts[i].n, 0);
  const columns = {
    ts: sharedBigInt64(n),
    scanNumber: sharedF64(n),
    velDiv: sharedF64(n),
    features: Array.from({ length: FEATURE_COUNT }, () => sharedF64(n)),
    prices: sharedF64(n * stride),
    nAssets: sharedI32(n),
  };
  const corrupt: [number, string][] = [];
  let row0 = 0;
  await Promise.all(
    order.map(async (i) => {
      const p = parts[i];
      const same = p.symbols.length === symbols.length && p.symbols.length > 0;
      const target: ColumnTarget = { columns, stride, row0, symbolMap: same ? null : Int32Array.from(p.symbols, (s) => col.get(s)!) };
      row0 += p.n;
      if (p.columns) return placeColumns(p.columns, target);
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
  return { store, dq: mergeDataQuality(order.map((i) => parts[i].dq).concat(parts.filter((p) => p.n === 0).map((p) => p.dq))) };
}

/** The replay's data quality from its units' parts, in time order, as one assembly would have recorded it. */
function mergeDataQuality(parts: readonly DataQuality[]): DataQuality {
  const dq = emptyDataQuality();
  const invalid = new Map<string, number>();
  for (const p of parts) {
    dq.filesRead += p.filesRead;
    dq.rowsRead += p.rowsRead;
    dq.skippedFiles.push(...p.skippedFiles);
    dq.malformedRows.push(...p.malformedRows);
    dq.duplicatesDropped += p.duplicatesDropped;
    dq.duplicates.push(...p.duplicates);
    dq.conflictsDropped += p.conflictsDropped;
    dq.conflicts.push(...p.conflicts);
    for (const [sym, c] of Object.entries(p.invalidPrices.byAsset)) invalid.set(sym, (invalid.get(sym) ?? 0) + c);
  }
  dq.duplicates.length = Math.min(dq.duplicates.length, MAX_LISTED);
  dq.conflicts.length = Math.min(dq.conflicts.length, MAX_LISTED);
  for (const [sym, c] of [...invalid].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    dq.invalidPrices.count += c;
    dq.invalidPrices.byAsset[sym] = c;
  }
  canonicalOrder(dq);
  return dq;
}
