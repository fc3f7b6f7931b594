/**
 * Overfitting statistics against small cases computed by hand (the computation is in the comments).
 * Invariants: CSCV's split Sharpe ratios equal the direct Sharpe of the rows they cover; PBO is 1 when
 * the in-sample best always reverses, 0 when one config dominates; DSR follows its closed form.
 */
import { describe, expect, it } from 'vitest';
import {
  combinations,
  deflatedSharpe,
  expectedMaxSharpe,
  normalCdf,
  normalQuantile,
  periodCount,
  periodReturns,
  probabilityOfBacktestOverfitting,
  returnMoments,
} from '../../../src/core/overfitting/index.js';
import { ConfigError } from '../../../src/core/errors.js';

describe('normal distribution', () => {
  it('matches tabulated values and inverts itself', () => {
    // tabulated: Φ(0) = 0.5, Φ(1) = 0.8413447460685429, Φ(-3) = 0.0013498980316301
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 14);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 15);
    expect(normalCdf(-10) / 7.619853024160526e-24).toBeCloseTo(1, 3);
    // tabulated: Φ⁻¹(0.9) = 1.2815515655446004, Φ⁻¹(0.975) = 1.959963984540054
    expect(normalQuantile(0.9)).toBeCloseTo(1.2815515655446004, 12);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 15);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(1.5)).toBeNaN();
    for (const p of [0.001, 0.02, 0.3, 0.7, 0.99, 1 - 1e-7]) expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 9);
    // far tail (tabulated Φ⁻¹(1e-9) = -5.9978070150076865): the series CDF is exact to ~1e-16 absolute there
    expect(normalQuantile(1e-9)).toBeCloseTo(-5.9978070150076865, 5);
  });
});

describe('return moments', () => {
  it('computes mean, sample std, skewness and kurtosis', () => {
    // r = [0.01, 0.02, -0.01, 0.03, 0]: mean 0.01; deviations 0, .01, -.02, .02, -.01
    // squares sum 1e-3 -> std = sqrt(1e-3 / 4) = 0.015811...; cubes sum 0 -> skew 0;
    // fourth powers sum 34e-8 -> (34e-8 / 5) / (1e-3 / 5)^2 = 6.8e-8 / 4e-8 = 1.7
    const m = returnMoments([0.01, 0.02, -0.01, 0.03, 0]);
    expect(m.mean).toBeCloseTo(0.01, 15);
    expect(m.std).toBeCloseTo(Math.sqrt(2.5e-4), 15);
    expect(m.skewness).toBeCloseTo(0, 12);
    expect(m.kurtosis).toBeCloseTo(1.7, 12);
  });
});

describe('CSCV probability of backtest overfitting', () => {
  it('is 1 when the in-sample best always reverses out of sample (3 configs, 4 periods, S = 2)', () => {
    // blocks: 0 = periods 0,1; 1 = periods 2,3. Sharpe = mean / std (ddof 1):
    //   A [3,5 | 1,0]: block 0 mean 4, std √2 -> 2.828; block 1 mean 0.5, std √0.5 -> 0.707
    //   B [0,1 | 4,6]: block 0 -> 0.707;                 block 1 mean 5, std √2 -> 3.536
    //   C [1,2 | 1,2]: both blocks mean 1.5, std √0.5 -> 2.121
    // split IS={0}: best A (2.828); OOS block 1: A 0.707 < C 2.121 < B 3.536 -> A rank 1, ω = 1/4, λ = ln(1/3)
    // split IS={1}: best B (3.536); OOS block 0: B 0.707 < C 2.121 < A 2.828 -> B rank 1, λ = ln(1/3)
    // PBO = 2/2 = 1; no OOS Sharpe < 0 -> probability of loss 0; slope through (2.828,.707),(3.536,.707) = 0
    const r = probabilityOfBacktestOverfitting([[3, 5, 1, 0], [0, 1, 4, 6], [1, 2, 1, 2]], 2);
    expect(r.splits.map((s) => [s.inSample, s.best, s.oosRank])).toEqual([[[0], 0, 1], [[1], 1, 1]]);
    expect(r.splits[0].isSharpe).toBeCloseTo(2 * Math.SQRT2, 12);
    expect(r.splits[0].oosSharpe).toBeCloseTo(Math.SQRT1_2, 12);
    expect(r.splits[1].logit).toBeCloseTo(Math.log(1 / 3), 14);
    expect(r.pbo).toBe(1);
    expect(r.probabilityOfLoss).toBe(0);
    expect(r.meanLogit).toBeCloseTo(Math.log(1 / 3), 14);
    expect(r.degradationSlope).toBeCloseTo(0, 12);
  });

  it('is 0 when one config dominates both halves (2 configs, 4 periods, S = 2)', () => {
    // A [1,3 | 0,2]: block 0 mean 2, std √2 -> 1.414; block 1 mean 1, std √2 -> 0.707
    // B [1,2 | 3,5]: block 0 mean 1.5, std √0.5 -> 2.121; block 1 mean 4, std √2 -> 2.828
    // both splits: best B in sample, B ranks 2 of 2 out of sample: ω = 2/3, λ = ln 2 > 0 -> PBO 0
    const r = probabilityOfBacktestOverfitting([[1, 3, 0, 2], [1, 2, 3, 5]], 2);
    expect(r.splits.map((s) => s.best)).toEqual([1, 1]);
    expect(r.splits.every((s) => Math.abs(s.logit - Math.LN2) < 1e-14)).toBe(true);
    expect(r.pbo).toBe(0);
  });

  it('gives tied configs their average rank (median: logit 0 counts as overfit)', () => {
    // two identical configs: each split picks config 0 (lowest index on ties); OOS both tie: rank 1.5,
    // ω = 1.5 / 3 = 0.5, λ = 0 -> counted (at the median)
    const r = probabilityOfBacktestOverfitting([[1, 2, 3, 5], [1, 2, 3, 5]], 2);
    expect(r.splits.map((s) => [s.best, s.oosRank, s.logit])).toEqual([[0, 1.5, 0], [0, 1.5, 0]]);
    expect(r.pbo).toBe(1);
  });

  it('combines blocks into the same Sharpe as the rows they cover (S = 4, 10 periods, uneven blocks)', () => {
    const rows = [0, 1, 2].map((c) => Array.from({ length: 10 }, (_, t) => Math.sin(7 * t + 3 * c) * 0.01 + c * 0.001));
    const r = probabilityOfBacktestOverfitting(rows, 4);
    expect(r.splits).toHaveLength(6); // C(4, 2)
    // blocks of 10 periods in 4: [0,2) [2,5) [5,7) [7,10)
    const bounds = [0, 2, 5, 7, 10];
    for (const s of r.splits) {
      const pick = (c: number, blocks: number[]): number[] => blocks.flatMap((b) => rows[c].slice(bounds[b], bounds[b + 1]));
      const sr = (x: number[]): number => returnMoments(x).mean / returnMoments(x).std;
      const out = [0, 1, 2, 3].filter((b) => !s.inSample.includes(b));
      expect(s.isSharpe).toBeCloseTo(sr(pick(s.best, [...s.inSample])), 12);
      expect(s.oosSharpe).toBeCloseTo(sr(pick(s.best, out)), 12);
      const bestDirect = [0, 1, 2].map((c) => sr(pick(c, [...s.inSample])));
      expect(bestDirect.indexOf(Math.max(...bestDirect))).toBe(s.best);
    }
  });

  it('refuses S odd, S above the number of periods, one config, ragged rows', () => {
    expect(() => probabilityOfBacktestOverfitting([[1, 2, 3], [1, 2, 3]], 3)).toThrow(/even integer/);
    expect(() => probabilityOfBacktestOverfitting([[1, 2, 3, 4], [1, 2, 3, 4]], 6)).toThrow(/cannot exceed the number of periods \(4\)/);
    expect(() => probabilityOfBacktestOverfitting([[1, 2, 3, 4]], 2)).toThrow(ConfigError);
    expect(() => probabilityOfBacktestOverfitting([[1, 2, 3, 4], [1, 2]], 2)).toThrow(/same length/);
  });

  it('enumerates C(n, k) subsets in lexicographic order', () => {
    expect(combinations(4, 2)).toEqual([[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]);
    expect(combinations(16, 8)).toHaveLength(12870);
  });
});

describe('deflated Sharpe ratio', () => {
  it('expected max Sharpe of N = 10 unit-variance trials is 1.5746 (the paper approximation)', () => {
    // (1 - γ) Φ⁻¹(1 - 1/10) + γ Φ⁻¹(1 - 1/(10 e)) = 0.42278 * 1.28155 + 0.57722 * 1.78924 = 1.574598
    expect(expectedMaxSharpe(10, 1)).toBeCloseTo(1.57459830134575, 10);
    expect(expectedMaxSharpe(10, 4)).toBeCloseTo(2 * 1.57459830134575, 10);
    expect(expectedMaxSharpe(1, 4)).toBe(0);
  });

  it('deflates the best of two trials by hand', () => {
    // best r = [0.01, 0.02, -0.01, 0.03, 0]: SR = 0.01 / 0.0158114 = 0.6324555, skew 0, kurt 1.7, T = 5
    // trials' Sharpes [0.6324555, 0.2]: V = (0.4324555)^2 / 2 = 0.0935089
    // SR0 = √V ((1-γ) Φ⁻¹(1/2) + γ Φ⁻¹(1 - 1/(2e))) = 0.305792 * (0 + 0.5772157 * 0.9004526) = 0.1589372
    // z = (0.6324555 - 0.1589372) √4 / √(1 - 0 + (1.7 - 1)/4 * 0.4) = 0.9470366 / √1.07 = 0.915535
    // DSR = Φ(0.915535) = 0.8200446 -> not significant (< 0.95)
    const sr = 0.01 / Math.sqrt(2.5e-4);
    const d = deflatedSharpe([0.01, 0.02, -0.01, 0.03, 0], [sr, 0.2]);
    expect(d.sharpe).toBeCloseTo(0.6324555320336759, 14);
    expect(d.sharpeVariance).toBeCloseTo(0.09350889359326484, 14);
    expect(d.expectedMaxSharpe).toBeCloseTo(0.15893715059629157, 12);
    expect(d.dsr).toBeCloseTo(0.8200445802103978, 10);
    expect(d.significant).toBe(false);
  });

  it('is significant for a strong best among few similar trials and NaN for a flat best', () => {
    const best = Array.from({ length: 200 }, (_, i) => 0.01 + 0.005 * Math.sin(i));
    const d = deflatedSharpe(best, [1.9, 0.1, 0.05, -0.1]);
    expect(d.dsr).toBeGreaterThan(0.99);
    expect(d.significant).toBe(true);
    const flat = deflatedSharpe([0, 0, 0, 0], [0, 0.1]);
    expect(flat.dsr).toBeNaN();
    expect(flat.significant).toBe(false);
  });
});

describe('period returns', () => {
  it('chains hourly returns of an equity series on a fixed grid', () => {
    const H = 3_600_000_000_000n;
    // samples: hour 0 at 100 and 110; hour 1 none; hour 2 at 99. Capital 100.
    // hour 0: 110/100 - 1 = 0.1; hour 1: unchanged 0; hour 2: 99/110 - 1 = -0.1
    const ts = BigInt64Array.from([0n, H / 2n, 2n * H + 5n]);
    const r = periodReturns(ts, Float64Array.from([100, 110, 99]), 100, 0n, 3);
    expect(Array.from(r)).toEqual([0.10000000000000009, 0, 99 / 110 - 1]);
    expect(periodCount(0n, 2n * H + 5n)).toBe(3);
  });
});
