/** Fast lambda_max, lambda_2 and top eigenvector: warm-started Lanczos with full solver fallback. */

import { createSymmetricEigenWorkspace, symmetricEigen, type SymmetricEigenWorkspace } from './symmetric-eigen.js';
import { createRitzWorkspace, topRitzPairs, type RitzWorkspace } from './tridiagonal-ritz.js';

/** Reusable buffers and the outputs of {@link topEigen}. */
export interface TopEigenWorkspace {
  /** Matrix order. */
  readonly n: number;
  /** Largest eigenvalue after a call (NaN when the matrix held a non-finite value). */
  lambdaMax: number;
  /** Second largest eigenvalue (counted with multiplicity; NaN when n < 2). */
  lambda2: number;
  /** Unit eigenvector of lambdaMax, sign-normalized (see {@link normalizeSign}). */
  readonly vector: Float64Array;
  /** Unit eigenvector of lambda2 (same sign convention; accuracy ~tol2 / gap). */
  readonly vector2: Float64Array;
  /** Lanczos steps taken by the last call. */
  steps: number;
  /** True when the last call fell back to the full solver. */
  usedFallback: boolean;
  /** Lanczos basis, row-major maxSteps x n. */
  readonly q: Float64Array;
  readonly w: Float64Array;
  /** The tridiagonal T_k (alpha, beta) and its top Ritz pairs. */
  readonly ritz: RitzWorkspace;
  /** The fixed spread perturbation of start vectors, component i (see spread). */
  readonly start: Float64Array;
  readonly full: SymmetricEigenWorkspace;
}

/** Options of {@link topEigen}. */
export interface TopEigenOptions {
  /**
   * Stop when the Ritz residuals of the top two pairs are <= `tol * |lambda_max|` (default 1e-11);
   * the eigenvalue errors are then below that bound (and usually far below).
   */
  readonly tol?: number;
  /**
   * Tolerance of the lambda_2 pair alone (default `tol`): when only lambda_max and the vector need
   * full accuracy, a looser value saves steps (the lambda_2 error is then at most `tol2 * |lambda_max|`).
   */
  readonly tol2?: number;
  /**
   * When false, only the lambda_max pair must meet `tol` (fewer steps); lambda2 and vector2 are then
   * the second Ritz pair of the last step, with no accuracy guarantee. Default true.
   */
  readonly lambda2?: boolean;
  /** Lanczos steps before falling back to the full solver (default min(n, 40)). */
  readonly maxSteps?: number;
}

/** Allocates a workspace for matrices of order `n`. */
export function createTopEigenWorkspace(n: number): TopEigenWorkspace {
  const m = Math.max(1, n);
  return {
    n,
    lambdaMax: NaN,
    lambda2: NaN,
    vector: new Float64Array(n),
    vector2: new Float64Array(n),
    steps: 0,
    usedFallback: false,
    q: new Float64Array(m * n),
    w: new Float64Array(n),
    ritz: createRitzWorkspace(
      m,
      Float64Array.from({ length: m }, (_, i) => 1 + 0.5 * spread(i % Math.max(1, n))),
    ),
    start: Float64Array.from({ length: n }, (_, i) => spread(i)),
    full: createSymmetricEigenWorkspace(n),
  };
}

/**
 * Sign convention of eigenvectors: flips `u` so that the sum of its components is positive; when the
 * sum is 0, so that its first non-zero component is positive. (Rotation features use |dot| and do
 * not depend on it; it only makes outputs reproducible and comparable.)
 */
export function normalizeSign(u: Float64Array, n: number): void {
  let s = 0;
  for (let i = 0; i < n; i++) s += u[i];
  if (s === 0) {
    for (let i = 0; i < n; i++) {
      if (u[i] !== 0) {
        s = u[i];
        break;
      }
    }
  }
  if (s < 0) for (let i = 0; i < n; i++) u[i] = -u[i];
}

/** Deterministic, well-spread pseudo-random component i of a start vector (no state, no Math.random). */
function spread(i: number): number {
  const x = Math.sin((i + 1) * 12.9898) * 43758.5453;
  return x - Math.floor(x) - 0.5;
}

function fallback(a: Float64Array, ws: TopEigenWorkspace): TopEigenWorkspace {
  const n = ws.n;
  const f = ws.full;
  ws.usedFallback = true;
  symmetricEigen(a, f, true);
  ws.lambdaMax = f.values[0];
  ws.lambda2 = n > 1 ? f.values[1] : NaN;
  for (let i = 0; i < n; i++) {
    ws.vector[i] = f.vectors[i * n];
    ws.vector2[i] = n > 1 ? f.vectors[i * n + 1] : NaN;
  }
  normalizeSign(ws.vector, n);
  normalizeSign(ws.vector2, n);
  return ws;
}

/**
 * lambda_max, lambda_2 and the unit top eigenvector of the symmetric matrix `a` (row-major n x n).
 *
 * Lanczos with full reorthogonalization, started from `warm` (e.g. the previous scan's top
 * eigenvector) plus half of `warm2` (e.g. the previous second eigenvector: with both directions in
 * the start vector, both pairs converge in a few steps), plus a small fixed perturbation so every
 * eigen-direction is present; or, cold, from a fixed spread vector. At each convergence check the
 * top two eigenpairs of the tridiagonal T_k are found ({@link topRitzPairs}: QL at the first check,
 * then the previous pairs followed by Rayleigh quotient iteration, O(k)), and the run stops when both
 * top Ritz residuals `|beta_k * s_k|` (s_k: last component of the pair's vector) are within
 * tolerance. Falls back to {@link symmetricEigen} when it has not converged after `maxSteps` steps, on a Lanczos breakdown (an invariant subspace found early) or
 * for n <= 3. A non-finite entry gives NaN outputs. Results are in `ws` (also returned).
 */
export function topEigen(
  a: Float64Array,
  ws: TopEigenWorkspace,
  warm: Float64Array | null = null,
  options: TopEigenOptions = {},
  warm2: Float64Array | null = null,
): TopEigenWorkspace {
  const n = ws.n;
  const tol = options.tol ?? 1e-11;
  const tol2 = options.lambda2 === false ? Infinity : options.tol2 ?? tol;
  const maxSteps = Math.min(n, options.maxSteps ?? 40);
  ws.usedFallback = false;
  ws.steps = 0;
  if (n === 0) {
    ws.lambdaMax = NaN;
    ws.lambda2 = NaN;
    return ws;
  }
  if (n <= 3) return fallback(a, ws);
  const { q, w, start } = ws;
  const rz = ws.ritz;
  const { alpha, beta } = rz;
  rz.tracked = 0;

  // Start vector.
  let norm = 0;
  let warmOk = warm !== null;
  let warm2Ok = warmOk && warm2 !== null;
  if (warm !== null) {
    for (let i = 0; i < n; i++) if (!(warm[i] - warm[i] === 0)) warmOk = false;
  }
  if (warm2 !== null) {
    for (let i = 0; i < n; i++) if (!(warm2[i] - warm2[i] === 0)) warm2Ok = false;
  }
  for (let i = 0; i < n; i++) {
    const x = warmOk
      ? warm![i] + (warm2Ok ? 0.5 * warm2![i] : 0) + (0.01 / Math.sqrt(n)) * start[i]
      : 1 / Math.sqrt(n) + (0.3 * start[i]) / Math.sqrt(n);
    q[i] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm);
  if (!(norm > 0)) return fallback(a, ws);
  for (let i = 0; i < n; i++) q[i] /= norm;

  let anorm = 0;
  let converged = false;
  let k = 0;
  let nextCheck = Math.min(n, options.lambda2 === false ? 4 : 6);
  let lastK = 0;
  let lastRatio = Infinity;
  for (let j = 0; j < maxSteps; j++) {
    const qj = j * n;
    const aj = multiply(a, q, qj, w, n);
    alpha[j] = aj;
    if (!(aj - aj === 0)) {
      ws.lambdaMax = NaN;
      ws.lambda2 = NaN;
      ws.vector.fill(NaN);
      ws.steps = j + 1;
      return ws;
    }
    // Three-term recurrence, then full reorthogonalization against the basis (modified Gram-Schmidt),
    // repeated once when that pass cancelled more than 30 % of the norm ("twice is enough").
    const bPrev = j > 0 ? beta[j - 1] : 0;
    const qp = j > 0 ? (j - 1) * n : 0;
    let before = 0;
    for (let r = 0; r < n; r++) {
      const x = w[r] - aj * q[qj + r] - bPrev * q[qp + r];
      w[r] = x;
      before += x * x;
    }
    let b = 0;
    for (let pass = 0; pass < 2; pass++) {
      // Modified Gram-Schmidt, fused: while subtracting the projection on q_i, accumulate the
      // coefficient of q_{i+1} (and, after the last, the squared norm).
      let c = 0;
      for (let r = 0; r < n; r++) c += q[r] * w[r];
      for (let i = 0; i < j; i++) {
        const qi = i * n;
        const qi1 = qi + n;
        let c1 = 0;
        for (let r = 0; r < n; r++) {
          const x = w[r] - c * q[qi + r];
          w[r] = x;
          c1 += q[qi1 + r] * x;
        }
        c = c1;
      }
      b = 0;
      for (let r = 0; r < n; r++) {
        const x = w[r] - c * q[qj + r];
        w[r] = x;
        b += x * x;
      }
      if (b > 0.49 * before) break;
      before = b;
    }
    b = Math.sqrt(b);
    beta[j] = b;
    k = j + 1;
    anorm = Math.max(anorm, Math.abs(aj) + b + (j > 0 ? beta[j - 1] : 0));

    // Convergence checks cost O(k) to O(k^2) each, a fair share of a step: the first at step 6 (or n),
    // the next ones where the geometric decay of the residuals seen so far predicts convergence (three
    // quarters of the predicted distance, at least one step).
    if (k >= nextCheck || k === n || k === maxSteps) {
      if (k < 2 || !topRitzPairs(rz, k)) return fallback(a, ws);
      const scale = Math.max(Math.abs(rz.theta1), Number.MIN_VALUE);
      const ratio = Math.max(Math.abs(b * rz.y1[k - 1]) / (tol * scale), Math.abs(b * rz.y2[k - 1]) / (tol2 * scale));
      if (ratio <= 1) {
        converged = true;
        break;
      }
      let ahead = 2;
      if (lastK > 0 && ratio < lastRatio && ratio > 0) {
        const perStep = Math.log(lastRatio / ratio) / (k - lastK);
        ahead = Math.max(1, Math.min(8, Math.floor((0.75 * Math.log(ratio)) / perStep)));
      }
      lastK = k;
      lastRatio = ratio;
      nextCheck = k + ahead;
    }
    if (b <= 1e-12 * anorm || k === maxSteps) break; // breakdown or out of steps
    const qn = k * n;
    const inv = 1 / b;
    for (let r = 0; r < n; r++) q[qn + r] = w[r] * inv;
  }
  ws.steps = k;
  if (!converged) return fallback(a, ws);

  // Ritz vectors of the top two Ritz pairs: u = Q_k y, both in one pass over the basis.
  ws.lambdaMax = rz.theta1;
  ws.lambda2 = rz.theta2;
  ritzVectors(ws, k);
  return ws;
}

/** ws.vector = Q_k y1 and ws.vector2 = Q_k y2 (the Ritz vectors), normalized, sign-normalized. */
function ritzVectors(ws: TopEigenWorkspace, k: number): void {
  const { n, q, vector: u1, vector2: u2 } = ws;
  const { y1, y2 } = ws.ritz;
  u1.fill(0);
  u2.fill(0);
  for (let i = 0; i < k; i++) {
    const s1 = y1[i];
    const s2 = y2[i];
    const qi = i * n;
    for (let r = 0; r < n; r++) {
      const x = q[qi + r];
      u1[r] += s1 * x;
      u2[r] += s2 * x;
    }
  }
  let n1 = 0;
  let n2 = 0;
  for (let r = 0; r < n; r++) {
    n1 += u1[r] * u1[r];
    n2 += u2[r] * u2[r];
  }
  const inv1 = 1 / Math.sqrt(n1);
  const inv2 = 1 / Math.sqrt(n2);
  for (let r = 0; r < n; r++) {
    u1[r] *= inv1;
    u2[r] *= inv2;
  }
  normalizeSign(u1, n);
  normalizeSign(u2, n);
}

/**
 * w = A q_j (q_j at offset qj of q); returns q_j . w. Four rows at a time (each load of q feeds four
 * products), then two, then one: one dependent sum per row would leave the CPU waiting on each add.
 */
function multiply(a: Float64Array, q: Float64Array, qj: number, w: Float64Array, n: number): number {
  let aj = 0;
  let r = 0;
  for (; r + 3 < n; r += 4) {
    const o0 = r * n;
    const o1 = o0 + n;
    const o2 = o1 + n;
    const o3 = o2 + n;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let c = 0; c < n; c++) {
      const x = q[qj + c];
      s0 += a[o0 + c] * x;
      s1 += a[o1 + c] * x;
      s2 += a[o2 + c] * x;
      s3 += a[o3 + c] * x;
    }
    w[r] = s0;
    w[r + 1] = s1;
    w[r + 2] = s2;
    w[r + 3] = s3;
    aj += q[qj + r] * s0 + q[qj + r + 1] * s1 + q[qj + r + 2] * s2 + q[qj + r + 3] * s3;
  }
  if (r + 1 < n) {
    const o0 = r * n;
    const o1 = o0 + n;
    let s0 = 0;
    let s1 = 0;
    for (let c = 0; c < n; c++) {
      const x = q[qj + c];
      s0 += a[o0 + c] * x;
      s1 += a[o1 + c] * x;
    }
    w[r] = s0;
    w[r + 1] = s1;
    aj += q[qj + r] * s0;
    aj += q[qj + r + 1] * s1;
    r += 2;
  }
  if (r < n) {
    const o = r * n;
    let s = 0;
    for (let c = 0; c < n; c++) s += a[o + c] * q[qj + c];
    w[r] = s;
    aj += q[qj + r] * s;
  }
  return aj;
}
