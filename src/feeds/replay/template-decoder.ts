/** Template fast path for the scanner's one-scan Arrow files: layout learned once, values read directly. */
import { Buffer } from 'node:buffer';
import { Type, tableFromIPC, type DataType, type Dictionary, type Float, type Int } from 'apache-arrow';
import { FEATURE_COUNT, FEATURE_NAMES } from '../../core/scan.js';
import { MAX_SCAN_MESSAGE_BYTES } from '../../core/scan-limits.js';
import { decodeScans } from './arrow-scan.codec.js';
import { MessageCheck, dataStart, readFileLayout, type ArrowFileLayout } from './arrow-ipc-check.js';
import type { ArrowSchema } from './arrow-ipc-schema.js';
import {
  BLOCK_SIZE,
  BatchMeta,
  HEADER_DICTIONARY_BATCH,
  HEADER_RECORD_BATCH,
  batchWellFormed,
  bufferAt,
  fieldShape,
  listOffsets,
  nodeLength,
  nodeNulls,
  readBatchMessage,
  readFooter,
  readI64,
  schemaEnd,
} from './arrow-ipc-layout.js';
import type { ScanBatch } from './scan-batch.js';
import { ScanBatchBuilder } from './scan-batch-builder.js';
import { SymbolVerdicts, flagOutOfBounds } from './scan-row-bounds.js';

// Column slots of a plan: ts, scan_number, timestamp_iso, schema_version, 16 features, vel_div,
// assets (list), assets item, asset_prices (list), asset_prices item (the one-scan encoder uses them too).
export const TS = 0;
export const SN = 1;
export const ISO = 2;
export const VER = 3;
export const FEAT = 4;
export const VD = FEAT + FEATURE_COUNT;
export const ASSETS = VD + 1;
export const ITEM = ASSETS + 1;
export const PRICES = ITEM + 1;
export const PITEM = PRICES + 1;
const SLOTS = PITEM + 1;

/** Where each needed column's FieldNode and first buffer (validity) sit in a record batch of this schema. */
export interface Plan {
  readonly nodeCount: number;
  readonly bufferCount: number;
  /** Per slot; -1 for an absent vel_div. */
  readonly node: Int32Array;
  readonly buffer: Int32Array;
  /** Dictionary id of the assets items, -1 for plain utf8. */
  readonly dictId: number;
}

/** A learned file layout. Files match when the bytes before the first batch and the footer (except block values) are identical. */
interface Template {
  /** Bytes [0, end of schema message). */
  readonly prefix: Buffer;
  /** Bytes [footer start, end of file). */
  readonly footer: Buffer;
  /** [from, to) pairs of footer bytes that must match (everything except the Block values). */
  readonly segments: Int32Array;
  /** Positions relative to the footer start. */
  readonly dictBlocks: number;
  readonly dictCount: number;
  readonly batchBlock: number;
  readonly batchVersion: number;
  /** The schema as the file check reads it (every file of the template has it). */
  readonly schema: ArrowSchema;
  /** null: schema recognised but not handled here (always fall back). */
  readonly plan: Plan | null;
}

/** Options of TemplateDecoder. */
export interface TemplateDecoderOptions {
  /** Distinct layouts remembered (schemas or footer shapes), default 4. */
  readonly maxTemplates?: number;
  /** Files that could not be learned from (broken, nulls) before learning stops, default 16. */
  readonly maxLearnFailures?: number;
}

/**
 * Decodes one-scan Arrow files from a template. The first file of each layout is decoded with
 * apache-arrow (decodeScans) and its layout learned; later files are verified against it byte for byte
 * outside the data and read with a DataView. `decode` returns null whenever the file is not exactly
 * what the fast path handles (other schema, nulls, compression, several batches, truncated): the caller
 * then uses decodeScans, which also produces the error for broken files. One instance per thread.
 */
export class TemplateDecoder {
  private readonly templates: Template[] = [];
  private readonly maxTemplates: number;
  private readonly maxLearnFailures: number;
  private learnFailures = 0;
  private readonly batch = new BatchMeta();
  private readonly dict = new BatchMeta();
  private readonly cache = new SymbolCache();
  private readonly utf8 = new TextDecoder();
  private readonly featurePos = new Int32Array(FEATURE_COUNT);
  private readonly lastList = new LastList();
  private readonly verdicts = new SymbolVerdicts();
  private readonly check = new MessageCheck();
  /** Generation of the builder the symbol cache's local ids refer to. */
  private generation = 0;

  constructor(options: TemplateDecoderOptions = {}) {
    this.maxTemplates = options.maxTemplates ?? 4;
    this.maxLearnFailures = options.maxLearnFailures ?? 16;
  }

  /** Number of layouts learned (including ones recognised as unsupported). */
  get templateCount(): number {
    return this.templates.length;
  }

  /** Decodes `bytes` like decodeScans, or returns null: "not the template; use decodeScans". */
  decode(bytes: Uint8Array, source: string): ScanBatch | null {
    const out = new ScanBatchBuilder({ rows: 1, items: 64 });
    return this.decodeInto(out, bytes, source) ? out.finish(source, false) : null;
  }

  /**
   * Appends the file's rows to `out` as decode would return them (as `out.appendBatch(decodeScans(...))`
   * would), or returns false and leaves `out` unchanged: "not the template; use decodeScans".
   * `bytes` is not kept (it may be a reused read buffer).
   */
  decodeInto(out: ScanBatchBuilder, bytes: Uint8Array, source: string): boolean {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < this.templates.length; i++) {
      const t = this.templates[i];
      if (matches(t, buf)) return t.plan ? this.decodeWith(t, t.plan, buf, source, out) : false;
    }
    if (this.templates.length >= this.maxTemplates || this.learnFailures >= this.maxLearnFailures) return false;
    const t = this.adopt(bytes);
    return t && t.plan ? this.decodeWith(t, t.plan, buf, source, out) : false;
  }

  /**
   * Learns the layout of a valid file (checked against decodeScans on that file), as `decode` does on
   * the first file of a layout. True when files like it will take the fast path; false when the file
   * cannot serve as a template (broken, nulls) or its layout is one the fast path leaves to apache-arrow.
   */
  learn(bytes: Uint8Array): boolean {
    const t = this.adopt(bytes);
    return t !== null && t.plan !== null;
  }

  private adopt(bytes: Uint8Array): Template | null {
    const t = this.tryLearn(bytes);
    if (t) this.templates.push(t);
    else this.learnFailures++;
    return t;
  }

  private tryLearn(bytes: Uint8Array): Template | null {
    let reference: ScanBatch;
    try {
      reference = decodeScans(bytes, 'template');
    } catch {
      return null;
    }
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const footer = readFooter(dv);
    const prefixEnd = schemaEnd(dv);
    const checked = readFileLayout(dv);
    if (!footer || prefixEnd < 0 || 'problem' in checked) return null;
    const fs = footer.footerStart;
    const rel = (p: number): number => (p === 0 ? 0 : p - fs);
    const masks = [
      [rel(footer.dictBlocks), rel(footer.dictBlocks) + footer.dictCount * BLOCK_SIZE],
      [rel(footer.batchBlocks), rel(footer.batchBlocks) + footer.batchCount * BLOCK_SIZE],
    ].sort((a, b) => a[0] - b[0]);
    const segments: number[] = [];
    let from = 0;
    for (const [a, b] of masks) {
      if (a > from) segments.push(from, a);
      from = Math.max(from, b);
    }
    segments.push(from, bytes.length - fs);
    let plan = footer.batchCount === 1 ? planOf(bytes) : null;
    const batchBlock = rel(footer.batchBlocks);
    let batchVersion = 0;
    if (plan) {
      if (!readBatchMessage(dv, readI64(dv, fs + batchBlock), fs, HEADER_RECORD_BATCH, this.batch)) plan = null;
      else batchVersion = this.batch.version;
    }
    const t: Template = {
      prefix: Buffer.from(buf.subarray(0, prefixEnd)),
      footer: Buffer.from(buf.subarray(fs)),
      segments: Int32Array.from(segments),
      dictBlocks: rel(footer.dictBlocks),
      dictCount: footer.dictCount,
      batchBlock,
      batchVersion,
      schema: checked.layout.schema,
      plan,
    };
    if (!plan) return t;
    // Self-check on the learning file: a file the fast path cannot read (nulls) teaches nothing;
    // one it reads differently from apache-arrow marks the layout unsupported.
    const one = new ScanBatchBuilder({ rows: Math.max(1, reference.n), items: reference.offsets[reference.n] });
    if (!this.decodeWith(t, plan, buf, 'template', one)) return null;
    return sameBatch(one.finish('template', false), reference) ? t : { ...t, plan: null };
  }

  /** Decodes into `out` (all or nothing): false when the file is not exactly what the fast path reads. */
  private decodeWith(t: Template, plan: Plan, buf: Buffer, source: string, out: ScanBatchBuilder): boolean {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const fs = buf.length - t.footer.length;
    const m = this.batch;
    // The same file check as decodeScans' (the footer matched the template's, so its schema holds):
    // blocks, messages, buffers, offsets, strings, padding. What follows relies on it.
    const layout: ArrowFileLayout = {
      schema: t.schema,
      footerStart: fs,
      dataStart: dataStart(dv),
      dictBlocks: fs + t.dictBlocks,
      dictCount: t.dictCount,
      batchBlocks: fs + t.batchBlock,
      batchCount: 1,
    };
    if (this.check.check(dv, layout) !== null) return false;
    if (!readBatchMessage(dv, readI64(dv, fs + t.batchBlock), fs, HEADER_RECORD_BATCH, m)) return false;
    if (m.version !== t.batchVersion || m.nodeCount !== plan.nodeCount || m.bufferCount !== plan.bufferCount) return false;
    const n = m.length;
    // A file without rows, or one scan in more bytes than a scan can take, is refused by decodeScans.
    if (n === 0 || (n === 1 && buf.length > MAX_SCAN_MESSAGE_BYTES)) return false;
    const node = plan.node;
    const buffer = plan.buffer;
    for (let c = 0; c < SLOTS; c++) {
      if (node[c] < 0) continue;
      if (nodeNulls(dv, m, node[c]) !== 0) return false;
      if (c !== ITEM && c !== PITEM && nodeLength(dv, m, node[c]) !== n) return false;
    }
    // Positions of every buffer read, checked before anything is written.
    const pTs = bufferAt(dv, m, buffer[TS] + 1, 8 * n);
    const pSn = bufferAt(dv, m, buffer[SN] + 1, 8 * n);
    if (pTs < 0 || pSn < 0) return false;
    const pf = this.featurePos;
    for (let f = 0; f < FEATURE_COUNT; f++) {
      pf[f] = bufferAt(dv, m, buffer[FEAT + f] + 1, 8 * n);
      if (pf[f] < 0) return false;
    }
    const pVd = node[VD] >= 0 ? bufferAt(dv, m, buffer[VD] + 1, 8 * n) : -2;
    if (pVd === -1) return false;
    const itemLen = nodeLength(dv, m, node[ITEM]);
    const priceLen = nodeLength(dv, m, node[PITEM]);
    const pa = listOffsets(dv, m, buffer[ASSETS] + 1, n, itemLen);
    const pp = listOffsets(dv, m, buffer[PRICES] + 1, n, priceLen);
    const pv = bufferAt(dv, m, buffer[PITEM] + 1, 8 * priceLen);
    if (pa < 0 || pp < 0 || pv < 0) return false;
    const cap = dv.getInt32(pa + 4 * n, true) - dv.getInt32(pa, true);
    // Symbol ids of the decoder's cache map to this builder's ids until the builder changes.
    const cache = this.cache;
    if (out.generation !== this.generation) {
      cache.beginBatch();
      this.generation = out.generation;
    }
    const mark = out.mark();
    out.reserve(n, cap);
    let ok = false;
    try {
      ok = this.fill(t, plan, dv, buf, fs, m, n, pTs, pSn, pVd, pa, pp, pv, itemLen, source, out);
    } finally {
      if (!ok) {
        out.rollback(mark);
        if (out.generation !== this.generation) {
          cache.beginBatch();
          this.generation = out.generation;
        }
      }
    }
    return ok;
  }

  private fill(
    t: Template,
    plan: Plan,
    dv: DataView,
    buf: Buffer,
    fs: number,
    m: BatchMeta,
    n: number,
    pTs: number,
    pSn: number,
    pVd: number,
    pa: number,
    pp: number,
    pv: number,
    itemLen: number,
    source: string,
    out: ScanBatchBuilder,
  ): boolean {
    const buffer = plan.buffer;
    const r0 = out.n;
    // Scalars.
    const ts = out.ts;
    const scanNumber = out.scanNumber;
    for (let r = 0; r < n; r++) {
      ts[r0 + r] = dv.getBigInt64(pTs + 8 * r, true);
      // Number(int64) without a BigInt: hi * 2^32 is exact, so the one addition rounds like Number() does.
      scanNumber[r0 + r] = dv.getInt32(pSn + 8 * r + 4, true) * 4294967296 + dv.getUint32(pSn + 8 * r, true);
    }
    const pf = this.featurePos;
    for (let f = 0; f < FEATURE_COUNT; f++) {
      const col = out.features[f];
      const p = pf[f];
      for (let r = 0; r < n; r++) col[r0 + r] = dv.getFloat64(p + 8 * r, true);
    }
    const velDiv = out.velDiv;
    if (pVd >= 0) for (let r = 0; r < n; r++) velDiv[r0 + r] = dv.getFloat64(pVd + 8 * r, true);
    else velDiv.fill(NaN, r0, r0 + n);
    if (!this.strings(dv, buf, m, buffer[ISO] + 1, n, out.timestampIso)) return false;
    if (!this.strings(dv, buf, m, buffer[VER] + 1, n, out.schemaVersion)) return false;
    for (let r = 0; r < n; r++) {
      out.rowSource.push(source);
      out.rowIndex[r0 + r] = r;
    }
    // Assets and prices: list offsets, then items (utf8 or dictionary indices) and float64 prices.
    const cache = this.cache;
    let dictCanon: Int32Array | null = null;
    let itemStart: number;
    let itemData = 0;
    let itemDataLen = 0;
    if (plan.dictId >= 0) {
      dictCanon = this.dictionary(t, plan.dictId, dv, buf, fs, out);
      itemStart = bufferAt(dv, m, buffer[ITEM] + 1, 4 * itemLen);
      if (!dictCanon || itemStart < 0) return false;
    } else {
      itemStart = bufferAt(dv, m, buffer[ITEM] + 1, 4 * (itemLen + 1));
      itemData = bufferAt(dv, m, buffer[ITEM] + 2, 0);
      if (itemStart < 0 || itemData < 0) return false;
      itemDataLen = readI64(dv, m.buffers + 16 * (buffer[ITEM] + 2) + 8);
    }
    const offsets = out.offsets;
    const ids = out.symbolIds;
    const px = out.prices;
    const symbols = out.symbols;
    const malformed = out.malformed;
    let len = out.len;
    for (let r = 0; r < n; r++) {
      const a0 = dv.getInt32(pa + 4 * r, true);
      const la = dv.getInt32(pa + 4 * r + 4, true) - a0;
      const p0 = dv.getInt32(pp + 4 * r, true);
      const lp = dv.getInt32(pp + 4 * r + 4, true) - p0;
      let bad = la !== lp;
      if (bad) malformed.set(r0 + r, `assets (${la}) and asset_prices (${lp}) have different lengths`);
      const mk = la < lp ? la : lp;
      // Same asset list bytes as the last row decoded into this builder: same ids, same duplicate.
      const last = this.lastList;
      if (!dictCanon && !bad && mk > 0 && last.matches(out.generation, buf, itemStart + 4 * a0, mk, itemData, itemDataLen)) {
        const lastIds = last.ids;
        for (let k = 0; k < mk; k++) {
          ids[len] = lastIds[k];
          px[len++] = dv.getFloat64(pv + 8 * (p0 + k), true);
        }
        if (last.dup >= 0) malformed.set(r0 + r, `symbol ${symbols[lastIds[last.dup]]} is listed twice`);
        offsets[r0 + r + 1] = len;
        continue;
      }
      const len0 = len;
      let dup = -1;
      const tick = cache.beginRow();
      for (let k = 0; k < mk; k++) {
        const ai = a0 + k;
        let c: number;
        if (dictCanon) {
          const di = dv.getInt32(itemStart + 4 * ai, true);
          if (di < 0 || di >= dictCanon.length) return false;
          c = dictCanon[di];
        } else {
          const s0 = dv.getInt32(itemStart + 4 * ai, true);
          const s1 = dv.getInt32(itemStart + 4 * ai + 4, true);
          if (s0 < 0 || s1 < s0 || s1 > itemDataLen) return false;
          c = cache.id(buf, itemData + s0, itemData + s1);
        }
        const id = cache.localId(c, out);
        if (cache.stamp[c] === tick && !bad) {
          malformed.set(r0 + r, `symbol ${symbols[id]} is listed twice`);
          bad = true;
          dup = k;
        }
        cache.stamp[c] = tick;
        ids[len] = id;
        px[len++] = dv.getFloat64(pv + 8 * (p0 + k), true);
      }
      if (!dictCanon && la === lp && mk > 0) last.remember(out.generation, buf, itemStart + 4 * a0, mk, itemData, ids, len0, dup);
      offsets[r0 + r + 1] = len;
    }
    out.n = r0 + n;
    out.len = len;
    flagOutOfBounds(out, r0, r0 + n, this.verdicts);
    out.endFile(source);
    return true;
  }

  /** Utf8 column with offsets buffer b (data b + 1), decoded as apache-arrow does (TextDecoder), appended to `out`. */
  private strings(dv: DataView, buf: Buffer, m: BatchMeta, b: number, n: number, out: string[]): boolean {
    const po = bufferAt(dv, m, b, 4 * (n + 1));
    const pd = bufferAt(dv, m, b + 1, 0);
    if (po < 0 || pd < 0) return false;
    const dataLen = readI64(dv, m.buffers + 16 * (b + 1) + 8);
    for (let r = 0; r < n; r++) {
      const s0 = dv.getInt32(po + 4 * r, true);
      const s1 = dv.getInt32(po + 4 * r + 4, true);
      if (s0 < 0 || s1 < s0 || s1 > dataLen) return false;
      out.push(this.utf8.decode(buf.subarray(pd + s0, pd + s1)));
    }
    return true;
  }

  /**
   * Reads every dictionary batch (as apache-arrow does when opening the file) and interns the one with
   * id `dictId` in dictionary order, like decodeScans; returns canonical symbol ids per entry.
   */
  private dictionary(t: Template, dictId: number, dv: DataView, buf: Buffer, fs: number, into: ScanBatchBuilder): Int32Array | null {
    const d = this.dict;
    let out: Int32Array | null = null;
    for (let i = 0; i < t.dictCount; i++) {
      if (!readBatchMessage(dv, readI64(dv, fs + t.dictBlocks + BLOCK_SIZE * i), fs, HEADER_DICTIONARY_BATCH, d)) return null;
      // The metadata version decides the buffer layout apache-arrow reads (pre-V4 has page ids).
      if (d.version !== t.batchVersion || !batchWellFormed(dv, d)) return null;
      if (d.dictionaryId !== dictId) continue;
      if (out || d.isDelta || d.nodeCount !== 1 || d.bufferCount !== 3 || nodeNulls(dv, d, 0) !== 0) return null;
      const k = nodeLength(dv, d, 0);
      const po = bufferAt(dv, d, 1, 4 * (k + 1));
      const pd = bufferAt(dv, d, 2, 0);
      if (k !== d.length || po < 0 || pd < 0) return null;
      const dataLen = readI64(dv, d.buffers + 16 * 2 + 8);
      out = new Int32Array(k);
      for (let e = 0; e < k; e++) {
        const s0 = dv.getInt32(po + 4 * e, true);
        const s1 = dv.getInt32(po + 4 * e + 4, true);
        if (s0 < 0 || s1 < s0 || s1 > dataLen) return null;
        const c = this.cache.id(buf, pd + s0, pd + s1);
        this.cache.localId(c, into);
        out[e] = c;
      }
    }
    return out;
  }


}

/**
 * Decodes a scan file with the template fast path when it applies, else with apache-arrow
 * (which also reports broken files as ScanFormatError).
 */
export function decodeScanFile(decoder: TemplateDecoder, bytes: Uint8Array, source: string): ScanBatch {
  return decoder.decode(bytes, source) ?? decodeScans(bytes, source);
}

/**
 * Appends a scan file's rows to `out`: template fast path when it applies, else apache-arrow on a copy
 * of the bytes (so `bytes` may be a reused buffer); broken files throw ScanFormatError, `out` unchanged.
 */
export function decodeScanFileInto(decoder: TemplateDecoder, out: ScanBatchBuilder, bytes: Uint8Array, source: string): void {
  if (!decoder.decodeInto(out, bytes, source)) out.appendBatch(decodeScans(bytes.slice(), source));
}

/** True when `buf` has the template's bytes before the first batch and in the footer (outside block values). */
function matches(t: Template, buf: Buffer): boolean {
  const fs = buf.length - t.footer.length;
  if (fs < t.prefix.length) return false;
  if (t.prefix.compare(buf, 0, t.prefix.length) !== 0) return false;
  const s = t.segments;
  for (let i = 0; i < s.length; i += 2) if (t.footer.compare(buf, fs + s[i], fs + s[i + 1], s[i], s[i + 1]) !== 0) return false;
  return true;
}

const isInt64 = (t: DataType): boolean => t.typeId === Type.Int && (t as Int).bitWidth === 64 && (t as Int).isSigned;
const isFloat64 = (t: DataType | undefined): boolean => t !== undefined && t.typeId === Type.Float && (t as Float).precision === 2;
const isInt32 = (t: DataType): boolean => t.typeId === Type.Int && (t as Int).bitWidth === 32 && (t as Int).isSigned;

/** Plan for the file's schema, or null when a needed column has a type the fast path does not read. */
export function planOf(bytes: Uint8Array): Plan | null {
  const fields = tableFromIPC(bytes).schema.fields;
  const nodeAt: number[] = [];
  const bufferAt: number[] = [];
  let nodes = 0;
  let buffers = 0;
  for (const f of fields) {
    const s = fieldShape(f.type);
    if (!s) return null;
    nodeAt.push(nodes);
    bufferAt.push(buffers);
    nodes += s[0];
    buffers += s[1];
  }
  const node = new Int32Array(SLOTS).fill(-1);
  const buffer = new Int32Array(SLOTS).fill(-1);
  const find = (name: string): number => fields.findIndex((f) => f.name === name);
  // Day-cache files carry the original file and row of each scan; decodeScans maps them, this path does not.
  if (find('_source') >= 0 || find('_row') >= 0) return null;
  const put = (slot: number, i: number, ok: boolean): boolean => {
    if (i < 0 || !ok) return false;
    node[slot] = nodeAt[i];
    buffer[slot] = bufferAt[i];
    return true;
  };
  const type = (i: number): DataType => fields[i].type;
  const ts = find('timestamp_ns');
  const sn = find('scan_number');
  const iso = find('timestamp_iso');
  const ver = find('schema_version');
  const assets = find('assets');
  const prices = find('asset_prices');
  const vd = find('vel_div');
  if (!put(TS, ts, ts >= 0 && isInt64(type(ts)))) return null;
  if (!put(SN, sn, sn >= 0 && isInt64(type(sn)))) return null;
  if (!put(ISO, iso, iso >= 0 && type(iso).typeId === Type.Utf8)) return null;
  if (!put(VER, ver, ver >= 0 && type(ver).typeId === Type.Utf8)) return null;
  for (let f = 0; f < FEATURE_COUNT; f++) {
    const i = find(FEATURE_NAMES[f]);
    if (!put(FEAT + f, i, i >= 0 && isFloat64(type(i)))) return null;
  }
  if (vd >= 0 && !put(VD, vd, isFloat64(type(vd)))) return null;
  if (assets < 0 || prices < 0 || type(assets).typeId !== Type.List || type(prices).typeId !== Type.List) return null;
  const item = type(assets).children[0].type;
  let dictId = -1;
  if (item.typeId === Type.Dictionary) {
    const d = item as Dictionary;
    if (d.dictionary.typeId !== Type.Utf8 || !isInt32(d.indices)) return null;
    dictId = d.id;
  } else if (item.typeId !== Type.Utf8) return null;
  if (!isFloat64(type(prices).children[0].type)) return null;
  put(ASSETS, assets, true);
  put(PRICES, prices, true);
  // The list's child follows its node and its two buffers (validity, offsets).
  node[ITEM] = node[ASSETS] + 1;
  buffer[ITEM] = buffer[ASSETS] + 2;
  node[PITEM] = node[PRICES] + 1;
  buffer[PITEM] = buffer[PRICES] + 2;
  return { nodeCount: nodes, bufferCount: buffers, node, buffer, dictId };
}

/** Bitwise equality of two batches (NaN = NaN, typed arrays compared as bytes). */
export function sameBatch(a: ScanBatch, b: ScanBatch): boolean {
  const bytesOf = (x: ArrayBufferView): Buffer => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  const eq = (x: ArrayBufferView, y: ArrayBufferView): boolean => x.byteLength === y.byteLength && bytesOf(x).equals(bytesOf(y));
  const strs = (x: readonly string[], y: readonly string[]): boolean => x.length === y.length && x.every((s, i) => s === y[i]);
  if (a.n !== b.n || !eq(a.ts, b.ts) || !eq(a.scanNumber, b.scanNumber) || !eq(a.velDiv, b.velDiv)) return false;
  if (!strs(a.timestampIso, b.timestampIso) || !strs(a.schemaVersion, b.schemaVersion) || !strs(a.symbols, b.symbols)) return false;
  if (a.features.length !== b.features.length || !a.features.every((f, i) => eq(f, b.features[i]))) return false;
  if (!eq(a.offsets, b.offsets) || !eq(a.symbolIds, b.symbolIds) || !eq(a.prices, b.prices)) return false;
  if (!a.rowSource !== !b.rowSource || (a.rowSource && !strs(a.rowSource, b.rowSource!))) return false;
  if (!a.rowIndex !== !b.rowIndex || (a.rowIndex && !eq(a.rowIndex, b.rowIndex!))) return false;
  if (a.malformed.size !== b.malformed.size) return false;
  const ma = [...a.malformed];
  const mb = [...b.malformed];
  return ma.every(([r, s], i) => mb[i][0] === r && mb[i][1] === s);
}

/**
 * Symbol byte strings interned across files: known symbols are found by hash + byte compare, without
 * decoding. Equal decoded strings share one canonical id (invalid UTF-8 decodes like decodeScans).
 * Per-batch local ids (first-appearance order, as decodeScans interns) and per-row duplicate stamps.
 */
class SymbolCache {
  private slots: Int32Array = new Int32Array(1024);
  private hashes: Int32Array = new Int32Array(256);
  private starts: Int32Array = new Int32Array(256);
  private lens: Int32Array = new Int32Array(256);
  private canon: Int32Array = new Int32Array(256);
  private pool: Uint8Array = new Uint8Array(4096);
  private poolLen = 0;
  private count = 0;
  private strings: string[] = [];
  private byString = new Map<string, number>();
  private readonly utf8 = new TextDecoder();
  private epoch = 0;
  private tick = 0;
  private epochOf: Int32Array = new Int32Array(256);
  private local: Int32Array = new Int32Array(256);
  /** Row tick at which a canonical id was last seen. */
  stamp: Int32Array = new Int32Array(256);

  /** Starts a batch: local ids restart at 0. Drops the cache when it grew beyond reason. */
  beginBatch(): void {
    if (this.count > 65536 || this.epoch > 0x3fffffff || this.tick > 0x3fffffff) this.reset();
    this.epoch++;
  }

  /** Starts a row; returns its unique tick for duplicate detection. */
  beginRow(): number {
    return ++this.tick;
  }

  /** Id in the current builder of canonical id c, interning its string there when new. */
  localId(c: number, out: ScanBatchBuilder): number {
    if (this.epochOf[c] === this.epoch) return this.local[c];
    this.epochOf[c] = this.epoch;
    return (this.local[c] = out.symbolId(this.strings[c]));
  }

  /** Canonical id of bytes[from, to). */
  id(bytes: Uint8Array, from: number, to: number): number {
    let h = 0x811c9dc5;
    for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
    const mask = this.slots.length - 1;
    const n = to - from;
    let s = h & mask;
    for (;;) {
      const e = this.slots[s];
      if (e === 0) break;
      const k = e - 1;
      if (this.hashes[k] === h && this.lens[k] === n && this.sameBytes(k, bytes, from, n)) return this.canon[k];
      s = (s + 1) & mask;
    }
    return this.insert(bytes, from, to, h, s);
  }

  private sameBytes(k: number, bytes: Uint8Array, from: number, n: number): boolean {
    const p = this.pool;
    const o = this.starts[k];
    for (let i = 0; i < n; i++) if (p[o + i] !== bytes[from + i]) return false;
    return true;
  }

  private insert(bytes: Uint8Array, from: number, to: number, h: number, slot: number): number {
    const k = this.count++;
    if (k >= this.hashes.length) this.growEntries();
    if (this.poolLen + (to - from) > this.pool.length) this.pool = grow8(this.pool, this.poolLen + (to - from));
    this.pool.set(bytes.subarray(from, to), this.poolLen);
    this.starts[k] = this.poolLen;
    this.lens[k] = to - from;
    this.hashes[k] = h;
    this.poolLen += to - from;
    this.slots[slot] = k + 1;
    const str = this.utf8.decode(bytes.subarray(from, to));
    const same = this.byString.get(str);
    this.canon[k] = same ?? k;
    if (same === undefined) this.byString.set(str, k);
    this.strings[k] = str;
    if (this.count * 2 > this.slots.length) this.rehash();
    return this.canon[k];
  }

  private growEntries(): void {
    const size = this.hashes.length * 2;
    const g = (a: Int32Array): Int32Array => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.hashes = g(this.hashes);
    this.starts = g(this.starts);
    this.lens = g(this.lens);
    this.canon = g(this.canon);
    this.epochOf = g(this.epochOf);
    this.local = g(this.local);
    this.stamp = g(this.stamp);
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let k = 0; k < this.count; k++) {
      let s = this.hashes[k] & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = k + 1;
    }
    this.slots = slots;
  }

  private reset(): void {
    this.slots = new Int32Array(1024);
    this.count = 0;
    this.poolLen = 0;
    this.strings = [];
    this.byString = new Map();
    this.epoch = 0;
    this.tick = 0;
    this.epochOf.fill(0);
    this.stamp.fill(0);
  }
}

/**
 * The utf8 asset list of the last row decoded (its offset and string bytes) with the builder ids it got:
 * consecutive scans usually list the same assets, found again with two byte compares.
 */
class LastList {
  private generation = -1;
  private count = 0;
  private offsetBytes: Buffer = Buffer.alloc(1024);
  private dataBytes: Buffer = Buffer.alloc(1024);
  private dataLen = 0;
  ids: Int32Array = new Int32Array(256);
  /** Position of the first repeated symbol, -1 for none. */
  dup = -1;

  /** True when the list of `count` items whose offsets start at `offsetsAt` is the remembered one. */
  matches(generation: number, buf: Buffer, offsetsAt: number, count: number, itemData: number, itemDataLen: number): boolean {
    if (generation !== this.generation || count !== this.count) return false;
    const ob = 4 * (count + 1);
    if (buf.compare(this.offsetBytes, 0, ob, offsetsAt, offsetsAt + ob) !== 0) return false;
    // Same offsets as a list that was checked: monotone and non-negative; the end must fit this file's data.
    const s0 = buf.readInt32LE(offsetsAt);
    const s1 = buf.readInt32LE(offsetsAt + 4 * count);
    if (s1 > itemDataLen) return false;
    return buf.compare(this.dataBytes, 0, this.dataLen, itemData + s0, itemData + s1) === 0;
  }

  remember(generation: number, buf: Buffer, offsetsAt: number, count: number, itemData: number, ids: Int32Array, from: number, dup: number): void {
    const ob = 4 * (count + 1);
    const s0 = buf.readInt32LE(offsetsAt);
    const s1 = buf.readInt32LE(offsetsAt + 4 * count);
    if (ob > this.offsetBytes.length) this.offsetBytes = Buffer.alloc(2 * ob);
    if (s1 - s0 > this.dataBytes.length) this.dataBytes = Buffer.alloc(2 * (s1 - s0));
    if (count > this.ids.length) this.ids = new Int32Array(2 * count);
    buf.copy(this.offsetBytes, 0, offsetsAt, offsetsAt + ob);
    buf.copy(this.dataBytes, 0, itemData + s0, itemData + s1);
    this.dataLen = s1 - s0;
    for (let k = 0; k < count; k++) this.ids[k] = ids[from + k];
    this.count = count;
    this.dup = dup;
    this.generation = generation;
  }
}

function grow8(a: Uint8Array, need: number): Uint8Array {
  const b = new Uint8Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}
