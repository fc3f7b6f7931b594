/**
 * Fast top eigenpairs. Invariants: lambda_max and lambda_2 equal mathjs eigs (1e-9 relative) on random
 * symmetric and correlation matrices (n = 50, windows 50/150/750), one-factor markets and
 * near-degenerate spectra, cold or warm started; the vector is a unit eigenvector with the documented
 * sign; features follow their definitions.
 */
import { describe, expect, it } from 'vitest';
import {
  correlationFromReturns,
  createCorrelationWorkspace,
  createTopEigenWorkspace,
  eigenFeatures,
  rotation,
  topEigen,
  type TopEigenWorkspace,
} from '../../../src/core/eigen/index.js';
import { normal, oracle, randomReturns, randomSymmetric, rel, rng } from './helpers.js';

function corr(ret: Float64Array, t: number, n: number): Float64Array {
  const out = new Float64Array(n * n);
  correlationFromReturns(ret, t, n, out, createCorrelationWorkspace(n, t));
  return out;
}

function check(a: Float64Array, n: number, ws: TopEigenWorkspace): void {
  const { values, top } = oracle(a, n);
  expect(rel(ws.lambdaMax, values[0])).toBeLessThan(1e-9);
  expect(rel(ws.lambda2, values[1])).toBeLessThan(1e-9);
  // unit eigenvector, residual small, agrees with the oracle's up to sign (when lambda_1 is simple)
  let nn = 0;
  let sum = 0;
  let res = 0;
  for (let i = 0; i < n; i++) {
    nn += ws.vector[i] ** 2;
    sum += ws.vector[i];
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j] * ws.vector[j];
    res = Math.max(res, Math.abs(s - ws.lambdaMax * ws.vector[i]));
  }
  expect(Math.abs(nn - 1)).toBeLessThan(1e-12);
  expect(sum).toBeGreaterThanOrEqual(0);
  expect(res).toBeLessThan(1e-8 * Math.max(1, Math.abs(ws.lambdaMax)));
  // second eigenvector: unit, residual small
  let n2 = 0;
  let res2 = 0;
  for (let i = 0; i < n; i++) {
    n2 += ws.vector2[i] ** 2;
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j] * ws.vector2[j];
    res2 = Math.max(res2, Math.abs(s - ws.lambda2 * ws.vector2[i]));
  }
  expect(Math.abs(n2 - 1)).toBeLessThan(1e-12);
  expect(res2).toBeLessThan(1e-8 * Math.max(1, Math.abs(ws.lambdaMax)));
  if (values[0] - values[1] > 1e-3 * Math.abs(values[0])) {
    const r = rotation(ws.vector, Float64Array.from(top), n);
    expect(r).toBeLessThan(1e-9);
  }
}

describe('topEigen', () => {
  it('matches mathjs on random symmetric 50x50 matrices', () => {
    const n = 50;
    const ws = createTopEigenWorkspace(n);
    for (let s = 0; s < 5; s++) check(randomSymmetric(n, 500 + s), n, topEigen(randomSymmetric(n, 500 + s), ws));
  });

  for (const t of [50, 150, 750]) {
    it(`matches mathjs on random-return correlation matrices (n=50, window ${t})`, () => {
      const n = 50;
      const ws = createTopEigenWorkspace(n);
      for (let s = 0; s < 3; s++) {
        const a = corr(randomReturns(t, n, 1000 * t + s, 0), t, n);
        check(a, n, topEigen(a, ws));
      }
    });
    it(`matches mathjs on one-factor market correlations (n=50, window ${t}), lambda_max dominates`, () => {
      const n = 50;
      const ws = createTopEigenWorkspace(n);
      const a = corr(randomReturns(t, n, 2000 * t, 1.5), t, n);
      topEigen(a, ws);
      check(a, n, ws);
      expect(ws.lambdaMax).toBeGreaterThan(5 * ws.lambda2);
      expect(ws.usedFallback).toBe(false);
    });
  }

  it('handles near-degenerate lambda_1 ~ lambda_2 (two equal, independent factors)', () => {
    const n = 50;
    const t = 750;
    const g = normal(rng(77));
    const ret = new Float64Array(t * n);
    for (let r = 0; r < t; r++) {
      const f1 = g();
      const f2 = g();
      for (let i = 0; i < n; i++) ret[r * n + i] = (i < 25 ? f1 : f2) + 0.3 * g();
    }
    const a = corr(ret, t, n);
    const ws = createTopEigenWorkspace(n);
    topEigen(a, ws);
    check(a, n, ws);
    expect(ws.lambda2 / ws.lambdaMax).toBeGreaterThan(0.9);
    // exactly degenerate: block-diagonal with two identical blocks
    const b = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i * n + j] = i === j ? 1 : (i < 25) === (j < 25) ? 0.6 : 0;
    topEigen(b, ws);
    check(b, n, ws);
    expect(rel(ws.lambdaMax, ws.lambda2)).toBeLessThan(1e-9);
  });

  it('warm start converges in fewer steps and gives the same answer', () => {
    const n = 50;
    const t = 150;
    const ret = randomReturns(t + 1, n, 31, 1);
    const a0 = corr(ret, t, n);
    const a1 = corr(ret.subarray(n), t, n);
    const ws = createTopEigenWorkspace(n);
    topEigen(a0, ws);
    const prev = Float64Array.from(ws.vector);
    const cold = createTopEigenWorkspace(n);
    topEigen(a1, cold);
    topEigen(a1, ws, prev);
    check(a1, n, ws);
    expect(ws.steps).toBeLessThanOrEqual(cold.steps);
    expect(rel(ws.lambdaMax, cold.lambdaMax)).toBeLessThan(1e-12);
  });

  it('gives NaN on non-finite input and handles tiny orders', () => {
    const ws = createTopEigenWorkspace(6);
    const a = randomSymmetric(6, 3);
    a[7] = NaN;
    topEigen(a, ws);
    expect(Number.isNaN(ws.lambdaMax)).toBe(true);
    const w1 = createTopEigenWorkspace(1);
    topEigen(new Float64Array([2.5]), w1);
    expect(w1.lambdaMax).toBe(2.5);
    expect(Number.isNaN(w1.lambda2)).toBe(true);
    const w2 = createTopEigenWorkspace(2);
    topEigen(new Float64Array([1, 0.5, 0.5, 1]), w2);
    expect(w2.lambdaMax).toBeCloseTo(1.5, 14);
    expect(w2.lambda2).toBeCloseTo(0.5, 14);
  });
});

describe('eigenFeatures', () => {
  it('computes velocity, rotation (sign-independent) and instability', () => {
    const u = Float64Array.from([0.6, 0.8]);
    const v = Float64Array.from([-0.8, 0.6]);
    const out = new Float64Array(4);
    eigenFeatures(3, 2.5, 1.5, u, u, 2, out, 0);
    expect(Array.from(out)).toEqual([3, 0.5, 0, 2]);
    expect(rotation(u, v, 2)).toBe(1);
    const neg = Float64Array.from([-0.6, -0.8]);
    expect(rotation(u, neg, 2)).toBe(0);
    eigenFeatures(3, NaN, 1.5, u, null, 2, out, 0);
    expect(Number.isNaN(out[1])).toBe(true);
    expect(Number.isNaN(out[2])).toBe(true);
  });
});

describe('topEigen lambda2: false', () => {
  it('lambda_max and its vector still match mathjs on correlation matrices, cold and warm', () => {
    const n = 50;
    const ws = createTopEigenWorkspace(n);
    const prev = new Float64Array(n);
    for (let s = 0; s < 4; s++) {
      const a = corr(randomReturns(50 + 50 * s, n, 3000 + s, 1), 50 + 50 * s, n);
      const { values, top } = oracle(a, n);
      for (const warm of [null, s > 0 ? prev : null]) {
        topEigen(a, ws, warm, { tol: 1e-11, lambda2: false });
        expect(rel(ws.lambdaMax, values[0])).toBeLessThan(1e-9);
        expect(rotation(ws.vector, Float64Array.from(top), n)).toBeLessThan(1e-9);
      }
      prev.set(ws.vector);
    }
  });
});
