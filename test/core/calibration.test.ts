/** STRATEGY.md 4 calibration: integer-k p60 interpolation over the first calibrationDays dates, empty sample error. */
import { describe, expect, it } from 'vitest';
import { calibrateVolThreshold, chooseVolThreshold } from '../../src/core/calibration.js';
import { resolveConfig } from '../../src/core/config.js';
import { CalibrationError } from '../../src/core/errors.js';
import { dayNum, pathScans, storeOf, tsOf, type PathPrice } from './support/scan-builder.js';
import { refBtcVol } from './support/reference.js';

/** Scans on given ISO instants with a BTC path. */
function scansAt(isos: string[], btc: PathPrice[]) {
  return pathScans({ paths: { BTCUSDT: btc, ETHUSDT: btc.map(() => 3000) }, ts: isos.map(tsOf) });
}

const cfg = (over: Record<string, unknown> = {}) => resolveConfig({ volWindow: 2, ...over });

/** The spec formula with integer k. */
function p60(sorted: number[]): number {
  const n = sorted.length;
  const k = 3 * (n - 1);
  const lo = Math.floor(k / 5);
  const f = (k % 5) / 5;
  return f === 0 ? sorted[lo] : sorted[lo] + (sorted[lo + 1] - sorted[lo]) * f;
}

describe('calibrateVolThreshold', () => {
  // Day 1: t = 0..3, day 2: t = 4..5, day 3: t = 6..8 with a wild BTC (must be ignored).
  const isos = [
    '2026-01-01T23:59:40Z',
    '2026-01-01T23:59:45Z',
    '2026-01-01T23:59:50Z',
    '2026-01-01T23:59:55Z',
    '2026-01-02T00:00:00Z',
    '2026-01-02T00:00:05Z',
    '2026-01-03T00:00:00Z',
    '2026-01-03T00:00:05Z',
    '2026-01-03T00:00:10Z',
  ];
  const btc = [100, 100.1, 100.3, 100.4, 130, 100, 130, 60, 150];
  const scans = scansAt(isos, btc);

  it('n = 4 (k = 9): s[1] + (s[2] - s[1]) * 0.8 with f from integer k mod 5, over the first 2 dates only', () => {
    const sample = [2, 3, 4, 5].map((t) => refBtcVol(scans, t, 2)).sort((a, b) => a - b);
    expect(sample.every(Number.isFinite)).toBe(true);
    const expected = sample[1] + (sample[2] - sample[1]) * 0.8;
    const cal = calibrateVolThreshold(storeOf(scans), cfg());
    expect(cal.volThreshold).toBe(expected);
    expect(cal.sampleSize).toBe(4);
    expect(cal.days).toEqual([dayNum('2026-01-01'), dayNum('2026-01-02')]);
    // The float shortcut 0.6 * (n - 1) gives f = 0.7999999999999998 and a different number here.
    const floatLo = Math.floor(0.6 * 3);
    const floatF = 0.6 * 3 - floatLo;
    expect(sample[floatLo] + (sample[floatLo + 1] - sample[floatLo]) * floatF).not.toBe(expected);
  });

  it('calibrationDays = 1 uses only the first date (n = 2: k = 3, lo = 0, f = 0.6)', () => {
    const sample = [2, 3].map((t) => refBtcVol(scans, t, 2)).sort((a, b) => a - b);
    const cal = calibrateVolThreshold(storeOf(scans), cfg({ calibrationDays: 1 }));
    expect(cal.volThreshold).toBe(sample[0] + (sample[1] - sample[0]) * 0.6);
    expect(cal.sampleSize).toBe(2);
    expect(cal.days).toEqual([dayNum('2026-01-01')]);
  });

  it('calibrationDays = 3 uses all dates present (n = 7: k = 18, lo = 3, f = 0.6)', () => {
    const sample = [2, 3, 4, 5, 6, 7, 8].map((t) => refBtcVol(scans, t, 2)).sort((a, b) => a - b);
    const cal = calibrateVolThreshold(storeOf(scans), cfg({ calibrationDays: 3 }));
    expect(cal.volThreshold).toBe(sample[3] + (sample[4] - sample[3]) * 0.6);
    expect(cal.volThreshold).toBe(p60(sample));
  });

  it('counts distinct dates present, not calendar days (a gap day does not use up a calibration day)', () => {
    const gapIsos = ['2026-01-01T00:00:00Z', '2026-01-01T00:00:05Z', '2026-01-01T00:00:10Z', '2026-01-05T00:00:00Z', '2026-01-05T00:00:05Z', '2026-01-06T00:00:00Z'];
    const gapBtc = [100, 101, 99.5, 103, 102, 200];
    const s = scansAt(gapIsos, gapBtc);
    const sample = [2, 3, 4].map((t) => refBtcVol(s, t, 2)).sort((a, b) => a - b);
    const cal = calibrateVolThreshold(storeOf(s), cfg());
    expect(cal.sampleSize).toBe(3); // k = 6: lo = 1, f = 0.2
    expect(cal.volThreshold).toBe(sample[1] + (sample[2] - sample[1]) * 0.2);
    expect(cal.days).toEqual([dayNum('2026-01-01'), dayNum('2026-01-05')]);
  });

  it('f = 0 gives s[lo] exactly (n = 6: k = 15, lo = 3); n = 1 gives s[0]', () => {
    const btc6 = [100, 101, 99, 104, 100, 97, 103, 98];
    const s = pathScans({ paths: { BTCUSDT: btc6 } });
    const sample = [2, 3, 4, 5, 6, 7].map((t) => refBtcVol(s, t, 2)).sort((a, b) => a - b);
    expect(calibrateVolThreshold(storeOf(s), cfg()).volThreshold).toBe(sample[3]);
    const s1 = pathScans({ paths: { BTCUSDT: [100, 101, 99] } });
    expect(calibrateVolThreshold(storeOf(s1), cfg()).volThreshold).toBe(refBtcVol(s1, 2, 2));
  });

  it('drops non-finite btcVol values from the sample', () => {
    const s = pathScans({ paths: { BTCUSDT: [100, 101, 99, null, 98, 97, 99.5, 100] } });
    // finite at t = 2, 6, 7 only.
    const sample = [2, 6, 7].map((t) => refBtcVol(s, t, 2)).sort((a, b) => a - b);
    const cal = calibrateVolThreshold(storeOf(s), cfg());
    expect(cal.sampleSize).toBe(3);
    expect(cal.volThreshold).toBe(sample[1] + (sample[2] - sample[1]) * 0.2);
  });

  it('uses volWindow and volAsset from the config', () => {
    const s = pathScans({ paths: { BTCUSDT: [100, 100, 100, 100, 100], ETHUSDT: [10, 11, 10.5, 10.2, 10.9] } });
    const sample = [3, 4].map((t) => refBtcVol(s, t, 3, 'ETHUSDT')).sort((a, b) => a - b);
    const cal = calibrateVolThreshold(storeOf(s), cfg({ volWindow: 3, volAsset: 'ETHUSDT' }));
    expect(cal.volThreshold).toBe(sample[0] + (sample[1] - sample[0]) * 0.6);
  });

  it('an empty sample is a CalibrationError that says so', () => {
    const s = pathScans({ paths: { ETHUSDT: [1, 2, 3, 4, 5] } });
    let err: unknown;
    try {
      calibrateVolThreshold(storeOf(s), cfg());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CalibrationError);
    expect((err as CalibrationError).code).toBe('CALIBRATION_EMPTY');
    expect((err as Error).message).toMatch(/no finite btcVol/);
    expect((err as Error).message).toContain('BTCUSDT');
    // Finite btcVol only after the calibration days is still an empty sample.
    const late = scansAt(['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z', '2026-01-03T00:00:05Z'], [100, 101, 102, 103]);
    expect(() => calibrateVolThreshold(storeOf(late), cfg())).toThrow(CalibrationError);
    // An empty store too.
    expect(() => calibrateVolThreshold(storeOf([]), cfg())).toThrow(CalibrationError);
  });

  it('chooseVolThreshold keeps a number and calibrates "auto" exactly as calibrateVolThreshold (the one decision)', () => {
    const store = storeOf(scans);
    expect(chooseVolThreshold(store, cfg({ volThreshold: 0.0003 }))).toEqual({ mode: 'config', volThreshold: 0.0003, sampleSize: null, days: [] });
    const cal = calibrateVolThreshold(store, cfg());
    expect(chooseVolThreshold(store, cfg())).toEqual({ mode: 'auto', volThreshold: cal.volThreshold, sampleSize: cal.sampleSize, days: cal.days });
    expect(chooseVolThreshold(store, cfg()).days).toEqual([dayNum('2026-01-01'), dayNum('2026-01-02')]);
    expect(() => chooseVolThreshold(storeOf([]), cfg())).toThrow(CalibrationError);
  });
});
