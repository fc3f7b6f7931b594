/** Top two eigenpairs of a Lanczos tridiagonal T_k: found by QL once, then followed from check to check by Rayleigh quotient iteration under a Sturm-count guard. */

import { tridiagonalQL } from './symmetric-eigen.js';

const EPS = 2 ** -52;
/** Rayleigh quotient iterations per pair and check (cubic convergence: two or three suffice from a Lanczos residual). */
const MAX_RQI = 5;

/**
 * The Lanczos tridiagonal T_k and its top two eigenpairs (the top Ritz pairs) after {@link topRitzPairs}.
 * T_k has diagonal `alpha[0..k-1]` and off-diagonal `beta[0..k-2]` (`beta[i]` couples rows i and i+1).
 */
export interface RitzWorkspace {
  readonly alpha: Float64Array;
  readonly beta: Float64Array;
  /** Largest and second largest eigenvalue of T_k (counted with multiplicity). */
  theta1: number;
  theta2: number;
  /** Their unit eigenvectors, entries 0..k-1 (y2 orthogonal to y1). */
  readonly y1: Float64Array;
  readonly y2: Float64Array;
  /** Order of T_k when y1 and y2 were last computed; 0 when there is nothing to follow (next call uses QL). */
  tracked: number;
  /** Residual of the last Rayleigh quotient iteration (scratch output). */
  residual: number;
  /** Fixed start vector of inverse iteration after QL. */
  readonly seed: Float64Array;
  /** Scratch: diagonal and off-diagonal for QL, LU factors of T_k - sigma I (d, du, dl, du2, piv). */
  readonly d: Float64Array;
  readonly du: Float64Array;
  readonly dl: Float64Array;
  readonly du2: Float64Array;
  readonly piv: Uint8Array;
}

/** Allocates a workspace for tridiagonals of order up to `m`; `seed` (length >= m) starts inverse iteration. */
export function createRitzWorkspace(m: number, seed: Float64Array): RitzWorkspace {
  return {
    alpha: new Float64Array(m),
    beta: new Float64Array(m),
    theta1: NaN,
    theta2: NaN,
    y1: new Float64Array(m),
    y2: new Float64Array(m),
    tracked: 0,
    residual: NaN,
    seed,
    d: new Float64Array(m),
    du: new Float64Array(m),
    dl: new Float64Array(m),
    du2: new Float64Array(m),
    piv: new Uint8Array(m),
  };
}

/**
 * The top two eigenpairs of T_k (k >= 2) into `rw.theta1/theta2` and `rw.y1/y2`. When an earlier call
 * left pairs of a smaller T (the same Lanczos run), they are followed: each padded with zeros (its
 * residual in T_k is that earlier Lanczos residual) and refined by Rayleigh quotient iteration, O(k) per
 * iteration; the result is accepted only when Sturm counts prove that the two values are the largest and
 * the second largest eigenvalue of T_k to within their residuals. Otherwise (and on the first call) the
 * eigenvalues come from QL, O(k^2), and the vectors from inverse iteration. False on non-finite values.
 */
export function topRitzPairs(rw: RitzWorkspace, k: number): boolean {
  const { alpha, beta } = rw;
  let tnorm = 0;
  let bmax = 0;
  for (let i = 0; i < k; i++) {
    const off = i < k - 1 ? Math.abs(beta[i]) : 0;
    tnorm = Math.max(tnorm, Math.abs(alpha[i]) + off + (i > 0 ? Math.abs(beta[i - 1]) : 0));
    bmax = Math.max(bmax, off);
  }
  if (!(tnorm < Infinity)) return false;
  if (rw.tracked > 0 && follow(rw, k, tnorm, bmax)) {
    rw.tracked = k;
    return true;
  }
  rw.tracked = 0;
  if (!fromQL(rw, k, tnorm)) return false;
  rw.tracked = k;
  return true;
}

/** Eigenvalues of T_k by QL (values only), the top two picked, their vectors by inverse iteration. */
function fromQL(rw: RitzWorkspace, k: number, tnorm: number): boolean {
  const { alpha, beta, d, du } = rw;
  for (let i = 0; i < k; i++) {
    d[i] = alpha[i];
    du[i] = i === 0 ? 0 : beta[i - 1];
  }
  if (!tridiagonalQL(k, d, du, du, 0)) return false;
  let i1 = 0;
  for (let i = 1; i < k; i++) if (d[i] > d[i1]) i1 = i;
  let i2 = i1 === 0 ? 1 : 0;
  for (let i = 0; i < k; i++) if (i !== i1 && d[i] > d[i2]) i2 = i;
  const theta1 = d[i1];
  const theta2 = d[i2];
  rw.theta1 = theta1;
  rw.theta2 = theta2;
  return inverseIteration(rw, k, theta1, rw.y1, null, tnorm) && inverseIteration(rw, k, theta2, rw.y2, rw.y1, tnorm);
}

/**
 * Unit eigenvector of T_k for its eigenvalue `theta` into `y`: two steps of inverse iteration from the
 * fixed seed with T_k - theta I factored once; with `against`, kept orthogonal to that unit vector (close
 * or equal eigenvalues). False on non-finite values.
 */
function inverseIteration(
  rw: RitzWorkspace,
  k: number,
  theta: number,
  y: Float64Array,
  against: Float64Array | null,
  tnorm: number,
): boolean {
  factor(rw, k, theta, tnorm);
  for (let i = 0; i < k; i++) y[i] = rw.seed[i];
  for (let it = 0; it < 2; it++) {
    if (against !== null) orthogonalize(y, against, k);
    solve(rw, k, y);
    if (against !== null) orthogonalize(y, against, k);
    if (!normalize(y, k)) return false;
  }
  return true;
}

/** Follows the pairs of a smaller T into T_k (see {@link topRitzPairs}); false when the guard rejects them. */
function follow(rw: RitzWorkspace, k: number, tnorm: number, bmax: number): boolean {
  const { y1, y2 } = rw;
  for (let i = rw.tracked; i < k; i++) {
    y1[i] = 0;
    y2[i] = 0;
  }
  const theta1 = rayleighIteration(rw, k, rw.theta1, y1, null, tnorm);
  if (!(theta1 === theta1)) return false;
  const r1 = rw.residual;
  const theta2 = rayleighIteration(rw, k, rw.theta2, y2, y1, tnorm);
  if (!(theta2 === theta2)) return false;
  const r2 = rw.residual;
  // There is an eigenvalue within r of each value (unit y); the counts place lambda_1 and lambda_2 there.
  const slack = 4 * k * EPS * tnorm;
  const pivmin = 2 ** -1000 * Math.max(1, bmax * bmax);
  const { alpha, beta } = rw;
  if (countAbove(alpha, beta, k, theta1 + r1 + slack, pivmin) !== 0) return false;
  if (countAbove(alpha, beta, k, theta2 + r2 + slack, pivmin) > 1) return false;
  if (countAbove(alpha, beta, k, theta2 - r2 - slack, pivmin) < 2) return false;
  rw.theta1 = theta1;
  rw.theta2 = theta2;
  return true;
}

/**
 * Rayleigh quotient iteration on T_k from the unit vector `y` and the shift `sigma` (the pair's value in
 * a smaller T): y <- (T_k - sigma I)^{-1} y normalized, sigma <- y' T_k y, until the residual
 * |T_k y - sigma y| reaches rounding level or stops shrinking. Returns the value (NaN when not converged
 * or non-finite), its residual in `rw.residual`, the vector in `y`.
 */
function rayleighIteration(
  rw: RitzWorkspace,
  k: number,
  sigma: number,
  y: Float64Array,
  against: Float64Array | null,
  tnorm: number,
): number {
  const { alpha, beta } = rw;
  const floor = 8 * Math.sqrt(k) * EPS * tnorm;
  let theta = sigma;
  let res = Infinity;
  for (let it = 0; it < MAX_RQI; it++) {
    factor(rw, k, theta, tnorm);
    if (against !== null) orthogonalize(y, against, k);
    solve(rw, k, y);
    if (against !== null) orthogonalize(y, against, k);
    if (!normalize(y, k)) return NaN;
    // Rayleigh quotient y' T y, then the residual |T y - theta y|.
    let rq = alpha[0] * y[0] * y[0];
    for (let i = 1; i < k; i++) rq += y[i] * (alpha[i] * y[i] + 2 * beta[i - 1] * y[i - 1]);
    let rr = 0;
    for (let i = 0; i < k; i++) {
      let t = (alpha[i] - rq) * y[i];
      if (i > 0) t += beta[i - 1] * y[i - 1];
      if (i < k - 1) t += beta[i] * y[i + 1];
      rr += t * t;
    }
    const r = Math.sqrt(rr);
    theta = rq;
    const stalled = r > 0.25 * res;
    res = r;
    if (r <= floor || stalled) break;
  }
  rw.residual = res;
  return res <= 1e-10 * tnorm ? theta : NaN;
}

/**
 * LU factors of T_k - sigma I with partial pivoting (LAPACK dgttrf) into d, du, dl, du2, piv; a zero
 * pivot is replaced by eps * |T_k| (inverse iteration needs a solve at an exact eigenvalue).
 */
function factor(rw: RitzWorkspace, k: number, sigma: number, tnorm: number): void {
  const { alpha, beta, d, du, dl, du2, piv } = rw;
  for (let i = 0; i < k; i++) {
    d[i] = alpha[i] - sigma;
    const off = i < k - 1 ? beta[i] : 0;
    du[i] = off;
    dl[i] = off;
    du2[i] = 0;
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
  const tiny = Math.max(tnorm, Number.MIN_VALUE) * EPS;
  for (let i = 0; i < k; i++) if (Math.abs(d[i]) < tiny) d[i] = d[i] < 0 ? -tiny : tiny;
}

/** y <- (T_k - sigma I)^{-1} y with the factors of {@link factor} (LAPACK dgtts2). */
function solve(rw: RitzWorkspace, k: number, y: Float64Array): void {
  const { d, du, dl, du2, piv } = rw;
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
}

/** y -= (u . y) u over entries 0..k-1 (u unit). */
function orthogonalize(y: Float64Array, u: Float64Array, k: number): void {
  let c = 0;
  for (let i = 0; i < k; i++) c += u[i] * y[i];
  for (let i = 0; i < k; i++) y[i] -= c * u[i];
}

/** Scales entries 0..k-1 of y to unit length; false when the norm is 0 or not finite. */
function normalize(y: Float64Array, k: number): boolean {
  let nn = 0;
  for (let i = 0; i < k; i++) nn += y[i] * y[i];
  nn = Math.sqrt(nn);
  if (!(nn > 0 && nn < Infinity)) return false;
  const inv = 1 / nn;
  for (let i = 0; i < k; i++) y[i] *= inv;
  return true;
}

/**
 * Number of eigenvalues of T_k greater than x: the positive pivots of the LDL' factorization of
 * T_k - x I (Sylvester's law of inertia); a pivot smaller than `pivmin` counts as negative (LAPACK dstebz).
 */
function countAbove(alpha: Float64Array, beta: Float64Array, k: number, x: number, pivmin: number): number {
  let count = 0;
  let d = alpha[0] - x;
  for (let i = 0; ; ) {
    if (Math.abs(d) < pivmin) d = -pivmin;
    if (d > 0) count++;
    if (++i === k) return count;
    d = alpha[i] - x - (beta[i - 1] * beta[i - 1]) / d;
  }
}
