/** Test helpers for the eigen kernels: seeded random data and mathjs oracles. */
import { eigs } from 'mathjs';

import { rng } from '../../support/synthetic-scans.js';

export { rng };

/** Standard normal via Box-Muller. */
export function normal(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Random symmetric n x n matrix with entries in [-1, 1]. */
export function randomSymmetric(n: number, seed: number): Float64Array {
  const u = rng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = 2 * u() - 1;
  return a;
}

/**
 * Random returns t x n (row-major): optional one-factor structure, r = beta_i * f + sigma * e.
 */
export function randomReturns(t: number, n: number, seed: number, factorWeight = 0): Float64Array {
  const g = normal(rng(seed));
  const betas = Array.from({ length: n }, (_, i) => 0.6 + (0.9 * i) / n);
  const out = new Float64Array(t * n);
  for (let r = 0; r < t; r++) {
    const f = g();
    for (let i = 0; i < n; i++) out[r * n + i] = 0.001 * (factorWeight * betas[i] * f + g());
  }
  return out;
}

/** Prices (t + 1) x n from returns, starting at 100. */
export function pricesFromReturns(ret: Float64Array, t: number, n: number): Float64Array {
  const p = new Float64Array((t + 1) * n);
  for (let i = 0; i < n; i++) p[i] = 100 + i;
  for (let r = 0; r < t; r++) for (let i = 0; i < n; i++) p[(r + 1) * n + i] = p[r * n + i] * Math.exp(ret[r * n + i]);
  return p;
}

/** mathjs eigs: eigenvalues sorted descending and the top eigenvector. */
export function oracle(a: Float64Array, n: number): { values: number[]; top: number[] } {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(a.subarray(i * n, i * n + n)));
  const res = eigs(rows, { precision: 1e-14 }) as unknown as {
    values: number[];
    eigenvectors: Array<{ value: number; vector: number[] }>;
  };
  const vals = [...(res.values as number[])].sort((x, y) => y - x);
  const best = res.eigenvectors.reduce((p, c) => (c.value > p.value ? c : p));
  return { values: vals, top: best.vector as number[] };
}

/** Relative difference scaled by max(|b|, 1). */
export function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1);
}
