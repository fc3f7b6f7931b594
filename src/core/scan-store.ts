/**
 * Columnar, growable store of accepted scans: the engine's only view of market data. Built three ways
 * only: `fromColumns` (assembled replay columns, shared columns in workers), `fromRows` (rows of other
 * stores) and `append` (live, one scan at a time).
 */
import { DAY_NS, FEATURE_COUNT, dayOf, isValidPrice, type ScanRecord } from './scan.js';

/** Bulk columns for building a store in one go (replays). Prices are row-major n x symbols.length. */
export interface ScanColumns {
  readonly n: number;
  /** Universe, ascending. */
  readonly symbols: readonly string[];
  readonly ts: BigInt64Array;
  readonly scanNumber: Float64Array;
  readonly velDiv: Float64Array;
  /** FEATURE_COUNT columns of length n. */
  readonly features: readonly Float64Array[];
  /** n * symbols.length; NaN where the price is invalid or the asset is absent. */
  readonly prices: Float64Array;
  /** Number of assets listed in each scan. */
  readonly nAssets: Int32Array;
  /** UTC day numbers and bars of day, when already computed (shared stores in workers). */
  readonly day?: Int32Array;
  readonly barOfDay?: Int32Array;
  /**
   * First row held by the row columns (velDiv, features, prices, nAssets), which then have n - base rows;
   * 0 (everything) unless the store is a streamed replay's window.
   */
  readonly base?: number;
}

/** A row of some store (ScanStore.fromRows). */
export interface ScanRowRef {
  readonly store: ScanStore;
  readonly t: number;
}

/**
 * Accepted scans in time order, as typed-array columns. Prices are a row-major matrix with one
 * column per symbol ever seen (`stride` columns); invalid or absent prices are NaN.
 * Symbol ids are assigned in order of first appearance; `order` lists ids by ascending symbol.
 *
 * The time columns (ts, day, barOfDay, scanNumber) hold every scan. The row columns (velDiv, features,
 * prices, nAssets) hold scans [base, n): all of them (base 0) except in a streamed replay, whose window
 * slides over the range (`setWindow`); scan t is then at row t - base.
 */
export class ScanStore {
  n = 0;
  /** First scan held by the row columns. */
  base = 0;
  private capacity: number;
  stride: number;
  readonly symbols: string[] = [];
  private readonly ids = new Map<string, number>();
  /** Symbol ids sorted by symbol, ascending (cross-sectional sums run in this order). */
  order: Int32Array = new Int32Array(0);
  ts: BigInt64Array;
  day: Int32Array;
  barOfDay: Int32Array;
  scanNumber: Float64Array;
  velDiv: Float64Array;
  features: Float64Array[];
  prices: Float64Array;
  nAssets: Int32Array;

  constructor(capacity = 1024, stride = 64) {
    this.capacity = Math.max(1, capacity);
    this.stride = Math.max(1, stride);
    this.ts = new BigInt64Array(this.capacity);
    this.day = new Int32Array(this.capacity);
    this.barOfDay = new Int32Array(this.capacity);
    this.scanNumber = new Float64Array(this.capacity);
    this.velDiv = new Float64Array(this.capacity);
    this.features = Array.from({ length: FEATURE_COUNT }, () => new Float64Array(this.capacity));
    this.prices = new Float64Array(this.capacity * this.stride).fill(NaN);
    this.nAssets = new Int32Array(this.capacity);
  }

  /** Fills UTC day numbers and bars of day for ascending timestamps, for t in [from, n) (earlier rows already done). */
  static computeDays(ts: BigInt64Array, n: number, day: Int32Array, barOfDay: Int32Array, from = 0): void {
    // Timestamps ascend: divide only when a scan crosses into another day (bigint division is slow).
    let d = 0;
    let start = 0n;
    let end = -1n;
    for (let t = from; t < n; t++) {
      const x = ts[t];
      if (x >= end || x < start) {
        d = dayOf(x);
        start = BigInt(d) * DAY_NS;
        end = start + DAY_NS;
      }
      day[t] = d;
      barOfDay[t] = t > 0 && day[t - 1] === d ? barOfDay[t - 1] + 1 : 0;
    }
  }

  /** Builds a store over existing columns without copying them (symbols must be ascending). */
  static fromColumns(c: ScanColumns): ScanStore {
    const s = new ScanStore(1, 1);
    s.n = c.n;
    s.capacity = c.n;
    s.stride = Math.max(1, c.symbols.length);
    for (let i = 0; i < c.symbols.length; i++) {
      s.symbols.push(c.symbols[i]);
      s.ids.set(c.symbols[i], i);
    }
    s.mergeOrder(0);
    s.ts = c.ts;
    s.scanNumber = c.scanNumber;
    s.velDiv = c.velDiv;
    s.features = [...c.features];
    s.prices = c.symbols.length === 0 ? new Float64Array(c.n).fill(NaN) : c.prices;
    s.nAssets = c.nAssets;
    s.base = c.base ?? 0;
    if (c.day && c.barOfDay) {
      s.day = c.day;
      s.barOfDay = c.barOfDay;
    } else {
      s.day = new Int32Array(c.n);
      s.barOfDay = new Int32Array(c.n);
      for (let t = 0; t < c.n; t++) s.setDay(t);
    }
    return s;
  }

  /**
   * Builds a store from rows of one or more stores (ascending timestamps), copying them: compare's replay
   * check and live validation rebuild an input this way. Symbols are the union, ascending, keeping only
   * those with a valid price in some selected row; day and bar of day are recomputed.
   */
  static fromRows(rows: readonly ScanRowRef[]): ScanStore {
    const n = rows.length;
    const used = new Set<string>();
    for (const { store, t } of rows) for (let k = 0; k < store.symbols.length; k++) if (store.price(t, k) === store.price(t, k)) used.add(store.symbols[k]);
    const symbols = [...used].sort();
    const col = new Map(symbols.map((s, i) => [s, i]));
    const S = Math.max(1, symbols.length);
    const ts = new BigInt64Array(n);
    const scanNumber = new Float64Array(n);
    const velDiv = new Float64Array(n);
    const features = Array.from({ length: FEATURE_COUNT }, () => new Float64Array(n));
    const prices = new Float64Array(n * S).fill(NaN);
    const nAssets = new Int32Array(n);
    const maps = new Map<ScanStore, Int32Array>();
    rows.forEach(({ store, t }, i) => {
      let m = maps.get(store);
      if (!m) {
        m = Int32Array.from(store.symbols, (s) => col.get(s) ?? -1);
        maps.set(store, m);
      }
      ts[i] = store.ts[t];
      scanNumber[i] = store.scanNumber[t];
      velDiv[i] = store.velDiv[t];
      for (let f = 0; f < FEATURE_COUNT; f++) features[f][i] = store.features[f][t];
      for (let k = 0; k < store.symbols.length; k++) if (m[k] >= 0) prices[i * S + m[k]] = store.price(t, k);
      nAssets[i] = store.nAssets[t];
    });
    return ScanStore.fromColumns({ n, symbols, ts, scanNumber, velDiv, features, prices, nAssets });
  }

  /** The store's columns (no copy), e.g. to share them with workers. */
  columns(): Required<ScanColumns> {
    const rows = this.n - this.base;
    return {
      n: this.n,
      symbols: [...this.symbols],
      ts: this.ts.subarray(0, this.n),
      scanNumber: this.scanNumber.subarray(0, this.n),
      velDiv: this.velDiv.subarray(0, rows),
      features: this.features.map((f) => f.subarray(0, rows)),
      prices: this.prices.subarray(0, rows * this.stride),
      nAssets: this.nAssets.subarray(0, rows),
      day: this.day.subarray(0, this.n),
      barOfDay: this.barOfDay.subarray(0, this.n),
      base: this.base,
    };
  }

  /**
   * Streamed replays: the time columns now hold n scans, and the row columns (same universe and stride)
   * hold scans [base, n). Rows before base are gone; features and the engine never look that far back.
   */
  setWindow(n: number, base: number, rows: { readonly ts: BigInt64Array; readonly scanNumber: Float64Array; readonly day: Int32Array; readonly barOfDay: Int32Array; readonly velDiv: Float64Array; readonly features: readonly Float64Array[]; readonly prices: Float64Array; readonly nAssets: Int32Array }): void {
    this.n = n;
    this.capacity = n;
    this.base = base;
    this.ts = rows.ts;
    this.scanNumber = rows.scanNumber;
    this.day = rows.day;
    this.barOfDay = rows.barOfDay;
    this.velDiv = rows.velDiv;
    this.features = [...rows.features];
    this.prices = rows.prices;
    this.nAssets = rows.nAssets;
  }

  /** Id of a symbol, or -1 when never seen. */
  idOf(symbol: string): number {
    return this.ids.get(symbol) ?? -1;
  }

  /** Price of symbol id at t (NaN when invalid or absent). */
  price(t: number, id: number): number {
    return this.prices[(t - this.base) * this.stride + id];
  }

  /** Appends one accepted scan (the caller guarantees ascending timestamps). Returns its index. */
  append(scan: ScanRecord): number {
    if (this.n === this.capacity) this.grow(this.capacity * 2, this.stride);
    const known = this.symbols.length;
    for (let i = 0; i < scan.assets.length; i++) {
      if (this.idOf(scan.assets[i]) < 0) this.internSymbol(scan.assets[i]);
    }
    if (this.symbols.length > known) this.mergeOrder(known);
    const t = this.n++;
    this.ts[t] = scan.timestampNs;
    this.scanNumber[t] = scan.scanNumber;
    this.velDiv[t] = scan.velDiv;
    for (let f = 0; f < FEATURE_COUNT; f++) this.features[f][t] = scan.features[f] ?? NaN;
    const row = t * this.stride;
    this.prices.fill(NaN, row, row + this.stride);
    for (let i = 0; i < scan.assets.length; i++) {
      const p = scan.prices[i];
      this.prices[row + this.idOf(scan.assets[i])] = isValidPrice(p) ? p : NaN;
    }
    this.nAssets[t] = scan.assets.length;
    this.setDay(t);
    return t;
  }

  private setDay(t: number): void {
    const d = dayOf(this.ts[t]);
    this.day[t] = d;
    this.barOfDay[t] = t > 0 && this.day[t - 1] === d ? this.barOfDay[t - 1] + 1 : 0;
  }

  private internSymbol(symbol: string): void {
    const id = this.symbols.length;
    if (id >= this.stride) this.grow(this.capacity, Math.max(this.stride * 2, id + 1));
    this.symbols.push(symbol);
    this.ids.set(symbol, id);
  }

  /**
   * Puts ids [known, symbols.length) into `order`: the new ids are sorted among themselves and merged
   * with the existing order, so a scan costs its own size plus the universe, never a sort per symbol.
   */
  private mergeOrder(known: number): void {
    const sym = this.symbols;
    const cmp = (a: number, b: number): number => (sym[a] < sym[b] ? -1 : sym[a] > sym[b] ? 1 : 0);
    const added = Array.from({ length: sym.length - known }, (_, i) => known + i).sort(cmp);
    const old = this.order;
    const out = new Int32Array(sym.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < known && j < added.length) out[k++] = cmp(old[i], added[j]) <= 0 ? old[i++] : added[j++];
    while (i < known) out[k++] = old[i++];
    while (j < added.length) out[k++] = added[j++];
    this.order = out;
  }

  private grow(capacity: number, stride: number): void {
    const copy = <T extends Float64Array | Int32Array | BigInt64Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a.subarray(0, this.n) as never);
      return b;
    };
    this.ts = copy(this.ts, (k) => new BigInt64Array(k));
    this.day = copy(this.day, (k) => new Int32Array(k));
    this.barOfDay = copy(this.barOfDay, (k) => new Int32Array(k));
    this.scanNumber = copy(this.scanNumber, (k) => new Float64Array(k));
    this.velDiv = copy(this.velDiv, (k) => new Float64Array(k));
    this.nAssets = copy(this.nAssets, (k) => new Int32Array(k));
    this.features = this.features.map((f) => copy(f, (k) => new Float64Array(k)));
    const prices = new Float64Array(capacity * stride).fill(NaN);
    for (let t = 0; t < this.n; t++) {
      prices.set(this.prices.subarray(t * this.stride, t * this.stride + this.stride), t * stride);
    }
    this.prices = prices;
    this.capacity = capacity;
    this.stride = stride;
  }
}
