/**
 * Scanner JSON codec (latest_eigen_scan, exf_latest).
 * Invariants:
 * - timestamp_ns is read exactly, whether a bare 19-digit integer or a decimal string;
 * - bare NaN / Infinity / -Infinity tokens are numbers, not a broken message;
 * - parseScanJson(scanToJson(s)) equals s, every non-finite number read back as NaN;
 * - a Python-style rendering of s (bare integers, NaN tokens, ", " separators) parses back to s exactly;
 * - every rejection is a ScanFormatError naming the source and the field or the JSON position.
 */

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScanFormatError } from '../../../src/core/errors.js';
import { FEATURE_COUNT, FEATURE_NAMES, SCHEMA_VERSION } from '../../../src/core/scan.js';
import type { ScanRecord } from '../../../src/core/scan.js';
import { factorsToJson, parseFactorsJson, parseScanJson, scanToJson } from '../../../src/feeds/live/scan-json.js';
import type { FactorsJson } from '../../../src/feeds/live/scan-json.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'support', 'fixtures');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

/** The error thrown by fn, which must be a ScanFormatError. */
function formatError(fn: () => unknown): ScanFormatError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ScanFormatError);
    return err as ScanFormatError;
  }
  throw new Error('expected a ScanFormatError, nothing was thrown');
}

/** Same numbers, NaN equal to NaN and -0 distinct from 0. */
function sameNumbers(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function expectSameScan(actual: ScanRecord, expected: ScanRecord): void {
  expect(actual.scanNumber).toBe(expected.scanNumber);
  expect(actual.timestampNs).toBe(expected.timestampNs);
  expect(actual.timestampIso).toBe(expected.timestampIso);
  expect(actual.schemaVersion).toBe(expected.schemaVersion);
  expect(sameNumbers(actual.features, expected.features), `features ${String(actual.features)} vs ${String(expected.features)}`).toBe(true);
  expect(Object.is(actual.velDiv, expected.velDiv), `velDiv ${actual.velDiv} vs ${expected.velDiv}`).toBe(true);
  expect(actual.assets).toEqual(expected.assets);
  expect(sameNumbers(actual.prices, expected.prices), `prices ${String(actual.prices)} vs ${String(expected.prices)}`).toBe(true);
}

const finiteOrNaN = (x: number): number => (Number.isFinite(x) ? x : NaN);

/** What a Python json.dumps would write for this scan (bare integer timestamp, NaN tokens). */
function pythonDumps(scan: ScanRecord): string {
  const num = (x: number): string => {
    if (Number.isNaN(x)) return 'NaN';
    if (x === Infinity) return 'Infinity';
    if (x === -Infinity) return '-Infinity';
    const s = Object.is(x, -0) ? '-0.0' : String(x);
    return /[.eE]/.test(s) ? s.replace(/e([+-])(\d)$/, 'e$10$2') : `${s}.0`; // Python: 1e-09, 25.0
  };
  const fields: string[] = [
    `"scan_number": ${scan.scanNumber}`,
    `"timestamp_ns": ${scan.timestampNs}`,
    `"timestamp_iso": ${JSON.stringify(scan.timestampIso)}`,
    `"schema_version": ${JSON.stringify(scan.schemaVersion)}`,
    ...FEATURE_NAMES.map((n, i) => `"${n}": ${num(scan.features[i] as number)}`),
    `"vel_div": ${num(scan.velDiv)}`,
    `"assets": [${scan.assets.map((a) => JSON.stringify(a)).join(', ')}]`,
    `"asset_prices": [${Array.from(scan.prices, num).join(', ')}]`,
  ];
  return `{${fields.join(', ')}}`;
}

const scanArb: fc.Arbitrary<ScanRecord> = fc.record({
  scanNumber: fc.integer({ min: -1, max: Number.MAX_SAFE_INTEGER }),
  timestampNs: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
  timestampIso: fc.string({ unit: 'binary', maxLength: 40 }),
  schemaVersion: fc.constantFrom(SCHEMA_VERSION, '4.1.0', ''),
  features: fc.array(fc.double(), { minLength: FEATURE_COUNT, maxLength: FEATURE_COUNT }).map((a) => Float64Array.from(a)),
  velDiv: fc.double(),
  assets: fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 30 }),
  prices: fc.array(fc.double(), { maxLength: 30 }).map((a) => Float64Array.from(a)),
});

describe('parseScanJson: recorded scanner payloads', () => {
  it('reads a Python json.dumps payload: 19-digit timestamp, NaN/Infinity tokens, unknown fields', () => {
    const scan = parseScanJson(fixture('scanner-payload.json'));
    expect(scan.timestampNs).toBe(1763000000123456789n);
    expect(scan.scanNumber).toBe(48213);
    expect(scan.timestampIso).toBe('2025-11-13T03:13:20.123456');
    expect(scan.schemaVersion).toBe('5.0.0');
    expect(scan.features[0]).toBe(12.345678901234567);
    expect(scan.features[FEATURE_NAMES.indexOf('w300_velocity')]).toBeNaN();
    expect(scan.features[FEATURE_NAMES.indexOf('w750_rotation')]).toBe(1e-9);
    expect(scan.features[FEATURE_NAMES.indexOf('w750_instability')]).toBe(Infinity);
    expect(scan.velDiv).toBe(-0.0123);
    expect(scan.assets).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT', 'DOGEUSDT', 'ADAUSDT', 'LINKUSDT']);
    expect(sameNumbers(scan.prices, [91234.5, 3456.78, NaN, Infinity, NaN, -Infinity, 0])).toBe(true);
  });

  it('reads an indented payload with a decimal-string timestamp and absent features as NaN', () => {
    const scan = parseScanJson(fixture('scanner-payload-indented.json'));
    expect(scan.timestampNs).toBe(1763000005123456789n);
    expect(scan.timestampIso).toBe('2025-11-13T03:13:25.123456\u00b5');
    expect(scan.features[FEATURE_NAMES.indexOf('w750_rotation')]).toBeNaN();
    expect(scan.velDiv).toBeNaN();
    expect(scan.prices).toHaveLength(7);
  });

  it('keeps all 19 digits where JSON.parse would not', () => {
    const text = '{"timestamp_ns": 1763000000123456789, "assets": [], "asset_prices": []}';
    expect(BigInt((JSON.parse(text) as { timestamp_ns: number }).timestamp_ns)).not.toBe(1763000000123456789n);
    expect(parseScanJson(text).timestampNs).toBe(1763000000123456789n);
    expect(parseScanJson('{"timestamp_ns": 9223372036854775807, "assets": [], "asset_prices": []}').timestampNs).toBe(
      9223372036854775807n,
    );
  });

  it('defaults scan_number, timestamp_iso and schema_version when absent', () => {
    const scan = parseScanJson('{"timestamp_ns":"1","assets":["A"],"asset_prices":[null]}');
    expect(scan.scanNumber).toBe(-1);
    expect(scan.timestampIso).toBe('');
    expect(scan.schemaVersion).toBe(SCHEMA_VERSION);
    expect(Array.from(scan.features).every(Number.isNaN)).toBe(true);
    expect(scan.prices[0]).toBeNaN();
  });
});

describe('parseScanJson: rejections name the source and the field', () => {
  const base = { timestamp_ns: '1763000000123456789', assets: ['BTCUSDT'], asset_prices: [1] };
  const withField = (patch: Record<string, unknown>, drop?: string): string => {
    const o: Record<string, unknown> = { ...base, ...patch };
    if (drop !== undefined) delete o[drop];
    return JSON.stringify(o);
  };

  it.each([
    [withField({}, 'timestamp_ns'), 'latest_eigen_scan: field timestamp_ns is missing'],
    [withField({}, 'assets'), 'latest_eigen_scan: field assets is missing'],
    [withField({}, 'asset_prices'), 'latest_eigen_scan: field asset_prices is missing'],
    [withField({ timestamp_ns: null }), 'field timestamp_ns is null'],
    [withField({ timestamp_ns: 0 }).replace('"timestamp_ns":0', '"timestamp_ns":1.763e+18'), 'field timestamp_ns is a number (1.763e+18)'],
    [withField({ timestamp_ns: 0 }).replace('"timestamp_ns":0', '"timestamp_ns":1763000000123456789.0'), 'is a number (1763000000123456789.0)'],
    [withField({ timestamp_ns: '17630000001.5' }), 'field timestamp_ns is a string ("17630000001.5")'],
    [withField({ asset_prices: [1, 2, 3, '4.5'] }), 'asset_prices[3] is a string ("4.5")'],
    [withField({ assets: ['BTCUSDT', 7] }), 'assets[1] is a number (7)'],
    [withField({ assets: 'BTCUSDT' }), 'field assets is a string'],
    [withField({ asset_prices: { BTCUSDT: 1 } }), 'field asset_prices is an object'],
    [withField({ w150_velocity: '0.1' }), 'field w150_velocity is a string'],
    [withField({ vel_div: true }), 'field vel_div is a boolean (true)'],
    [withField({ timestamp_iso: 5 }), 'field timestamp_iso is a number (5)'],
    ['[1,2]', 'latest_eigen_scan: expected a JSON object, found an array'],
  ])('%s', (text, message) => {
    const err = formatError(() => parseScanJson(text));
    expect(err.code).toBe('SCAN_FORMAT');
    expect(err.source).toBe('latest_eigen_scan');
    expect(err.message).toContain(message);
  });

  it('uses the given source name', () => {
    expect(formatError(() => parseScanJson('{}', 'hz:DOLPHIN_FEATURES/latest_eigen_scan')).message).toBe(
      'hz:DOLPHIN_FEATURES/latest_eigen_scan: field timestamp_ns is missing',
    );
  });
});

describe('parseScanJson: malformed JSON', () => {
  it.each([
    ['', 'not valid JSON at position 0: unexpected end of input'],
    ['{"timestamp_ns": 1', 'not valid JSON at position 18: unexpected end of input'],
    ['{"timestamp_ns": 1,}', 'not valid JSON at position 19: unexpected character "}", expected a property name'],
    ["{'timestamp_ns': 1}", 'not valid JSON at position 1: unexpected character "\'"'],
    ['{"a": NaNa}', 'not valid JSON at position 9: unexpected character "a", expected \',\' or \'}\''],
    ['{"a": nan}', 'not valid JSON at position 6: unexpected character "n"'],
    ['{"a": [1 2]}', 'not valid JSON at position 9: unexpected character "2", expected \',\' or \']\''],
    ['{"a": 01}', 'not valid JSON at position 7'],
    ['{"a": "x\u0001"}', 'control character in string'],
    ['{"a": "\\q"}', 'invalid escape in string'],
    ['{"a": "open', 'unterminated string'],
    ['{} {}', 'not valid JSON at position 3: unexpected character "{" after the value'],
    ['[['.repeat(100), 'nested deeper than 64 levels'],
  ])('%j', (text, message) => {
    const err = formatError(() => parseScanJson(text));
    expect(err.message).toContain(message);
    expect(err.message.startsWith('latest_eigen_scan: ')).toBe(true);
  });

  it('accepts escapes, unicode, whitespace and a byte-order mark', () => {
    const scan = parseScanJson('\ufeff \n{ "timestamp_iso" : "a\\"b\\u00e9\\n" ,"timestamp_ns":5,"assets":["\u00c9T\\/H"],"asset_prices":[ -1.5e-3 ] }\n');
    expect(scan.timestampIso).toBe('a"b\u00e9\n');
    expect(scan.timestampNs).toBe(5n);
    expect(scan.assets).toEqual(['\u00c9T/H']);
    expect(scan.prices[0]).toBe(-0.0015);
  });
});

describe('scanToJson', () => {
  it('writes a decimal-string timestamp and null for non-finite numbers', () => {
    const scan = parseScanJson(fixture('scanner-payload.json'));
    const text = scanToJson(scan);
    const plain = JSON.parse(text) as Record<string, unknown>;
    expect(plain['timestamp_ns']).toBe('1763000000123456789');
    expect(plain['asset_prices']).toEqual([91234.5, 3456.78, null, null, null, null, 0]);
    expect(plain['w750_instability']).toBeNull();
    expect(Object.keys(plain).slice(4, 4 + FEATURE_COUNT)).toEqual(FEATURE_NAMES);
  });

  it('round-trips any scan, non-finite numbers becoming NaN', () => {
    fc.assert(
      fc.property(scanArb, (scan) => {
        const expected: ScanRecord = {
          ...scan,
          features: scan.features.map(finiteOrNaN),
          velDiv: finiteOrNaN(scan.velDiv),
          prices: scan.prices.map(finiteOrNaN),
        };
        expectSameScan(parseScanJson(scanToJson(scan)), expected);
      }),
      { numRuns: 300 },
    );
  });

  it('reads a Python-style rendering of any scan exactly', () => {
    fc.assert(
      fc.property(scanArb, (scan) => {
        expectSameScan(parseScanJson(pythonDumps(scan)), scan);
      }),
      { numRuns: 300 },
    );
  });
});

describe('external factors (exf_latest)', () => {
  it('reads a Python payload: NaN factor omitted, unknown field ignored', () => {
    expect(parseFactorsJson(fixture('exf-payload.json'))).toEqual({
      date: '2025-11-13',
      fundingBtc: 0.0001,
      dvolBtc: 45.2,
      fng: 62,
    });
  });

  it('treats every factor as optional', () => {
    expect(parseFactorsJson('{"date":"2026-01-02","fng":null}')).toEqual({ date: '2026-01-02' });
  });

  it.each([
    ['{"fng": 3}', 'exf_latest: field date is missing'],
    ['{"date": "2026-02-30"}', 'exf_latest: field date is a string ("2026-02-30"), expected a UTC date YYYY-MM-DD'],
    ['{"date": 20260102}', 'field date is a number (20260102)'],
    ['{"date": "2026-01-02", "fng": "62"}', 'exf_latest: field fng is a string ("62"), expected a number or null'],
    ['{"date": "2026-01-02", "taker_ratio": [1]}', 'field taker_ratio is an array'],
    ['{"date": "2026-01-02",', 'exf_latest: not valid JSON at position 22: unexpected end of input'],
  ])('%s', (text, message) => {
    expect(formatError(() => parseFactorsJson(text)).message).toContain(message);
  });

  it('round-trips', () => {
    const factor = fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: undefined });
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true }),
        factor,
        factor,
        factor,
        factor,
        (d, fundingBtc, dvolBtc, fng, takerRatio) => {
          const f: FactorsJson = {
            date: d.toISOString().slice(0, 10),
            ...(fundingBtc !== undefined ? { fundingBtc } : {}),
            ...(dvolBtc !== undefined ? { dvolBtc } : {}),
            ...(fng !== undefined ? { fng } : {}),
            ...(takerRatio !== undefined ? { takerRatio } : {}),
          };
          const back = parseFactorsJson(factorsToJson(f));
          expect(Object.keys(back).sort()).toEqual(Object.keys(f).sort());
          for (const k of ['fundingBtc', 'dvolBtc', 'fng', 'takerRatio'] as const) {
            expect(Object.is(back[k], f[k])).toBe(true);
          }
        },
      ),
    );
  });
});

describe('parseScanJson: timestamp range', () => {
  it('rejects timestamps outside [0, 2^63-1] instead of wrapping them', () => {
    expect(() => parseScanJson('{"timestamp_ns":"9223372036854775808","assets":[],"asset_prices":[]}')).toThrow(/timestamp_ns must be UTC epoch nanoseconds/);
    expect(() => parseScanJson('{"timestamp_ns":-1,"assets":[],"asset_prices":[]}')).toThrow(/timestamp_ns/);
  });
});
