/** Rolling correlation of returns over the last w rows, from incrementally updated moment sums. */

/**
 * Sliding-window moment sums of `n` return series (a ring buffer of the last `window` rows plus
 * sums of x and of x*x'), giving the Pearson correlation matrix of the rows in the window in O(n^2)
 * per row instead of O(w n^2). For scanner-style streaming (the generator); it is deterministic but
 * not bit-identical to {@link correlationFromReturns}: sums are re-anchored (recomputed from the
 * buffer) every `reanchorEvery` pushes so rounding drift stays bounded.
 *
 * Every pushed value must be finite (the caller filters or fills invalid returns).
 */
export class RollingCorrelation {
  /** Asset count. */
  readonly n: number;
  /** Window length in rows (returns). */
  readonly window: number;
  private readonly buf: Float64Array;
  private readonly sx: Float64Array;
  private readonly sxx: Float64Array;
  private readonly reanchorEvery: number;
  private head = 0;
  private size = 0;
  private pushes = 0;

  constructor(n: number, window: number, reanchorEvery = 2048) {
    this.n = n;
    this.window = window;
    this.reanchorEvery = reanchorEvery;
    this.buf = new Float64Array(n * window);
    this.sx = new Float64Array(n);
    this.sxx = new Float64Array(n * n);
  }

  /** Rows currently in the window (<= window). */
  get count(): number {
    return this.size;
  }

  /** Appends one row of n returns (offset `off` in `row`), evicting the oldest when full. */
  push(row: Float64Array, off = 0): void {
    const n = this.n;
    const buf = this.buf;
    const sx = this.sx;
    const sxx = this.sxx;
    const slot = this.head * n;
    if (this.size === this.window) {
      for (let i = 0; i < n; i++) {
        const xi = buf[slot + i];
        sx[i] -= xi;
        const ri = i * n;
        for (let j = i; j < n; j++) sxx[ri + j] -= xi * buf[slot + j];
      }
    } else {
      this.size++;
    }
    for (let i = 0; i < n; i++) {
      const xi = row[off + i];
      buf[slot + i] = xi;
      sx[i] += xi;
      const ri = i * n;
      for (let j = i; j < n; j++) sxx[ri + j] += xi * row[off + j];
    }
    this.head = this.head + 1 === this.window ? 0 : this.head + 1;
    if (++this.pushes % this.reanchorEvery === 0) this.reanchor();
  }

  /** Recomputes the sums from the buffered rows, oldest first. */
  reanchor(): void {
    const n = this.n;
    const buf = this.buf;
    const sx = this.sx;
    const sxx = this.sxx;
    sx.fill(0);
    sxx.fill(0);
    const start = this.size === this.window ? this.head : 0;
    for (let k = 0; k < this.size; k++) {
      let r = start + k;
      if (r >= this.window) r -= this.window;
      const o = r * n;
      for (let i = 0; i < n; i++) {
        const xi = buf[o + i];
        sx[i] += xi;
        const ri = i * n;
        for (let j = i; j < n; j++) sxx[ri + j] += xi * buf[o + j];
      }
    }
  }

  /**
   * Writes the correlation matrix (row-major n x n) of the buffered rows into `out`. An asset whose
   * variance is not positive (relative to its scale) gets row/column 0 and diagonal 1, as in
   * {@link correlationFromReturns}. Returns the number of rows used.
   */
  correlation(out: Float64Array, scratch: Float64Array): number {
    const n = this.n;
    const t = this.size;
    const sx = this.sx;
    const sxx = this.sxx;
    // scratch[i] = 1 / sqrt(centered sum of squares), 0 when unusable.
    for (let i = 0; i < n; i++) {
      const v = sxx[i * n + i] - (sx[i] * sx[i]) / t;
      scratch[i] = t >= 2 && v > 1e-12 * sxx[i * n + i] ? 1 / Math.sqrt(v) : 0;
    }
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      const si = scratch[i];
      const mi = sx[i] / t;
      out[ri + i] = 1;
      for (let j = i + 1; j < n; j++) {
        const c = si === 0 || scratch[j] === 0 ? 0 : (sxx[ri + j] - mi * sx[j]) * si * scratch[j];
        out[ri + j] = c;
        out[j * n + i] = c;
      }
    }
    return t;
  }
}
