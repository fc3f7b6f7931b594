/**
 * Scan units resolved for a replay: each unit's rows come from its day-cache column file (body read
 * later, straight into the replay's columns) or from decoding and assembling its files on their own.
 * Shared by the one-shot cached load and the streamed replay.
 */
import { emptyDataQuality, type DataQuality, type SourceProblem } from '../../core/data-quality.js';
import { ScanFormatError } from '../../core/errors.js';
import { marketReturnsOf } from '../../core/features.js';
import { hashScans } from '../../core/scan-hash.js';
import type { DayColumns } from './column-file.js';
import type { DayCache, DayFile, DayRecord } from './day-cache.js';
import type { ScanBatch } from './scan-batch.js';
import { MAX_LISTED, assembleScans, canonicalOrder } from './scan-assembler.js';
import type { ScanFile, ScanUnit } from './scan-directory.js';

/** Decodes a list of files (one folder), returning batches in file order and the skipped files. */
export type DecodeFn = (files: readonly ScanFile[], strict: boolean) => Promise<{ batches: ScanBatch[]; skipped: SourceProblem[] }>;

/** A unit ready to be placed: its cache file, its assembled columns, or how to assemble them again. */
export interface UnitPart {
  readonly unit: ScanUnit;
  readonly n: number;
  readonly symbols: readonly string[];
  readonly firstTs: bigint;
  readonly lastTs: bigint;
  /** The unit's part of the replay's data quality. */
  readonly dq: DataQuality;
  readonly file?: DayFile;
  readonly columns?: DayColumns;
  /** Decodes and assembles the unit again (streamed replays without a cache keep no columns). */
  readonly reload?: () => Promise<DayColumns>;
}

/** How units are resolved. */
export interface ResolveOptions {
  readonly decode: DecodeFn;
  readonly strict: boolean;
  /** The data folder's cache; null decodes every unit and writes nothing. */
  readonly cache: DayCache | null;
  readonly fullCheck?: boolean;
  readonly nowMs: number;
  /** Keep built units' columns in memory (one-shot loads); otherwise read them back from the cache file (streams). */
  readonly keepColumns: boolean;
  /** Units decoded at the same time (streams keep memory flat with a small number). */
  readonly concurrency?: number;
  readonly onWarning?: (message: string) => void;
  readonly onFolder?: (folder: string, status: 'hit' | 'built' | 'uncached', files: number) => void;
  /** Called with each unit's file count once it is resolved. */
  readonly onFiles?: (files: number) => void;
}

/** Decodes and assembles one unit on its own; its data quality as one assembly of its files records it. */
async function assembleUnit(unit: ScanUnit, o: ResolveOptions): Promise<{ columns: DayColumns; dq: DataQuality }> {
  const files = unit.files();
  const r = await o.decode(files, o.strict);
  const dq = emptyDataQuality();
  dq.filesRead = files.length - r.skipped.length;
  dq.skippedFiles.push(...r.skipped);
  const store = assembleScans(r.batches, dq);
  const market = new Float64Array(store.n);
  marketReturnsOf(store, 0, store.n, market);
  const hash = new Uint32Array(store.n);
  hashScans(store, 0, store.n, hash);
  return { columns: { ...store.columns(), market, hash }, dq };
}

const partOf = (unit: ScanUnit, c: DayColumns, dq: DataQuality): Omit<UnitPart, 'file' | 'columns' | 'reload'> => ({
  unit,
  n: c.n,
  symbols: c.symbols,
  firstTs: c.ts[0] ?? 0n,
  lastTs: c.ts[c.n - 1] ?? 0n,
  dq,
});

/** The part of a unit found in the cache. */
function cachedPart(unit: ScanUnit, file: DayFile): UnitPart {
  const { header } = file;
  return { unit, n: header.n, symbols: header.symbols, firstTs: BigInt(header.firstTs || '0'), lastTs: BigInt(header.lastTs || '0'), dq: dqOf(header.record), file };
}

/** The warning for a unit whose cache file is found corrupt (and is rebuilt). */
export function corruptCacheWarning(unit: ScanUnit, reason: string): string {
  return `cache file for ${unit.name} is corrupt (${reason}); rebuilding it from ${unit.rels.length} scan file(s)`;
}

/** Decodes, assembles and (with a cache) writes a unit. */
export async function buildUnit(unit: ScanUnit, o: ResolveOptions): Promise<UnitPart> {
  const { columns, dq } = await assembleUnit(unit, o);
  if (!o.cache) {
    o.onFolder?.(unit.name, 'uncached', unit.rels.length);
    return o.keepColumns ? { ...partOf(unit, columns, dq), columns } : { ...partOf(unit, columns, dq), reload: async () => (await assembleUnit(unit, o)).columns };
  }
  const { failure } = o.cache.write(unit, columns, dq);
  if (failure !== null) o.onWarning?.(`cache for ${unit.name}: ${failure}`);
  o.onFolder?.(unit.name, 'built', unit.rels.length);
  if (!o.keepColumns && failure === null) {
    const back = o.cache.lookup(unit, { nowMs: o.nowMs });
    if (back.status === 'hit') return cachedPart(unit, back.file);
  }
  return { ...partOf(unit, columns, dq), columns };
}

/** Resolves one unit: its cache file when fresh, else built. */
async function resolveUnit(unit: ScanUnit, o: ResolveOptions): Promise<UnitPart> {
  const hit = o.cache ? o.cache.lookup(unit, { full: o.fullCheck, nowMs: o.nowMs }) : null;
  if (hit?.status === 'corrupt') o.onWarning?.(corruptCacheWarning(unit, hit.reason));
  if (hit?.status !== 'hit') {
    const part = await buildUnit(unit, o);
    o.onFiles?.(unit.rels.length);
    return part;
  }
  const rec = hit.file.header.record;
  if (o.strict && rec.skipped.length) throw new ScanFormatError(rec.skipped[0].source, rec.skipped[0].reason);
  o.onFolder?.(unit.name, 'hit', unit.rels.length);
  o.onFiles?.(unit.rels.length);
  return cachedPart(unit, hit.file);
}

/** Resolves every unit, at most `concurrency` at a time (unbounded by default), in the units' order. */
export async function resolveUnits(units: readonly ScanUnit[], o: ResolveOptions): Promise<UnitPart[]> {
  const parts: UnitPart[] = new Array(units.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < units.length) {
      const i = next++;
      parts[i] = await resolveUnit(units[i], o);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(units.length, o.concurrency ?? units.length)) }, worker));
  return parts;
}

/**
 * Indices of the non-empty parts in time order, or 'overlap' when two of them share an instant (then
 * only the one-shot assembly of every file gives the replay's order, duplicates and conflicts).
 */
export function timeOrder(parts: readonly UnitPart[]): number[] | 'overlap' {
  const order = parts.map((_, i) => i).filter((i) => parts[i].n > 0);
  order.sort((a, b) => (parts[a].firstTs < parts[b].firstTs ? -1 : parts[a].firstTs > parts[b].firstTs ? 1 : 0));
  for (let k = 1; k < order.length; k++) if (parts[order[k - 1]].lastTs >= parts[order[k]].firstTs) return 'overlap';
  return order;
}

/** The replay's universe: every part's symbols, ascending. */
export function universeOf(parts: readonly UnitPart[]): string[] {
  const universe = new Set<string>();
  for (const p of parts) for (const s of p.symbols) universe.add(s);
  return [...universe].sort();
}

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

/** The replay's data quality from its parts in time order (empty parts after), as one assembly records it. */
export function mergeDataQuality(parts: readonly UnitPart[], order: readonly number[]): DataQuality {
  const dq = emptyDataQuality();
  const invalid = new Map<string, number>();
  const seq = [...order.map((i) => parts[i]), ...parts.filter((p) => p.n === 0)];
  for (const { dq: p } of seq) {
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
