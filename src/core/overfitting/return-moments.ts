/** Moments of a return series (two-pass, left-to-right sums) and its per-period Sharpe ratio. */

/** Mean, sample standard deviation (ddof 1), skewness and kurtosis (population, not excess) of a series. */
export interface ReturnMoments {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (divide by n - 1); NaN below 2 values. */
  readonly std: number;
  /** Third standardized moment (population: divide by n); NaN when the series has no variance. */
  readonly skewness: number;
  /** Fourth standardized moment (population; 3 for a normal series); NaN when the series has no variance. */
  readonly kurtosis: number;
}

/** Moments of `r` (every value must be finite; callers pass period returns). Two-pass: mean first. */
export function returnMoments(r: ArrayLike<number>): ReturnMoments {
  const n = r.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += r[i];
  const mean = n > 0 ? sum / n : NaN;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = r[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const std = n > 1 ? Math.sqrt(m2 / (n - 1)) : NaN;
  const popVar = m2 / n;
  const skewness = popVar > 0 ? m3 / n / Math.pow(popVar, 1.5) : NaN;
  const kurtosis = popVar > 0 ? m4 / n / (popVar * popVar) : NaN;
  return { n, mean, std, skewness, kurtosis };
}

/**
 * Per-period Sharpe ratio mean / std (ddof 1), not annualized. A series without variance has Sharpe 0
 * when its mean is 0 and ±Infinity otherwise (a sure gain ranks above any risky one); NaN below 2 values.
 */
export function periodSharpe(mean: number, std: number): number {
  if (Number.isNaN(std)) return NaN;
  if (std > 0) return mean / std;
  return mean === 0 ? 0 : mean > 0 ? Infinity : -Infinity;
}
