/** Template encoder of one-scan Arrow files: apache-arrow's bytes for a universe learned once, values patched in. */
import { FEATURE_COUNT, type ScanRecord } from '../../core/scan.js';
import { encodeScans } from './arrow-scan.codec.js';
import { BatchMeta, HEADER_RECORD_BATCH, bufferAt, readBatchMessage, readFooter, readI64 } from './arrow-ipc-layout.js';
import { FEAT, ISO, PRICES, PITEM, SN, TS, VD, planOf } from './template-decoder.js';

/** Byte positions of the values of a one-scan file whose other bytes do not depend on the values. */
interface EncoderTemplate {
  /** The file apache-arrow wrote for the learning scan (copied, then patched, per scan). */
  readonly bytes: Uint8Array;
  /** The asset list it was learned for (and the last equal list seen, compared by reference first). */
  readonly assets: readonly string[];
  lastAssets: readonly string[];
  readonly isoLength: number;
  readonly schemaVersion: string;
  /** Absolute positions: int64 timestamp_ns and scan_number, timestamp_iso's bytes, float64 values. */
  readonly ts: number;
  readonly sn: number;
  readonly iso: number;
  /** Float64 indices (position / 8) of the 16 features, vel_div and the first price. */
  readonly feat: Int32Array;
  readonly vd: number;
  readonly prices: number;
  /** False when the self-check failed: this layout is always encoded by apache-arrow. */
  readonly usable: boolean;
}

/**
 * Encodes one scan per file exactly as `encodeScans([scan])` does (same bytes), without apache-arrow's
 * builders on every call: the first scan of a layout (asset list, timestamp_iso length, schema version)
 * is encoded by apache-arrow, the value positions are read from that file (the template decoder's plan)
 * and checked by encoding a second scan both ways; later scans copy the file and write their values at
 * those positions. Anything the template does not cover (another universe, a null scan number, lengths
 * that differ, non-ASCII text) goes to apache-arrow. One instance per writer; not shared across threads.
 */
export class OneScanEncoder {
  private t: EncoderTemplate | null = null;
  /** Files written from the template, and by apache-arrow. */
  templated = 0;
  generic = 0;

  /** The Arrow IPC file of one scan (a new array the caller may keep). */
  encode(scan: ScanRecord): Uint8Array {
    const t = this.t;
    if (t !== null && fits(t, scan)) {
      if (!t.usable) return this.viaArrow(scan);
      this.templated++;
      return patch(t, scan);
    }
    if (!learnable(scan)) return this.viaArrow(scan);
    const reference = this.viaArrow(scan);
    this.t = learn(reference, scan);
    return reference;
  }

  private viaArrow(scan: ScanRecord): Uint8Array {
    this.generic++;
    return encodeScans([scan]);
  }
}

/** A scan whose file layout depends only on its asset list, timestamp_iso length and schema version. */
function learnable(scan: ScanRecord): boolean {
  return Number.isSafeInteger(scan.scanNumber) && scan.prices.length === scan.assets.length && scan.features.length === FEATURE_COUNT && isAscii(scan.timestampIso);
}

function fits(t: EncoderTemplate, scan: ScanRecord): boolean {
  if (!Number.isSafeInteger(scan.scanNumber) || scan.features.length !== FEATURE_COUNT || scan.prices.length !== t.assets.length) return false;
  if (scan.timestampIso.length !== t.isoLength || scan.schemaVersion !== t.schemaVersion || !isAscii(scan.timestampIso)) return false;
  if (scan.assets === t.lastAssets) return true;
  const a = scan.assets;
  if (a.length !== t.assets.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== t.assets[i]) return false;
  t.lastAssets = a;
  return true;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * Reads the value positions from apache-arrow's file of `scan` and checks them: a second scan with every
 * value changed must come out byte for byte as apache-arrow writes it. A layout that fails is kept as
 * unusable (encoded by apache-arrow), so a failure costs one check, not one per scan.
 */
function learn(bytes: Uint8Array, scan: ScanRecord): EncoderTemplate {
  const dead: EncoderTemplate = { bytes: bytes.slice(), assets: scan.assets, lastAssets: scan.assets, isoLength: scan.timestampIso.length, schemaVersion: scan.schemaVersion, ts: 0, sn: 0, iso: 0, feat: new Int32Array(0), vd: 0, prices: 0, usable: false };
  const plan = planOf(bytes);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const footer = readFooter(dv);
  if (plan === null || plan.node[VD] < 0 || footer === null || footer.batchCount !== 1 || footer.dictCount !== 0) return dead;
  const m = new BatchMeta();
  if (!readBatchMessage(dv, readI64(dv, footer.batchBlocks), footer.footerStart, HEADER_RECORD_BATCH, m) || m.length !== 1) return dead;
  const b = plan.buffer;
  const n = scan.prices.length;
  const at = (buffer: number, need: number): number => bufferAt(dv, m, buffer, need);
  const feat = new Int32Array(FEATURE_COUNT);
  let aligned = true;
  const f64 = (pos: number): number => {
    if (pos < 0 || pos % 8 !== 0) aligned = false;
    return pos >> 3;
  };
  for (let f = 0; f < FEATURE_COUNT; f++) feat[f] = f64(at(b[FEAT + f] + 1, 8));
  const isoOffsets = at(b[ISO] + 1, 8);
  const t: EncoderTemplate = {
    ...dead,
    ts: at(b[TS] + 1, 8),
    sn: at(b[SN] + 1, 8),
    // utf8 column: validity, offsets, data; one row, so its bytes start at data + offsets[0]
    iso: isoOffsets < 0 ? -1 : at(b[ISO] + 2, scan.timestampIso.length) + dv.getInt32(isoOffsets, true),
    feat,
    vd: f64(at(b[VD] + 1, 8)),
    prices: f64(n === 0 ? 0 : at(b[PITEM] + 1, 8 * n)),
    usable: true,
  };
  if (!aligned || t.ts < 0 || t.sn < 0 || t.iso < 0 || plan.buffer[PRICES] < 0) return dead;
  const probe = changed(scan);
  const expected = encodeScans([probe]);
  const got = patch(t, probe);
  return sameBytes(expected, got) ? t : dead;
}

/**
 * The self-check's second scan: every value the template writes changed, each to a value of its own (a
 * value written at another column's position shows).
 */
function changed(scan: ScanRecord): ScanRecord {
  const other = (x: number, v: number): number => (Object.is(x, v) ? v + 0.5 : v);
  let iso = '';
  for (let i = 0; i < scan.timestampIso.length; i++) iso += String.fromCharCode(0x21 + ((scan.timestampIso.charCodeAt(i) - 0x20) % 0x5e));
  return {
    ...scan,
    scanNumber: scan.scanNumber < Number.MAX_SAFE_INTEGER ? scan.scanNumber + 1 : scan.scanNumber - 1,
    timestampNs: ~scan.timestampNs,
    timestampIso: iso,
    features: scan.features.map((x, f) => other(x, 1000 + f)),
    velDiv: other(scan.velDiv, 3000),
    prices: scan.prices.map((x, k) => other(x, 10_000 + k)),
  };
}

/** The template's bytes with `scan`'s values written in. */
function patch(t: EncoderTemplate, scan: ScanRecord): Uint8Array {
  const out = t.bytes.slice();
  const dv = new DataView(out.buffer);
  dv.setBigInt64(t.ts, scan.timestampNs, true);
  // int64 scan_number from a safe integer: low 32 bits (ToUint32 is modulo 2^32) and the high word
  const sn = scan.scanNumber;
  dv.setUint32(t.sn, sn >>> 0, true);
  dv.setInt32(t.sn + 4, Math.floor(sn / 4294967296), true);
  const iso = scan.timestampIso;
  for (let i = 0; i < iso.length; i++) out[t.iso + i] = iso.charCodeAt(i);
  // the same typed-array stores as apache-arrow's path: element writes for the scalars, a copy for prices
  const f = new Float64Array(out.buffer, 0, out.length >> 3);
  for (let k = 0; k < FEATURE_COUNT; k++) f[t.feat[k]] = scan.features[k];
  f[t.vd] = scan.velDiv;
  f.set(scan.prices, t.prices);
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
