/**
 * Template fast path vs apache-arrow (decodeScans). Invariants:
 * - for every file the template accepts, its ScanBatch is bitwise identical to decodeScans' (columns,
 *   strings, symbol interning order, malformed rows and reasons);
 * - anything else (other schema or column order when not learned, nulls, several batches, truncated or
 *   corrupted bytes) gives null, never an exception and never a different batch;
 * - half-written files still fail through decodeScans with ScanFormatError.
 */
import fc from 'fast-check';
import {
  Float64,
  Int64,
  List,
  Field,
  Table,
  makeData,
  makeVector,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ScanFormatError } from '../../../src/core/errors.js';
import { FEATURE_COUNT, FEATURE_NAMES, type ScanRecord } from '../../../src/core/scan.js';
import { decodeScans, encodeScans } from '../../../src/feeds/replay/arrow-scan.codec.js';
import { TemplateDecoder, decodeScanFile, sameBatch } from '../../../src/feeds/replay/template-decoder.js';
import { withLeadingSchema } from '../../support/arrow-layouts.js';
import { rng, synthScans } from '../../support/synthetic-scans.js';

/** Asserts the template decodes `bytes` exactly as decodeScans does. */
function expectIdentical(d: TemplateDecoder, bytes: Uint8Array, source = 'f.arrow'): void {
  const fast = d.decode(bytes, source);
  expect(fast).not.toBeNull();
  const ref = decodeScans(bytes, source);
  expect(fast).toEqual(ref);
  expect(sameBatch(fast!, ref)).toBe(true);
}


/** Rewrites a file's columns with apache-arrow (drop, add, reorder, replace). */
function rebuild(bytes: Uint8Array, edit: (cols: Record<string, Vector>) => Record<string, Vector>): Uint8Array {
  const t = tableFromIPC(bytes);
  const cols: Record<string, Vector> = {};
  for (const f of t.schema.fields) cols[f.name] = t.getChild(f.name)!;
  return tableToIPC(new Table(edit(cols)), 'file');
}

const base = synthScans({ n: 40, assets: 50, seed: 7 });

describe('TemplateDecoder', () => {
  it('matches decodeScans on one-scan files with varying universes, symbol lengths and prices', () => {
    const d = new TemplateDecoder();
    const r = rng(3);
    for (let i = 0; i < 60; i++) {
      const s = base[i % base.length];
      const count = Math.floor(r() * 70);
      const assets = Array.from({ length: count }, (_, k) => `${'X'.repeat(Math.floor(r() * 12))}S${k}USDT`);
      const prices = Float64Array.from(assets, () => [NaN, Infinity, -1, 0, -0][Math.floor(r() * 20)] ?? 100 * r());
      for (const dictionary of [false, true]) expectIdentical(d, encodeScans([{ ...s, assets, prices }], { dictionary }));
    }
    expect(d.templateCount).toBe(2);
  });

  it('matches decodeScans on multi-row files and on empty universes', () => {
    const d = new TemplateDecoder();
    expectIdentical(d, encodeScans(base.slice(0, 5)));
    expectIdentical(d, encodeScans([{ ...base[0], assets: [], prices: new Float64Array(0) }]));
    expectIdentical(d, encodeScans(base.slice(3, 20), { dictionary: true }));
  });

  it('reads the scanner layout with a leading schema message', () => {
    const d = new TemplateDecoder();
    for (const s of base.slice(0, 5)) expectIdentical(d, withLeadingSchema(encodeScans([s])));
    expect(d.templateCount).toBe(1);
    expectIdentical(d, encodeScans([base[6]]));
    expect(d.templateCount).toBe(2);
  });

  it('flags malformed rows with the same reasons', () => {
    const d = new TemplateDecoder();
    const s = base[0];
    const short = { ...s, prices: s.prices.slice(0, 10) };
    const twice = { ...s, assets: [...s.assets.slice(0, 5), s.assets[2]], prices: s.prices.slice(0, 6) };
    const both = { ...s, assets: [...s.assets.slice(0, 5), s.assets[2]], prices: s.prices.slice(0, 4) };
    for (const dictionary of [false, true]) {
      for (const scans of [[short], [twice], [both], [s, twice, short, s]]) {
        const bytes = encodeScans(scans, { dictionary });
        expectIdentical(d, bytes);
        expect(d.decode(bytes, 'x')!.malformed.size).toBeGreaterThan(0);
      }
    }
  });

  it('refuses invalid UTF-8 symbols on both paths (a decoder would read them as U+FFFD), naming the column', () => {
    const s = { ...base[0], assets: ['AXUSDT', 'AYUSDT', 'BTCUSDT'], prices: Float64Array.of(1, 2, 3) };
    const bytes = encodeScans([s]);
    const at = (needle: string): number => Buffer.from(bytes).indexOf(needle);
    bytes[at('AXUSDT') + 1] = 0xff;
    const d = new TemplateDecoder();
    expectIdentical(d, encodeScans([base[0]]));
    expect(d.decode(bytes, 'x')).toBeNull();
    expect(() => decodeScans(bytes, 'bad.arrow')).toThrow(/bad\.arrow: .*column "assets.item": value 0 is not valid UTF-8/);
  });

  it('keeps NaN payloads and -0 bit for bit', () => {
    const features = new Float64Array(FEATURE_COUNT);
    const u = new Uint32Array(features.buffer);
    u[0] = 0x00000001;
    u[1] = 0x7ff80000; // quiet NaN with payload
    u[3] = 0xfff00000; // -Infinity
    u[4] = 0x12345678;
    u[5] = 0x7ff00000; // signalling NaN with payload
    features[3] = -0;
    const prices = new Float64Array(features.buffer.slice(0, 48));
    const bytes = encodeScans([{ ...base[0], features, assets: base[0].assets.slice(0, 6), prices }]);
    expectIdentical(new TemplateDecoder(), bytes);
  });

  it('accepts bytes at any alignment and in a plain Uint8Array', () => {
    const bytes = encodeScans([base[1]]);
    const d = new TemplateDecoder();
    for (let shift = 0; shift < 8; shift++) {
      const host = new Uint8Array(bytes.length + 16);
      host.set(bytes, shift);
      expectIdentical(d, host.subarray(shift, shift + bytes.length));
    }
  });

  it('handles a file without vel_div, with an extra column, with another column order', () => {
    const one = encodeScans([base[2]]);
    const noVelDiv = rebuild(one, ({ vel_div: _v, ...rest }) => rest);
    const extra = rebuild(one, (c) => ({ ...c, spare: vectorFromArray(['note']), count: makeVector(Int32Array.of(4)) }));
    const reordered = rebuild(one, (c) => Object.fromEntries(Object.entries(c).reverse()));
    const d = new TemplateDecoder();
    for (const bytes of [noVelDiv, extra, reordered, one]) expectIdentical(d, bytes);
    expect(Number.isNaN(d.decode(noVelDiv, 'x')!.velDiv[0])).toBe(true);
    // A decoder limited to one template serves only the first layout; the others fall back.
    const single = new TemplateDecoder({ maxTemplates: 1 });
    expectIdentical(single, one);
    for (const bytes of [noVelDiv, extra, reordered, encodeScans([base[2]], { dictionary: true })]) expect(single.decode(bytes, 'x')).toBeNull();
    expectIdentical(single, encodeScans([base[9]]));
  });

  it('learn() tells whether a layout takes the fast path; day-cache files (_source, _row) do not', () => {
    const d = new TemplateDecoder();
    expect(d.learn(encodeScans([base[0]]))).toBe(true);
    expect(d.learn(encodeScans([base[0]]).slice(0, 300))).toBe(false);
    const cached = encodeScans(base.slice(0, 3), { dictionary: true, rowSource: ['a/1.arrow', 'a/2.arrow', 'a/3.arrow'], rowIndex: Int32Array.of(0, 0, 0) });
    expect(d.learn(cached)).toBe(false);
    expect(d.decode(cached, 'day')).toBeNull();
    expect(decodeScans(cached, 'day').rowSource).toEqual(['a/1.arrow', 'a/2.arrow', 'a/3.arrow']);
  });

  it('returns null for nulls in any column it reads', () => {
    const one = encodeScans([base[3]]);
    const d = new TemplateDecoder();
    expectIdentical(d, one);
    const nullFeature = rebuild(one, (c) => ({ ...c, [FEATURE_NAMES[5]]: vectorFromArray([null], new Float64()) }));
    const nullTs = rebuild(one, (c) => ({
      ...c,
      timestamp_ns: makeVector(makeData({ type: new Int64(), length: 1, nullCount: 1, nullBitmap: Uint8Array.of(0), data: new BigInt64Array(1) })),
    }));
    const nullIso = rebuild(one, (c) => ({ ...c, timestamp_iso: vectorFromArray([null], c.timestamp_iso.type) }));
    const nullPrice = rebuild(one, (c) => {
      const child = makeData({ type: new Float64(), length: 2, nullCount: 1, nullBitmap: Uint8Array.of(1), data: Float64Array.of(1, 2) });
      const type = new List(new Field('item', new Float64(), true));
      const prices = makeVector(makeData({ type, length: 1, nullCount: 0, valueOffsets: Int32Array.of(0, 2), child }));
      return { ...c, asset_prices: prices, assets: vectorFromArray([['AUSDT', 'BUSDT']], c.assets.type) };
    });
    for (const bytes of [nullFeature, nullTs, nullIso, nullPrice]) {
      expect(() => decodeScans(bytes, 'x')).not.toThrow();
      expect(d.decode(bytes, 'x')).toBeNull();
    }
    // A null in an unknown extra column does not matter.
    expectIdentical(d, rebuild(one, (c) => ({ ...c, spare: vectorFromArray([null], new Float64()) })));
  });

  it('returns null for several record batches', () => {
    const a = tableFromIPC(encodeScans([base[4]]));
    const b = tableFromIPC(encodeScans([base[5]]));
    const two = tableToIPC(new Table([...a.batches, ...b.batches]), 'file');
    const d = new TemplateDecoder();
    expectIdentical(d, encodeScans([base[4]]));
    expect(d.decode(two, 'x')).toBeNull();
    expect(decodeScans(two, 'x').n).toBe(2);
  });

  it('returns null for truncated files, and decodeScanFile reports them as ScanFormatError', () => {
    const bytes = encodeScans([base[6]]);
    const d = new TemplateDecoder();
    expectIdentical(d, bytes);
    for (const cut of [1, 10, 11, 100, bytes.length / 2, bytes.length - 9, bytes.length - 8]) {
      const half = bytes.slice(0, Math.floor(cut));
      expect(d.decode(half, 'half.arrow')).toBeNull();
      expect(() => decodeScanFile(d, half, 'half.arrow')).toThrow(ScanFormatError);
    }
    const zeroTail = bytes.slice();
    zeroTail.fill(0, bytes.length - 200);
    expect(d.decode(zeroTail, 'z')).toBeNull();
    expect(() => decodeScanFile(d, zeroTail, 'z')).toThrow(ScanFormatError);
    expect(() => decodeScanFile(new TemplateDecoder(), bytes.slice(0, 500), 'first.arrow')).toThrow(/first\.arrow/);
  });

  it('is null or identical for corrupted bytes, and never throws', () => {
    const files = [encodeScans([base[7]]), encodeScans([base[8]], { dictionary: true }), withLeadingSchema(encodeScans(base.slice(9, 11)))];
    // No learning from corrupted files: apache-arrow can spin on some of them (the fallback's problem, not ours).
    const d = new TemplateDecoder({ maxTemplates: files.length });
    for (const f of files) expectIdentical(d, f);
    let accepted = 0;
    fc.assert(
      fc.property(fc.nat(files.length - 1), fc.array(fc.tuple(fc.noBias(fc.nat(1 << 20)), fc.nat(255)), { minLength: 1, maxLength: 4 }), (fi, flips) => {
        const bytes = files[fi].slice();
        for (const [pos, v] of flips) bytes[pos % bytes.length] = v;
        const fast = d.decode(bytes, 'f');
        if (fast === null) return;
        accepted++;
        expect(sameBatch(fast, decodeScans(bytes, 'f'))).toBe(true);
      }),
      { numRuns: 3000, seed: 20260105 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it('is null or identical for every single-byte change (signed flatbuffer fields, versions, alignment)', () => {
    const files = [encodeScans([base[12]]), encodeScans([base[13]], { dictionary: true })];
    const d = new TemplateDecoder({ maxTemplates: files.length });
    for (const f of files) expectIdentical(d, f);
    for (const f of files) {
      for (let pos = 0; pos < f.length; pos++) {
        for (const v of [0x00, 0x80, 0xff, f[pos] ^ 0x01, f[pos] ^ 0x08]) {
          if (v === f[pos]) continue;
          const bytes = f.slice();
          bytes[pos] = v;
          const fast = d.decode(bytes, 'f');
          if (fast !== null && !sameBatch(fast, decodeScans(bytes, 'f'))) expect.fail(`byte ${pos} set to ${v}: template and apache-arrow differ`);
        }
      }
    }
  });

  it('property: decode(template) equals decodeScans for random scans', () => {
    const symbol = fc.oneof(
      fc.constantFrom('BTCUSDT', 'ETHUSDT', '1000PEPEUSDT', 'ÄÖÜUSDT', '币安USDT', ''),
      fc.string({ maxLength: 14, unit: 'binary' }),
    );
    const scan: fc.Arbitrary<ScanRecord> = fc
      .record({
        scanNumber: fc.maxSafeInteger(),
        timestampNs: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        timestampIso: fc.string({ maxLength: 30, unit: 'grapheme' }),
        schemaVersion: fc.constantFrom('5.0.0', '4.1.0', ''),
        features: fc.float64Array({ minLength: FEATURE_COUNT, maxLength: FEATURE_COUNT }),
        velDiv: fc.double(),
        assets: fc.array(symbol, { maxLength: 60 }),
        extra: fc.integer({ min: -3, max: 3 }),
      })
      .chain((s) => {
        const n = s.extra > 1 ? Math.max(0, s.assets.length + s.extra - 4) : s.assets.length;
        return fc.float64Array({ minLength: n, maxLength: n }).map((prices) => {
          const { extra: _e, ...rest } = s;
          return { ...rest, prices };
        });
      });
    const d = new TemplateDecoder();
    fc.assert(
      fc.property(fc.array(scan, { minLength: 1, maxLength: 3 }), fc.boolean(), (scans, dictionary) => {
        const bytes = encodeScans(scans, { dictionary });
        const fast = d.decode(bytes, 'p.arrow');
        expect(fast).not.toBeNull();
        expect(sameBatch(fast!, decodeScans(bytes, 'p.arrow'))).toBe(true);
      }),
      { numRuns: 300, seed: 424242 },
    );
    expect(d.templateCount).toBe(2);
  });
});
