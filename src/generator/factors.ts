/** Daily external factors (funding, DVOL, fear & greed, taker ratio) for generated runs. */

import { ConfigError } from '../core/errors.js';
import { MAX_PLAUSIBLE_TS_NS, MIN_PLAUSIBLE_TS_NS, timestampProblem } from '../core/scan-limits.js';
import { DAY_NS, dayToIso, isoToDay } from '../core/scan.js';
import { Rng } from './rng.js';

/** One day of external factors, as written to `external_factors/YYYY-MM-DD.json`. */
export interface DailyFactors {
  /** UTC date, YYYY-MM-DD. */
  readonly date: string;
  /** BTC perpetual funding rate per 8 h (e.g. 0.0001 = 0.01 %). */
  readonly funding_btc: number;
  /** Deribit BTC implied-volatility index (annualized %, e.g. 48). */
  readonly dvol_btc: number;
  /** Crypto Fear & Greed index, integer 0..100. */
  readonly fng: number;
  /** Taker buy/sell volume ratio (1 = balanced). */
  readonly taker_ratio: number;
}

/** The subset of the market options the factors depend on. */
export interface FactorOptions {
  readonly seed: number;
  readonly days: number;
  readonly startDay: string;
}

/** Random stream id of the factors (independent of the price paths). */
const FACTOR_STREAM = 3;

/**
 * Whether day `index` (0-based from startDay) of a run is a stress day: every third day, starting
 * with the second (index 1, 4, 7, ...). Stress days carry ACB signals and a market more often in
 * its stressed regime.
 */
export function isStressDay(index: number): boolean {
  return index % 3 === 1;
}

/**
 * Why `days` UTC days from `startDay` leave the plausible scan times of the scan format
 * (src/core/scan-limits.ts: a scan outside them is malformed, and 9999-12-31 overflows int64
 * nanoseconds), or null. Null too when the date or the day count is itself invalid (reported apart).
 */
export function runSpanProblem(startDay: string, days: number): string | null {
  const d0 = isoToDay(startDay);
  if (!Number.isFinite(d0) || !Number.isInteger(days) || days < 1) return null;
  const first = BigInt(d0) * DAY_NS;
  const end = BigInt(d0) * DAY_NS + BigInt(days) * DAY_NS;
  if (timestampProblem(first) === null && timestampProblem(end - 1n) === null) return null;
  const from = dayToIso(Number(MIN_PLAUSIBLE_TS_NS / DAY_NS));
  const to = dayToIso(Number(MAX_PLAUSIBLE_TS_NS / DAY_NS));
  return `${days} day(s) from ${startDay} leave the plausible scan times [${from}, ${to}) UTC; start on or after ${from} and end before ${to}`;
}

/** Validates startDay and days; returns the first UTC day number. */
export function firstDay(o: FactorOptions): number {
  const problems: string[] = [];
  const d0 = isoToDay(o.startDay);
  if (!Number.isFinite(d0)) problems.push(`startDay must be a YYYY-MM-DD date, was ${JSON.stringify(o.startDay)}`);
  if (!Number.isInteger(o.days) || o.days < 1) problems.push(`days must be an integer >= 1, was ${o.days}`);
  const span = runSpanProblem(o.startDay, o.days);
  if (span !== null) problems.push(`startDay and days: ${span}`);
  if (!Number.isFinite(o.seed)) problems.push(`seed must be a finite number, was ${o.seed}`);
  if (problems.length > 0) throw new ConfigError(problems);
  return d0;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/**
 * External factors, one record per day of the run. Calm days: positive funding, DVOL 38-50, neutral
 * to greedy F&G, taker ratio ~1 (no ACB signal). Stress days ({@link isStressDay}): negative funding
 * below -0.0001, DVOL 57-78, fear (F&G 12-30) and taker ratio 0.72-0.9, i.e. 3-5 ACB v5 signals.
 */
export function generateFactors(o: FactorOptions): DailyFactors[] {
  const d0 = firstDay(o);
  const rng = new Rng(o.seed, FACTOR_STREAM);
  const out: DailyFactors[] = [];
  for (let k = 0; k < o.days; k++) {
    const stress = isStressDay(k);
    const funding = stress ? rng.range(-0.00035, -0.00012) : rng.range(0.00003, 0.00015);
    const dvol = stress ? rng.range(57, 78) : rng.range(38, 50);
    const fng = stress ? rng.int(12, 30) : rng.int(42, 74);
    const taker = stress ? rng.range(0.72, 0.9) : rng.range(0.95, 1.12);
    out.push({
      date: dayToIso(d0 + k),
      funding_btc: round(funding, 7),
      dvol_btc: round(dvol, 2),
      fng,
      taker_ratio: round(taker, 4),
    });
  }
  return out;
}
