/** Unicode block sparklines for the terminal dashboard (pure). */

/** The eight block heights, lowest first. */
const BLOCKS = '▁▂▃▄▅▆▇█';

/**
 * A sparkline of the last `width` finite values: the lowest maps to ▁, the highest to █, a flat series
 * to ▄. Non-finite values are skipped. Empty string when there is no finite value. Pure.
 */
export function sparkline(values: readonly number[], width: number): string {
  if (width <= 0) return '';
  const finite = values.filter((v) => Number.isFinite(v));
  const tail = finite.slice(Math.max(0, finite.length - Math.floor(width)));
  if (tail.length === 0) return '';
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of tail) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo;
  let out = '';
  for (const v of tail) {
    const level = span > 0 ? Math.min(BLOCKS.length - 1, Math.floor(((v - lo) / span) * BLOCKS.length)) : 3;
    out += BLOCKS[level];
  }
  return out;
}
