/**
 * Spacing of consecutive timestamps as numbers without a BigInt per row: each int64 is read as two
 * 32-bit halves (little-endian), and (hi1 - hi0) * 2^32 + (lo1 - lo0) is computed in doubles. Both
 * terms are exact, so the sum is the exact difference rounded once: the same number as
 * Number(ts[t] - ts[t - 1]) for every input.
 */

const TWO_32 = 4294967296;

/** out[t - 1] = Number(ts[t] - ts[t - 1]) for t in [1, n); out has length max(0, n - 1). */
export function timestampDeltas(ts: BigInt64Array, n: number): Float64Array {
  const out = new Float64Array(Math.max(0, n - 1));
  const w = new Int32Array(ts.buffer, ts.byteOffset, n * 2);
  for (let t = 1; t < n; t++) {
    const hi = w[2 * t + 1] - w[2 * t - 1];
    const lo = (w[2 * t] >>> 0) - (w[2 * t - 2] >>> 0);
    out[t - 1] = hi * TWO_32 + lo;
  }
  return out;
}

/** First t in [1, n) with ts[t] < ts[t - 1], or -1 when the timestamps never go back (no BigInt per row). */
export function firstDescent(ts: BigInt64Array, n: number): number {
  const w = new Int32Array(ts.buffer, ts.byteOffset, n * 2);
  for (let t = 1; t < n; t++) {
    const hi = w[2 * t + 1];
    const prevHi = w[2 * t - 1];
    if (hi < prevHi || (hi === prevHi && w[2 * t] >>> 0 < w[2 * t - 2] >>> 0)) return t;
  }
  return -1;
}

/** First index in [from, n) whose timestamp is >= bound, for ascending timestamps (binary search). */
export function firstAtOrAfter(ts: BigInt64Array, from: number, n: number, bound: bigint): number {
  let lo = from;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
