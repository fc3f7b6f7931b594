/** Pearson correlation matrix of log returns over a price window (two-pass moments, plain sums). */

/**
 * Scratch buffers for {@link correlationFromPrices} / {@link correlationFromReturns}; allocate once
 * per (maximum window, asset count).
 */
export interface CorrelationWorkspace {
  /** Asset count. */
  readonly n: number;
  /** Largest number of returns (time rows) this workspace accepts. */
  readonly maxReturns: number;
  /** Log returns, row-major `maxReturns` x n. */
  readonly returns: Float64Array;
  /** Per-asset means. */
  readonly mean: Float64Array;
  /** Per-asset deviations of the current time row. */
  readonly dev: Float64Array;
  /** 1 when the asset is usable (all returns finite, variance > 0), else 0. */
  readonly valid: Uint8Array;
}

/** Allocates a workspace for `n` assets and up to `maxReturns` returns. */
export function createCorrelationWorkspace(n: number, maxReturns: number): CorrelationWorkspace {
  return {
    n,
    maxReturns,
    returns: new Float64Array(n * maxReturns),
    mean: new Float64Array(n),
    dev: new Float64Array(n),
    valid: new Uint8Array(n),
  };
}

/**
 * Log returns of a price window: `prices` is row-major `rows` x `n` (row r = one scan, in time order,
 * column i = asset i); `out[(r - 1) * n + i] = ln(prices[r][i] / prices[r - 1][i])` for r = 1..rows-1.
 * A return is NaN when either price is not finite and > 0.
 */
export function logReturns(prices: Float64Array, rows: number, n: number, out: Float64Array): void {
  for (let r = 1; r < rows; r++) {
    const o = r * n;
    const p = o - n;
    const q = o - n;
    for (let i = 0; i < n; i++) {
      const a = prices[p + i];
      const b = prices[o + i];
      out[q + i] = a > 0 && b > 0 && a < Infinity && b < Infinity ? Math.log(b / a) : NaN;
    }
  }
}

/**
 * Pearson correlation of the `t` x `n` row-major returns `returns` (row = time, in time order), written
 * into `out` (row-major n x n, fully overwritten).
 *
 * Arithmetic: means first (plain left-to-right sums over time), then sums of deviation products in
 * time order; `out[i][j] = Sij / sqrt(Sii * Sjj)`, symmetric by construction, diagonal exactly 1.
 *
 * Unusable assets: an asset with a non-finite return anywhere in the window, or zero variance, gets
 * a row and column of 0 with 1 on the diagonal (it is uncorrelated with everything, which adds an
 * eigenvalue of exactly 1). With `t < 2` every asset is unusable (identity matrix).
 */
export function correlationFromReturns(
  returns: Float64Array,
  t: number,
  n: number,
  out: Float64Array,
  ws: CorrelationWorkspace,
): void {
  const mean = ws.mean;
  const dev = ws.dev;
  const valid = ws.valid;
  for (let i = 0; i < n; i++) {
    mean[i] = 0;
    valid[i] = t >= 2 ? 1 : 0;
  }
  for (let r = 0; r < t; r++) {
    const o = r * n;
    for (let i = 0; i < n; i++) {
      const x = returns[o + i];
      if (x - x === 0) mean[i] += x;
      else valid[i] = 0;
    }
  }
  for (let i = 0; i < n; i++) mean[i] = valid[i] === 1 ? mean[i] / t : 0;
  out.fill(0, 0, n * n);
  for (let r = 0; r < t; r++) {
    const o = r * n;
    for (let i = 0; i < n; i++) dev[i] = valid[i] === 1 ? returns[o + i] - mean[i] : 0;
    for (let i = 0; i < n; i++) {
      const di = dev[i];
      if (di === 0) continue; // adds exactly 0 to every product sum of this row
      const row = i * n;
      for (let j = i; j < n; j++) out[row + j] += di * dev[j];
    }
  }
  for (let i = 0; i < n; i++) if (!(out[i * n + i] > 0)) valid[i] = 0;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    if (valid[i] === 0) {
      for (let j = i; j < n; j++) {
        out[row + j] = 0;
        out[j * n + i] = 0;
      }
      out[row + i] = 1;
      continue;
    }
    const sii = out[row + i];
    for (let j = i + 1; j < n; j++) {
      const c = valid[j] === 1 ? out[row + j] / Math.sqrt(sii * out[j * n + j]) : 0;
      out[row + j] = c;
    }
  }
  // Diagonal and lower triangle last: the upper triangle above still held raw sums when read.
  for (let i = 0; i < n; i++) {
    out[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) out[j * n + i] = out[i * n + j];
  }
}

/**
 * Correlation matrix of the log returns of a price window: `prices` row-major `rows` x `n`
 * (`rows = window + 1` consecutive scans, time order), result row-major n x n in `out`. See
 * {@link correlationFromReturns} for the arithmetic and for unusable assets (any invalid price in the
 * window makes the asset unusable).
 */
export function correlationFromPrices(
  prices: Float64Array,
  rows: number,
  n: number,
  out: Float64Array,
  ws: CorrelationWorkspace,
): void {
  const t = Math.max(0, rows - 1);
  if (t > ws.maxReturns || n !== ws.n) {
    throw new RangeError(`correlation workspace is ${ws.maxReturns} returns x ${ws.n} assets, asked ${t} x ${n}`);
  }
  logReturns(prices, rows, n, ws.returns);
  correlationFromReturns(ws.returns, t, n, out, ws);
}
