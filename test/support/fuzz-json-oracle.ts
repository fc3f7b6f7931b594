/**
 * The judge of scanner-JSON fuzz inputs (parseScanJson, the Hazelcast `latest_eigen_scan` payload).
 * The strict reader is JSON.parse: parseScanJson may refuse more (wrong field types, nesting), but what
 * it accepts must be standard JSON once its two documented leniencies are undone (bare NaN, Infinity,
 * -Infinity tokens; a leading byte-order mark), and every field it returns must equal what JSON.parse
 * reads (timestamp_ns and scan_number compared exactly). Nothing but a ScanFormatError may escape.
 */
import { ScanFormatError } from '../../src/core/errors.js';
import { FEATURE_NAMES, SCHEMA_VERSION, type ScanRecord } from '../../src/core/scan.js';
import { parseScanJson, scanToJson } from '../../src/feeds/live/scan-json.js';
import { synthScans } from './synthetic-scans.js';

/** What became of one input; the last three are failures. */
export type JsonOutcome = 'rejected' | 'accepted-strict' | 'accepted-lenient' | 'beyond-strict' | 'mismatch' | 'crash';

/** Outcomes that are failures of the parser. */
export const JSON_FAILURES: readonly JsonOutcome[] = ['beyond-strict', 'mismatch', 'crash'];

const SENTINEL: Record<string, number> = { '"\u0001NaN"': NaN, '"\u0001Infinity"': Infinity, '"\u0001-Infinity"': -Infinity };

/** Seed payloads: the recorded scanner payloads and our own rendering of synthetic scans. */
export function jsonSeeds(fixtures: readonly string[]): string[] {
  const scans = synthScans({ n: 3, assets: 12, seed: 5 });
  return [...fixtures, ...scans.map((s) => scanToJson(s)), scanToJson({ ...scans[0], assets: ['ÄÖÜUSDT', 'BTCUSDT'], prices: Float64Array.of(NaN, 1) })];
}

/** The text with NaN/Infinity tokens outside strings replaced by sentinel strings and a leading BOM removed. */
export function undoLeniency(text: string): string {
  let out = '';
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let from = i;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      i++;
      continue;
    }
    const token = text.startsWith('-Infinity', i) ? '-Infinity' : text.startsWith('Infinity', i) ? 'Infinity' : text.startsWith('NaN', i) ? 'NaN' : null;
    if (token) {
      out += `${text.slice(from, i)}"\\u0001${token}"`;
      i += token.length;
      from = i;
    } else i++;
  }
  return out + text.slice(from);
}

function strictParse(text: string): { value: unknown } | null {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return null;
  }
}

/** Why `scan` is not what the standard-JSON value `o` says, or null. */
export function differences(scan: ScanRecord, o: unknown): string | null {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return 'accepted a payload that is not an object';
  const obj = o as Record<string, unknown>;
  const num = (v: unknown): number | undefined => (v === undefined || v === null ? NaN : typeof v === 'number' ? v : typeof v === 'string' && `"${v}"` in SENTINEL ? SENTINEL[`"${v}"`] : undefined);
  const ts = obj.timestamp_ns;
  if (typeof ts === 'number' ? Number(scan.timestampNs) !== ts : typeof ts === 'string' ? !/^\s*-?\d+\s*$/.test(ts) || BigInt(ts.trim()) !== scan.timestampNs : true) return `timestamp_ns ${scan.timestampNs} vs ${String(ts)}`;
  const sn = obj.scan_number;
  const wantSn = sn === undefined || sn === null ? -1 : typeof sn === 'string' ? Number(BigInt(sn.trim())) : sn;
  // An integer: -0 is 0 (exactInteger reads the digits).
  if (scan.scanNumber !== wantSn) return `scan_number ${scan.scanNumber} vs ${String(sn)}`;
  for (let f = 0; f < FEATURE_NAMES.length; f++) if (!Object.is(scan.features[f], num(obj[FEATURE_NAMES[f]]))) return `${FEATURE_NAMES[f]} ${scan.features[f]} vs ${String(obj[FEATURE_NAMES[f]])}`;
  if (!Object.is(scan.velDiv, num(obj.vel_div))) return `vel_div ${scan.velDiv} vs ${String(obj.vel_div)}`;
  const assets = obj.assets;
  if (!Array.isArray(assets) || assets.length !== scan.assets.length || assets.some((a, i) => a !== scan.assets[i])) return 'assets differ';
  const prices = obj.asset_prices;
  if (!Array.isArray(prices) || prices.length !== scan.prices.length || prices.some((p, i) => !Object.is(num(p), scan.prices[i]))) return 'asset_prices differ';
  if (scan.timestampIso !== ((obj.timestamp_iso as string | null | undefined) ?? '')) return 'timestamp_iso differs';
  if (scan.schemaVersion !== ((obj.schema_version as string | null | undefined) ?? SCHEMA_VERSION)) return 'schema_version differs';
  return null;
}

/** The outcome of parsing `text`, with a detail for failures. */
export function judgeJson(text: string): { outcome: JsonOutcome; detail?: string } {
  let scan: ScanRecord;
  try {
    scan = parseScanJson(text, 'fuzz');
  } catch (e) {
    if (e instanceof ScanFormatError) return { outcome: 'rejected' };
    return { outcome: 'crash', detail: e instanceof Error ? `${e.name}: ${e.message.slice(0, 200)}` : String(e) };
  }
  const strict = strictParse(text);
  const reference = strict ?? strictParse(undoLeniency(text));
  if (!reference) return { outcome: 'beyond-strict', detail: 'accepted text that is not JSON even with NaN/Infinity tokens and a BOM allowed' };
  const why = differences(scan, reference.value);
  if (why) return { outcome: 'mismatch', detail: why };
  return { outcome: strict ? 'accepted-strict' : 'accepted-lenient' };
}
