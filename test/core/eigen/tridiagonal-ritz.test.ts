/**
 * Top Ritz pairs of a tridiagonal. Invariants: on random tridiagonals the two values equal the two largest
 * eigenvalues (QL of the whole matrix) and the vectors are unit, mutually orthogonal eigenvectors, both
 * on a first call (QL path) and when the pairs of a smaller leading block are followed (Rayleigh quotient
 * path); a followed pair that is not the top one (a new eigenvalue appeared above it) is rejected by the
 * Sturm-count guard and the answer is still the top two.
 */
import { describe, expect, it } from 'vitest';
import { tridiagonalQL } from '../../../src/core/eigen/symmetric-eigen.js';
import { createRitzWorkspace, topRitzPairs, type RitzWorkspace } from '../../../src/core/eigen/tridiagonal-ritz.js';
import { rng } from './helpers.js';

const M = 24;

function workspace(): RitzWorkspace {
  return createRitzWorkspace(M, Float64Array.from({ length: M }, (_, i) => 1 + 0.5 * Math.sin(i + 1)));
}

/** Two largest eigenvalues of the leading k x k block, by QL. */
function topTwo(rw: RitzWorkspace, k: number): [number, number] {
  const d = Float64Array.from(rw.alpha.subarray(0, k));
  const e = new Float64Array(k);
  for (let i = 1; i < k; i++) e[i] = rw.beta[i - 1];
  expect(tridiagonalQL(k, d, e, new Float64Array(k), 0)).toBe(true);
  const s = Array.from(d).sort((x, y) => y - x);
  return [s[0], s[1]];
}

/** |T y - theta y| on the leading k x k block. */
function residual(rw: RitzWorkspace, k: number, theta: number, y: Float64Array): number {
  let rr = 0;
  for (let i = 0; i < k; i++) {
    let t = (rw.alpha[i] - theta) * y[i];
    if (i > 0) t += rw.beta[i - 1] * y[i - 1];
    if (i < k - 1) t += rw.beta[i] * y[i + 1];
    rr += t * t;
  }
  return Math.sqrt(rr);
}

function expectTopPairs(rw: RitzWorkspace, k: number): void {
  const [l1, l2] = topTwo(rw, k);
  const scale = Math.max(Math.abs(l1), 1);
  expect(Math.abs(rw.theta1 - l1)).toBeLessThan(1e-12 * scale);
  expect(Math.abs(rw.theta2 - l2)).toBeLessThan(1e-12 * scale);
  let n1 = 0;
  let n2 = 0;
  let dot = 0;
  for (let i = 0; i < k; i++) {
    n1 += rw.y1[i] ** 2;
    n2 += rw.y2[i] ** 2;
    dot += rw.y1[i] * rw.y2[i];
  }
  expect(Math.abs(n1 - 1)).toBeLessThan(1e-12);
  expect(Math.abs(n2 - 1)).toBeLessThan(1e-12);
  expect(Math.abs(dot)).toBeLessThan(1e-10);
  expect(residual(rw, k, rw.theta1, rw.y1)).toBeLessThan(1e-10 * scale);
  expect(residual(rw, k, rw.theta2, rw.y2)).toBeLessThan(1e-10 * scale);
}

/** A Lanczos-like tridiagonal: a dominant first diagonal entry, the rest spread, random couplings. */
function fill(rw: RitzWorkspace, seed: number): void {
  const u = rng(seed);
  for (let i = 0; i < M; i++) {
    rw.alpha[i] = i === 0 ? 10 + 5 * u() : 3 * u();
    rw.beta[i] = 0.05 + u();
  }
}

describe('topRitzPairs', () => {
  it('gives the two largest eigenpairs on a first call and when following a growing tridiagonal', () => {
    for (let s = 0; s < 20; s++) {
      const rw = workspace();
      fill(rw, 900 + s);
      rw.tracked = 0;
      for (const k of [3, 5, 6, 9, 12, 16, 24]) {
        expect(topRitzPairs(rw, k)).toBe(true);
        expect(rw.tracked).toBe(k);
        expectTopPairs(rw, k);
      }
    }
  });

  it('rejects a followed pair that is no longer the top one and still finds the top two', () => {
    const rw = workspace();
    // diag(1, 2, 3, 4, 5, ...) weakly coupled; then row 5 gets a value far above the rest
    for (let i = 0; i < M; i++) {
      rw.alpha[i] = i + 1;
      rw.beta[i] = 1e-3;
    }
    rw.tracked = 0;
    expect(topRitzPairs(rw, 5)).toBe(true);
    expect(rw.theta1).toBeCloseTo(5, 5);
    rw.alpha[5] = 50;
    rw.beta[4] = 1e-3;
    expect(topRitzPairs(rw, 6)).toBe(true);
    expectTopPairs(rw, 6);
    expect(rw.theta1).toBeCloseTo(50, 5);
    expect(rw.theta2).toBeCloseTo(5, 5);
  });

  it('handles equal top eigenvalues (a decoupled repeated value)', () => {
    const rw = workspace();
    for (let i = 0; i < M; i++) {
      rw.alpha[i] = i === 0 || i === 3 ? 7 : 1 + 0.1 * i;
      rw.beta[i] = i === 2 || i === 3 ? 0 : 0.2;
    }
    rw.tracked = 0;
    expect(topRitzPairs(rw, 3)).toBe(true);
    for (const k of [4, 6, 8]) {
      expect(topRitzPairs(rw, k)).toBe(true);
      expectTopPairs(rw, k);
    }
  });
});
