/**
 * The column cache file: a day's assembled columns as the engine reads them, behind a small header.
 *
 *   bytes 0..7    magic "DOLPHCOL"
 *   bytes 8..11   format version (u32 LE)
 *   bytes 12..15  header length in bytes (u32 LE)
 *   bytes 16..23  first 8 bytes of the header's SHA-256
 *   header        JSON: n, symbols, body checksum, first/last timestamp, the caller's record
 *   body          from the next multiple of 8: ts (i64 x n), scan_number, vel_div, 16 features, market
 *                 return (f64 x n each), prices (f64 x n x symbols, row-major), content hash (u32 x n),
 *                 assets per scan (i32 x n)
 *
 * Loading a day is one read per column straight into the replay's shared columns; the body checksum
 * (column-checksum.ts) is verified on the way, so a torn or altered file is never trusted.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FEATURE_COUNT } from '../../core/scan.js';
import type { ScanColumns } from '../../core/scan-store.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { ColumnChecksum } from './column-checksum.js';

const MAGIC = 'DOLPHCOL';
const PREFIX_BYTES = 24;
/** Bump when the body layout or the header's meaning changes. */
export const COLUMN_FILE_VERSION = 2;
/** A header above this is not ours (symbol tables and data-quality records are far smaller). */
const MAX_HEADER_BYTES = 64 << 20;

/** The header of a column file. */
export interface ColumnFileHeader<R> {
  readonly n: number;
  /** The day's universe, ascending; price columns follow it. */
  readonly symbols: readonly string[];
  readonly checksum: string;
  /** First and last timestamp_ns (decimal strings; '' when n = 0). */
  readonly firstTs: string;
  readonly lastTs: string;
  readonly record: R;
}

/**
 * Columns of one unit: ScanColumns without day numbers, plus what depends on each scan alone and is worth
 * keeping: the market return m[t] (marketReturnAt; wrong at the unit's first scan, which reads the scan
 * before it: recomputed where units are placed) and the content hash (scanContentHash).
 */
export type DayColumns = Omit<ScanColumns, 'day' | 'barOfDay' | 'base'> & { readonly market: Float64Array; readonly hash: Uint32Array };

type Column = Float64Array | BigInt64Array | Int32Array | Uint32Array;

/** Where a day's rows go: the replay's columns, its universe width and the day's first row. */
export interface ColumnTarget {
  readonly columns: Omit<DayColumns, 'n' | 'symbols'>;
  readonly stride: number;
  readonly row0: number;
  /** Column of each of the day's symbols in the target; null when the day's universe is the target's. */
  readonly symbolMap: Int32Array | null;
}

const align8 = (x: number): number => (x + 7) & ~7;

/** Byte views of a day's columns in body order. */
function bodyColumns(c: Omit<DayColumns, 'n' | 'symbols'>): Column[] {
  return [c.ts, c.scanNumber, c.velDiv, ...c.features, c.market, c.prices, c.hash, c.nAssets];
}

const bytesOf = (a: Column): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Writes a day's columns with its record (atomically, not fsynced: a cache file lost to a crash is rebuilt). */
export function writeColumnFile<R>(path: string, cols: DayColumns, record: R, flag: string): ColumnFileHeader<R> {
  const n = cols.n;
  const S = cols.symbols.length;
  const sliced = {
    ts: cols.ts.subarray(0, n),
    scanNumber: cols.scanNumber.subarray(0, n),
    velDiv: cols.velDiv.subarray(0, n),
    features: cols.features.map((f) => f.subarray(0, n)),
    market: cols.market.subarray(0, n),
    prices: cols.prices.subarray(0, n * S),
    hash: cols.hash.subarray(0, n),
    nAssets: cols.nAssets.subarray(0, n),
  };
  const body = bodyColumns(sliced);
  const sum = new ColumnChecksum();
  for (const c of body) sum.add(c);
  const header: ColumnFileHeader<R> = {
    n,
    symbols: [...cols.symbols],
    checksum: sum.hex(),
    firstTs: n ? sliced.ts[0].toString() : '',
    lastTs: n ? sliced.ts[n - 1].toString() : '',
    record,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(align8(PREFIX_BYTES + json.length) - json.length);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(COLUMN_FILE_VERSION, 8);
  prefix.writeUInt32LE(json.length, 12);
  createHash('sha256').update(json).digest().copy(prefix, 16, 0, 8);
  // the padding after the header is the tail of `prefix` moved behind it
  const head = Buffer.concat([prefix.subarray(0, PREFIX_BYTES), json, prefix.subarray(PREFIX_BYTES)]);
  writeFileAtomic(path, [head, ...body.map(bytesOf)], flag, { durable: false });
  return header;
}

/** An open column file: its header and where its body starts. */
export interface OpenColumnFile<R> {
  readonly path: string;
  readonly header: ColumnFileHeader<R>;
  readonly bodyOffset: number;
}

/** Reads and checks a column file's header; throws an Error saying what is wrong with the file. */
export function readColumnHeader<R>(path: string): OpenColumnFile<R> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const prefix = Buffer.alloc(PREFIX_BYTES);
    if (readSync(fd, prefix, 0, PREFIX_BYTES, 0) !== PREFIX_BYTES || prefix.toString('latin1', 0, 8) !== MAGIC) throw new Error('not a column cache file (bad magic)');
    const version = prefix.readUInt32LE(8);
    if (version !== COLUMN_FILE_VERSION) throw new Error(`column file version ${version}, this build reads ${COLUMN_FILE_VERSION}`);
    const len = prefix.readUInt32LE(12);
    if (len > MAX_HEADER_BYTES || PREFIX_BYTES + len > size) throw new Error(`header of ${len} bytes does not fit the file's ${size} bytes`);
    const json = Buffer.alloc(len);
    if (readSync(fd, json, 0, len, PREFIX_BYTES) !== len) throw new Error('header cut short');
    if (!createHash('sha256').update(json).digest().subarray(0, 8).equals(prefix.subarray(16, 24))) throw new Error('header checksum mismatch');
    const header = JSON.parse(json.toString('utf8')) as ColumnFileHeader<R>;
    const bodyOffset = align8(PREFIX_BYTES + len);
    const n = header.n;
    const S = header.symbols.length;
    const expected = bodyOffset + n * 8 * (4 + FEATURE_COUNT + S) + n * 8;
    if (size !== expected) throw new Error(`file is ${size} bytes, its header says ${expected}`);
    return { path, header, bodyOffset };
  } finally {
    closeSync(fd);
  }
}

/** Views of the target rows a day fills, in body order, and how to finish (scatter prices when remapped). */
function targetViews(n: number, S: number, target: ColumnTarget): { views: Column[]; finish: () => void } {
  const { columns: c, stride, row0, symbolMap } = target;
  const at = <T extends Column>(a: T, from: number, len: number): T => a.subarray(from, from + len) as T;
  const dayPrices = symbolMap === null ? at(c.prices, row0 * stride, n * stride) : new Float64Array(n * S);
  const views = bodyColumns({
    ts: at(c.ts, row0, n),
    scanNumber: at(c.scanNumber, row0, n),
    velDiv: at(c.velDiv, row0, n),
    features: c.features.map((f) => at(f, row0, n)),
    market: at(c.market, row0, n),
    prices: dayPrices,
    hash: at(c.hash, row0, n),
    nAssets: at(c.nAssets, row0, n),
  });
  const finish = (): void => {
    if (symbolMap === null) return;
    c.prices.fill(NaN, row0 * stride, (row0 + n) * stride);
    for (let t = 0; t < n; t++) {
      const from = t * S;
      const to = (row0 + t) * stride;
      for (let k = 0; k < S; k++) c.prices[to + symbolMap[k]] = dayPrices[from + k];
    }
  };
  return { views, finish };
}

/**
 * Reads a day's body into the target columns at `row0` (prices through `symbolMap` when the universes
 * differ) and verifies the checksum; throws an Error naming the mismatch (the target rows are then junk).
 */
export function readColumnBody<R>(file: OpenColumnFile<R>, target: ColumnTarget): void {
  const { views, finish } = targetViews(file.header.n, file.header.symbols.length, target);
  const sum = new ColumnChecksum();
  const fd = openSync(file.path, 'r');
  try {
    let pos = file.bodyOffset;
    for (const v of views) {
      const bytes = bytesOf(v);
      let got = 0;
      while (got < bytes.length) {
        const k = readSync(fd, bytes, got, bytes.length - got, pos + got);
        if (k === 0) throw new Error('body cut short');
        got += k;
      }
      pos += bytes.length;
      sum.add(v);
    }
  } finally {
    closeSync(fd);
  }
  if (sum.hex() !== file.header.checksum) throw new Error(`body checksum ${sum.hex()} does not match the header's ${file.header.checksum}`);
  finish();
}

/** Copies a day's columns already in memory into the target, as readColumnBody does from a file. */
export function placeColumns(cols: DayColumns, target: ColumnTarget): void {
  const n = cols.n;
  const S = cols.symbols.length;
  const { views, finish } = targetViews(n, S, target);
  const from = bodyColumns({
    ts: cols.ts,
    scanNumber: cols.scanNumber,
    velDiv: cols.velDiv,
    features: cols.features,
    market: cols.market,
    prices: cols.prices,
    hash: cols.hash,
    nAssets: cols.nAssets,
  });
  views.forEach((v, i) => v.set(from[i].subarray(0, v.length) as never));
  finish();
}
