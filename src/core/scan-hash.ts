/**
 * Content hash of a scan (the scan log's, compare's attribution): FNV-1a over the valid (symbol, price)
 * pairs in ascending symbol order, the features and vel_div. It depends on the scan alone, not on the
 * other scans of its store, so a day-cache unit can store it.
 */
import { FEATURE_COUNT } from './scan.js';
import type { ScanStore } from './scan-store.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** FNV-1a over the two 32-bit halves of a float64 (NaN canonicalized). */
function mix(h: number, x: number): number {
  f64[0] = x === x ? x : NaN;
  h = Math.imul(h ^ u32[0], 16777619) >>> 0;
  return Math.imul(h ^ u32[1], 16777619) >>> 0;
}

/** FNV-1a of a symbol's UTF-16 code units. */
export function symbolHash(symbol: string): number {
  let h = 2166136261;
  for (let i = 0; i < symbol.length; i++) h = Math.imul(h ^ symbol.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/**
 * Content hash of scan t: the valid (symbol, price) pairs in ascending symbol order, the features and
 * vel_div. Same scan content, same hash, whatever symbols other scans of the store have.
 */
export function scanContentHash(store: ScanStore, t: number, symHashes = store.symbols.map(symbolHash)): number {
  let h = 2166136261;
  const r = t - store.base;
  const row = r * store.stride;
  const order = store.order;
  for (let k = 0; k < order.length; k++) {
    const p = store.prices[row + order[k]];
    if (p === p) {
      h = Math.imul(h ^ symHashes[order[k]], 16777619) >>> 0;
      h = mix(h, p);
    }
  }
  for (let f = 0; f < FEATURE_COUNT; f++) h = mix(h, store.features[f][r]);
  return mix(h, store.velDiv[r]);
}

/** Content hashes of scans [from, to) of a store into out[from, to) (streamed replays hash each window). */
export function hashScans(store: ScanStore, from: number, to: number, out: Uint32Array): void {
  const symHashes = store.symbols.map(symbolHash);
  for (let t = from; t < to; t++) out[t] = scanContentHash(store, t, symHashes);
}
