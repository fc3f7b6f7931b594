/** Walk-forward folds over the UTC days of a replay: anchored or rolling training windows, then test days. */
import { ConfigError } from './errors.js';

/** How the training window moves from fold to fold. */
export type WalkForwardMode = 'anchored' | 'rolling';

/** Options of planFolds. */
export interface FoldOptions {
  /** Number of folds K (>= 1). */
  readonly folds: number;
  readonly mode: WalkForwardMode;
  /** Training days of the first fold (rolling: of every fold); default: what is left after K test windows. */
  readonly trainDays?: number;
  /** Test days per fold; default floor(days / (K + 1)), at least 1. */
  readonly testDays?: number;
}

/** One fold: scan index ranges [from, to) of its training and test days. */
export interface Fold {
  readonly index: number;
  /** UTC day numbers, ascending. */
  readonly trainDays: readonly number[];
  readonly testDays: readonly number[];
  readonly trainFrom: number;
  readonly trainTo: number;
  readonly testFrom: number;
  readonly testTo: number;
}

/**
 * Plans K folds over the distinct UTC days of `day` (a day number per scan, ascending). The folds are
 * aligned to the end of the data: the last fold's test window ends on the last day; earlier unused days
 * are left out. Fold k tests on the M days after its training window; rolling trains on the N days
 * before them, anchored on every planned day before them (N for the first fold, N + k * M for fold k).
 * @throws ConfigError when the days do not hold N + K * M days or a count is not a positive integer
 */
export function planFolds(day: ArrayLike<number>, o: FoldOptions): Fold[] {
  const days: number[] = [];
  const start: number[] = [];
  for (let t = 0; t < day.length; t++) {
    if (days.length === 0 || days[days.length - 1] !== day[t]) {
      days.push(day[t]);
      start.push(t);
    }
  }
  start.push(day.length);
  const D = days.length;
  const K = o.folds;
  const problems: string[] = [];
  if (!Number.isInteger(K) || K < 1) problems.push(`--walk-forward (folds) must be an integer >= 1, was ${K}`);
  const M = o.testDays ?? Math.max(1, Math.floor(D / (K + 1)));
  const N = o.trainDays ?? D - K * M;
  if (!Number.isInteger(M) || M < 1) problems.push(`--test-days must be an integer >= 1, was ${M}`);
  if (!Number.isInteger(N) || N < 1) problems.push(`--train-days must be an integer >= 1, was ${N} (the data has ${D} day(s) for ${K} fold(s) of ${M} test day(s))`);
  if (problems.length === 0 && N + K * M > D) {
    problems.push(`walk-forward needs ${N} training + ${K} x ${M} test days = ${N + K * M} UTC days, the data has ${D}; use fewer folds, fewer days or more data`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const first = D - (N + K * M);
  const folds: Fold[] = [];
  for (let k = 0; k < K; k++) {
    const testStart = first + N + k * M;
    const trainStart = o.mode === 'anchored' ? first : testStart - N;
    folds.push({
      index: k,
      trainDays: days.slice(trainStart, testStart),
      testDays: days.slice(testStart, testStart + M),
      trainFrom: start[trainStart],
      trainTo: start[testStart],
      testFrom: start[testStart],
      testTo: start[testStart + M],
    });
  }
  return folds;
}
