import { describe, expect, it } from 'vitest';
import { dayOf, dayToIso, isoToDay, FEATURE_NAMES, velocityIndex, isValidPrice } from '../../src/core/scan.js';

describe('scan model', () => {
  it('maps timestamps to UTC days', () => {
    const ts = BigInt(Date.parse('2026-01-02T23:59:59Z')) * 1_000_000n;
    expect(dayToIso(dayOf(ts))).toBe('2026-01-02');
    expect(dayToIso(dayOf(ts + 1_000_000_000n))).toBe('2026-01-03');
    expect(isoToDay('2026-01-02')).toBe(dayOf(ts));
    expect(isoToDay('2026-02-30')).toBeNaN();
  });
  it('names features in canonical order', () => {
    expect(FEATURE_NAMES.length).toBe(16);
    expect(FEATURE_NAMES[velocityIndex(750)]).toBe('w750_velocity');
    expect(FEATURE_NAMES[velocityIndex(50)]).toBe('w50_velocity');
  });
  it('treats null, NaN, Infinity, zero and negatives as invalid prices', () => {
    expect([1, 0, -1, NaN, Infinity].map(isValidPrice)).toEqual([true, false, false, false, false]);
  });
});
