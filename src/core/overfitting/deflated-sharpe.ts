/**
 * The deflated Sharpe ratio (Bailey and Lopez de Prado, 2014): the probability that the best of N trials
 * has a true Sharpe above the maximum expected from N trials of zero skill.
 */
import { ConfigError } from '../errors.js';
import { normalCdf, normalQuantile } from './normal-distribution.js';
import { periodSharpe, returnMoments } from './return-moments.js';

/** Euler-Mascheroni constant γ. */
export const EULER_GAMMA = 0.5772156649015329;
/** DSR at or above this is called significant (a 5 % test). */
export const DSR_SIGNIFICANCE = 0.95;

/**
 * Expected maximum of N per-period Sharpe ratios of zero-skill trials whose Sharpe ratios have variance
 * `sharpeVariance`: sqrt(V) * ((1 - γ) Φ⁻¹(1 - 1/N) + γ Φ⁻¹(1 - 1/(N e))). 0 for a single trial.
 */
export function expectedMaxSharpe(trials: number, sharpeVariance: number): number {
  if (!Number.isInteger(trials) || trials < 1) throw new ConfigError([`trials must be an integer >= 1, was ${trials}`]);
  if (trials === 1) return 0;
  return Math.sqrt(sharpeVariance) * ((1 - EULER_GAMMA) * normalQuantile(1 - 1 / trials) + EULER_GAMMA * normalQuantile(1 - 1 / (trials * Math.E)));
}

/** Inputs and result of the deflated Sharpe ratio. */
export interface DeflatedSharpe {
  /** The best config's per-period Sharpe ratio (not annualized). */
  readonly sharpe: number;
  /** Number of return periods T of the best config. */
  readonly periods: number;
  readonly skewness: number;
  /** Kurtosis, not excess (3 for normal returns). */
  readonly kurtosis: number;
  readonly trials: number;
  /** Sample variance (ddof 1) of the trials' per-period Sharpe ratios. */
  readonly sharpeVariance: number;
  /** SR0: the expected maximum Sharpe of `trials` zero-skill trials. */
  readonly expectedMaxSharpe: number;
  /** Φ((SR - SR0) sqrt(T - 1) / sqrt(1 - skew SR + (kurt - 1) / 4 SR²)); NaN when undefined. */
  readonly dsr: number;
  /** dsr >= DSR_SIGNIFICANCE. */
  readonly significant: boolean;
}

/**
 * Deflated Sharpe ratio of the best trial. `bestReturns` are its period returns; `trialSharpes` the
 * per-period Sharpe ratios of every trial (the best included), which give N and the variance.
 * NaN (not significant) when the best has no variance, fewer than 3 periods, or non-finite trial Sharpes.
 */
export function deflatedSharpe(bestReturns: ArrayLike<number>, trialSharpes: readonly number[]): DeflatedSharpe {
  const m = returnMoments(bestReturns);
  const sr = periodSharpe(m.mean, m.std);
  const N = trialSharpes.length;
  const finite = trialSharpes.every((s) => Number.isFinite(s));
  const v = finite && N > 1 ? returnMoments(trialSharpes).std ** 2 : finite && N === 1 ? 0 : NaN;
  const sr0 = N >= 1 && Number.isFinite(v) ? expectedMaxSharpe(N, v) : NaN;
  const denom = 1 - m.skewness * sr + ((m.kurtosis - 1) / 4) * sr * sr;
  const z = Number.isFinite(sr) && m.n >= 3 && denom > 0 ? ((sr - sr0) * Math.sqrt(m.n - 1)) / Math.sqrt(denom) : NaN;
  const dsr = normalCdf(z);
  return { sharpe: sr, periods: m.n, skewness: m.skewness, kurtosis: m.kurtosis, trials: N, sharpeVariance: v, expectedMaxSharpe: sr0, dsr, significant: dsr >= DSR_SIGNIFICANCE };
}
