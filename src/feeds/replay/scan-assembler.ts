/**
 * Orders decoded rows by timestamp_ns, merges identical duplicates, drops conflicting ones and builds
 * the columnar ScanStore (STRATEGY.md 7). Pure: no I/O.
 */
import type { DataQuality } from '../../core/data-quality.js';
import { FEATURE_COUNT } from '../../core/scan.js';
import { ScanStore } from '../../core/scan-store.js';
import { fileOf, rowOf, rowsEqual, type ScanBatch } from './scan-batch.js';
import { sharedBigInt64, sharedF64, sharedI32 } from './shared-arrays.js';

/** Keeps at most this many example groups per list in the report (counts stay exact). */
export const MAX_LISTED = 200;

/** Builds the store from batches; records duplicates, conflicts, malformed rows and invalid prices in dq. */
export function assembleScans(batches: readonly ScanBatch[], dq: DataQuality): ScanStore {
  // Deterministic batch order whatever the read order: by source name.
  const bs = [...batches].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  let total = 0;
  for (const b of bs) total += b.n;
  const rowBatch = new Int32Array(total);
  const rowIndex = new Int32Array(total);
  const tsAll = new BigInt64Array(total);
  let k = 0;
  for (let bi = 0; bi < bs.length; bi++) {
    const b = bs[bi];
    dq.rowsRead += b.n;
    if (b.malformed.size === 0) {
      // the usual case: every row is well formed, copy in bulk
      rowBatch.fill(bi, k, k + b.n);
      for (let r = 0; r < b.n; r++) rowIndex[k + r] = r;
      tsAll.set(b.ts.subarray(0, b.n), k);
      k += b.n;
      continue;
    }
    for (let r = 0; r < b.n; r++) {
      const why = b.malformed.get(r);
      if (why !== undefined) {
        dq.malformedRows.push({ source: fileOf(b, r), row: rowOf(b, r), reason: why });
        continue;
      }
      rowBatch[k] = bi;
      rowIndex[k] = r;
      tsAll[k] = b.ts[r];
      k++;
    }
  }
  // Files are usually already in time order with no repeated timestamp: then nothing to sort or merge.
  let sorted = true;
  for (let i = 1; i < k && sorted; i++) sorted = tsAll[i - 1] < tsAll[i];
  let kept: ArrayLike<number>;
  if (sorted) kept = Int32Array.from({ length: k }, (_, i) => i);
  else kept = orderAndDedupe(bs, rowBatch, rowIndex, tsAll, k, dq);
  // Universe: every symbol of a kept row, ascending; per-batch local -> global id maps.
  const used = bs.map((b) => new Uint8Array(b.symbols.length));
  for (let i = 0; i < kept.length; i++) {
    const o = kept[i];
    const b = bs[rowBatch[o]];
    const u = used[rowBatch[o]];
    const r = rowIndex[o];
    for (let q = b.offsets[r]; q < b.offsets[r + 1]; q++) u[b.symbolIds[q]] = 1;
  }
  const universe = new Set<string>();
  bs.forEach((b, bi) => b.symbols.forEach((sym, id) => used[bi][id] === 1 && universe.add(sym)));
  return buildStore(bs, rowBatch, rowIndex, kept, [...universe].sort(), dq);
}

/** Sorts rows by timestamp (stable), merges identical duplicates and drops conflicting ones; returns kept rows. */
function orderAndDedupe(bs: readonly ScanBatch[], rowBatch: Int32Array, rowIndex: Int32Array, tsAll: BigInt64Array, k: number, dq: DataQuality): number[] {
  const order = Array.from({ length: k }, (_, i) => i);
  order.sort((x, y) => (tsAll[x] < tsAll[y] ? -1 : tsAll[x] > tsAll[y] ? 1 : x - y));
  const kept: number[] = [];
  for (let i = 0; i < order.length; ) {
    let j = i + 1;
    const b0 = bs[rowBatch[order[i]]];
    const r0 = rowIndex[order[i]];
    while (j < order.length && tsAll[order[j]] === tsAll[order[i]]) j++;
    if (j - i === 1) {
      kept.push(order[i]);
    } else {
      let allSame = true;
      for (let q = i + 1; q < j && allSame; q++) allSame = rowsEqual(b0, r0, bs[rowBatch[order[q]]], rowIndex[order[q]]);
      const sources = order.slice(i, j).map((o) => `${fileOf(bs[rowBatch[o]], rowIndex[o])}#${rowOf(bs[rowBatch[o]], rowIndex[o])}`).sort();
      if (allSame) {
        kept.push(order[i]);
        dq.duplicatesDropped += j - i - 1;
        if (dq.duplicates.length < MAX_LISTED) dq.duplicates.push({ ts: b0.ts[r0].toString(), sources });
      } else {
        dq.conflictsDropped += j - i;
        if (dq.conflicts.length < MAX_LISTED) dq.conflicts.push({ ts: b0.ts[r0].toString(), sources });
      }
    }
    i = j;
  }
  return kept;
}

/** Copies the kept rows into the store's shared columns. */
function buildStore(bs: readonly ScanBatch[], rowBatch: Int32Array, rowIndex: Int32Array, kept: ArrayLike<number>, symbols: string[], dq: DataQuality): ScanStore {
  const gid = new Map(symbols.map((s, i) => [s, i]));
  const maps = bs.map((b) => Int32Array.from(b.symbols, (s) => gid.get(s) ?? -1));
  const n = kept.length;
  const A = Math.max(1, symbols.length);
  // Columns live in shared memory so pool workers (features, sweeps) read them without a copy.
  const ts = sharedBigInt64(n);
  const scanNumber = sharedF64(n);
  const velDiv = sharedF64(n);
  const features = Array.from({ length: FEATURE_COUNT }, () => sharedF64(n));
  const prices = sharedF64(n * A).fill(NaN);
  const nAssets = sharedI32(n);
  const invalidIds = bs.map((b) => new Int32Array(b.symbols.length));
  for (let t = 0; t < n; ) {
    // Runs of consecutive rows of one batch (the usual case: whole batches) are copied in bulk.
    const bi = rowBatch[kept[t]];
    const r0 = rowIndex[kept[t]];
    let len = 1;
    while (t + len < n && rowBatch[kept[t + len]] === bi && rowIndex[kept[t + len]] === r0 + len) len++;
    const b = bs[bi];
    ts.set(b.ts.subarray(r0, r0 + len), t);
    scanNumber.set(b.scanNumber.subarray(r0, r0 + len), t);
    velDiv.set(b.velDiv.subarray(r0, r0 + len), t);
    for (let f = 0; f < FEATURE_COUNT; f++) features[f].set(b.features[f].subarray(r0, r0 + len), t);
    const map = maps[bi];
    const inv = invalidIds[bi];
    for (let i = 0; i < len; i++, t++) {
      const r = r0 + i;
      const row = t * A;
      for (let q = b.offsets[r]; q < b.offsets[r + 1]; q++) {
        const p = b.prices[q];
        if (p > 0 && p < Infinity) prices[row + map[b.symbolIds[q]]] = p;
        else inv[b.symbolIds[q]]++;
      }
      nAssets[t] = b.offsets[r + 1] - b.offsets[r];
    }
  }
  const invalid = new Map<string, number>();
  bs.forEach((b, bi) => invalidIds[bi].forEach((c, id) => c > 0 && invalid.set(b.symbols[id], (invalid.get(b.symbols[id]) ?? 0) + c)));
  for (const [sym, c] of [...invalid].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    dq.invalidPrices.count += c;
    dq.invalidPrices.byAsset[sym] = c;
  }
  canonicalOrder(dq);
  const day = sharedI32(n);
  const barOfDay = sharedI32(n);
  ScanStore.computeDays(ts, n, day, barOfDay);
  return ScanStore.fromColumns({ n, symbols, ts, scanNumber, velDiv, features, prices, nAssets, day, barOfDay });
}

/** Sorts the data-quality lists so that how files were batched (cache or not) never shows. */
export function canonicalOrder(dq: DataQuality): void {
  const by = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  dq.skippedFiles.sort((a, b) => by(a.source, b.source));
  dq.malformedRows.sort((a, b) => by(a.source, b.source) || a.row - b.row);
}
