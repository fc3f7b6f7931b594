/**
 * External factors and the generator's building blocks. Invariants: one record per day, consecutive
 * dates; every third day (index 1, 4, ...) triggers ACB stress signals (dvol > 55, funding < -0.0001),
 * the others none; deterministic per seed; realistic ranges. The PRNG is seeded and its normals have
 * mean 0 and variance 1. The universe has 50+ unique USDT-M symbols.
 */
import { describe, expect, it } from 'vitest';
import { generateFactors } from '../../src/generator/factors.js';
import { Rng } from '../../src/generator/rng.js';
import { UNIVERSE, universe } from '../../src/generator/universe.js';

describe('generateFactors', () => {
  const f = generateFactors({ seed: 3, days: 7, startDay: '2024-12-30' });
  it('gives one record per consecutive UTC day', () => {
    expect(f.map((d) => d.date)).toEqual([
      '2024-12-30',
      '2024-12-31',
      '2025-01-01',
      '2025-01-02',
      '2025-01-03',
      '2025-01-04',
      '2025-01-05',
    ]);
  });
  it('makes every third day a stress day with ACB signals and the others calm', () => {
    f.forEach((d, k) => {
      const signals =
        Number(d.funding_btc < -0.0001) + Number(d.dvol_btc > 55) + Number(d.dvol_btc > 80) + Number(d.taker_ratio < 0.8);
      if (k % 3 === 1) {
        expect(d.dvol_btc).toBeGreaterThan(55);
        expect(d.funding_btc).toBeLessThan(-0.0001);
        expect(d.fng).toBeLessThan(25 + 6);
      } else {
        expect(signals).toBe(0);
        expect(d.fng).toBeGreaterThanOrEqual(25);
      }
      expect(d.dvol_btc).toBeGreaterThan(20);
      expect(d.dvol_btc).toBeLessThan(120);
      expect(Number.isInteger(d.fng) && d.fng >= 0 && d.fng <= 100).toBe(true);
      expect(d.taker_ratio).toBeGreaterThan(0.5);
      expect(d.taker_ratio).toBeLessThan(1.5);
    });
  });
  it('is deterministic per seed', () => {
    expect(generateFactors({ seed: 3, days: 7, startDay: '2024-12-30' })).toEqual(f);
    expect(generateFactors({ seed: 4, days: 7, startDay: '2024-12-30' })).not.toEqual(f);
  });
});

describe('Rng', () => {
  it('is reproducible and has standard normal moments', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(42, 1);
    const xs = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(xs);
    const r = new Rng(9);
    let s = 0;
    let s2 = 0;
    const N = 200_000;
    for (let i = 0; i < N; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / N)).toBeLessThan(0.01);
    expect(Math.abs(s2 / N - 1)).toBeLessThan(0.02);
    for (let i = 0; i < 1000; i++) {
      const u = r.uniform();
      expect(u >= 0 && u < 1).toBe(true);
    }
  });
});

describe('universe', () => {
  it('has 50+ unique USDT-M symbols, BTC first, sane specs', () => {
    expect(UNIVERSE.length).toBeGreaterThanOrEqual(50);
    expect(new Set(UNIVERSE.map((a) => a.symbol)).size).toBe(UNIVERSE.length);
    expect(UNIVERSE[0].symbol).toBe('BTCUSDT');
    for (const a of UNIVERSE) {
      expect(a.symbol).toMatch(/^[0-9A-Z]+USDT$/);
      expect(a.startPrice).toBeGreaterThan(0);
      expect(a.beta).toBeGreaterThanOrEqual(0.6);
      expect(a.beta).toBeLessThanOrEqual(1.5);
    }
    expect(universe(50).length).toBe(50);
    expect(() => universe(1)).toThrow(/assets/);
  });
});
