/**
 * The planted edge of `dolphin generate --edge X`. Invariants: after vel_div <= -0.02 BTC's next log
 * return is lower by about X * 0.2 %, after vel_div >= +0.02 higher by as much, after anything between
 * unchanged; X = 0 gives the market of earlier versions (the golden tests of the generator pin it);
 * X outside [0, 1] is refused.
 */
import { describe, expect, it } from 'vitest';
import { generateScans, planMarket } from '../../src/generator/market.js';
import { EDGE_MOVE, EDGE_SIGNAL } from '../../src/generator/planted-edge.js';
import { dolphin } from '../support/cli.js';

/** Mean next-scan BTC log return after scans with vel_div <= -0.02, >= +0.02, and between. */
function nextReturns(edge: number): { down: number; up: number; none: number } {
  const scans = [...generateScans({ seed: 9, days: 2, assets: 6, startDay: '2026-01-05', cadenceMs: 60_000, edge })];
  const acc = { down: [0, 0], up: [0, 0], none: [0, 0] };
  for (let k = 0; k + 1 < scans.length; k++) {
    const r = Math.log(scans[k + 1].prices[0] / scans[k].prices[0]);
    const v = scans[k].velDiv;
    const bucket = v <= -EDGE_SIGNAL ? acc.down : v >= EDGE_SIGNAL ? acc.up : acc.none;
    bucket[0] += r;
    bucket[1]++;
  }
  return { down: acc.down[0] / acc.down[1], up: acc.up[0] / acc.up[1], none: acc.none[0] / acc.none[1] };
}

describe('planted edge', () => {
  it('moves the next scan by -X * 0.2 % after a signal and +X * 0.2 % after the opposite one', () => {
    const flat = nextReturns(0);
    const half = nextReturns(0.5);
    // same seed with and without the edge: the shift of the mean next return after each kind of scan is
    // the planted move, ±0.5 * 0.2 % = ±0.1 % (the unshifted means differ from 0 by noise, ~0.02 %;
    // the standard error of a mean over ~400 scans is ~0.007 %)
    expect(half.down - flat.down).toBeLessThan(-0.5 * EDGE_MOVE * 0.7);
    expect(half.down - flat.down).toBeGreaterThan(-0.5 * EDGE_MOVE * 1.3);
    expect(half.up - flat.up).toBeGreaterThan(0.5 * EDGE_MOVE * 0.7);
    expect(half.up - flat.up).toBeLessThan(0.5 * EDGE_MOVE * 1.3);
    expect(Math.abs(half.none - flat.none)).toBeLessThan(0.0001);
  });

  it('refuses an edge outside [0, 1] (library and CLI, exit 2)', () => {
    expect(() => planMarket({ seed: 1, days: 1, startDay: '2026-01-05', edge: 1.5 })).toThrow('edge must be a number in [0, 1], was 1.5');
    const r = dolphin(['generate', '--out', '/tmp/dolphin-never-written', '--edge', '-0.1', '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--edge must be');
  });
});
