/**
 * The one-scan template encoder against apache-arrow (encodeScans). Invariants:
 * - every file it writes is byte for byte `encodeScans([scan])`, whatever the values (NaN of any sign or
 *   payload, infinities, -0, extreme int64 timestamps, negative or large scan numbers, any ASCII text);
 * - a scan the template does not cover (another universe, a null scan number, another timestamp_iso
 *   length or schema version, lengths that differ, non-ASCII text) is still encoded exactly, by apache-arrow,
 *   and the template of the session's universe is used again afterwards;
 * - what it writes decodes identically through decodeScans and the template decoder.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT, type ScanRecord } from '../../../src/core/scan.js';
import { decodeScans, encodeScans } from '../../../src/feeds/replay/arrow-scan.codec.js';
import { OneScanEncoder } from '../../../src/feeds/replay/one-scan-encoder.js';
import { TemplateDecoder, sameBatch } from '../../../src/feeds/replay/template-decoder.js';
import { synthScans } from '../../support/synthetic-scans.js';

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

/** A float64 with these raw bits (for NaN payloads and signs). */
function bits(hi: number, lo: number): number {
  const u = new Uint32Array([lo >>> 0, hi >>> 0]);
  return new Float64Array(u.buffer)[0];
}

/** Doubles that stress the bytes: NaNs of either sign and other payloads, infinities, -0, tiny and huge. */
const anyDouble = fc.oneof(
  fc.double(),
  fc.constantFrom(NaN, -0, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, bits(0xfff80000, 0), bits(0x7ff00000, 1), bits(0x7ff80000, 12345), bits(0xffffffff, 0xffffffff)),
);

const session = synthScans({ n: 1, seed: 4, assets: 50 })[0];
const universe = session.assets;

/** A scan of the session's universe with arbitrary values. */
const anyScan = fc.record({
  scanNumber: fc.oneof(fc.nat(), fc.integer(), fc.constantFrom(0, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER)),
  timestampNs: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  iso: fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), minLength: 24, maxLength: 24 }),
  features: fc.array(anyDouble, { minLength: FEATURE_COUNT, maxLength: FEATURE_COUNT }),
  velDiv: anyDouble,
  prices: fc.array(anyDouble, { minLength: universe.length, maxLength: universe.length }),
});

const scanOf = (v: typeof anyScan extends fc.Arbitrary<infer T> ? T : never): ScanRecord => ({
  scanNumber: v.scanNumber,
  timestampNs: v.timestampNs,
  timestampIso: v.iso,
  schemaVersion: '5.0.0',
  features: Float64Array.from(v.features),
  velDiv: v.velDiv,
  assets: universe,
  prices: Float64Array.from(v.prices),
});

describe('OneScanEncoder', () => {
  it('writes the bytes apache-arrow writes, for any values of the universe', () => {
    const enc = new OneScanEncoder();
    enc.encode({ ...session, timestampIso: '2026-01-05T00:00:00.000Z' });
    fc.assert(
      fc.property(anyScan, (v) => {
        const scan = scanOf(v);
        expect(same(enc.encode(scan), encodeScans([scan]))).toBe(true);
      }),
      { numRuns: 200, seed: 11 },
    );
    expect(enc.templated).toBeGreaterThanOrEqual(200);
    expect(enc.generic).toBe(1);
  });

  it('falls back to apache-arrow for what the template does not cover, then uses the template again', () => {
    const enc = new OneScanEncoder();
    const base: ScanRecord = { ...session, timestampIso: '2026-01-05T00:00:00.000Z' };
    const other = synthScans({ n: 1, seed: 9, assets: 7 })[0];
    const cases: ScanRecord[] = [
      base,
      { ...base, scanNumber: NaN }, // a null scan_number
      { ...base, timestampIso: '2026-01-05T00:00:00Z' }, // another length
      { ...base, timestampIso: '2026-01-05T00:00:00.000\u00e9' }, // not ASCII
      { ...base, schemaVersion: '5.1.0' },
      { ...base, prices: base.prices.slice(0, 10) }, // malformed: lengths differ
      { ...base, assets: [...universe.slice(0, 49), 'ZZZUSDT'] }, // another universe, same size
      { ...other, timestampIso: '2026-01-05T00:00:05.000Z' }, // another universe (the template follows it)
      { ...base, scanNumber: 2, timestampNs: base.timestampNs + 5_000_000_000n }, // back: learned again
      { ...base, scanNumber: 3, assets: [...universe], timestampNs: base.timestampNs + 10_000_000_000n }, // equal list, another array
    ];
    for (const scan of cases) expect(same(enc.encode(scan), encodeScans([scan]))).toBe(true);
    expect(enc.templated).toBe(1);
    expect(enc.generic).toBe(cases.length - 1);
  });

  it('writes files that decodeScans and the template decoder read identically', () => {
    const enc = new OneScanEncoder();
    const scans = synthScans({ n: 40, seed: 5, assets: 50 }).map((s, i) => ({ ...s, timestampIso: new Date(Number(s.timestampNs / 1_000_000n)).toISOString(), features: i % 3 === 0 ? s.features.map((x, f) => (f === i % FEATURE_COUNT ? NaN : x)) : s.features }));
    const dec = new TemplateDecoder();
    for (const scan of scans) {
      const bytes = enc.encode(scan);
      const viaArrow = decodeScans(bytes, 'f.arrow');
      const viaTemplate = dec.decode(bytes, 'f.arrow');
      expect(viaTemplate).not.toBeNull();
      expect(sameBatch(viaTemplate!, viaArrow)).toBe(true);
      expect(viaArrow.ts[0]).toBe(scan.timestampNs);
      expect(Array.from(viaArrow.prices)).toEqual(Array.from(scan.prices));
    }
    expect(enc.templated).toBe(scans.length - 1);
  });
});
