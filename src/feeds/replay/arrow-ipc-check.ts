/**
 * Checks an Arrow IPC file against its own size before any reader touches it: footer, schema, every
 * block, message, buffer, FieldNode, list offset, bitmap, dictionary index and UTF-8 string. A file that
 * passes cannot make apache-arrow loop, allocate beyond its size or read past a buffer.
 */
import {
  BLOCK_SIZE,
  BatchMeta,
  FILE_TRAILER,
  HEADER_DICTIONARY_BATCH,
  HEADER_RECORD_BATCH,
  deref,
  fieldPos,
  readBatchMessage,
  readI64,
  schemaEnd,
} from './arrow-ipc-layout.js';
import { BUFFERS, KIND_BINARY, KIND_BOOL, KIND_DICT, KIND_FIXED, KIND_LIST, KIND_NULL, KIND_STRUCT, KIND_UTF8, messageMetadataReadable, readSchema, type ArrowField, type ArrowSchema } from './arrow-ipc-schema.js';
import { utf8StringsProblem } from './utf8-check.js';

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

/** Where the footer's blocks are (absolute positions) and the schema they follow. */
export interface ArrowFileLayout {
  readonly schema: ArrowSchema;
  readonly footerStart: number;
  /** End of a leading schema message (pyarrow writes one), else 8: messages start at or after it. */
  readonly dataStart: number;
  readonly dictBlocks: number;
  readonly dictCount: number;
  readonly batchBlocks: number;
  readonly batchCount: number;
}

/** A layout or why the file is not a readable Arrow file. */
export type LayoutResult = { readonly layout: ArrowFileLayout } | { readonly problem: string };

/** Reads and checks the framing, footer and schema of an Arrow IPC file (not the messages). */
export function readFileLayout(dv: DataView): LayoutResult {
  const len = dv.byteLength;
  if (len < 8 + FILE_TRAILER + 4) return { problem: `file is too short to be an Arrow file (${len} bytes); it may be half-written or truncated` };
  for (let i = 0; i < 6; i++) {
    if (dv.getUint8(i) !== MAGIC[i]) return { problem: 'not an Arrow IPC file (no ARROW1 magic at the start); is it another format?' };
    if (dv.getUint8(len - 6 + i) !== MAGIC[i]) return { problem: 'Arrow file has no footer (no ARROW1 magic at the end): truncated or still being written' };
  }
  const footerLen = dv.getInt32(len - FILE_TRAILER, true);
  const footerStart = len - FILE_TRAILER - footerLen;
  if (footerLen < 8 || footerStart < 8) return { problem: 'corrupt Arrow file: the footer length is invalid (the file is damaged or was truncated and padded)' };
  const hi = len - FILE_TRAILER;
  const root = deref(dv, footerStart, hi, footerStart);
  if (root < 0) return { problem: 'corrupt Arrow file: the footer is damaged' };
  const s = readSchema(dv, footerStart, hi, root);
  if ('problem' in s) return { problem: `corrupt or unsupported Arrow file: ${s.problem}` };
  const dicts = blockVector(dv, footerStart, hi, root, 2);
  const batches = blockVector(dv, footerStart, hi, root, 3);
  if (!dicts || !batches) return { problem: 'corrupt Arrow file: the footer block list is out of bounds' };
  return {
    layout: {
      schema: s.schema,
      footerStart,
      dataStart: dataStart(dv),
      dictBlocks: dicts[0],
      dictCount: dicts[1],
      batchBlocks: batches[0],
      batchCount: batches[1],
    },
  };
}

/** Where the messages start: after a leading schema message (pyarrow writes one), else after the magic. */
export function dataStart(dv: DataView): number {
  const end = schemaEnd(dv);
  return end < 0 ? 8 : end;
}

/** Position and count of the Block structs in footer field i, or null when out of bounds. */
function blockVector(dv: DataView, lo: number, hi: number, root: number, i: number): [number, number] | null {
  const f = fieldPos(dv, lo, hi, root, i, 4);
  if (f < 0) return null;
  if (f === 0) return [0, 0];
  const v = deref(dv, lo, hi, f);
  if (v < 0) return null;
  const count = dv.getUint32(v, true);
  return count > (hi - v - 4) / BLOCK_SIZE ? null : [v + 4, count];
}

/**
 * Checks every dictionary and record batch the footer lists against the schema: the messages follow one
 * another from the end of the schema to the footer without gap or overlap, closed by the end-of-stream
 * marker; each has the header its block says, the block's lengths, the schema's metadata version, no
 * compression; its body holds exactly the schema's FieldNodes and buffers, in order, 8-byte aligned,
 * each as long as its values need, and every body byte the values do not use is zero padding; bitmaps
 * count exactly their null_count; offsets start at 0 and never decrease; strings are valid UTF-8;
 * dictionaries list distinct strings and indices stay inside them. Reusable (no allocation per file
 * beyond the problem text); one instance per thread.
 */
export class MessageCheck {
  private readonly m = new BatchMeta();
  private readonly spans: number[] = [];
  private readonly order: number[] = [];
  private readonly dictIds: number[] = [];
  private readonly dictLengths: number[] = [];
  /** Per buffer of the current message: bytes its values use (the rest must be zero padding). */
  private readonly used: number[] = [];
  /** Per buffer of the current message: a validity bitmap. */
  private readonly bitmap: boolean[] = [];
  /** Names of the fields being walked (a problem names the column path). */
  private readonly path: string[] = [];
  private dv: DataView = new DataView(new ArrayBuffer(8));
  private bytes: Uint8Array = new Uint8Array(0);
  private node = 0;
  private buffer = 0;
  private last = 0;
  private values: number[] | undefined;
  /** Last utf8 field read: data start, offsets start, count (dictionary distinctness). */
  private strData = 0;
  private strOffsets = 0;
  private strCount = 0;

  /**
   * Null when every message of `layout` in `dv` is sound, else the problem (naming the column).
   * `values`, when given, receives the [from, to) byte ranges that hold values (fixed-width data,
   * string bytes): what a bit flip can change without changing the structure (fuzzing).
   */
  check(dv: DataView, layout: ArrowFileLayout, values?: number[]): string | null {
    this.dv = dv;
    this.bytes = new Uint8Array(dv.buffer, dv.byteOffset, dv.byteLength);
    this.values = values;
    this.spans.length = 0;
    this.dictIds.length = 0;
    this.dictLengths.length = 0;
    const { schema } = layout;
    const m = this.m;
    for (let i = 0; i < layout.dictCount; i++) {
      const why = this.message(layout, layout.dictBlocks + BLOCK_SIZE * i, HEADER_DICTIONARY_BATCH);
      if (why) return `dictionary batch ${i}: ${why}`;
      if (!schema.dictIds.has(m.dictionaryId)) return `dictionary batch ${i} has id ${m.dictionaryId}, which no column uses`;
      if (this.dictIds.includes(m.dictionaryId) || m.isDelta) return `dictionary ${m.dictionaryId} is given twice or as a delta (not read)`;
      if (m.nodeCount !== 1 || m.bufferCount !== BUFFERS[KIND_UTF8]) return `dictionary batch ${i} has ${m.nodeCount} field nodes and ${m.bufferCount} buffers, expected 1 and 3`;
      this.begin();
      const bad = this.field(DICTIONARY_VALUES, m.length, 0) ?? this.padding() ?? this.distinctStrings();
      if (bad) return `dictionary batch ${i}: ${bad}`;
      this.dictIds.push(m.dictionaryId);
      this.dictLengths.push(m.length);
    }
    for (let i = 0; i < layout.batchCount; i++) {
      const why = this.message(layout, layout.batchBlocks + BLOCK_SIZE * i, HEADER_RECORD_BATCH);
      if (why) return `record batch ${i}: ${why}`;
      if (m.nodeCount !== schema.nodeCount || m.bufferCount !== schema.bufferCount) {
        return `record batch ${i} has ${m.nodeCount} field nodes and ${m.bufferCount} buffers, the schema needs ${schema.nodeCount} and ${schema.bufferCount}`;
      }
      // A batch with rows needs every dictionary its columns use (apache-arrow writes none for an empty table).
      if (m.length > 0) for (const id of schema.dictIds) if (!this.dictIds.includes(id)) return `dictionary ${id} used by a column is missing`;
      this.begin();
      for (const f of schema.fields) {
        const bad = this.field(f, m.length, 0);
        if (bad) return `record batch ${i}: ${bad}`;
      }
      const bad = this.padding();
      if (bad) return `record batch ${i}: ${bad}`;
    }
    return this.tiling(layout);
  }

  /** Reads the message of the block at `block` into m; null or the problem. Records its span. */
  private message(layout: ArrowFileLayout, block: number, header: number): string | null {
    const dv = this.dv;
    const m = this.m;
    const at = readI64(dv, block);
    if (readI64(dv, block + 16) < 0 || dv.getInt32(block + 12, true) !== 0) return 'block body length out of range or block padding not zero';
    if (at < layout.dataStart || at % 8 !== 0 || at >= layout.footerStart) return `block offset ${at} is outside the messages or misaligned`;
    if (!readBatchMessage(dv, at, layout.footerStart, header, m)) {
      return `the message at ${at} is not a readable ${header === HEADER_RECORD_BATCH ? 'record' : 'dictionary'} batch inside the file (damaged metadata, wrong type, compression or lengths past the footer)`;
    }
    if (m.version !== layout.schema.version) return `message metadata version ${m.version} differs from the footer's ${layout.schema.version}`;
    if (dv.getInt32(block + 8, true) !== m.metaEnd || readI64(dv, block + 16) !== m.bodyLength) return `the block's lengths differ from those of the message at ${at}`;
    if (!messageMetadataReadable(dv, at, m.bodyStart)) return 'the message metadata is out of bounds';
    this.spans.push(at, m.bodyStart + m.bodyLength);
    return null;
  }

  /**
   * Messages must tile [dataStart, footerStart - 8), and the end-of-stream marker (0xFFFFFFFF
   * 0x00000000, which pyarrow and apache-arrow write) must fill the last 8 bytes: bytes cut from or
   * added to a body then always show.
   */
  private tiling(layout: ArrowFileLayout): string | null {
    const sp = this.spans;
    const order = this.order;
    order.length = 0;
    for (let k = 0; k < sp.length / 2; k++) order.push(k);
    order.sort((a, b) => sp[2 * a] - sp[2 * b]);
    let at = layout.dataStart;
    for (const k of order) {
      if (sp[2 * k] < at) return 'two messages overlap';
      if (sp[2 * k] > at) return `bytes ${at}-${sp[2 * k]} belong to no message`;
      at = sp[2 * k + 1];
    }
    const end = layout.footerStart;
    if (at + 8 === end && this.dv.getInt32(at, true) === -1 && this.dv.getInt32(at + 4, true) === 0) return null;
    return `bytes ${at}-${end} between the last message and the footer are not the end-of-stream marker`;
  }

  private begin(): void {
    this.node = 0;
    this.buffer = 0;
    this.used.length = 0;
    this.bitmap.length = 0;
  }

  /** "column a.b.c" for the field at `depth` (built only for a problem). */
  private label(depth: number): string {
    return `column ${JSON.stringify(this.path.slice(0, depth + 1).join('.'))}`;
  }

  /**
   * Buffers are 8-byte aligned, in order, do not overlap, are no longer than their values rounded up to
   * 8 bytes (64 for a validity bitmap), and every body byte outside the bytes the values use is zero: a
   * shifted buffer or a shortened string cannot leave old bytes behind unseen.
   */
  private padding(): string | null {
    const dv = this.dv;
    const m = this.m;
    let end = 0;
    for (let i = 0; i < m.bufferCount; i++) {
      const off = readI64(dv, m.buffers + 16 * i);
      const len = readI64(dv, m.buffers + 16 * i + 8);
      if (off < 0 || len < 0 || off + len > m.bodyLength || off % 8 !== 0) return `buffer ${i} lies outside the message body or is misaligned`;
      if (len === 0) continue;
      if (off < end) return `buffer ${i} overlaps the one before it`;
      // Writers give a buffer's exact length (pyarrow) or round it up to 8 bytes (apache-arrow; its
      // builders allocate validity bitmaps in 64-byte steps), no more.
      const slack = this.bitmap[i] ? 63 : 7;
      if (len > Math.ceil(this.used[i] / (slack + 1)) * (slack + 1)) return `buffer ${i} holds ${len} bytes, more than its ${this.used[i]} bytes of values need`;
      if (!this.zeros(m.bodyStart + end, m.bodyStart + off) || !this.zeros(m.bodyStart + off + this.used[i], m.bodyStart + off + len)) {
        return `buffer ${i} is followed by bytes its values do not use that are not zero padding`;
      }
      end = off + len;
    }
    return this.zeros(m.bodyStart + end, m.bodyStart + m.bodyLength) ? null : 'the message body ends with bytes that are not zero padding';
  }

  private zeros(from: number, to: number): boolean {
    const b = this.bytes;
    for (let p = from; p < to; p++) if (b[p] !== 0) return false;
    return true;
  }

  /** The strings of the last utf8 field read are distinct (a dictionary lists each value once). */
  private distinctStrings(): string | null {
    const dv = this.dv;
    const seen = new Set<string>();
    const text = new TextDecoder();
    for (let r = 0; r < this.strCount; r++) {
      const s = text.decode(this.bytes.subarray(this.strData + dv.getInt32(this.strOffsets + 4 * r, true), this.strData + dv.getInt32(this.strOffsets + 4 * r + 4, true)));
      if (seen.has(s)) return `the dictionary lists ${JSON.stringify(s)} twice`;
      seen.add(s);
    }
    return null;
  }

  /** Absolute start of the next buffer when it holds `need` bytes inside the body (recorded as used); else -1. */
  private take(need: number): number {
    const i = this.buffer++;
    const off = readI64(this.dv, this.m.buffers + 16 * i);
    const len = readI64(this.dv, this.m.buffers + 16 * i + 8);
    this.last = len;
    this.used[i] = need;
    this.bitmap[i] = false;
    if (off < 0 || len < need || off + len > this.m.bodyLength) return -1;
    return this.m.bodyStart + off;
  }

  /** Records [p, p + n) as value bytes. */
  private value(p: number, n: number): void {
    if (this.values && n > 0) this.values.push(p, p + n);
  }

  /** Checks field f (at nesting `depth`) of `length` values and its children; null or the problem. */
  private field(f: ArrowField, length: number, depth: number): string | null {
    const dv = this.dv;
    const i = this.node++;
    const len = readI64(dv, this.m.nodes + 16 * i);
    const nulls = readI64(dv, this.m.nodes + 16 * i + 8);
    this.path[depth] = f.name;
    if (len !== length) return `${this.label(depth)} has ${len} values, expected ${length}`;
    if (nulls < 0 || nulls > len) return `${this.label(depth)} has a null count of ${nulls} for ${len} values`;
    if (f.kind === KIND_NULL) return null;
    const v = this.take(0);
    this.bitmap[this.buffer - 1] = true;
    if (v < 0) return `${this.label(depth)}: validity buffer outside the body`;
    if (this.last > 0 || nulls > 0) {
      this.used[this.buffer - 1] = Math.ceil(len / 8);
      if (this.last < Math.ceil(len / 8)) return `${this.label(depth)}: validity bitmap shorter than its ${len} values`;
      if (zeroBits(this.bytes, v, len) !== nulls) return `${this.label(depth)}: validity bitmap does not hold ${nulls} nulls`;
    }
    switch (f.kind) {
      case KIND_FIXED: {
        const p = this.take(len * f.width);
        if (p < 0) return `${this.label(depth)}: data buffer shorter than ${len} ${f.typeName} values`;
        this.value(p, len * f.width);
        return null;
      }
      case KIND_BOOL:
        return this.take(Math.ceil(len / 8)) < 0 ? `${this.label(depth)}: data buffer shorter than ${len} bool values` : null;
      case KIND_DICT: {
        const p = this.take(4 * len);
        if (p < 0) return `${this.label(depth)}: index buffer shorter than ${len} values`;
        const k = this.dictIds.indexOf(f.dictId);
        const size = k < 0 ? 0 : this.dictLengths[k];
        for (let r = 0; r < len; r++) {
          if (nulls > 0 && (this.bytes[v + (r >> 3)] & (1 << (r & 7))) === 0) continue;
          const x = dv.getInt32(p + 4 * r, true);
          if (x < 0 || x >= size) return `${this.label(depth)}: dictionary index ${x} at ${r} is outside the dictionary of ${size}`;
        }
        return null;
      }
      case KIND_LIST:
      case KIND_UTF8:
      case KIND_BINARY: {
        const o = this.take(4 * (len + 1));
        if (o < 0) return `${this.label(depth)}: offsets buffer shorter than ${len + 1} offsets`;
        if (dv.getInt32(o, true) !== 0) return `${this.label(depth)}: offsets do not start at 0`;
        let prev = 0;
        for (let r = 1; r <= len; r++) {
          const x = dv.getInt32(o + 4 * r, true);
          if (x < prev) return `${this.label(depth)}: offsets decrease at ${r}`;
          prev = x;
        }
        if (f.kind === KIND_LIST) return this.field(f.children[0], prev, depth + 1);
        const d = this.take(prev);
        if (d < 0) return `${this.label(depth)}: data buffer shorter than its last offset ${prev}`;
        this.value(d, prev);
        if (f.kind === KIND_UTF8) {
          const why = utf8StringsProblem(this.bytes, dv, d, o, len, prev);
          if (why) return `${this.label(depth)}: ${why}`;
          this.strData = d;
          this.strOffsets = o;
          this.strCount = len;
        }
        return null;
      }
      case KIND_STRUCT:
        for (const c of f.children) {
          const bad = this.field(c, len, depth + 1);
          if (bad) return bad;
        }
        return null;
      default:
        return `${this.label(depth)}: unsupported layout`;
    }
  }
}

/** The utf8 values of a dictionary batch. */
const DICTIONARY_VALUES: ArrowField = { name: 'dictionary', kind: KIND_UTF8, width: 0, typeId: 5, bitWidth: 0, signed: false, precision: -1, dictId: -1, children: [], typeName: 'utf8' };

/** Zero bits among the first n bits of the bitmap at p. */
function zeroBits(b: Uint8Array, p: number, n: number): number {
  let ones = 0;
  const full = n >> 3;
  for (let i = 0; i < full; i++) ones += POPCOUNT[b[p + i]];
  const rest = n & 7;
  if (rest) ones += POPCOUNT[b[p + full] & ((1 << rest) - 1)];
  return n - ones;
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
  let c = 0;
  for (let x = b; x; x >>= 1) c += x & 1;
  return c;
});

/**
 * Null when `bytes` is an Arrow IPC file that apache-arrow can read safely and exactly (see
 * readFileLayout and checkMessages), else the problem.
 */
export function arrowFileProblem(bytes: Uint8Array): string | null {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = readFileLayout(dv);
  if ('problem' in r) return r.problem;
  const why = new MessageCheck().check(dv, r.layout);
  return why ? `corrupt or unsupported Arrow file: ${why}` : null;
}
