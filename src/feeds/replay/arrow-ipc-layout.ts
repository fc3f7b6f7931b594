/** Minimal, bounds-checked reader of Arrow IPC file framing: footer blocks and batch metadata (no values). */
import { Type, type DataType } from 'apache-arrow';

/** MessageHeader union tags (Arrow Message.fbs). */
export const HEADER_SCHEMA = 1;
export const HEADER_DICTIONARY_BATCH = 2;
export const HEADER_RECORD_BATCH = 3;

/** Bytes after the footer flatbuffer: int32 footer length + "ARROW1". */
export const FILE_TRAILER = 10;

/** Size of a footer Block struct (offset: long, metaDataLength: int, pad, bodyLength: long). */
export const BLOCK_SIZE = 24;

/** Little-endian int64 as a number; -1 when negative or beyond 2^53 (never valid as a length or offset). */
export function readI64(dv: DataView, pos: number): number {
  const hi = dv.getInt32(pos + 4, true);
  if (hi < 0 || hi > 0x1fffff) return -1;
  return hi * 4294967296 + dv.getUint32(pos, true);
}

/**
 * Absolute position of field `i` (of `size` bytes) of the flatbuffer table at `table`: 0 when absent,
 * -1 when malformed. Reads exactly as flatbuffers-js (apache-arrow) does: a field is present when its
 * slot is below the signed vtable size, whatever the vtable's parity; negative offsets are rejected.
 */
export function fieldPos(dv: DataView, lo: number, hi: number, table: number, i: number, size: number): number {
  if (table < lo || table + 4 > hi) return -1;
  const vt = table - dv.getInt32(table, true);
  if (vt < lo || vt + 2 > hi) return -1;
  const slot = 4 + 2 * i;
  if (slot >= dv.getInt16(vt, true)) return 0;
  if (vt + slot + 2 > hi) return -1;
  const off = dv.getInt16(vt + slot, true);
  if (off === 0) return 0;
  return off < 0 || table + off + size > hi ? -1 : table + off;
}

/** Follows the uoffset stored at `pos` (a table or vector reference); -1 when out of [lo, hi). */
export function deref(dv: DataView, lo: number, hi: number, pos: number): number {
  if (pos < lo || pos + 4 > hi) return -1;
  const target = pos + dv.getUint32(pos, true);
  return target + 4 > hi ? -1 : target;
}

/** Footer of an Arrow IPC file: where it starts and where its block vectors sit (absolute positions). */
export interface FooterLayout {
  readonly footerStart: number;
  /** Position of the first dictionary Block struct and their count. */
  readonly dictBlocks: number;
  readonly dictCount: number;
  readonly batchBlocks: number;
  readonly batchCount: number;
}

/** Position of the first element of the struct vector in table field `i` and its count, or null. */
function structVector(dv: DataView, lo: number, hi: number, table: number, i: number, size: number): [number, number] | null {
  const f = fieldPos(dv, lo, hi, table, i, 4);
  if (f < 0) return null;
  if (f === 0) return [0, 0];
  const v = deref(dv, lo, hi, f);
  if (v < 0) return null;
  const count = dv.getUint32(v, true);
  return v + 4 + count * size > hi ? null : [v + 4, count];
}

/** Parses the footer of an Arrow IPC file (framing already checked); null when malformed. */
export function readFooter(dv: DataView): FooterLayout | null {
  const len = dv.byteLength;
  if (len < 8 + FILE_TRAILER + 4) return null;
  const footerLen = dv.getInt32(len - FILE_TRAILER, true);
  const footerStart = len - FILE_TRAILER - footerLen;
  if (footerLen <= 0 || footerStart < 8) return null;
  const hi = len - FILE_TRAILER;
  const root = deref(dv, footerStart, hi, footerStart);
  if (root < 0) return null;
  const dicts = structVector(dv, footerStart, hi, root, 2, BLOCK_SIZE);
  const batches = structVector(dv, footerStart, hi, root, 3, BLOCK_SIZE);
  if (!dicts || !batches) return null;
  return { footerStart, dictBlocks: dicts[0], dictCount: dicts[1], batchBlocks: batches[0], batchCount: batches[1] };
}

/**
 * Metadata of one RecordBatch or DictionaryBatch message, filled in place (no allocation per file).
 * FieldNode i: length at nodes + 16i, null_count at +8. Buffer i: offset at buffers + 16i, length at +8.
 */
export class BatchMeta {
  version = 0;
  /** Rows (RecordBatch.length). */
  length = 0;
  bodyStart = 0;
  bodyLength = 0;
  nodes = 0;
  nodeCount = 0;
  buffers = 0;
  bufferCount = 0;
  /** DictionaryBatch only. */
  dictionaryId = -1;
  isDelta = false;
  /** Length of the encapsulated message prefix + metadata (where the body starts, relative to the message). */
  metaEnd = 0;
}

/**
 * Reads the encapsulated message at `pos` (continuation marker optional, as arrow-js reads it) whose body
 * must end by `limit`, expecting a RecordBatch or DictionaryBatch header. Returns false for anything this
 * fast path does not handle: other headers, compression, variadic buffers, out-of-range vectors.
 */
export function readBatchMessage(dv: DataView, pos: number, limit: number, header: number, out: BatchMeta): boolean {
  if (pos < 8 || pos + 8 > limit) return false;
  let len = dv.getInt32(pos, true);
  let fb = pos + 4;
  if (len === -1) {
    len = dv.getInt32(pos + 4, true);
    fb = pos + 8;
  }
  const end = fb + len;
  if (len < 8 || end > limit) return false;
  const msg = deref(dv, fb, end, fb);
  if (msg < 0) return false;
  const fVersion = fieldPos(dv, fb, end, msg, 0, 2);
  const fType = fieldPos(dv, fb, end, msg, 1, 1);
  const fHeader = fieldPos(dv, fb, end, msg, 2, 4);
  const fBody = fieldPos(dv, fb, end, msg, 3, 8);
  if (fVersion < 0 || fType <= 0 || fHeader <= 0 || fBody < 0) return false;
  if (dv.getUint8(fType) !== header) return false;
  out.version = fVersion === 0 ? 0 : dv.getInt16(fVersion, true);
  out.bodyLength = fBody === 0 ? 0 : readI64(dv, fBody);
  out.bodyStart = end;
  out.metaEnd = end - pos;
  if (out.bodyLength < 0 || end + out.bodyLength > limit) return false;
  let rb = deref(dv, fb, end, fHeader);
  if (rb < 0) return false;
  out.dictionaryId = -1;
  out.isDelta = false;
  if (header === HEADER_DICTIONARY_BATCH) {
    const fId = fieldPos(dv, fb, end, rb, 0, 8);
    const fData = fieldPos(dv, fb, end, rb, 1, 4);
    const fDelta = fieldPos(dv, fb, end, rb, 2, 1);
    if (fId < 0 || fData <= 0 || fDelta < 0) return false;
    out.dictionaryId = fId === 0 ? 0 : readI64(dv, fId);
    out.isDelta = fDelta !== 0 && dv.getUint8(fDelta) !== 0;
    rb = deref(dv, fb, end, fData);
    if (rb < 0 || out.dictionaryId < 0) return false;
  }
  const fLength = fieldPos(dv, fb, end, rb, 0, 8);
  if (fLength < 0) return false;
  out.length = fLength === 0 ? 0 : readI64(dv, fLength);
  if (out.length < 0) return false;
  const nodes = structVector(dv, fb, end, rb, 1, 16);
  const buffers = structVector(dv, fb, end, rb, 2, 16);
  if (!nodes || !buffers) return false;
  // Compression (field 3) and non-empty variadic buffer counts (field 4) are left to apache-arrow.
  if (fieldPos(dv, fb, end, rb, 3, 4) !== 0) return false;
  const variadic = structVector(dv, fb, end, rb, 4, 8);
  if (!variadic || variadic[1] !== 0) return false;
  out.nodes = nodes[0];
  out.nodeCount = nodes[1];
  out.buffers = buffers[0];
  out.bufferCount = buffers[1];
  return true;
}

/** Length of FieldNode i, or -1. */
export const nodeLength = (dv: DataView, m: BatchMeta, i: number): number => readI64(dv, m.nodes + 16 * i);

/** Null count of FieldNode i, or -1 when out of range. */
export const nodeNulls = (dv: DataView, m: BatchMeta, i: number): number => readI64(dv, m.nodes + 16 * i + 8);

/**
 * Absolute start of buffer i when it holds at least `need` bytes inside the message body; else -1.
 */
export function bufferAt(dv: DataView, m: BatchMeta, i: number, need: number): number {
  const off = readI64(dv, m.buffers + 16 * i);
  const len = readI64(dv, m.buffers + 16 * i + 8);
  if (off < 0 || len < need || off + len > m.bodyLength) return -1;
  return m.bodyStart + off;
}

/** Length of buffer i (for buffers whose size bounds a read), or -1. */
export const bufferLength = (dv: DataView, m: BatchMeta, i: number): number => readI64(dv, m.buffers + 16 * i + 8);

/**
 * True when every buffer of the message lies inside its body at an 8-byte aligned offset (the IPC
 * format's rule; apache-arrow throws on misaligned typed-array buffers) and every FieldNode has a
 * non-negative length and null count (apache-arrow throws on values beyond 2^53).
 */
export function batchWellFormed(dv: DataView, m: BatchMeta): boolean {
  for (let i = 0; i < m.bufferCount; i++) {
    const p = bufferAt(dv, m, i, 0);
    if (p < 0 || (p - m.bodyStart) % 8 !== 0) return false;
  }
  for (let i = 0; i < m.nodeCount; i++) if (nodeLength(dv, m, i) < 0 || nodeNulls(dv, m, i) < 0) return false;
  return true;
}

/** Footer Block at `pos` has a non-negative offset and body length within 2^53. */
export const blockReadable = (dv: DataView, pos: number): boolean => readI64(dv, pos) >= 0 && readI64(dv, pos + 16) >= 0;

/**
 * End of the schema message that follows the 8-byte magic; 8 when there is none (apache-arrow's file
 * writer keeps the schema in the footer only); -1 when malformed.
 */
export function schemaEnd(dv: DataView): number {
  if (dv.byteLength < 16) return -1;
  let len = dv.getInt32(8, true);
  let fb = 12;
  if (len === -1) {
    len = dv.getInt32(12, true);
    fb = 16;
  }
  const end = fb + len;
  if (len < 8 || end > dv.byteLength) return -1;
  const msg = deref(dv, fb, end, fb);
  const fType = msg < 0 ? -1 : fieldPos(dv, fb, end, msg, 1, 1);
  if (fType <= 0) return -1;
  return dv.getUint8(fType) === HEADER_SCHEMA ? end : 8;
}

/** FieldNodes and buffers of one column of type `t` in a record batch, or null for types not handled. */
export function fieldShape(t: DataType): [number, number] | null {
  switch (t.typeId) {
    case Type.Null:
      return [1, 0];
    case Type.Bool:
    case Type.Int:
    case Type.Float:
    case Type.Decimal:
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
    case Type.Interval:
    case Type.Duration:
    case Type.FixedSizeBinary:
    case Type.Dictionary:
      return [1, 2];
    case Type.Binary:
    case Type.Utf8:
    case Type.LargeBinary:
    case Type.LargeUtf8:
      return [1, 3];
    case Type.List:
    case Type.LargeList:
    case Type.Map:
    case Type.FixedSizeList:
    case Type.Struct: {
      let nodes = 1;
      let buffers = t.typeId === Type.FixedSizeList || t.typeId === Type.Struct ? 1 : 2;
      for (const c of t.children) {
        const s = fieldShape(c.type);
        if (!s) return null;
        nodes += s[0];
        buffers += s[1];
      }
      return [nodes, buffers];
    }
    default:
      return null;
  }
}

/** Start of an int32 list-offsets buffer of n rows when monotonic within [0, childLen]; else -1. */
export function listOffsets(dv: DataView, m: BatchMeta, b: number, n: number, childLen: number): number {
  const p = bufferAt(dv, m, b, 4 * (n + 1));
  if (p < 0 || childLen < 0) return -1;
  let prev = dv.getInt32(p, true);
  if (prev < 0) return -1;
  for (let r = 1; r <= n; r++) {
    const o = dv.getInt32(p + 4 * r, true);
    if (o < prev) return -1;
    prev = o;
  }
  return prev > childLen ? -1 : p;
}
