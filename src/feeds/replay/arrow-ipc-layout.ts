/** Minimal, bounds-checked reader of Arrow IPC file framing: footer blocks and batch metadata (no values). */

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

/** Absolute position of field `i` of the flatbuffer table at `table`: 0 when absent, -1 when malformed. */
export function fieldPos(dv: DataView, lo: number, hi: number, table: number, i: number): number {
  if (table < lo || table + 4 > hi) return -1;
  const vt = table - dv.getInt32(table, true);
  if (vt < lo || vt + 4 > hi) return -1;
  const vtSize = dv.getUint16(vt, true);
  if (vt + vtSize > hi) return -1;
  const slot = 4 + 2 * i;
  if (slot + 2 > vtSize) return 0;
  const off = dv.getUint16(vt + slot, true);
  return off === 0 ? 0 : table + off;
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
  const f = fieldPos(dv, lo, hi, table, i);
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
  const fVersion = fieldPos(dv, fb, end, msg, 0);
  const fType = fieldPos(dv, fb, end, msg, 1);
  const fHeader = fieldPos(dv, fb, end, msg, 2);
  const fBody = fieldPos(dv, fb, end, msg, 3);
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
    const fId = fieldPos(dv, fb, end, rb, 0);
    const fData = fieldPos(dv, fb, end, rb, 1);
    const fDelta = fieldPos(dv, fb, end, rb, 2);
    if (fId < 0 || fData <= 0 || fDelta < 0) return false;
    out.dictionaryId = fId === 0 ? 0 : readI64(dv, fId);
    out.isDelta = fDelta !== 0 && dv.getUint8(fDelta) !== 0;
    rb = deref(dv, fb, end, fData);
    if (rb < 0 || out.dictionaryId < 0) return false;
  }
  const fLength = fieldPos(dv, fb, end, rb, 0);
  if (fLength < 0) return false;
  out.length = fLength === 0 ? 0 : readI64(dv, fLength);
  if (out.length < 0) return false;
  const nodes = structVector(dv, fb, end, rb, 1, 16);
  const buffers = structVector(dv, fb, end, rb, 2, 16);
  if (!nodes || !buffers) return false;
  // Compression (field 3) and non-empty variadic buffer counts (field 4) are left to apache-arrow.
  if (fieldPos(dv, fb, end, rb, 3) !== 0) return false;
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

/** True when every buffer of the message lies inside its body (arrow-js would otherwise read past it). */
export function buffersInBody(dv: DataView, m: BatchMeta): boolean {
  for (let i = 0; i < m.bufferCount; i++) if (bufferAt(dv, m, i, 0) < 0) return false;
  return true;
}
