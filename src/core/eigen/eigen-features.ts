/** Per-window eigen features (DESIGN.md): lambda_max, velocity, rotation, instability. */

/** velocity = lambda_max[t] - lambda_max[t-1]; NaN when either is NaN. */
export function velocity(lambdaMax: number, lambdaMaxPrev: number): number {
  return lambdaMax - lambdaMaxPrev;
}

/**
 * rotation = 1 - |dot(u[t], u[t-1])| for unit vectors of length n, clamped to [0, 1] (rounding can
 * make |dot| exceed 1 by an ulp). Independent of either vector's sign. NaN when `uPrev` is null or a
 * component of either is non-finite.
 */
export function rotation(u: Float64Array, uPrev: Float64Array | null, n: number): number {
  if (uPrev === null) return NaN;
  let dot = 0;
  for (let i = 0; i < n; i++) dot += u[i] * uPrev[i];
  if (!(dot - dot === 0)) return NaN;
  const r = 1 - Math.abs(dot);
  return r < 0 ? 0 : r > 1 ? 1 : r;
}

/** instability = lambda_max / lambda_2 (NaN when either is NaN; Infinity when lambda_2 is 0). */
export function instability(lambdaMax: number, lambda2: number): number {
  return lambdaMax / lambda2;
}

/**
 * Writes the four features of one window, in scan-schema order
 * `[lambda_max, velocity, rotation, instability]`, into `out[offset..offset+3]`.
 * Pass `lambdaMaxPrev = NaN` and `uPrev = null` when there is no previous scan.
 */
export function eigenFeatures(
  lambdaMax: number,
  lambdaMaxPrev: number,
  lambda2: number,
  u: Float64Array,
  uPrev: Float64Array | null,
  n: number,
  out: Float64Array,
  offset: number,
): void {
  out[offset] = lambdaMax;
  out[offset + 1] = velocity(lambdaMax, lambdaMaxPrev);
  out[offset + 2] = lambdaMax === lambdaMax ? rotation(u, uPrev, n) : NaN;
  out[offset + 3] = instability(lambdaMax, lambda2);
}
