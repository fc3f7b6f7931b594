/**
 * ScanBatchBuilder: growable columns that many scan files are decoded into, finished as one ScanBatch.
 * Equivalent to decoding each file into its own batch and concatenating them with mergeBatches
 * (same columns, same symbol interning order, same malformed rows), without the per-file arrays.
 */
import { FEATURE_COUNT } from '../../core/scan.js';
import { fileOf, rowOf, type ScanBatch } from './scan-batch.js';
import { shareBatch, toShared } from './shared-arrays.js';

/** Options of ScanBatchBuilder. */
export interface ScanBatchBuilderOptions {
  /** Expected rows (grows past it). */
  readonly rows?: number;
  /** Expected asset entries (grows past it). */
  readonly items?: number;
  /** finish() puts the columns on SharedArrayBuffers (worker results). */
  readonly shared?: boolean;
}

/** A position to roll back to (a file that turned out not to be decodable here). */
export interface BuilderMark {
  readonly n: number;
  readonly len: number;
  readonly symbols: number;
  readonly malformed: number;
  readonly files: number;
  readonly lastSource: string;
  readonly only: ScanBatch | null;
}

function growF64(a: Float64Array, need: number): Float64Array {
  const b = new Float64Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

function growI32(a: Int32Array, need: number): Int32Array {
  const b = new Int32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

function growI64(a: BigInt64Array, need: number): BigInt64Array {
  const b = new BigInt64Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/**
 * Rows are appended by writers (the template decoder writes columns in place after `reserve`) or from
 * whole batches (`appendBatch`, the apache-arrow fallback). Symbols are interned in first-appearance
 * order over the appended batches' symbol lists, as mergeBatches does.
 */
export class ScanBatchBuilder {
  /** Rows appended. */
  n = 0;
  /** Asset entries appended (offsets[n]). */
  len = 0;
  ts: BigInt64Array;
  scanNumber: Float64Array;
  velDiv: Float64Array;
  features: Float64Array[];
  /** offsets[r + 1] = end of row r's entries; offsets[0] = 0. */
  offsets: Int32Array;
  rowIndex: Int32Array;
  symbolIds: Int32Array;
  prices: Float64Array;
  readonly timestampIso: string[] = [];
  readonly schemaVersion: string[] = [];
  readonly rowSource: string[] = [];
  readonly symbols: string[] = [];
  /** Keys are row numbers of the builder. */
  readonly malformed = new Map<number, string>();
  /** Files appended (decoded into this builder). */
  files = 0;
  /** Source of the last file appended. */
  lastSource = '';
  /** Changes whenever interned symbol ids may be forgotten (rollback): caches keyed on it must drop. */
  generation = 0;
  private readonly index = new Map<string, number>();
  /** The batch itself when the only file so far came through appendBatch. */
  private only: ScanBatch | null = null;
  private readonly shared: boolean;
  private static nextGeneration = 1;

  constructor(options: ScanBatchBuilderOptions = {}) {
    const rows = Math.max(1, options.rows ?? 64);
    const items = Math.max(1, options.items ?? rows * 64);
    this.shared = Boolean(options.shared);
    this.ts = new BigInt64Array(rows);
    this.scanNumber = new Float64Array(rows);
    this.velDiv = new Float64Array(rows);
    this.features = Array.from({ length: FEATURE_COUNT }, () => new Float64Array(rows));
    this.offsets = new Int32Array(rows + 1);
    this.rowIndex = new Int32Array(rows);
    this.symbolIds = new Int32Array(items);
    this.prices = new Float64Array(items);
    this.generation = ScanBatchBuilder.nextGeneration++;
  }

  /** Room for `rows` more rows and `items` more asset entries. */
  reserve(rows: number, items: number): void {
    const needRows = this.n + rows;
    if (needRows > this.ts.length) {
      this.ts = growI64(this.ts, needRows);
      this.scanNumber = growF64(this.scanNumber, needRows);
      this.velDiv = growF64(this.velDiv, needRows);
      for (let f = 0; f < FEATURE_COUNT; f++) this.features[f] = growF64(this.features[f], needRows);
      this.offsets = growI32(this.offsets, needRows + 1);
      this.rowIndex = growI32(this.rowIndex, needRows);
    }
    const needItems = this.len + items;
    if (needItems > this.symbolIds.length) {
      this.symbolIds = growI32(this.symbolIds, needItems);
      this.prices = growF64(this.prices, needItems);
    }
  }

  /** Id of a symbol in this builder, interning it when new. */
  symbolId(s: string): number {
    let id = this.index.get(s);
    if (id === undefined) {
      id = this.symbols.length;
      this.symbols.push(s);
      this.index.set(s, id);
    }
    return id;
  }

  /** The current position, for rollback. */
  mark(): BuilderMark {
    return { n: this.n, len: this.len, symbols: this.symbols.length, malformed: this.malformed.size, files: this.files, lastSource: this.lastSource, only: this.only };
  }

  /** Forgets everything appended since `m` (rows, entries, newly interned symbols, malformed rows). */
  rollback(m: BuilderMark): void {
    this.n = m.n;
    this.len = m.len;
    this.files = m.files;
    this.lastSource = m.lastSource;
    this.only = m.only;
    this.timestampIso.length = m.n;
    this.schemaVersion.length = m.n;
    this.rowSource.length = m.n;
    if (this.symbols.length > m.symbols) {
      for (let i = m.symbols; i < this.symbols.length; i++) this.index.delete(this.symbols[i]);
      this.symbols.length = m.symbols;
      this.generation = ScanBatchBuilder.nextGeneration++;
    }
    if (this.malformed.size > m.malformed) for (const r of [...this.malformed.keys()]) if (r >= m.n) this.malformed.delete(r);
  }

  /** Appends every row of a decoded batch (its original file and row kept). */
  appendBatch(b: ScanBatch): void {
    const m = b.offsets[b.n];
    this.reserve(b.n, m);
    const r0 = this.n;
    const base = this.len;
    const map = new Int32Array(b.symbols.length);
    for (let i = 0; i < b.symbols.length; i++) map[i] = this.symbolId(b.symbols[i]);
    this.ts.set(b.ts.subarray(0, b.n), r0);
    this.scanNumber.set(b.scanNumber.subarray(0, b.n), r0);
    this.velDiv.set(b.velDiv.subarray(0, b.n), r0);
    for (let f = 0; f < FEATURE_COUNT; f++) this.features[f].set(b.features[f].subarray(0, b.n), r0);
    for (let r = 0; r < b.n; r++) {
      this.offsets[r0 + r + 1] = base + b.offsets[r + 1];
      this.timestampIso.push(b.timestampIso[r]);
      this.schemaVersion.push(b.schemaVersion[r]);
      this.rowSource.push(fileOf(b, r));
      this.rowIndex[r0 + r] = rowOf(b, r);
    }
    for (let k = 0; k < m; k++) this.symbolIds[base + k] = map[b.symbolIds[k]];
    this.prices.set(b.prices.subarray(0, m), base);
    for (const [r, why] of b.malformed) this.malformed.set(r0 + r, why);
    this.n += b.n;
    this.len += m;
    this.endFile(b.source);
    if (this.files === 1) this.only = b;
  }

  /** Records that one file was appended (its rows were written by a decoder). */
  endFile(source: string): void {
    this.files++;
    this.lastSource = source;
    this.only = null;
  }

  /**
   * What decoding each file into its own batch and merging them gives: nothing for no file, the file's
   * own batch for one, else one batch named `source` whose rows keep their original file and row.
   */
  result(source: string): ScanBatch | null {
    if (this.files === 0) return null;
    if (this.files > 1) return this.finish(source, true);
    const b = this.only;
    if (!b) return this.finish(this.lastSource, false);
    return this.shared ? shareBatch(b) : b;
  }

  /**
   * The batch. With `rows` (several files), each row keeps its original file and row (rowSource,
   * rowIndex), as mergeBatches does; without, the batch is the one of a single file named `source`.
   */
  finish(source: string, rows = true): ScanBatch {
    const n = this.n;
    const len = this.len;
    const f64 = (a: Float64Array, k: number): Float64Array => (this.shared ? toShared(a.subarray(0, k)) : a.slice(0, k));
    const i32 = (a: Int32Array, k: number): Int32Array => (this.shared ? toShared(a.subarray(0, k)) : a.slice(0, k));
    const batch: ScanBatch = {
      source,
      n,
      ts: this.shared ? toShared(this.ts.subarray(0, n)) : this.ts.slice(0, n),
      scanNumber: f64(this.scanNumber, n),
      timestampIso: this.timestampIso.slice(),
      schemaVersion: this.schemaVersion.slice(),
      velDiv: f64(this.velDiv, n),
      features: this.features.map((f) => f64(f, n)),
      offsets: i32(this.offsets, n + 1),
      symbolIds: i32(this.symbolIds, len),
      symbols: this.symbols.slice(),
      prices: f64(this.prices, len),
      malformed: new Map(this.malformed),
    };
    return rows ? { ...batch, rowSource: this.rowSource.slice(), rowIndex: this.rowIndex.slice(0, n) } : batch;
  }
}
