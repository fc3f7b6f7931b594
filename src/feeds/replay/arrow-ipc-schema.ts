/** Reads the schema in an Arrow IPC file footer into column layouts, every offset, count and string bounded. */
import { deref, fieldPos } from './arrow-ipc-layout.js';

/** How a column's values are laid out in a record batch (the only layouts a scan file may use). */
export const KIND_NULL = 0;
export const KIND_BOOL = 1;
/** Fixed-width values: ints, floats, dates, times, timestamps, durations. */
export const KIND_FIXED = 2;
export const KIND_UTF8 = 3;
export const KIND_BINARY = 4;
export const KIND_LIST = 5;
export const KIND_STRUCT = 6;
/** Dictionary-encoded utf8 with int32 indices. */
export const KIND_DICT = 7;

/** Buffers of one field of each kind in a record batch (validity first), children not included. */
export const BUFFERS = [0, 2, 2, 3, 3, 2, 1, 2];

/** Type union tags of Schema.fbs used here. */
const T_NULL = 1;
const T_INT = 2;
const T_FLOAT = 3;
const T_BINARY = 4;
const T_UTF8 = 5;
const T_BOOL = 6;
const T_DATE = 8;
const T_TIME = 9;
const T_TIMESTAMP = 10;
const T_LIST = 12;
const T_STRUCT = 13;
const T_DURATION = 18;
const TYPE_NAMES = ['none', 'null', 'int', 'float', 'binary', 'utf8', 'bool', 'decimal', 'date', 'time', 'timestamp', 'interval', 'list', 'struct', 'union', 'fixed_size_binary', 'fixed_size_list', 'map', 'duration', 'large_binary', 'large_utf8', 'large_list', 'run_end_encoded', 'binary_view', 'utf8_view', 'list_view', 'large_list_view'];

/** MetadataVersion V4 and V5: the buffer layouts apache-arrow reads without the pre-V4 page ids. */
export const MIN_VERSION = 3;
export const MAX_VERSION = 4;

/** Fields (nested ones included) a schema may declare: scan files have about 25. */
const MAX_FIELDS = 4096;
/** Nesting depth of a field (scan files nest 2 deep: list<utf8>). */
const MAX_DEPTH = 16;

/** One column (or nested child) of the schema, with its record-batch layout. */
export interface ArrowField {
  readonly name: string;
  readonly kind: number;
  /** Bytes per value (KIND_FIXED), else 0. */
  readonly width: number;
  /** Int and timestamp-like columns: 64-bit integers (signed or not). Used for the scan format's type rules. */
  readonly typeId: number;
  readonly bitWidth: number;
  readonly signed: boolean;
  /** FloatingPoint precision (0 half, 1 single, 2 double), else -1. */
  readonly precision: number;
  /** Dictionary id (KIND_DICT), else -1. */
  readonly dictId: number;
  readonly children: readonly ArrowField[];
  /** Human-readable type, e.g. `int8`, `list<utf8>`. */
  readonly typeName: string;
}

/** The schema of a file: its columns and the dictionaries they reference. */
export interface ArrowSchema {
  readonly version: number;
  readonly fields: readonly ArrowField[];
  /** FieldNodes and buffers of one record batch. */
  readonly nodeCount: number;
  readonly bufferCount: number;
  /** Dictionary ids in use. */
  readonly dictIds: ReadonlySet<number>;
}

/** Bounded reader state: flatbuffer region and budgets shared by the whole schema. */
class Reader {
  fields = 0;
  stringBytes = 0;
  nodes = 0;
  buffers = 0;
  readonly dictIds = new Set<number>();
  /** [from, to) of every string read (length prefix to NUL): writers never share or overlap them. */
  readonly spans: number[] = [];
  constructor(
    readonly dv: DataView,
    readonly lo: number,
    readonly hi: number,
    readonly maxStringBytes: number,
  ) {}

  /** True when no two strings read share bytes (a damaged offset pointing into another string). */
  stringsApart(): boolean {
    const sp = this.spans;
    const order = Array.from({ length: sp.length / 2 }, (_, k) => k).sort((a, b) => sp[2 * a] - sp[2 * b]);
    for (let k = 1; k < order.length; k++) if (sp[2 * order[k]] < sp[2 * order[k - 1] + 1]) return false;
    return true;
  }

  /** Position and count of the vector in table field i (elements of `size` bytes): null when out of bounds. */
  vector(table: number, i: number, size: number): [number, number] | null {
    const f = fieldPos(this.dv, this.lo, this.hi, table, i, 4);
    if (f < 0) return null;
    if (f === 0) return [0, 0];
    const v = deref(this.dv, this.lo, this.hi, f);
    if (v < 0) return null;
    const count = this.dv.getUint32(v, true);
    return count > (this.hi - v - 4) / size ? null : [v + 4, count];
  }

  /**
   * The string in table field i ('' when absent), or null when out of bounds, not followed by the NUL
   * a flatbuffer string ends with, or over the string budget.
   */
  string(table: number, i: number): string | null {
    const s = this.vector(table, i, 1);
    if (!s) return null;
    if (s[0] > 0 && (s[0] + s[1] >= this.hi || this.dv.getUint8(s[0] + s[1]) !== 0)) return null;
    if (s[0] > 0) this.spans.push(s[0] - 4, s[0] + s[1] + 1);
    this.stringBytes += s[1];
    if (this.stringBytes > this.maxStringBytes) return null;
    return new TextDecoder().decode(new Uint8Array(this.dv.buffer, this.dv.byteOffset + s[0], s[1]));
  }

  /** A scalar of `size` bytes in table field i: its position, 0 when absent, -1 when out of bounds. */
  scalar(table: number, i: number, size: number): number {
    return fieldPos(this.dv, this.lo, this.hi, table, i, size);
  }

  /** Table referenced by the uoffset in table field i: -1 when absent or out of bounds. */
  table(table: number, i: number): number {
    const f = fieldPos(this.dv, this.lo, this.hi, table, i, 4);
    return f <= 0 ? -1 : this.tableAt(f);
  }

  /** Table whose uoffset is at `pos`, checked to have a readable vtable; -1 when not. */
  tableAt(pos: number): number {
    const t = deref(this.dv, this.lo, this.hi, pos);
    if (t < 0) return -1;
    const vt = t - this.dv.getInt32(t, true);
    return vt < this.lo || vt + 4 > this.hi || this.dv.getInt16(vt, true) < 4 ? -1 : t;
  }

  /** Every element of the table vector in field i is a readable table (apache-arrow iterates them all). */
  tables(table: number, i: number): number[] | null {
    const v = this.vector(table, i, 4);
    if (!v) return null;
    const out: number[] = [];
    for (let k = 0; k < v[1]; k++) {
      const t = this.tableAt(v[0] + 4 * k);
      if (t < 0) return null;
      out.push(t);
    }
    return out;
  }

  /** Custom metadata (KeyValue tables) in field i, read as apache-arrow reads it; false when malformed. */
  metadata(table: number, i: number): boolean {
    const entries = this.tables(table, i);
    if (!entries) return false;
    for (const e of entries) if (this.string(e, 0) === null || this.string(e, 1) === null) return false;
    return true;
  }

  i16(table: number, i: number, fallback: number): number | null {
    const p = this.scalar(table, i, 2);
    return p < 0 ? null : p === 0 ? fallback : this.dv.getInt16(p, true);
  }

  i32(table: number, i: number, fallback: number): number | null {
    const p = this.scalar(table, i, 4);
    return p < 0 ? null : p === 0 ? fallback : this.dv.getInt32(p, true);
  }

  bool(table: number, i: number): boolean | null {
    const p = this.scalar(table, i, 1);
    return p < 0 ? null : p !== 0 && this.dv.getUint8(p) !== 0;
  }
}

/** Result of reading a schema: the schema or why it cannot be one of a scan file. */
export type SchemaResult = { readonly schema: ArrowSchema } | { readonly problem: string };

/**
 * Reads the Schema table of the footer flatbuffer in [lo, hi) of `dv` (the footer's root table at
 * `footer`), as apache-arrow reads it, refusing anything it could loop or allocate on: vectors beyond the
 * footer, more than MAX_FIELDS fields (shared sub-tables counted each time they are reached), nesting
 * deeper than MAX_DEPTH, more string bytes than the footer holds twice over. Types outside the layouts a
 * scan file may use (KIND_*) are refused by name.
 */
export function readSchema(dv: DataView, lo: number, hi: number, footer: number): SchemaResult {
  const r = new Reader(dv, lo, hi, 2 * (hi - lo) + 4096);
  const version = r.i16(footer, 0, 0);
  if (version === null) return { problem: 'the footer version field is out of bounds' };
  if (version < MIN_VERSION || version > MAX_VERSION) return { problem: `metadata version ${version} is not V4 or V5` };
  const schema = r.table(footer, 1);
  if (schema < 0) return { problem: 'the footer has no readable schema' };
  const endianness = r.i16(schema, 0, 0);
  if (endianness !== 0) return { problem: 'the schema is not little-endian' };
  if (!r.metadata(schema, 2)) return { problem: 'the schema metadata is out of bounds' };
  const tables = r.tables(schema, 1);
  if (!tables) return { problem: 'the schema field list is out of bounds' };
  const fields: ArrowField[] = [];
  for (const t of tables) {
    const f = readField(r, t, 0);
    if (typeof f === 'string') return { problem: f };
    fields.push(f);
  }
  const seen = new Set<string>();
  for (const f of fields) {
    if (f.name === '') return { problem: 'a column has an empty name' };
    if (seen.has(f.name)) return { problem: `column ${JSON.stringify(f.name)} appears twice` };
    seen.add(f.name);
  }
  if (!r.stringsApart()) return { problem: 'two names or metadata strings of the schema share bytes (a damaged offset)' };
  return { schema: { version, fields, nodeCount: r.nodes, bufferCount: r.buffers, dictIds: r.dictIds } };
}

/** One Field table (and its children) or why it cannot be read. */
function readField(r: Reader, t: number, depth: number): ArrowField | string {
  if (++r.fields > MAX_FIELDS) return `the schema declares more than ${MAX_FIELDS} fields`;
  if (depth > MAX_DEPTH) return `the schema nests fields deeper than ${MAX_DEPTH} levels`;
  const name = r.string(t, 0);
  if (name === null) return 'a field name is out of bounds';
  // A name is text: no control character, nothing that decoded to U+FFFD (invalid UTF-8).
  if (/[\u0000-\u001f\u007f-\u009f\ufffd]/.test(name)) return `field name ${JSON.stringify(name)} holds a control character or invalid UTF-8`;
  const label = `column ${JSON.stringify(name)}`;
  if (r.bool(t, 1) === null || !r.metadata(t, 6)) return `${label}: field metadata is out of bounds`;
  const typeTag = r.scalar(t, 2, 1);
  if (typeTag < 0) return `${label}: the type tag is out of bounds`;
  const typeId = typeTag === 0 ? 0 : r.dv.getUint8(typeTag);
  const dict = fieldPos(r.dv, r.lo, r.hi, t, 4, 4);
  if (dict < 0) return `${label}: the dictionary encoding is out of bounds`;
  r.nodes++;
  const childTables = r.tables(t, 5);
  if (!childTables) return `${label}: the child field list is out of bounds`;
  const typeTable = typeId === T_NULL || typeId === T_UTF8 || typeId === T_BINARY || typeId === T_BOOL || typeId === T_LIST || typeId === T_STRUCT ? 0 : r.table(t, 3);
  if (typeTable < 0) return `${label}: the ${TYPE_NAMES[typeId] ?? `type ${typeId}`} type table is missing or out of bounds`;
  let kind: number;
  let width = 0;
  let bitWidth = 0;
  let signed = false;
  let precision = -1;
  let typeName = TYPE_NAMES[typeId] ?? `type ${typeId}`;
  switch (typeId) {
    case T_NULL:
      kind = KIND_NULL;
      break;
    case T_BOOL:
      kind = KIND_BOOL;
      break;
    case T_UTF8:
    case T_BINARY:
      kind = typeId === T_UTF8 ? KIND_UTF8 : KIND_BINARY;
      break;
    case T_LIST:
      kind = KIND_LIST;
      break;
    case T_STRUCT:
      kind = KIND_STRUCT;
      break;
    case T_INT: {
      const bw = r.i32(typeTable, 0, 0);
      const sg = r.bool(typeTable, 1);
      if (bw === null || sg === null || ![8, 16, 32, 64].includes(bw)) return `${label}: int type with bit width ${bw}`;
      kind = KIND_FIXED;
      bitWidth = bw;
      signed = sg;
      width = bw / 8;
      typeName = `${sg ? 'int' : 'uint'}${bw}`;
      break;
    }
    case T_FLOAT: {
      const p = r.i16(typeTable, 0, 0);
      if (p === null || p < 0 || p > 2) return `${label}: float type with precision ${p}`;
      kind = KIND_FIXED;
      precision = p;
      width = 2 << p;
      typeName = `float${16 << p}`;
      break;
    }
    case T_DATE:
    case T_TIME:
    case T_TIMESTAMP:
    case T_DURATION: {
      const unit = r.i16(typeTable, 0, typeId === T_TIMESTAMP ? 0 : 1);
      if (unit === null || unit < 0 || unit > (typeId === T_DATE ? 1 : 3)) return `${label}: ${typeName} type with unit ${unit}`;
      if (typeId === T_TIMESTAMP && r.string(typeTable, 1) === null) return `${label}: the timestamp time zone is out of bounds`;
      width = typeId === T_DATE ? (unit === 0 ? 4 : 8) : 8;
      if (typeId === T_TIME) {
        const bw = r.i32(typeTable, 1, 32);
        if (bw !== 32 && bw !== 64) return `${label}: time type with bit width ${bw}`;
        width = bw / 8;
      }
      kind = KIND_FIXED;
      break;
    }
    default:
      return `${label} has type ${typeName}, which scan files do not use (they hold ints, floats, utf8 and lists)`;
  }
  const children: ArrowField[] = [];
  for (const c of childTables) {
    const f = readField(r, c, depth + 1);
    if (typeof f === 'string') return f;
    children.push(f);
  }
  const wantChildren = kind === KIND_LIST ? 1 : kind === KIND_STRUCT ? -1 : 0;
  if (wantChildren >= 0 && children.length !== wantChildren) return `${label}: ${typeName} type with ${children.length} child fields`;
  if (kind === KIND_LIST) typeName = `list<${children[0].typeName}>`;
  let dictId = -1;
  if (dict > 0) {
    const enc = r.tableAt(dict);
    if (enc < 0) return `${label}: the dictionary encoding is out of bounds`;
    const idPos = r.scalar(enc, 0, 8);
    const index = fieldPos(r.dv, r.lo, r.hi, enc, 1, 4);
    if (idPos < 0 || index < 0 || r.bool(enc, 2) === null) return `${label}: the dictionary encoding is out of bounds`;
    const idx = index === 0 ? -1 : r.tableAt(index);
    const ibw = idx < 0 ? 32 : r.i32(idx, 0, 0);
    const isg = idx < 0 ? true : r.bool(idx, 1);
    if (index > 0 && idx < 0) return `${label}: the dictionary index type is out of bounds`;
    if (kind !== KIND_UTF8 || ibw !== 32 || isg !== true) return `${label}: dictionary of ${typeName} with ${isg ? 'int' : 'uint'}${ibw} indices (only utf8 dictionaries with int32 indices are read)`;
    const hi32 = idPos === 0 ? 0 : r.dv.getInt32(idPos + 4, true);
    const id = idPos === 0 ? 0 : r.dv.getUint32(idPos, true);
    if (hi32 !== 0 || id > 0x7fffffff) return `${label}: dictionary id out of range`;
    dictId = id;
    kind = KIND_DICT;
    typeName = 'dictionary<utf8>';
    r.dictIds.add(id);
  }
  r.buffers += BUFFERS[kind];
  return { name, kind, width, typeId, bitWidth, signed, precision, dictId, children, typeName };
}

/**
 * True when the custom metadata of the message at `at` (whose metadata ends at `end`) lies inside that
 * metadata: apache-arrow reads it for every batch.
 */
export function messageMetadataReadable(dv: DataView, at: number, end: number): boolean {
  const fb = dv.getInt32(at, true) === -1 ? at + 8 : at + 4;
  const msg = deref(dv, fb, end, fb);
  const r = new Reader(dv, fb, end, 2 * (end - fb) + 4096);
  return msg >= 0 && r.metadata(msg, 4) && r.stringsApart();
}
