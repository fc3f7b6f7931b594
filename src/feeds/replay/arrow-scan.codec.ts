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
  Int64,
  List,
  Table,
  Type,
  Utf8,
  makeData,
  makeVector,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  type DataType,
  type Int,
  type Vector,
} from 'apache-arrow';
import { ScanFormatError } from '../../core/errors.js';
import { FEATURE_NAMES, type ScanRecord } from '../../core/scan.js';
import { MAX_SCAN_MESSAGE_BYTES, timestampProblem } from '../../core/scan-limits.js';
import { arrowFileProblem } from './arrow-ipc-check.js';
import type { ScanBatch } from './scan-batch.js';
import { SymbolVerdicts, flagOutOfBounds } from './scan-row-bounds.js';

/** Required columns besides the features. */
export const REQUIRED_COLUMNS = ['scan_number', 'timestamp_ns', 'timestamp_iso', 'schema_version', 'assets', 'asset_prices'] as const;

/** scan_number as int64, NaN ("not given", a null in the file) written as a null. */
function scanNumberVector(scans: readonly ScanRecord[]): Vector {
  const n = scans.length;
  const values = new BigInt64Array(n);
  const valid = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let r = 0; r < n; r++) {
    const x = scans[r].scanNumber;
    if (Number.isNaN(x)) nulls++;
    else {
      values[r] = BigInt(x);
      valid[r >> 3] |= 1 << (r & 7);
    }
  }
  if (nulls === 0) return makeVector(values);
  return makeVector(makeData({ type: new Int64(), length: n, nullCount: nulls, nullBitmap: valid, data: values }));
}

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
    scan_number: scanNumberVector(scans),
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

const isFloat64Type = (t: DataType): boolean => t.typeId === Type.Float && (t as Float64).precision === 2;
const isFloat64 = (v: Vector): boolean => isFloat64Type(v.type);
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

/**
 * timestamp_ns as bigint, exactly: the column must be a 64-bit integer (a narrower type cannot hold
 * epoch nanoseconds). Null rows and unsigned values beyond int64 are malformed.
 */
function timestampColumn(v: Vector, source: string, malformed: Map<number, string>): BigInt64Array {
  if (!isInt(v) || (v.type as Int).bitWidth !== 64) throw new ScanFormatError(source, `column timestamp_ns must be int64 (epoch nanoseconds), found ${String(v.type)}`);
  const out = new BigInt64Array(v.length);
  let o = 0;
  for (const d of v.data) {
    if (d.nullCount === 0 && d.values instanceof BigInt64Array) {
      out.set(d.values.subarray(d.offset, d.offset + d.length), o);
    } else {
      for (let i = 0; i < d.length; i++) {
        const x = d.getValid(i) ? (d.values as BigInt64Array | BigUint64Array)[d.offset + i] : null;
        if (x === null) malformed.set(o + i, 'timestamp_ns is null');
        else {
          out[o + i] = BigInt.asIntN(64, x);
          if (x !== out[o + i]) malformed.set(o + i, timestampProblem(x)!);
        }
      }
    }
    o += d.length;
  }
  return out;
}

/** scan_number (any integer type) as numbers; null rows are NaN ("not given"). */
function scanNumberColumn(v: Vector, source: string): Float64Array {
  if (!isInt(v)) throw new ScanFormatError(source, `column scan_number must be an integer, found ${String(v.type)}`);
  const out = new Float64Array(v.length);
  let o = 0;
  for (const d of v.data) {
    const values = d.values as ArrayLike<number | bigint>;
    for (let i = 0; i < d.length; i++) out[o + i] = d.nullCount > 0 && !d.getValid(i) ? NaN : Number(values[d.offset + i]);
    o += d.length;
  }
  return out;
}

/** Options of decodeScans. */
export interface DecodeOptions {
  /** Accept a file without rows (the day cache of a folder whose rows were all malformed). */
  readonly allowEmpty?: boolean;
}

/**
 * Decodes an Arrow scan file (one or many rows) into a ScanBatch. Throws ScanFormatError naming the
 * file and the column for anything structurally wrong; malformed rows are flagged, not thrown.
 */
export function decodeScans(bytes: Uint8Array, source: string, options: DecodeOptions = {}): ScanBatch {
  const problem = arrowFileProblem(bytes);
  if (problem) throw new ScanFormatError(source, problem);
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
  if (n === 0 && !options.allowEmpty) throw new ScanFormatError(source, 'the file holds no scan (0 rows)');
  if (n === 1 && bytes.length > MAX_SCAN_MESSAGE_BYTES) {
    throw new ScanFormatError(source, `a one-scan file of ${bytes.length} bytes is larger than a scan can be (at most ${MAX_SCAN_MESSAGE_BYTES} bytes)`);
  }
  const ts = timestampColumn(col('timestamp_ns', true)!, source, malformed);
  const scanNumber = scanNumberColumn(col('scan_number', true)!, source);
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
  if (prices.type.typeId !== Type.List || !isFloat64Type((prices.type as List).children[0].type)) {
    throw new ScanFormatError(source, `column asset_prices must be list<float64>, found ${String(prices.type)}`);
  }
  const itemType = (assets.type as List).children[0].type;
  // Dictionaries are utf8 with int32 indices (arrowFileProblem refuses any other).
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
  let lastDict: Vector | null = null;
  let lastDictIds: Int32Array | null = null;
  for (let c = 0; c < assets.data.length; c++) {
    const ad = assets.data[c];
    const pd = prices.data[c];
    const item = ad.children[0];
    const pv = pd.children[0];
    // Per-chunk symbol ids: dictionary entries, or utf8 strings decoded once per distinct byte string.
    let dictIds: Int32Array | null = null;
    if (dictItems) {
      // Every batch shares the file's one dictionary: interned once, not once per batch.
      const dict = item.dictionary as Vector;
      if (dict !== lastDict) {
        lastDict = dict;
        lastDictIds = Int32Array.from({ length: dict.length }, (_, i) => intern((dict.get(i) as string | null) ?? ''));
      }
      dictIds = lastDictIds;
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
  const batch = {
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
  flagOutOfBounds(batch, 0, n, new SymbolVerdicts());
  return batch;
}

function growStamp(a: Int32Array, id: number): Int32Array {
  const b = new Int32Array(Math.max(id + 1, a.length * 2));
  b.set(a);
  return b;
}
