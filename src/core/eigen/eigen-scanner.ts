/** Streaming eigen features of a scanner (shared by the generator, `dolphin scan` and `rescan`): rolling correlations per window, warm-started top eigenpairs. */

import { RollingCorrelation } from './rolling-correlation.js';
import { createTopEigenWorkspace, topEigen, type TopEigenOptions, type TopEigenWorkspace } from './top-eigen.js';
import { eigenFeatures } from './eigen-features.js';
import { FEATURE_COUNT, FEATURE_KINDS, WINDOWS } from '../scan.js';

/** Fewest returns a window needs before its features are defined (earlier: NaN). */
export const MIN_RETURNS = 10;

/**
 * Lanczos tolerances of the scanner (relative Ritz residuals): lambda_max and its vector tight, lambda_2
 * (only used for instability) looser; eigenvalue errors are about the residual squared over the gap.
 */
const SCAN_OPTIONS: TopEigenOptions = Object.freeze({ tol: 1e-8, tol2: 1e-4 });

interface WindowState {
  readonly roll: RollingCorrelation;
  readonly ws: TopEigenWorkspace;
  readonly prevU: Float64Array;
  readonly prevU2: Float64Array;
  prevLambda: number;
  hasPrev: boolean;
}

/**
 * The scanner's feature stage: push one row of log returns per scan, get the 16 features
 * `w{50,150,300,750}_{lambda_max,velocity,rotation,instability}` in FEATURE_NAMES order. A window uses
 * the last `w` returns, or all of them while fewer exist (at least {@link MIN_RETURNS}). Returns must be
 * finite. Deterministic; allocation-free per scan.
 */
export class EigenScanner {
  readonly n: number;
  /** Lanczos steps and fallbacks so far, for diagnostics and benchmarks. */
  steps = 0;
  fallbacks = 0;
  private readonly windows: WindowState[];
  private readonly corr: Float64Array;
  private readonly scratch: Float64Array;

  constructor(n: number, windows: readonly number[] = WINDOWS) {
    this.n = n;
    this.corr = new Float64Array(n * n);
    this.scratch = new Float64Array(n);
    this.windows = windows.map((w) => ({
      roll: new RollingCorrelation(n, w, 4096),
      ws: createTopEigenWorkspace(n),
      prevU: new Float64Array(n),
      prevU2: new Float64Array(n),
      prevLambda: NaN,
      hasPrev: false,
    }));
  }

  /** Adds one row of n log returns (at `off` in `row`) and writes the features into `out` (FEATURE_COUNT values). */
  push(row: Float64Array, off: number, out: Float64Array): void {
    const n = this.n;
    const k = FEATURE_KINDS.length;
    for (let wi = 0; wi < this.windows.length; wi++) {
      const st = this.windows[wi];
      st.roll.push(row, off);
      const o = wi * k;
      if (st.roll.count < MIN_RETURNS) {
        out.fill(NaN, o, o + k);
        continue;
      }
      st.roll.correlation(this.corr, this.scratch);
      const ws = topEigen(this.corr, st.ws, st.hasPrev ? st.prevU : null, SCAN_OPTIONS, st.hasPrev ? st.prevU2 : null);
      this.steps += ws.steps;
      if (ws.usedFallback) this.fallbacks++;
      eigenFeatures(ws.lambdaMax, st.prevLambda, ws.lambda2, ws.vector, st.hasPrev ? st.prevU : null, n, out, o);
      st.prevLambda = ws.lambdaMax;
      st.prevU.set(ws.vector);
      st.prevU2.set(ws.vector2);
      st.hasPrev = ws.lambdaMax === ws.lambdaMax;
    }
    if (this.windows.length * k < FEATURE_COUNT) out.fill(NaN, this.windows.length * k);
  }
}
