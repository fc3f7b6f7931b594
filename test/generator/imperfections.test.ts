/**
 * Injected scanner imperfections. Invariants: each flag produces exactly what it says (one scan_number
 * reset to 1; one 10-minute hole; 3 NaN prices and 3 absent assets) and none changes the market: every
 * emitted scan equals the clean run's scan at the same timestamp, apart from the injected defect.
 */
import { describe, expect, it } from 'vitest';
import { isValidPrice, type ScanRecord } from '../../src/core/scan.js';
import { generateScans, planMarket, type MarketOptions } from '../../src/generator/market.js';

// 1-minute cadence keeps these runs small (2 days = 2880 scans).
const clean: MarketOptions = { seed: 11, days: 2, assets: 20, startDay: '2025-06-01', cadenceMs: 60_000 };
const cleanScans = [...generateScans(clean)];
const byTs = new Map(cleanScans.map((s) => [s.timestampNs, s]));

function sameMarket(s: ScanRecord): void {
  const c = byTs.get(s.timestampNs);
  expect(c).toBeDefined();
  expect(Array.from(s.features)).toEqual(Array.from(c!.features));
  for (let i = 0; i < s.assets.length; i++) {
    const j = c!.assets.indexOf(s.assets[i]);
    if (isValidPrice(s.prices[i])) expect(s.prices[i]).toBe(c!.prices[j]);
  }
}

describe('imperfections', () => {
  it('clean runs have none of them', () => {
    expect(cleanScans.length).toBe(2880);
    cleanScans.forEach((s, k) => {
      expect(s.scanNumber).toBe(k + 1);
      expect(s.assets.length).toBe(20);
      expect(s.prices.every(isValidPrice)).toBe(true);
    });
  });

  it('restart: scan_number resets to 1 exactly once, on day 2', () => {
    const scans = [...generateScans({ ...clean, imperfections: { restart: true } })];
    expect(scans.length).toBe(cleanScans.length);
    const resets = scans.flatMap((s, k) => (k > 0 && s.scanNumber < scans[k - 1].scanNumber ? [k] : []));
    expect(resets.length).toBe(1);
    expect(scans[resets[0]].scanNumber).toBe(1);
    expect(scans[resets[0]].timestampIso.startsWith('2025-06-02')).toBe(true);
    scans.forEach(sameMarket);
  });

  it('gap: 10 minutes of scans are missing once', () => {
    const scans = [...generateScans({ ...clean, imperfections: { gap: true } })];
    expect(scans.length).toBe(cleanScans.length - 10);
    const gaps = scans.flatMap((s, k) => (k > 0 && s.timestampNs - scans[k - 1].timestampNs > 90_000_000_000n ? [k] : []));
    expect(gaps.length).toBe(1);
    const dt = Number(scans[gaps[0]].timestampNs - scans[gaps[0] - 1].timestampNs) / 1e9;
    expect(dt).toBeGreaterThan(660 - 0.01);
    expect(dt).toBeLessThan(660 + 0.01);
    scans.forEach((s, k) => expect(s.scanNumber).toBe(k + 1)); // a gap is not a restart
    scans.forEach(sameMarket);
  });

  it('missingPrice: 3 scans with a NaN price and 3 with an absent asset', () => {
    const scans = [...generateScans({ ...clean, imperfections: { missingPrice: true } })];
    expect(scans.length).toBe(cleanScans.length);
    const nan = scans.filter((s) => s.assets.length === 20 && !s.prices.every(isValidPrice));
    const absent = scans.filter((s) => s.assets.length === 19);
    expect(nan.length).toBe(3);
    expect(absent.length).toBe(3);
    for (const s of nan) expect(s.prices.filter((p) => !isValidPrice(p)).length).toBe(1);
    for (const s of absent) expect(s.prices.length).toBe(19);
    scans.forEach(sameMarket);
    const plan = planMarket({ ...clean, imperfections: { missingPrice: true } });
    expect(plan.missing.length).toBe(6);
  });

  it('all flags together keep the run well ordered', () => {
    const scans = [...generateScans({ ...clean, imperfections: { restart: true, gap: true, missingPrice: true } })];
    for (let k = 1; k < scans.length; k++) expect(scans[k].timestampNs > scans[k - 1].timestampNs).toBe(true);
  });
});
