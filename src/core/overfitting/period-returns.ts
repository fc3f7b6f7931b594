/** Returns of a run's equity over fixed UTC periods (hours by default): the rows of the overfitting matrix. */

/** One hour in nanoseconds. */
export const HOUR_NS = 3_600_000_000_000n;

/**
 * Period returns of an equity series sampled at ascending timestamps `ts`: period k covers
 * [from + k * periodNs, from + (k + 1) * periodNs); its return is the equity at its last sample over the
 * equity at the previous period's last sample (the first against `initialCapital`), minus 1. A period
 * without samples returns 0 (nothing changed). `from` and `count` fix the grid so that every config of a
 * sweep gets the same periods.
 */
export function periodReturns(ts: BigInt64Array, equity: Float64Array, initialCapital: number, from: bigint, count: number, periodNs: bigint = HOUR_NS): Float64Array {
  const out = new Float64Array(count);
  let prev = initialCapital;
  let i = 0;
  const n = ts.length;
  for (let k = 0; k < count; k++) {
    const end = from + BigInt(k + 1) * periodNs;
    let last = prev;
    while (i < n && ts[i] < end) last = equity[i++];
    out[k] = prev > 0 ? last / prev - 1 : 0;
    prev = last;
  }
  return out;
}

/** Number of whole-or-partial periods from `from` to include `lastTs`. */
export function periodCount(from: bigint, lastTs: bigint, periodNs: bigint = HOUR_NS): number {
  return lastTs < from ? 0 : Number((lastTs - from) / periodNs) + 1;
}
