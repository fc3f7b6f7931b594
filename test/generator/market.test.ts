/**
 * Generated market. Invariants: same options -> identical records (hashed); another seed -> other
 * records; timestamps strictly increasing from startDay with < 5 ms jitter; scan numbers from 1;
 * features NaN until 10 returns, then finite; velDiv = w50_velocity - w750_velocity; per-5s vols in
 * realistic bounds; vel_div <= -0.02 on a plausible share of scans; btcVol varies; bad options are a
 * ConfigError naming every problem.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { ConfigError } from '../../src/core/errors.js';
import { FEATURE_NAMES, SCHEMA_VERSION, velocityIndex, type ScanRecord } from '../../src/core/scan.js';
import { generateScans, type MarketOptions } from '../../src/generator/market.js';

function take(o: MarketOptions, count: number): ScanRecord[] {
  const out: ScanRecord[] = [];
  for (const s of generateScans(o)) {
    out.push(s);
    if (out.length === count) break;
  }
  return out;
}

function hash(scans: ScanRecord[]): string {
  const h = createHash('sha256');
  for (const s of scans) {
    h.update(`${s.scanNumber}|${s.timestampNs}|${s.timestampIso}|${s.assets.join(',')}|`);
    h.update(new Uint8Array(s.features.buffer, s.features.byteOffset, s.features.byteLength));
    h.update(new Uint8Array(s.prices.buffer, s.prices.byteOffset, s.prices.byteLength));
    h.update(new Float64Array([s.velDiv]));
  }
  return h.digest('hex');
}

const base: MarketOptions = { seed: 7, days: 1, assets: 50, startDay: '2025-03-01' };

describe('generateScans', () => {
  it('is deterministic: same options give identical records; another seed differs', () => {
    const a = hash(take(base, 2000));
    expect(hash(take(base, 2000))).toBe(a);
    expect(hash(take({ ...base, seed: 8 }, 2000))).not.toBe(a);
  });

  it('stamps scans on the cadence grid from startDay with a few ms of jitter', () => {
    const scans = take(base, 500);
    const t0 = BigInt(Date.parse('2025-03-01T00:00:00Z')) * 1_000_000n;
    scans.forEach((s, k) => {
      const grid = t0 + BigInt(k) * 5_000_000_000n;
      expect(s.timestampNs >= grid && s.timestampNs < grid + 5_000_000n).toBe(true);
      expect(s.scanNumber).toBe(k + 1);
      expect(s.schemaVersion).toBe(SCHEMA_VERSION);
      expect(s.assets.length).toBe(50);
      expect(s.assets[0]).toBe('BTCUSDT');
      expect(new Set(s.assets).size).toBe(50);
      expect(s.prices.every((p) => p > 0 && Number.isFinite(p))).toBe(true);
      expect(s.features.length).toBe(FEATURE_NAMES.length);
    });
    expect(scans[0].timestampIso.startsWith('2025-03-01T00:00:00.')).toBe(true);
    // jitter is not constant
    expect(new Set(scans.slice(0, 20).map((s) => s.timestampNs % 5_000_000_000n)).size).toBeGreaterThan(10);
  });

  it('leaves features NaN until a window holds 10 returns, then fills all 16; velDiv = v50 - v750', () => {
    const scans = take(base, 900);
    for (let k = 0; k < 10; k++) expect(scans[k].features.every(Number.isNaN)).toBe(true);
    expect(scans[10].features[0]).toBeGreaterThan(1); // lambda_max defined, velocity not yet
    expect(Number.isNaN(scans[10].features[1])).toBe(true);
    for (const s of scans.slice(11)) {
      expect(s.features.every(Number.isFinite)).toBe(true);
      expect(s.velDiv).toBe(s.features[velocityIndex(50)] - s.features[velocityIndex(750)]);
      for (let w = 0; w < 4; w++) {
        const lambda = s.features[w * 4];
        expect(lambda).toBeGreaterThanOrEqual(1);
        expect(lambda).toBeLessThanOrEqual(50 + 1e-9);
        expect(s.features[w * 4 + 2]).toBeGreaterThanOrEqual(0); // rotation
        expect(s.features[w * 4 + 3]).toBeGreaterThanOrEqual(1); // instability
      }
    }
  });

  it('has realistic vols, a plausible vel_div trigger share and a varying btcVol (one day)', () => {
    const scans = [...generateScans(base)];
    expect(scans.length).toBe(17280);
    const n = 50;
    const sd = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s2 = 0;
      for (let t = 1; t < scans.length; t++) s2 += (scans[t].prices[i] / scans[t - 1].prices[i] - 1) ** 2;
      sd[i] = Math.sqrt(s2 / (scans.length - 1));
    }
    expect(sd[0]).toBeGreaterThan(0.0003); // BTC 0.03-0.08 % per 5 s
    expect(sd[0]).toBeLessThan(0.0008);
    const altMedian = Array.from(sd.subarray(1)).sort((a, b) => a - b)[24];
    expect(altMedian).toBeGreaterThan(1.3 * sd[0]);
    expect(altMedian).toBeLessThan(0.003);
    const vd = scans.map((s) => s.velDiv).filter(Number.isFinite);
    const share = vd.filter((x) => x <= -0.02).length / vd.length;
    expect(share).toBeGreaterThan(0.08);
    expect(share).toBeLessThan(0.35);
    // btcVol (50-scan population std of BTC simple returns): p90 well above p10
    const r = scans.map((s, t) => (t === 0 ? NaN : s.prices[0] / scans[t - 1].prices[0] - 1));
    const vols: number[] = [];
    for (let t = 50; t < r.length; t += 10) {
      const w = r.slice(t - 49, t + 1);
      const m = w.reduce((a, b) => a + b, 0) / 50;
      vols.push(Math.sqrt(w.reduce((a, b) => a + (b - m) ** 2, 0) / 50));
    }
    vols.sort((a, b) => a - b);
    expect(vols[Math.floor(vols.length * 0.9)]).toBeGreaterThan(2.5 * vols[Math.floor(vols.length * 0.1)]);
  });

  it('rejects bad options with a ConfigError naming each problem', () => {
    expect(() => take({ seed: 1, days: 0, startDay: '2025-13-01' }, 1)).toThrowError(ConfigError);
    try {
      take({ seed: 1, days: 0, startDay: '2025-13-01' }, 1);
    } catch (e) {
      expect((e as ConfigError).problems.length).toBe(2);
    }
    expect(() => take({ ...base, assets: 500 }, 1)).toThrowError(/assets/);
    expect(() => take({ ...base, cadenceMs: 7777 }, 1)).toThrowError(/cadenceMs/);
  });
});
