/** timestampDeltas equals Number(ts[t] - ts[t - 1]) bit for bit, for any int64 timestamps (property). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { medianOf } from '../../src/core/timeline-quality.js';
import { firstAtOrAfter, firstDescent, timestampDeltas } from '../../src/core/ts-deltas.js';

describe('timestampDeltas', () => {
  it('matches the BigInt difference for any int64 values, including huge jumps and negative steps', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { minLength: 0, maxLength: 40 }), (values) => {
        const ts = BigInt64Array.from(values);
        const got = timestampDeltas(ts, ts.length);
        expect(got.length).toBe(Math.max(0, ts.length - 1));
        for (let t = 1; t < ts.length; t++) expect(Object.is(got[t - 1], Number(ts[t] - ts[t - 1]))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('reads a subarray view at its own offset (5 s scans across a day boundary)', () => {
    const base = 1_767_571_200_000_000_000n; // 2026-01-05T00:00:00Z
    const all = BigInt64Array.from([0n, base - 5_000_000_000n, base, base + 5_000_000_001n]);
    expect([...timestampDeltas(all.subarray(1), 3)]).toEqual([5e9, 5_000_000_001]);
  });
});

describe('medianOf', () => {
  it('equals the median of the sorted values (odd and even lengths, ties, negatives)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }).map((x) => x * 1e9), { minLength: 1, maxLength: 60 }), (xs) => {
        const sorted = Float64Array.from(xs).sort();
        const mid = sorted.length >> 1;
        const want = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        const input = Float64Array.from(xs);
        expect(medianOf(input)).toBe(want);
        expect([...input]).toEqual(xs);
      }),
      { numRuns: 500 },
    );
  });
});

describe('firstDescent and firstAtOrAfter', () => {
  it('agree with the naive BigInt scans', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { minLength: 0, maxLength: 30 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (values, bound) => {
        const ts = BigInt64Array.from(values);
        let naive = -1;
        for (let t = 1; t < ts.length && naive < 0; t++) if (ts[t] < ts[t - 1]) naive = t;
        expect(firstDescent(ts, ts.length)).toBe(naive);
        const sorted = BigInt64Array.from(values).sort();
        let want = 0;
        while (want < sorted.length && sorted[want] < bound) want++;
        expect(firstAtOrAfter(sorted, 0, sorted.length, bound)).toBe(want);
      }),
      { numRuns: 400 },
    );
  });
});
