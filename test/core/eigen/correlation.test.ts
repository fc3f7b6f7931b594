/**
 * Correlation of log returns. Invariants: equals a straightforward reference (1e-12), symmetric,
 * unit diagonal; unusable assets (constant price, invalid price) get a zero row/column and 1 on the
 * diagonal; the rolling version agrees with the batch version.
 */
import { describe, expect, it } from 'vitest';
import {
  correlationFromPrices,
  correlationFromReturns,
  createCorrelationWorkspace,
  logReturns,
  RollingCorrelation,
} from '../../../src/core/eigen/index.js';
import { pricesFromReturns, randomReturns } from './helpers.js';

/** Textbook Pearson correlation of column i and j, straight from prices. */
function reference(prices: Float64Array, rows: number, n: number, i: number, j: number): number {
  const ri: number[] = [];
  const rj: number[] = [];
  for (let r = 1; r < rows; r++) {
    ri.push(Math.log(prices[r * n + i] / prices[(r - 1) * n + i]));
    rj.push(Math.log(prices[r * n + j] / prices[(r - 1) * n + j]));
  }
  const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
  const mi = mean(ri);
  const mj = mean(rj);
  let c = 0;
  let vi = 0;
  let vj = 0;
  for (let k = 0; k < ri.length; k++) {
    c += (ri[k] - mi) * (rj[k] - mj);
    vi += (ri[k] - mi) ** 2;
    vj += (rj[k] - mj) ** 2;
  }
  return c / Math.sqrt(vi * vj);
}

describe('correlationFromPrices', () => {
  for (const [t, n] of [
    [50, 50],
    [150, 20],
    [750, 10],
  ]) {
    it(`matches the textbook formula (window ${t}, ${n} assets)`, () => {
      const prices = pricesFromReturns(randomReturns(t, n, t + n, 1), t, n);
      const out = new Float64Array(n * n);
      correlationFromPrices(prices, t + 1, n, out, createCorrelationWorkspace(n, t));
      for (let i = 0; i < n; i++) {
        expect(out[i * n + i]).toBe(1);
        for (let j = 0; j < n; j++) {
          expect(out[i * n + j]).toBe(out[j * n + i]);
          if (i !== j) expect(Math.abs(out[i * n + j] - reference(prices, t + 1, n, i, j))).toBeLessThan(1e-12);
        }
      }
    });
  }

  it('zeroes unusable assets: constant price, NaN price, zero price', () => {
    const t = 30;
    const n = 6;
    const prices = pricesFromReturns(randomReturns(t, n, 7, 2), t, n);
    for (let r = 0; r <= t; r++) prices[r * n + 1] = 42; // constant
    prices[10 * n + 3] = NaN;
    prices[20 * n + 4] = 0;
    const out = new Float64Array(n * n);
    correlationFromPrices(prices, t + 1, n, out, createCorrelationWorkspace(n, t));
    for (const bad of [1, 3, 4]) {
      for (let j = 0; j < n; j++) {
        expect(out[bad * n + j]).toBe(bad === j ? 1 : 0);
        expect(out[j * n + bad]).toBe(bad === j ? 1 : 0);
      }
    }
    expect(Math.abs(out[0 * n + 2])).toBeGreaterThan(0.3); // usable pairs keep their (factor) correlation
  });

  it('is the identity with fewer than 2 returns', () => {
    const n = 3;
    const out = new Float64Array(n * n).fill(7);
    correlationFromPrices(new Float64Array([1, 2, 3, 1.1, 2.1, 3.1]), 2, n, out, createCorrelationWorkspace(n, 5));
    expect(Array.from(out)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
});

describe('RollingCorrelation', () => {
  it('agrees with the batch correlation over every window position', () => {
    const n = 12;
    const w = 40;
    const total = 300;
    const ret = randomReturns(total, n, 99, 1.5);
    const roll = new RollingCorrelation(n, w, 97);
    const batch = new Float64Array(n * n);
    const rolled = new Float64Array(n * n);
    const scratch = new Float64Array(n);
    const ws = createCorrelationWorkspace(n, w);
    let maxErr = 0;
    for (let k = 0; k < total; k++) {
      roll.push(ret, k * n);
      const t = Math.min(k + 1, w);
      if (t < 2) continue;
      correlationFromReturns(ret.subarray((k + 1 - t) * n, (k + 1) * n), t, n, batch, ws);
      expect(roll.correlation(rolled, scratch)).toBe(t);
      for (let i = 0; i < n * n; i++) maxErr = Math.max(maxErr, Math.abs(batch[i] - rolled[i]));
    }
    expect(maxErr).toBeLessThan(1e-10);
  });

  it('log returns are NaN around invalid prices', () => {
    const out = new Float64Array(2);
    logReturns(new Float64Array([1, 2, 1.1, -1]), 2, 2, out);
    expect(out[0]).toBeCloseTo(Math.log(1.1), 15);
    expect(Number.isNaN(out[1])).toBe(true);
  });
});
