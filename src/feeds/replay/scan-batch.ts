/** ScanBatch: rows of one or more scan files as columns (the decode output, the dedupe input). */
import { FEATURE_COUNT, type ScanRecord } from '../../core/scan.js';

/**
 * Decoded scan rows. Assets of row r are `symbolIds[offsets[r] .. offsets[r+1])` into `symbols`
 * (interned per batch), prices aligned with them.
 */
export interface ScanBatch {
  readonly source: string;
  readonly n: number;
  readonly ts: BigInt64Array;
  readonly scanNumber: Float64Array;
  readonly timestampIso: readonly string[];
  readonly schemaVersion: readonly string[];
  readonly velDiv: Float64Array;
  /** FEATURE_COUNT columns of length n. */
  readonly features: readonly Float64Array[];
  readonly offsets: Int32Array;
  readonly symbolIds: Int32Array;
  readonly symbols: readonly string[];
  readonly prices: Float64Array;
  /** Rows that are malformed (STRATEGY.md 1), with reasons; they are still in the columns. */
  readonly malformed: ReadonlyMap<number, string>;
  /** Consolidated batches (the day cache): the original file and row of each row. */
  readonly rowSource?: readonly string[];
  readonly rowIndex?: Int32Array;
}

/** The original file of row r (relative path). */
export function fileOf(b: ScanBatch, r: number): string {
  return b.rowSource ? b.rowSource[r] : b.source;
}

/** The original row number of row r within its file. */
export function rowOf(b: ScanBatch, r: number): number {
  return b.rowIndex ? b.rowIndex[r] : r;
}

/** Row r of a batch as a ScanRecord (control plane: journal, JSON, tests). */
export function batchRow(b: ScanBatch, r: number): ScanRecord {
  const from = b.offsets[r];
  const to = b.offsets[r + 1];
  const assets: string[] = [];
  for (let k = from; k < to; k++) assets.push(b.symbols[b.symbolIds[k]]);
  const features = new Float64Array(FEATURE_COUNT);
  for (let f = 0; f < FEATURE_COUNT; f++) features[f] = b.features[f][r];
  return {
    scanNumber: b.scanNumber[r],
    timestampNs: b.ts[r],
    timestampIso: b.timestampIso[r],
    schemaVersion: b.schemaVersion[r],
    features,
    velDiv: b.velDiv[r],
    assets,
    prices: b.prices.slice(from, to),
  };
}

/** Same value bitwise for scan data (NaN equals NaN, +0 differs from -0). */
const same = (a: number, b: number): boolean => Object.is(a, b);

/** True when row ra of a and row rb of b hold the same scan values (STRATEGY.md 7 duplicates). */
export function rowsEqual(a: ScanBatch, ra: number, b: ScanBatch, rb: number): boolean {
  if (a.ts[ra] !== b.ts[rb] || !same(a.scanNumber[ra], b.scanNumber[rb]) || !same(a.velDiv[ra], b.velDiv[rb])) return false;
  if (a.timestampIso[ra] !== b.timestampIso[rb]) return false;
  for (let f = 0; f < FEATURE_COUNT; f++) if (!same(a.features[f][ra], b.features[f][rb])) return false;
  const la = a.offsets[ra + 1] - a.offsets[ra];
  if (la !== b.offsets[rb + 1] - b.offsets[rb]) return false;
  for (let k = 0; k < la; k++) {
    const ka = a.offsets[ra] + k;
    const kb = b.offsets[rb] + k;
    if (a.symbols[a.symbolIds[ka]] !== b.symbols[b.symbolIds[kb]]) return false;
    if (!same(a.prices[ka], b.prices[kb])) return false;
  }
  return true;
}

/**
 * Concatenates batches into one (symbols re-interned, each row keeping its original file and row), so a
 * worker returns one set of columns per task instead of thousands of tiny ones.
 */
export function mergeBatches(batches: readonly ScanBatch[], source: string): ScanBatch {
  let n = 0;
  let len = 0;
  for (const b of batches) {
    n += b.n;
    len += b.offsets[b.n];
  }
  const symbols: string[] = [];
  const index = new Map<string, number>();
  const ts = new BigInt64Array(n);
  const scanNumber = new Float64Array(n);
  const velDiv = new Float64Array(n);
  const features = Array.from({ length: FEATURE_COUNT }, () => new Float64Array(n));
  const offsets = new Int32Array(n + 1);
  const symbolIds = new Int32Array(len);
  const prices = new Float64Array(len);
  const timestampIso: string[] = [];
  const schemaVersion: string[] = [];
  const rowSource: string[] = [];
  const rowIndex = new Int32Array(n);
  const malformed = new Map<number, string>();
  let r0 = 0;
  for (const b of batches) {
    const map = Int32Array.from(b.symbols, (sym) => {
      let id = index.get(sym);
      if (id === undefined) {
        id = symbols.length;
        symbols.push(sym);
        index.set(sym, id);
      }
      return id;
    });
    ts.set(b.ts, r0);
    scanNumber.set(b.scanNumber, r0);
    velDiv.set(b.velDiv, r0);
    for (let f = 0; f < FEATURE_COUNT; f++) features[f].set(b.features[f], r0);
    const base = offsets[r0];
    for (let r = 0; r < b.n; r++) {
      offsets[r0 + r + 1] = base + b.offsets[r + 1];
      timestampIso.push(b.timestampIso[r]);
      schemaVersion.push(b.schemaVersion[r]);
      rowSource.push(fileOf(b, r));
      rowIndex[r0 + r] = rowOf(b, r);
    }
    const m = b.offsets[b.n];
    for (let k = 0; k < m; k++) symbolIds[base + k] = map[b.symbolIds[k]];
    prices.set(b.prices.subarray(0, m), base);
    for (const [r, why] of b.malformed) malformed.set(r0 + r, why);
    r0 += b.n;
  }
  return { source, n, ts, scanNumber, timestampIso, schemaVersion, velDiv, features, offsets, symbolIds, symbols, prices, malformed, rowSource, rowIndex };
}
