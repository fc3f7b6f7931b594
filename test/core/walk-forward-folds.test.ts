/**
 * Walk-forward fold planning. Invariants: folds are aligned to the end of the data; every test window
 * follows its training window directly and never overlaps it; rolling windows keep their length,
 * anchored ones start on the first planned day; ranges cut at UTC day boundaries.
 */
import { describe, expect, it } from 'vitest';
import { planFolds } from '../../src/core/walk-forward-folds.js';

// 6 days (100..105) of 3 scans each, plus day 106 with 2 scans: 20 scans
const day = [...[100, 101, 102, 103, 104, 105].flatMap((d) => [d, d, d]), 106, 106];

describe('planFolds', () => {
  it('rolling: fixed training length, folds aligned to the last day', () => {
    const f = planFolds(day, { folds: 3, mode: 'rolling', trainDays: 2, testDays: 1 });
    // 2 + 3 * 1 = 5 days of 7 used: the last five, 102..106
    expect(f.map((x) => [x.trainDays, x.testDays])).toEqual([
      [[102, 103], [104]],
      [[103, 104], [105]],
      [[104, 105], [106]],
    ]);
    expect(f.map((x) => [x.trainFrom, x.trainTo, x.testFrom, x.testTo])).toEqual([
      [6, 12, 12, 15],
      [9, 15, 15, 18],
      [12, 18, 18, 20],
    ]);
  });

  it('anchored: training grows from the first planned day; defaults split the days evenly', () => {
    // 7 days, K = 2: test days floor(7 / 3) = 2, training 7 - 4 = 3
    const f = planFolds(day, { folds: 2, mode: 'anchored' });
    expect(f.map((x) => [x.trainDays, x.testDays])).toEqual([
      [[100, 101, 102], [103, 104]],
      [[100, 101, 102, 103, 104], [105, 106]],
    ]);
    for (const x of f) expect(x.trainTo).toBe(x.testFrom);
  });

  it('refuses more days than the data holds and counts that are not positive integers', () => {
    expect(() => planFolds(day, { folds: 4, mode: 'rolling', trainDays: 4, testDays: 1 })).toThrow('walk-forward needs 4 training + 4 x 1 test days = 8 UTC days, the data has 7');
    expect(() => planFolds(day, { folds: 0, mode: 'rolling' })).toThrow(/folds\) must be an integer >= 1, was 0/);
    expect(() => planFolds(day, { folds: 7, mode: 'rolling' })).toThrow(/--train-days must be an integer >= 1, was 0/);
  });
});
