/** Fast lambda_max, lambda_2 and top eigenvector: warm-started Lanczos with full solver fallback. */

import {
  createSymmetricEigenWorkspace,
  symmetricEigen,
  tridiagonalQL,
  type SymmetricEigenWorkspace,
} from './symmetric-eigen.js';

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
  readonly alpha: Float64Array;
  readonly beta: Float64Array;
  readonly w: Float64Array;
  readonly td: Float64Array;
  readonly te: Float64Array;
  readonly zrow: Float64Array;
  readonly zfull: Float64Array;
  /** Second super-diagonal and pivots of the factored T_k - theta I, inverse-iteration iterate. */
  readonly du2: Float64Array;
  readonly piv: Uint8Array;
  readonly y: Float64Array;
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
    alpha: new Float64Array(m),
    beta: new Float64Array(m),
    w: new Float64Array(n),
    td: new Float64Array(m),
    te: new Float64Array(m),
    zrow: new Float64Array(m),
    zfull: new Float64Array(m * m),
    du2: new Float64Array(m),
    piv: new Uint8Array(m),
    y: new Float64Array(m),
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
 * eigen-direction is present; or, cold, from a fixed spread vector. After each step the tridiagonal matrix is diagonalized (eigenvalues plus the
 * last component of each Ritz vector, O(k^2)), and the run stops when both top Ritz residuals
 * `|beta_k * s_k|` are within tolerance. Falls back to {@link symmetricEigen} when it has not
 * converged after `maxSteps` steps, on a Lanczos breakdown (an invariant subspace found early) or
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
  const { q, alpha, beta, w, td, te, zrow, start } = ws;

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
  let theta1 = NaN;
  let theta2 = NaN;
  let lastK = 0;
  let lastRatio = Infinity;
  for (let j = 0; j < maxSteps; j++) {
    const qj = j * n;
    // w = A q_j, four rows at a time (each load of q feeds four products).
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
    for (; r < n; r++) {
      const o = r * n;
      let s = 0;
      for (let c = 0; c < n; c++) s += a[o + c] * q[qj + c];
      w[r] = s;
      aj += q[qj + r] * s;
    }
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

    // Convergence checks cost O(k^2) (the QL of T_k dominates a cold run when done every step): the
    // first at step 6 (or n); the next ones where the geometric decay of the residuals seen so far
    // predicts convergence (three quarters of the predicted distance, at least one step).
    if (k >= nextCheck || k === n || k === maxSteps) {
      // Eigenvalues of T_k and the last component of each of its eigenvectors.
      for (let i = 0; i < k; i++) {
        td[i] = alpha[i];
        te[i] = i === 0 ? 0 : beta[i - 1];
        zrow[i] = i === k - 1 ? 1 : 0;
      }
      if (!tridiagonalQL(k, td, te, zrow, 1)) return fallback(a, ws);
      // The two largest Ritz values (counted with multiplicity) and their last components.
      let i1 = 0;
      for (let i = 1; i < k; i++) if (td[i] > td[i1]) i1 = i;
      let i2 = i1 === 0 ? 1 : 0;
      for (let i = 0; i < k; i++) if (i !== i1 && td[i] > td[i2]) i2 = i;
      const scale = Math.max(Math.abs(td[i1]), Number.MIN_VALUE);
      const ratio = Math.max(Math.abs(b * zrow[i1]) / (tol * scale), Math.abs(b * zrow[i2]) / (tol2 * scale));
      if (ratio <= 1) {
        converged = true;
        theta1 = td[i1];
        theta2 = td[i2];
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
    for (let r = 0; r < n; r++) q[qn + r] = w[r] / b;
  }
  ws.steps = k;
  if (!converged) return fallback(a, ws);

  // Ritz vectors of the top two Ritz values: eigenvectors of T_k by inverse iteration at the
  // (converged, exact to rounding) Ritz values, O(k) each instead of a full O(k^3) QL with vectors.
  ws.lambdaMax = theta1;
  ws.lambda2 = theta2;
  const zfull = ws.zfull;
  if (!tridiagonalEigenvector(ws, k, theta1, null, 0) || !tridiagonalEigenvector(ws, k, theta2, zfull, 1)) {
    return fallback(a, ws);
  }
  ritzVector(ws, k, 0, ws.vector);
  ritzVector(ws, k, 1, ws.vector2);
  return ws;
}

/**
 * Unit eigenvector of the Lanczos tridiagonal T_k (ws.alpha, ws.beta) for its eigenvalue `theta`,
 * by two steps of inverse iteration with (T_k - theta I) factored once (Gaussian elimination with
 * partial pivoting, LAPACK dgttrf/dgtts2; a zero pivot is replaced by eps * ||T_k||). With `against`
 * (column 0 of ws.zfull), the iterate is kept orthogonal to that vector (close or equal Ritz
 * values). The result goes to column `col` of ws.zfull (row stride k). False on non-finite values.
 */
function tridiagonalEigenvector(
  ws: TopEigenWorkspace,
  k: number,
  theta: number,
  against: Float64Array | null,
  col: number,
): boolean {
  const { alpha, beta, td: d, te: du, zrow: dl, du2, piv, y, zfull } = ws;
  let tnorm = 0;
  for (let i = 0; i < k; i++) {
    d[i] = alpha[i] - theta;
    const off = i < k - 1 ? beta[i] : 0;
    du[i] = off;
    dl[i] = off;
    du2[i] = 0;
    tnorm = Math.max(tnorm, Math.abs(alpha[i]) + off + (i > 0 ? beta[i - 1] : 0));
  }
  for (let i = 0; i < k - 1; i++) {
    if (Math.abs(d[i]) >= Math.abs(dl[i])) {
      piv[i] = 0;
      const fact = d[i] !== 0 ? dl[i] / d[i] : 0;
      dl[i] = fact;
      d[i + 1] -= fact * du[i];
    } else {
      piv[i] = 1;
      const fact = d[i] / dl[i];
      d[i] = dl[i];
      dl[i] = fact;
      const temp = du[i];
      du[i] = d[i + 1];
      d[i + 1] = temp - fact * d[i + 1];
      if (i < k - 2) {
        du2[i] = du[i + 1];
        du[i + 1] = -fact * du[i + 1];
      }
    }
  }
  const tiny = Math.max(tnorm, Number.MIN_VALUE) * 2 ** -52;
  for (let i = 0; i < k; i++) if (Math.abs(d[i]) < tiny) d[i] = d[i] < 0 ? -tiny : tiny;
  for (let i = 0; i < k; i++) y[i] = 1 + 0.5 * ws.start[i % ws.n];
  for (let it = 0; it < 2; it++) {
    if (against !== null) orthogonalizeColumn(y, zfull, k);
    for (let i = 0; i < k - 1; i++) {
      if (piv[i] === 0) {
        y[i + 1] -= dl[i] * y[i];
      } else {
        const temp = y[i];
        y[i] = y[i + 1];
        y[i + 1] = temp - dl[i] * y[i];
      }
    }
    y[k - 1] /= d[k - 1];
    y[k - 2] = (y[k - 2] - du[k - 2] * y[k - 1]) / d[k - 2];
    for (let i = k - 3; i >= 0; i--) y[i] = (y[i] - du[i] * y[i + 1] - du2[i] * y[i + 2]) / d[i];
    if (against !== null) orthogonalizeColumn(y, zfull, k);
    let nn = 0;
    for (let i = 0; i < k; i++) nn += y[i] * y[i];
    nn = Math.sqrt(nn);
    if (!(nn > 0 && nn < Infinity)) return false;
    for (let i = 0; i < k; i++) y[i] /= nn;
  }
  for (let i = 0; i < k; i++) zfull[i * k + col] = y[i];
  return true;
}

/** y -= (z0 . y) z0, with z0 column 0 of the k x k row-major zfull. */
function orthogonalizeColumn(y: Float64Array, zfull: Float64Array, k: number): void {
  let c = 0;
  for (let i = 0; i < k; i++) c += zfull[i * k] * y[i];
  for (let i = 0; i < k; i++) y[i] -= c * zfull[i * k];
}

/** Ritz vector of column `col` of the k x k eigenvectors in ws.zfull, normalized, into `u`. */
function ritzVector(ws: TopEigenWorkspace, k: number, col: number, u: Float64Array): void {
  const n = ws.n;
  const q = ws.q;
  u.fill(0);
  for (let i = 0; i < k; i++) {
    const s = ws.zfull[i * k + col];
    const qi = i * n;
    for (let r = 0; r < n; r++) u[r] += s * q[qi + r];
  }
  let un = 0;
  for (let r = 0; r < n; r++) un += u[r] * u[r];
  un = Math.sqrt(un);
  for (let r = 0; r < n; r++) u[r] /= un;
  normalizeSign(u, n);
}
