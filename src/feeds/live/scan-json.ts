/**
 * JSON codec of the Hazelcast payloads `latest_eigen_scan` (one scan) and `exf_latest` (external
 * factors), tolerant of what a Python writer emits: 19-digit integers (read losslessly), NaN/Infinity.
 */

import { FEATURE_COUNT, FEATURE_NAMES, SCHEMA_VERSION, isoToDay } from '../../core/scan.js';
import type { ScanRecord } from '../../core/scan.js';
import { ScanFormatError } from '../../core/errors.js';
import { FACTOR_FIELDS } from '../../core/factor-record.js';

// ---------------------------------------------------------------------------------------------
// Lenient JSON: RFC 8259 plus the bare tokens NaN, Infinity and -Infinity (Python's json.dumps
// default). Numbers keep their source text so integers wider than 2^53 can be read as bigint.
// ---------------------------------------------------------------------------------------------

/** A JSON number with its source text (`value` is Number(text); NaN/Infinity tokens included). */
class JsonNumber {
  constructor(
    readonly text: string,
    readonly value: number,
  ) {}
}

type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
interface JsonObject {
  [key: string]: JsonValue;
}

/** Thrown by the parser; callers wrap it in a ScanFormatError naming the source. */
class JsonSyntaxError extends Error {
  constructor(
    readonly position: number,
    readonly detail: string,
  ) {
    super(`not valid JSON at position ${position}: ${detail}`);
  }
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const MAX_DEPTH = 64;

/** Parses lenient JSON text into JsonValue. */
function parseLenientJson(text: string): JsonValue {
  let pos = 0;

  const fail = (detail: string, at = pos): never => {
    throw new JsonSyntaxError(at, detail);
  };
  const describe = (at: number): string =>
    at >= text.length ? 'unexpected end of input' : `unexpected character ${JSON.stringify(text[at])}`;
  const skipWs = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else return;
    }
  };
  const literal = (word: string): boolean => {
    if (text.startsWith(word, pos)) {
      pos += word.length;
      return true;
    }
    return false;
  };

  const parseString = (): string => {
    const start = pos; // at the opening quote
    let escaped = false;
    pos++;
    for (;;) {
      if (pos >= text.length) fail('unterminated string', start);
      const c = text.charCodeAt(pos);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        pos += 2;
        continue;
      }
      if (c < 0x20) fail('control character in string');
      pos++;
    }
    pos++;
    if (!escaped) return text.slice(start + 1, pos - 1);
    try {
      return JSON.parse(text.slice(start, pos)) as string;
    } catch {
      return fail('invalid escape in string', start);
    }
  };

  const parseNumber = (): JsonNumber => {
    if (literal('-Infinity')) return new JsonNumber('-Infinity', -Infinity);
    NUMBER_RE.lastIndex = pos;
    const m = NUMBER_RE.exec(text);
    if (m === null) return fail(describe(pos));
    pos += m[0].length;
    return new JsonNumber(m[0], Number(m[0]));
  };

  const parseValue = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`);
    skipWs();
    const c = text[pos];
    switch (c) {
      case '{': {
        pos++;
        const obj: JsonObject = Object.create(null) as JsonObject;
        skipWs();
        if (text[pos] === '}') {
          pos++;
          return obj;
        }
        for (;;) {
          skipWs();
          if (text[pos] !== '"') fail(`${describe(pos)}, expected a property name`);
          const key = parseString();
          skipWs();
          if (text[pos] !== ':') fail(`${describe(pos)}, expected ':'`);
          pos++;
          obj[key] = parseValue(depth + 1);
          skipWs();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          if (text[pos] === '}') {
            pos++;
            return obj;
          }
          fail(`${describe(pos)}, expected ',' or '}'`);
        }
      }
      case '[': {
        pos++;
        const arr: JsonValue[] = [];
        skipWs();
        if (text[pos] === ']') {
          pos++;
          return arr;
        }
        for (;;) {
          arr.push(parseValue(depth + 1));
          skipWs();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          if (text[pos] === ']') {
            pos++;
            return arr;
          }
          fail(`${describe(pos)}, expected ',' or ']'`);
        }
      }
      case '"':
        return parseString();
      case 't':
        if (literal('true')) return true;
        break;
      case 'f':
        if (literal('false')) return false;
        break;
      case 'n':
        if (literal('null')) return null;
        break;
      case 'N':
        if (literal('NaN')) return new JsonNumber('NaN', NaN);
        break;
      case 'I':
        if (literal('Infinity')) return new JsonNumber('Infinity', Infinity);
        break;
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return parseNumber();
    }
    return fail(describe(pos));
  };

  if (text.charCodeAt(0) === 0xfeff) pos = 1; // a byte-order mark some writers prepend
  const value = parseValue(0);
  skipWs();
  if (pos < text.length) fail(`${describe(pos)} after the value`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Field access with errors that name the source and the field.
// ---------------------------------------------------------------------------------------------

function kindOf(v: JsonValue | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (v instanceof JsonNumber) return `a number (${v.text})`;
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)})`;
  return `a boolean (${String(v)})`;
}

function parseObject(text: string, source: string): JsonObject {
  let root: JsonValue;
  try {
    root = parseLenientJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw new ScanFormatError(source, err.message);
    throw err;
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root) || root instanceof JsonNumber) {
    throw new ScanFormatError(source, `expected a JSON object, found ${kindOf(root)}`);
  }
  return root;
}

/** A number field: number tokens (NaN/Infinity included) as given, null or missing as NaN. */
function optionalNumber(obj: JsonObject, field: string, source: string): number {
  const v = obj[field];
  if (v === undefined || v === null) return NaN;
  if (v instanceof JsonNumber) return v.value;
  throw new ScanFormatError(source, `field ${field} is ${kindOf(v)}, expected a number or null`);
}

/** An integer given as a bare integer token or a decimal string, read exactly. */
function exactInteger(v: JsonValue | undefined, field: string, source: string): bigint {
  if (v === undefined) throw new ScanFormatError(source, `field ${field} is missing`);
  const digits = v instanceof JsonNumber ? v.text : typeof v === 'string' ? v.trim() : undefined;
  if (digits === undefined || !/^-?\d+$/.test(digits)) {
    throw new ScanFormatError(source, `field ${field} is ${kindOf(v)}, expected an integer or a decimal string of one`);
  }
  return BigInt(digits);
}

function optionalString(obj: JsonObject, field: string, source: string, fallback: string): string {
  const v = obj[field];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'string') return v;
  throw new ScanFormatError(source, `field ${field} is ${kindOf(v)}, expected a string`);
}

function requiredArray(obj: JsonObject, field: string, source: string): JsonValue[] {
  const v = obj[field];
  if (v === undefined) throw new ScanFormatError(source, `field ${field} is missing`);
  if (!Array.isArray(v)) throw new ScanFormatError(source, `field ${field} is ${kindOf(v)}, expected an array`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Scans
// ---------------------------------------------------------------------------------------------

/**
 * Parses one scan as published in `DOLPHIN_FEATURES["latest_eigen_scan"]`.
 *
 * - `timestamp_ns` (required): bare integer token or decimal string, read exactly as bigint.
 * - `scan_number`: integer (or decimal string); -1 when absent or null.
 * - features `w50_lambda_max` .. `w750_instability` and `vel_div`: numbers; absent, null -> NaN;
 *   bare NaN / Infinity / -Infinity kept as those values.
 * - `assets` (required): array of strings; `asset_prices` (required): array of numbers or null
 *   (null -> NaN). Lengths are not checked here (see malformedReason in core/scan).
 * - `timestamp_iso` defaults to '', `schema_version` to SCHEMA_VERSION; unknown fields are ignored.
 *
 * @param source names the payload in error messages.
 * @throws ScanFormatError naming the source and the field, or the position of a JSON syntax error.
 */
export function parseScanJson(text: string, source = 'latest_eigen_scan'): ScanRecord {
  const obj = parseObject(text, source);

  const timestampNs = exactInteger(obj['timestamp_ns'], 'timestamp_ns', source);
  if (timestampNs < 0n || timestampNs > 9_223_372_036_854_775_807n) {
    throw new ScanFormatError(source, `field timestamp_ns must be UTC epoch nanoseconds in [0, 2^63-1], was ${timestampNs}`);
  }
  let scanNumber = -1;
  const sn = obj['scan_number'];
  if (sn !== undefined && sn !== null) {
    const big = exactInteger(sn, 'scan_number', source);
    if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new ScanFormatError(source, `field scan_number is ${big}, beyond the exact integer range of a number`);
    }
    scanNumber = Number(big);
  }

  const features = new Float64Array(FEATURE_COUNT);
  for (let i = 0; i < FEATURE_COUNT; i++) {
    const name = FEATURE_NAMES[i] as string;
    features[i] = optionalNumber(obj, name, source);
  }
  const velDiv = optionalNumber(obj, 'vel_div', source);

  const rawAssets = requiredArray(obj, 'assets', source);
  const assets: string[] = new Array<string>(rawAssets.length);
  for (let i = 0; i < rawAssets.length; i++) {
    const a = rawAssets[i];
    if (typeof a !== 'string') throw new ScanFormatError(source, `assets[${i}] is ${kindOf(a)}, expected a string`);
    assets[i] = a;
  }

  const rawPrices = requiredArray(obj, 'asset_prices', source);
  const prices = new Float64Array(rawPrices.length);
  for (let i = 0; i < rawPrices.length; i++) {
    const p = rawPrices[i];
    if (p === null) prices[i] = NaN;
    else if (p instanceof JsonNumber) prices[i] = p.value;
    else throw new ScanFormatError(source, `asset_prices[${i}] is ${kindOf(p)}, expected a number or null`);
  }

  return {
    scanNumber,
    timestampNs,
    timestampIso: optionalString(obj, 'timestamp_iso', source, ''),
    schemaVersion: optionalString(obj, 'schema_version', source, SCHEMA_VERSION),
    features,
    velDiv,
    assets,
    prices,
  };
}

/** A finite number as JSON (keeping -0), non-finite as null. */
function num(x: number): string {
  if (!Number.isFinite(x)) return 'null';
  return Object.is(x, -0) ? '-0' : String(x);
}

/**
 * Serializes a scan for `latest_eigen_scan`: the column names as keys, `timestamp_ns` as a decimal
 * string, non-finite numbers as null. `parseScanJson(scanToJson(s))` equals `s` with every
 * non-finite number read back as NaN.
 */
export function scanToJson(scan: ScanRecord): string {
  const parts: string[] = [
    `"scan_number":${num(scan.scanNumber)}`,
    `"timestamp_ns":"${scan.timestampNs.toString()}"`,
    `"timestamp_iso":${JSON.stringify(scan.timestampIso)}`,
    `"schema_version":${JSON.stringify(scan.schemaVersion)}`,
  ];
  for (let i = 0; i < FEATURE_COUNT; i++) {
    parts.push(`"${FEATURE_NAMES[i] as string}":${num(scan.features[i] ?? NaN)}`);
  }
  parts.push(`"vel_div":${num(scan.velDiv)}`);
  parts.push(`"assets":${JSON.stringify(scan.assets)}`);
  const prices: string[] = new Array<string>(scan.prices.length);
  for (let i = 0; i < scan.prices.length; i++) prices[i] = num(scan.prices[i] as number);
  parts.push(`"asset_prices":[${prices.join(',')}]`);
  return `{${parts.join(',')}}`;
}

// ---------------------------------------------------------------------------------------------
// External factors
// ---------------------------------------------------------------------------------------------

/** External factors as published in `DOLPHIN_FEATURES["exf_latest"]`; absent factors are omitted. */
export interface FactorsJson {
  /** UTC date the factors belong to, YYYY-MM-DD. */
  readonly date: string;
  readonly fundingBtc?: number;
  readonly dvolBtc?: number;
  readonly fng?: number;
  readonly takerRatio?: number;
}

/**
 * Parses `exf_latest`: `{"date":"YYYY-MM-DD","funding_btc":..,"dvol_btc":..,"fng":..,"taker_ratio":..}`.
 * `date` is required; each factor is optional (absent, null or non-finite -> omitted); unknown fields
 * are ignored.
 * @throws ScanFormatError naming the source and the field.
 */
export function parseFactorsJson(text: string, source = 'exf_latest'): FactorsJson {
  const obj = parseObject(text, source);
  const date = obj['date'];
  if (date === undefined) throw new ScanFormatError(source, 'field date is missing');
  if (typeof date !== 'string' || Number.isNaN(isoToDay(date))) {
    throw new ScanFormatError(source, `field date is ${kindOf(date)}, expected a UTC date YYYY-MM-DD`);
  }
  const out: { date: string; fundingBtc?: number; dvolBtc?: number; fng?: number; takerRatio?: number } = { date };
  for (const [field, key] of FACTOR_FIELDS) {
    const v = optionalNumber(obj, field, source);
    if (Number.isFinite(v)) out[key] = v;
  }
  return out;
}

/** Serializes external factors for `exf_latest` (absent or non-finite factors are left out). */
export function factorsToJson(factors: FactorsJson): string {
  const parts: string[] = [`"date":${JSON.stringify(factors.date)}`];
  for (const [field, key] of FACTOR_FIELDS) {
    const v = factors[key];
    if (v !== undefined && Number.isFinite(v)) parts.push(`"${field}":${num(v)}`);
  }
  return `{${parts.join(',')}}`;
}
