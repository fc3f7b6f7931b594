/**
 * Full symmetric solver. Invariants: eigenvalues equal mathjs eigs (1e-9 relative), sorted
 * descending; A v = lambda v and V orthonormal; non-finite input gives NaN, never a hang.
 */
import { describe, expect, it } from 'vitest';
import { createSymmetricEigenWorkspace, symmetricEigen } from '../../../src/core/eigen/index.js';
import { oracle, randomSymmetric, rel } from './helpers.js';

describe('symmetricEigen', () => {
  for (const n of [1, 2, 3, 7, 20, 50]) {
    it(`matches mathjs eigs on a random symmetric ${n}x${n}`, () => {
      const a = randomSymmetric(n, 100 + n);
      const ws = createSymmetricEigenWorkspace(n);
      expect(symmetricEigen(a, ws)).toBe(true);
      const { values } = oracle(a, n);
      for (let k = 0; k < n; k++) expect(rel(ws.values[k], values[k])).toBeLessThan(1e-9);
      for (let k = 1; k < n; k++) expect(ws.values[k]).toBeLessThanOrEqual(ws.values[k - 1]);
      // A v = lambda v, V^T V = I
      for (let k = 0; k < n; k++) {
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += a[i * n + j] * ws.vectors[j * n + k];
          expect(Math.abs(s - ws.values[k] * ws.vectors[i * n + k])).toBeLessThan(1e-11);
        }
        for (let l = 0; l < n; l++) {
          let d = 0;
          for (let i = 0; i < n; i++) d += ws.vectors[i * n + k] * ws.vectors[i * n + l];
          expect(Math.abs(d - (k === l ? 1 : 0))).toBeLessThan(1e-12);
        }
      }
    });
  }
  it('handles diagonal, identity and rank-one matrices exactly', () => {
    const n = 5;
    const ws = createSymmetricEigenWorkspace(n);
    const diag = new Float64Array(n * n);
    [3, -1, 7, 0, 2].forEach((x, i) => (diag[i * n + i] = x));
    symmetricEigen(diag, ws);
    expect(Array.from(ws.values)).toEqual([7, 3, 2, 0, -1]);
    const ones = new Float64Array(n * n).fill(1);
    symmetricEigen(ones, ws);
    expect(ws.values[0]).toBeCloseTo(5, 13);
    for (let k = 1; k < n; k++) expect(Math.abs(ws.values[k])).toBeLessThan(1e-13);
  });
  it('gives NaN for non-finite input', () => {
    const a = randomSymmetric(4, 1);
    a[5] = NaN;
    const ws = createSymmetricEigenWorkspace(4);
    expect(symmetricEigen(a, ws)).toBe(false);
    expect(Number.isNaN(ws.values[0])).toBe(true);
  });
});
