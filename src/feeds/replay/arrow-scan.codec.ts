/**
 * The one mapping between Arrow scan files (DOLPHIN scan schema 5.0.0, DESIGN.md) and ScanBatch /
 * ScanRecord. Another scanner layout is another module like this one.
 */
import {
  Data,
  Dictionary,
  Field,
  Float64,
  Int32,
  List,
  Table,
  Type,
  Utf8,
  makeData,
  makeVector,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import { ScanFormatError } from '../../core/errors.js';
import { FEATURE_NAMES, type ScanRecord } from '../../core/scan.js';
import type { ScanBatch } from './scan-batch.js';

/** Required columns besides the features. */
export const REQUIRED_COLUMNS = ['scan_number', 'timestamp_ns', 'timestamp_iso', 'schema_version', 'assets', 'asset_prices'] as const;

/** Options of encodeScans. */
export interface EncodeOptions {
  /** Dictionary-encode asset symbols (daily files); plain list<utf8> otherwise (the scanner's own layout). */
  readonly dictionary?: boolean;
  /** Day cache: the original file (`_source`, dictionary-encoded) and row (`_row`) of each scan. */
  readonly rowSource?: readonly string[];
  readonly rowIndex?: Int32Array;
}

/** Encodes scan records as one Arrow IPC file (one row per scan). */
export function encodeScans(scans: readonly ScanRecord[], options: EncodeOptions = {}): Uint8Array {
  const n = scans.length;
  // Separate offsets: a malformed scan (lengths differ) is written as it is, for tests and journals.
  const offsets = new Int32Array(n + 1);
  const priceOffsets = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) {
    offsets[r + 1] = offsets[r] + scans[r].assets.length;
    priceOffsets[r + 1] = priceOffsets[r] + scans[r].prices.length;
  }
  const total = offsets[n];
  const prices = new Float64Array(priceOffsets[n]);
  const names: string[] = new Array(total);
  for (let r = 0; r < n; r++) {
    prices.set(scans[r].prices, priceOffsets[r]);
    for (let k = 0; k < scans[r].assets.length; k++) names[offsets[r] + k] = scans[r].assets[k];
  }
  const cols: Record<string, Vector> = {
    scan_number: makeVector(BigInt64Array.from(scans, (s) => BigInt(s.scanNumber))),
    timestamp_ns: makeVector(BigInt64Array.from(scans, (s) => s.timestampNs)),
    timestamp_iso: vectorFromArray(scans.map((s) => s.timestampIso), new Utf8()),
    schema_version: vectorFromArray(scans.map((s) => s.schemaVersion), new Utf8()),
  };
  FEATURE_NAMES.forEach((name, f) => {
    cols[name] = makeVector(Float64Array.from(scans, (s) => s.features[f]));
  });
  cols.vel_div = makeVector(Float64Array.from(scans, (s) => s.velDiv));
  let child: Data;
  if (options.dictionary) {
    const dict = [...new Set(names)].sort();
    const index = new Map(dict.map((s, i) => [s, i]));
    // Explicit dictionary ids: apache-arrow's default is a process-wide counter, which would make bytes vary.
    const type = new Dictionary(new Utf8(), new Int32(), 0);
    child = makeData({ type, length: total, data: Int32Array.from(names, (s) => index.get(s)!), dictionary: vectorFromArray(dict, new Utf8()) });
  } else {
    child = vectorFromArray(names, new Utf8()).data[0];
  }
  cols.assets = makeVector(makeData({ type: new List(new Field('item', child.type, true)), length: n, nullCount: 0, valueOffsets: offsets, child }));
  const priceChild = makeData({ type: new Float64(), length: prices.length, data: prices });
  cols.asset_prices = makeVector(makeData({ type: new List(new Field('item', new Float64(), true)), length: n, nullCount: 0, valueOffsets: priceOffsets, child: priceChild }));
  if (options.rowSource && options.rowIndex) {
    const names = [...new Set(options.rowSource)].sort();
    const index = new Map(names.map((x, i) => [x, i]));
    cols._source = makeVector(
      makeData({ type: new Dictionary(new Utf8(), new Int32(), 1), length: n, data: Int32Array.from(options.rowSource, (x) => index.get(x)!), dictionary: vectorFromArray(names, new Utf8()) }),
    );
    cols._row = makeVector(Int32Array.from(options.rowIndex));
  }
  return tableToIPC(new Table(cols), 'file');
}

/** Checks the Arrow IPC file framing (magic at both ends) before decoding: catches half-written files. */
export function checkFileFraming(bytes: Uint8Array, source: string): void {
  const magic = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"
  if (bytes.length < 12) throw new ScanFormatError(source, `file is too short to be an Arrow file (${bytes.length} bytes); it may be half-written or truncated`);
  for (let i = 0; i < 6; i++) {
    if (bytes[i] !== magic[i]) throw new ScanFormatError(source, 'not an Arrow IPC file (no ARROW1 magic at the start); is it another format?');
    if (bytes[bytes.length - 6 + i] !== magic[i]) throw new ScanFormatError(source, 'Arrow file has no footer (no ARROW1 magic at the end): truncated or still being written');
  }
  // Message and footer framing, checked here because apache-arrow can loop or allocate without bound
  // on corrupt framing instead of failing.
  if (bytes.length < 8 + 8 + 10) throw new ScanFormatError(source, `file is too short to be an Arrow file (${bytes.length} bytes); it may be truncated`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const marker = view.getUint32(8, true);
  const metaLen = view.getInt32(12, true);
  if (marker !== 0xffffffff || metaLen <= 0 || 16 + metaLen > bytes.length) {
    throw new ScanFormatError(source, 'corrupt Arrow file: the schema message framing is invalid (the file is damaged; re-copy it from the scanner)');
  }
  const footerLen = view.getInt32(bytes.length - 10, true);
  if (footerLen <= 0 || footerLen > bytes.length - 18) {
    throw new ScanFormatError(source, 'corrupt Arrow file: the footer length is invalid (the file is damaged or was truncated and padded)');
  }
}

const isFloat64 = (v: Vector): boolean => v.type.typeId === Type.Float && (v.type as Float64).precision === 2;
const isInt = (v: Vector): boolean => v.type.typeId === Type.Int;

/** Float64 column values with nulls as NaN. */
function floatColumn(v: Vector, name: string, source: string): Float64Array {
  if (!isFloat64(v)) throw new ScanFormatError(source, `column ${name} must be float64, found ${String(v.type)}`);
  const out = new Float64Array(v.length);
  let o = 0;
  for (const d of v.data) {
    out.set((d.values as Float64Array).subarray(d.offset, d.offset + d.length), o);
    if (d.nullCount > 0) for (let i = 0; i < d.length; i++) if (!d.getValid(i)) out[o + i] = NaN;
    o += d.length;
  }
  return out;
}

/** Integer column as bigint (timestamp_ns) keeping 64-bit precision; null rows reported. */
function int64Column(v: Vector, name: string, source: string, nulls: Set<number>): BigInt64Array {
  if (!isInt(v)) throw new ScanFormatError(source, `column ${name} must be int64, found ${String(v.type)}`);
  const out = new BigInt64Array(v.length);
  let o = 0;
  for (const d of v.data) {
    if (d.nullCount === 0 && d.values instanceof BigInt64Array) {
      out.set(d.values.subarray(d.offset, d.offset + d.length), o);
    } else {
      for (let i = 0; i < d.length; i++) {
        const x = d.getValid(i) ? (v.get(o + i) as bigint | number | null) : null;
        if (x === null || x === undefined) nulls.add(o + i);
        else out[o + i] = typeof x === 'bigint' ? x : BigInt(x);
      }
    }
    o += d.length;
  }
  return out;
}

/**
 * Decodes an Arrow scan file (one or many rows) into a ScanBatch. Throws ScanFormatError naming the
 * file and the column for anything structurally wrong; malformed rows are flagged, not thrown.
 */
export function decodeScans(bytes: Uint8Array, source: string): ScanBatch {
  checkFileFraming(bytes, source);
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (e) {
    throw new ScanFormatError(source, `cannot decode Arrow file: ${(e as Error).message}`);
  }
  const col = (name: string, required: boolean): Vector | null => {
    const v = table.getChild(name);
    if (!v && required) {
      throw new ScanFormatError(source, `missing required column "${name}" (schema 5.0.0 needs ${[...REQUIRED_COLUMNS, ...FEATURE_NAMES].join(', ')})`);
    }
    return v;
  };
  const n = table.numRows;
  const malformed = new Map<number, string>();
  const nullTs = new Set<number>();
  const ts = int64Column(col('timestamp_ns', true)!, 'timestamp_ns', source, nullTs);
  for (const r of nullTs) malformed.set(r, 'timestamp_ns is null');
  const snNulls = new Set<number>();
  const sn64 = int64Column(col('scan_number', true)!, 'scan_number', source, snNulls);
  const scanNumber = Float64Array.from(sn64, (x) => Number(x));
  for (const r of snNulls) scanNumber[r] = NaN;
  const iso = col('timestamp_iso', true)!;
  const ver = col('schema_version', true)!;
  if (iso.type.typeId !== Type.Utf8) throw new ScanFormatError(source, `column timestamp_iso must be utf8, found ${String(iso.type)}`);
  if (ver.type.typeId !== Type.Utf8) throw new ScanFormatError(source, `column schema_version must be utf8, found ${String(ver.type)}`);
  const features = FEATURE_NAMES.map((name) => floatColumn(col(name, true)!, name, source));
  const vd = col('vel_div', false);
  const velDiv = vd ? floatColumn(vd, 'vel_div', source) : new Float64Array(n).fill(NaN);
  const assets = col('assets', true)!;
  const prices = col('asset_prices', true)!;
  if (assets.type.typeId !== Type.List) throw new ScanFormatError(source, `column assets must be list<utf8>, found ${String(assets.type)}`);
  if (prices.type.typeId !== Type.List || !isFloat64(makeVector((prices.data[0].children[0]) as Data))) {
    throw new ScanFormatError(source, `column asset_prices must be list<float64>, found ${String(prices.type)}`);
  }
  const itemType = (assets.type as List).children[0].type;
  const dictItems = itemType.typeId === Type.Dictionary;
  if (!dictItems && itemType.typeId !== Type.Utf8) throw new ScanFormatError(source, `column assets must hold utf8 symbols, found ${String(assets.type)}`);
  const symbols: string[] = [];
  const symIndex = new Map<string, number>();
  const intern = (s: string): number => {
    let id = symIndex.get(s);
    if (id === undefined) {
      id = symbols.length;
      symbols.push(s);
      symIndex.set(s, id);
    }
    return id;
  };
  const offsets = new Int32Array(n + 1);
  let cap = 0;
  for (const ad of assets.data) cap += ad.valueOffsets[ad.offset + ad.length] - ad.valueOffsets[ad.offset];
  const ids = new Int32Array(cap);
  const px = new Float64Array(cap);
  let len = 0;
  const utf8 = new TextDecoder();
  let stamp: Int32Array = new Int32Array(64);
  let base = 0;
  for (let c = 0; c < assets.data.length; c++) {
    const ad = assets.data[c];
    const pd = prices.data[c];
    const item = ad.children[0];
    const pv = pd.children[0];
    // Per-chunk symbol ids: dictionary entries, or utf8 strings decoded once per distinct byte string.
    let dictIds: Int32Array | null = null;
    if (dictItems) {
      const dict = item.dictionary as Vector;
      dictIds = Int32Array.from({ length: dict.length }, (_, i) => intern((dict.get(i) as string | null) ?? ''));
    }
    const itemNulls = item.nullCount > 0;
    const priceNulls = pv.nullCount > 0;
    const itemValues = item.values as Int32Array | Uint8Array;
    const priceValues = pv.values as Float64Array;
    for (let i = 0; i < ad.length; i++) {
      const r = base + i;
      const aNull = ad.nullCount > 0 && !ad.getValid(i);
      const pNull = pd.nullCount > 0 && !pd.getValid(i);
      const a0 = ad.valueOffsets[ad.offset + i];
      const la = aNull ? 0 : ad.valueOffsets[ad.offset + i + 1] - a0;
      const p0 = pd.valueOffsets[pd.offset + i];
      const lp = pNull ? 0 : pd.valueOffsets[pd.offset + i + 1] - p0;
      if (aNull || pNull) malformed.set(r, `${aNull ? 'assets' : 'asset_prices'} is null`);
      else if (la !== lp) malformed.set(r, `assets (${la}) and asset_prices (${lp}) have different lengths`);
      const m = Math.min(la, lp);
      for (let k = 0; k < m; k++) {
        const ai = item.offset + a0 + k;
        let id: number;
        if (itemNulls && !item.getValid(a0 + k)) {
          malformed.set(r, `assets[${k}] is null`);
          id = intern('');
        } else if (dictIds) {
          id = dictIds[itemValues[ai]];
        } else {
          const o = item.valueOffsets as Int32Array;
          id = intern(utf8.decode((itemValues as Uint8Array).subarray(o[ai], o[ai + 1])));
        }
        if (id >= stamp.length) stamp = growStamp(stamp, id);
        if (stamp[id] === r + 1 && !malformed.has(r)) malformed.set(r, `symbol ${symbols[id]} is listed twice`);
        stamp[id] = r + 1;
        ids[len] = id;
        px[len++] = priceNulls && !pv.getValid(p0 + k) ? NaN : priceValues[pv.offset + p0 + k];
      }
      offsets[r + 1] = len;
    }
    base += ad.length;
  }
  const src = table.getChild('_source');
  const rowCol = table.getChild('_row');
  const withSources = src && rowCol ? { rowSource: Array.from({ length: n }, (_, r) => String(src.get(r))), rowIndex: Int32Array.from({ length: n }, (_, r) => Number(rowCol.get(r))) } : {};
  return {
    ...withSources,
    source,
    n,
    ts,
    scanNumber,
    timestampIso: Array.from({ length: n }, (_, r) => (iso.get(r) as string | null) ?? ''),
    schemaVersion: Array.from({ length: n }, (_, r) => (ver.get(r) as string | null) ?? ''),
    velDiv,
    features,
    offsets,
    symbolIds: len === cap ? ids : ids.slice(0, len),
    symbols,
    prices: len === cap ? px : px.slice(0, len),
    malformed,
  };
}

function growStamp(a: Int32Array, id: number): Int32Array {
  const b = new Int32Array(Math.max(id + 1, a.length * 2));
  b.set(a);
  return b;
}
