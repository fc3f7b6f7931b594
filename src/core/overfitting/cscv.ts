/**
 * Probability of backtest overfitting by combinatorially symmetric cross-validation (CSCV; Bailey,
 * Borwein, Lopez de Prado and Zhu, 2015), over a configs x sub-periods matrix of returns.
 */
import { ConfigError } from '../errors.js';
import { periodSharpe } from './return-moments.js';

/** Default number of CSCV partitions (S). */
export const DEFAULT_PARTITIONS = 16;
/** Largest S accepted: C(20, 10) = 184,756 splits. */
export const MAX_PARTITIONS = 20;

/** One train/test split of CSCV. */
export interface CscvSplit {
  /** Blocks (0-based) in the in-sample half, ascending. */
  readonly inSample: readonly number[];
  /** Index of the config with the best in-sample Sharpe (ties: lowest index). */
  readonly best: number;
  /** Its out-of-sample rank among all configs, 1 = worst, N = best (ties share their average rank). */
  readonly oosRank: number;
  /** Relative rank ω = oosRank / (N + 1), in (0, 1). */
  readonly relativeRank: number;
  /** Logit λ = ln(ω / (1 - ω)); <= 0 when the in-sample best is at or below the out-of-sample median. */
  readonly logit: number;
  readonly isSharpe: number;
  readonly oosSharpe: number;
}

/** Result of CSCV. */
export interface PboResult {
  readonly configs: number;
  readonly periods: number;
  readonly partitions: number;
  /** C(S, S/2) splits, in lexicographic order of their in-sample blocks. */
  readonly splits: readonly CscvSplit[];
  /** Probability of backtest overfitting: share of splits with logit <= 0. */
  readonly pbo: number;
  /** Share of splits where the in-sample best has an out-of-sample Sharpe below 0. */
  readonly probabilityOfLoss: number;
  /** Mean logit over the splits. */
  readonly meanLogit: number;
  /** Slope of the least-squares line oosSharpe = a + slope * isSharpe over the finite split pairs (NaN when undefined). */
  readonly degradationSlope: number;
}

/** Block boundaries: block s holds periods [floor(s*T/S), floor((s+1)*T/S)). */
function blockStarts(T: number, S: number): number[] {
  const b: number[] = [];
  for (let s = 0; s <= S; s++) b.push(Math.floor((s * T) / S));
  return b;
}

/** Sum, count and sum of squared deviations of each config over each block (two-pass per block). */
interface BlockStats {
  readonly count: Float64Array;
  readonly sum: Float64Array;
  readonly m2: Float64Array;
}

function blockStats(matrix: readonly ArrayLike<number>[], starts: readonly number[], S: number): BlockStats {
  const N = matrix.length;
  const count = new Float64Array(N * S);
  const sum = new Float64Array(N * S);
  const m2 = new Float64Array(N * S);
  for (let c = 0; c < N; c++) {
    const r = matrix[c];
    for (let s = 0; s < S; s++) {
      let acc = 0;
      for (let t = starts[s]; t < starts[s + 1]; t++) acc += r[t];
      const n = starts[s + 1] - starts[s];
      const mean = acc / n;
      let dev = 0;
      for (let t = starts[s]; t < starts[s + 1]; t++) dev += (r[t] - mean) * (r[t] - mean);
      count[c * S + s] = n;
      sum[c * S + s] = acc;
      m2[c * S + s] = dev;
    }
  }
  return { count, sum, m2 };
}

/**
 * Sharpe (mean / std, ddof 1) of config c over the union of the given blocks, combining the blocks'
 * statistics in ascending block order (Chan's pairwise formula: exact, no sum of squares).
 */
function unionSharpe(st: BlockStats, S: number, c: number, blocks: readonly number[]): number {
  let n = 0;
  let sum = 0;
  for (const s of blocks) {
    n += st.count[c * S + s];
    sum += st.sum[c * S + s];
  }
  const mean = sum / n;
  let m2 = 0;
  for (const s of blocks) {
    const k = c * S + s;
    const d = st.sum[k] / st.count[k] - mean;
    m2 += st.m2[k] + st.count[k] * d * d;
  }
  return periodSharpe(mean, n > 1 ? Math.sqrt(m2 / (n - 1)) : NaN);
}

/** Every subset of size k of 0..n-1, in lexicographic order. */
export function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const cur: number[] = [];
  const rec = (start: number): void => {
    if (cur.length === k) {
      out.push([...cur]);
      return;
    }
    for (let i = start; i <= n - (k - cur.length); i++) {
      cur.push(i);
      rec(i + 1);
      cur.pop();
    }
  };
  rec(0);
  return out;
}

/** 1-based ascending rank of values[i] among values (ties: average rank); NaN ranks lowest. */
function rankOf(values: Float64Array, i: number): number {
  const v = values[i];
  const key = (x: number): number => (Number.isNaN(x) ? -Infinity : x);
  let below = 0;
  let equal = 0;
  for (let j = 0; j < values.length; j++) {
    const x = key(values[j]);
    if (x < key(v)) below++;
    else if (x === key(v)) equal++;
  }
  return below + (equal + 1) / 2;
}

/**
 * CSCV: the T periods are cut into S contiguous blocks of near-equal size; for each of the C(S, S/2)
 * ways to choose S/2 blocks as in-sample (the rest out of sample), the config with the best in-sample
 * Sharpe is found and its out-of-sample rank among all configs taken. PBO is the share of splits in
 * which that rank is at or below the median (logit <= 0).
 *
 * @param matrix one return series per config (configs x periods), all of the same length T, finite
 * @param partitions S, even, 2 <= S <= min(T, 20); default 16
 * @throws ConfigError when the matrix or S do not fit (fewer than 2 configs, ragged rows, S odd or > T)
 */
export function probabilityOfBacktestOverfitting(matrix: readonly ArrayLike<number>[], partitions = DEFAULT_PARTITIONS): PboResult {
  const N = matrix.length;
  const T = N > 0 ? matrix[0].length : 0;
  const problems: string[] = [];
  if (N < 2) problems.push(`PBO needs at least 2 configs, got ${N}`);
  if (matrix.some((r) => r.length !== T)) problems.push(`PBO needs every config's return series to have the same length (${T} periods)`);
  if (matrix.some((r) => Array.prototype.some.call(r, (x: number) => !Number.isFinite(x)))) problems.push('PBO needs finite returns');
  const S = partitions;
  if (!Number.isInteger(S) || S < 2 || S % 2 !== 0 || S > MAX_PARTITIONS) problems.push(`partitions (S) must be an even integer in [2, ${MAX_PARTITIONS}], was ${S}`);
  else if (S > T) problems.push(`partitions (S = ${S}) cannot exceed the number of periods (${T}); use fewer partitions or more data`);
  if (problems.length > 0) throw new ConfigError(problems);

  const starts = blockStarts(T, S);
  const st = blockStats(matrix, starts, S);
  const splits: CscvSplit[] = [];
  const isSr = new Float64Array(N);
  const oosSr = new Float64Array(N);
  for (const inBlocks of combinations(S, S / 2)) {
    const set = new Set(inBlocks);
    const outBlocks: number[] = [];
    for (let s = 0; s < S; s++) if (!set.has(s)) outBlocks.push(s);
    let best = 0;
    for (let c = 0; c < N; c++) {
      isSr[c] = unionSharpe(st, S, c, inBlocks);
      oosSr[c] = unionSharpe(st, S, c, outBlocks);
      if (isSr[c] > isSr[best] || (Number.isNaN(isSr[best]) && !Number.isNaN(isSr[c]))) best = c;
    }
    const oosRank = rankOf(oosSr, best);
    const w = oosRank / (N + 1);
    splits.push({ inSample: inBlocks, best, oosRank, relativeRank: w, logit: Math.log(w / (1 - w)), isSharpe: isSr[best], oosSharpe: oosSr[best] });
  }
  let overfit = 0;
  let loss = 0;
  let logitSum = 0;
  for (const s of splits) {
    if (s.logit <= 0) overfit++;
    if (s.oosSharpe < 0) loss++;
    logitSum += s.logit;
  }
  return {
    configs: N,
    periods: T,
    partitions: S,
    splits,
    pbo: overfit / splits.length,
    probabilityOfLoss: loss / splits.length,
    meanLogit: logitSum / splits.length,
    degradationSlope: slope(splits),
  };
}

/** Least-squares slope of oosSharpe on isSharpe over the splits where both are finite (two-pass). */
function slope(splits: readonly CscvSplit[]): number {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of splits) {
    if (Number.isFinite(s.isSharpe) && Number.isFinite(s.oosSharpe)) {
      xs.push(s.isSharpe);
      ys.push(s.oosSharpe);
    }
  }
  const n = xs.length;
  if (n < 2) return NaN;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i];
    sy += ys[i];
  }
  const mx = sx / n;
  const my = sy / n;
  let cov = 0;
  let vx = 0;
  for (let i = 0; i < n; i++) {
    cov += (xs[i] - mx) * (ys[i] - my);
    vx += (xs[i] - mx) * (xs[i] - mx);
  }
  return vx > 0 ? cov / vx : NaN;
}
