/** Full spectrum of a real symmetric matrix: Householder tridiagonalization + implicit QL (EISPACK tred2/tql2). */

/** Reusable buffers for {@link symmetricEigen}; allocate once per matrix size. */
export interface SymmetricEigenWorkspace {
  /** Matrix order. */
  readonly n: number;
  /** Eigenvalues, sorted descending, after a call. */
  readonly values: Float64Array;
  /**
   * Eigenvectors after a call made with `vectors = true`: row-major n x n, column k
   * (`vectors[i * n + k]`) is the unit eigenvector of `values[k]`.
   */
  readonly vectors: Float64Array;
  /** Off-diagonal scratch. */
  readonly e: Float64Array;
}

/** Allocates a workspace for matrices of order `n`. */
export function createSymmetricEigenWorkspace(n: number): SymmetricEigenWorkspace {
  return { n, values: new Float64Array(n), vectors: new Float64Array(n * n), e: new Float64Array(n) };
}

const EPS = 2 ** -52;

/** sqrt(a^2 + b^2) without Math.hypot's cost; falls back to it when squaring could over/underflow. */
function hypot(a: number, b: number): number {
  const m = Math.abs(a) > Math.abs(b) ? Math.abs(a) : Math.abs(b);
  return m < 1e150 && m > 1e-150 ? Math.sqrt(a * a + b * b) : Math.hypot(a, b);
}

/**
 * Householder reduction of the symmetric matrix held in `v` (row-major n x n, overwritten) to
 * tridiagonal form: diagonal in `d`, sub-diagonal in `e[1..n-1]` (`e[0] = 0`); `v` becomes the
 * orthogonal transform. Port of EISPACK tred2 (as in JAMA), 0-based.
 */
function tred2(n: number, v: Float64Array, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = v[(n - 1) * n + j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[(i - 1) * n + j];
        v[i * n + j] = 0;
        v[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[j * n + i] = f;
        g = e[j] + v[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[k * n + j] * d[k];
          e[k] += v[k * n + j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) v[k * n + j] -= f * e[k] + g * d[k];
        d[j] = v[(i - 1) * n + j];
        v[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = v[i * n + i];
    v[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[k * n + i + 1] * v[k * n + j];
        for (let k = 0; k <= i; k++) v[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[(n - 1) * n + j];
    v[(n - 1) * n + j] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/**
 * Implicit QL on a symmetric tridiagonal matrix of order `n`: diagonal `d`, sub-diagonal
 * `e[1..n-1]` (`e[0]` ignored). On return `d` holds the eigenvalues (unsorted) and `e` is destroyed.
 * The plane rotations are applied to the columns of `z` (row-major, `rows` x `n`, may be 0 rows):
 * start from the identity to get all eigenvectors of the tridiagonal matrix, from one row of the
 * identity to get only that component of every eigenvector, or from tred2's output to get the
 * eigenvectors of the original matrix. Returns false when it did not converge (non-finite input).
 */
export function tridiagonalQL(n: number, d: Float64Array, e: Float64Array, z: Float64Array, rows: number): boolean {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    if (!(tst1 < Infinity)) return false;
    let m = l;
    while (m < n - 1 && !(Math.abs(e[m]) <= EPS * tst1)) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) return false;
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (let k = 0; k < rows; k++) {
            const o = k * n;
            h = z[o + i + 1];
            z[o + i + 1] = s * z[o + i] + c * h;
            z[o + i] = c * z[o + i] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > EPS * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  return true;
}

/**
 * Sorts `d[0..n-1]` descending (selection sort, stable for ties by original index) and permutes the
 * columns of `z` (`rows` x `n`, row-major) the same way.
 */
export function sortDescending(n: number, d: Float64Array, z: Float64Array, rows: number): void {
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++) {
      if (d[j] > p) {
        k = j;
        p = d[j];
      }
    }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      for (let r = 0; r < rows; r++) {
        const o = r * n;
        const t = z[o + i];
        z[o + i] = z[o + k];
        z[o + k] = t;
      }
    }
  }
}

/**
 * Full eigen-decomposition of the symmetric matrix `a` (row-major n x n, only read; symmetry is
 * assumed, the lower triangle is what is used). Eigenvalues land in `ws.values` sorted descending;
 * with `vectors` (default true) the unit eigenvectors land in the columns of `ws.vectors`.
 * Returns false, with every output NaN, when `a` holds a non-finite value.
 */
export function symmetricEigen(a: Float64Array, ws: SymmetricEigenWorkspace, vectors = true): boolean {
  const n = ws.n;
  const v = ws.vectors;
  const d = ws.values;
  const e = ws.e;
  if (n === 0) return true;
  for (let i = 0; i < n * n; i++) {
    const x = a[i];
    if (!(x - x === 0)) {
      d.fill(NaN);
      v.fill(NaN);
      return false;
    }
    v[i] = x;
  }
  tred2(n, v, d, e);
  const ok = tridiagonalQL(n, d, e, v, vectors ? n : 0);
  if (!ok) {
    d.fill(NaN);
    v.fill(NaN);
    return false;
  }
  sortDescending(n, d, v, vectors ? n : 0);
  if (!vectors) v.fill(NaN);
  return true;
}
