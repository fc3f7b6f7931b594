/**
 * The damaged Arrow scan files of issue 8, rebuilt on purpose from a good one: footers pointing a record
 * batch at another message (apache-arrow loops on them), lengths and counts that make it read zeros or
 * nulls, offsets that glue two symbols, files without rows.
 */
import { BUFFERS, type ArrowField } from '../../src/feeds/replay/arrow-ipc-schema.js';
import { BLOCK_SIZE, BatchMeta, HEADER_RECORD_BATCH, deref, fieldPos, readBatchMessage, readFooter, readI64 } from '../../src/feeds/replay/arrow-ipc-layout.js';
import { readFileLayout } from '../../src/feeds/replay/arrow-ipc-check.js';
import type { ScanRecord } from '../../src/core/scan.js';
import { encodeScans } from '../../src/feeds/replay/arrow-scan.codec.js';
import { withLeadingSchema } from './arrow-layouts.js';

/** Where column `path` (e.g. "asset_prices.item") of the first record batch keeps its FieldNode and buffers. */
export interface ColumnSpot {
  /** Absolute position of the FieldNode (length at +0, null_count at +8). */
  readonly node: number;
  /** Absolute positions of its buffer entries (offset at +0, length at +8), validity first. */
  readonly buffers: number[];
  /** Absolute start of the body. */
  readonly bodyStart: number;
}

/** FieldNode and buffer entries of every column of the first record batch, by path. */
export function locate(bytes: Uint8Array): Map<string, ColumnSpot> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = readFileLayout(dv);
  if ('problem' in r) throw new Error(r.problem);
  const m = new BatchMeta();
  if (!readBatchMessage(dv, readI64(dv, r.layout.batchBlocks), r.layout.footerStart, HEADER_RECORD_BATCH, m)) throw new Error('no record batch');
  const out = new Map<string, ColumnSpot>();
  let node = 0;
  let buffer = 0;
  const walk = (f: ArrowField, parent: string): void => {
    const path = parent ? `${parent}.${f.name}` : f.name;
    const n = BUFFERS[f.kind];
    out.set(path, { node: m.nodes + 16 * node, buffers: Array.from({ length: n }, (_, i) => m.buffers + 16 * (buffer + i)), bodyStart: m.bodyStart });
    node++;
    buffer += n;
    for (const c of f.children) walk(c, path);
  };
  for (const f of r.layout.schema.fields) walk(f, '');
  return out;
}

/** A one-scan file with dictionary symbols whose record batch block points at the dictionary batch (apache-arrow loops, allocating). */
export function batchBlockOnDictionary(scan: ScanRecord): Uint8Array {
  const bytes = encodeScans([scan], { dictionary: true });
  const f = readFooter(new DataView(bytes.buffer))!;
  bytes.copyWithin(f.batchBlocks, f.dictBlocks, f.dictBlocks + BLOCK_SIZE);
  return bytes;
}

/** A one-scan file in the scanner's layout whose record batch block points at the leading schema (apache-arrow spins). */
export function batchBlockOnSchema(scan: ScanRecord): Uint8Array {
  const bytes = withLeadingSchema(encodeScans([scan]));
  const dv = new DataView(bytes.buffer);
  const f = readFooter(dv)!;
  const schemaLen = readI64(dv, f.batchBlocks) - 8;
  dv.setBigInt64(f.batchBlocks, 8n, true);
  dv.setInt32(f.batchBlocks + 8, schemaLen, true);
  dv.setBigInt64(f.batchBlocks + 16, 0n, true);
  return bytes;
}

/** Symbol k runs on into symbol k + 1, which becomes empty (the item offsets were damaged). */
export function gluedSymbol(scan: ScanRecord, k: number): Uint8Array {
  const bytes = encodeScans([scan]);
  const dv = new DataView(bytes.buffer);
  const item = locate(bytes).get('assets.item')!;
  const offsets = item.bodyStart + readI64(dv, item.buffers[1]);
  dv.setInt32(offsets + 4 * (k + 1), dv.getInt32(offsets + 4 * (k + 2), true), true);
  return bytes;
}

/** The prices' data buffer declared empty (apache-arrow then reads every price as NaN). */
export function priceBufferEmpty(scan: ScanRecord): Uint8Array {
  const bytes = encodeScans([scan]);
  const dv = new DataView(bytes.buffer);
  dv.setBigInt64(locate(bytes).get('asset_prices.item')!.buffers[1] + 8, 0n, true);
  return bytes;
}

/** The price values claim nulls without a validity bitmap. */
export function pricesNullWithoutBitmap(scan: ScanRecord): Uint8Array {
  const bytes = encodeScans([scan]);
  const dv = new DataView(bytes.buffer);
  const item = locate(bytes).get('asset_prices.item')!;
  dv.setBigInt64(item.node + 8, BigInt(scan.prices.length), true);
  return bytes;
}

/** scan_number's data buffer declared empty (apache-arrow then reads scan_number 0). */
export function scanNumberBufferEmpty(scan: ScanRecord): Uint8Array {
  const bytes = encodeScans([scan]);
  const dv = new DataView(bytes.buffer);
  dv.setBigInt64(locate(bytes).get('scan_number')!.buffers[1] + 8, 0n, true);
  return bytes;
}

/** The footer lists no record batch (apache-arrow then returns an empty table). */
export function noRecordBatch(scan: ScanRecord): Uint8Array {
  const bytes = encodeScans([scan]);
  const dv = new DataView(bytes.buffer);
  const f = readFooter(dv)!;
  dv.setUint32(f.batchBlocks - 4, 0, true);
  return bytes;
}

/** The record batch says it has no rows while its columns hold one (apache-arrow then reads an empty table). */
export function batchLengthZero(scan: ScanRecord): Uint8Array {
  const bytes = encodeScans([scan]);
  const dv = new DataView(bytes.buffer);
  const at = readI64(dv, readFooter(dv)!.batchBlocks);
  const fb = dv.getInt32(at, true) === -1 ? at + 8 : at + 4;
  const end = fb + dv.getInt32(fb - 4, true);
  const msg = deref(dv, fb, end, fb);
  const batch = deref(dv, fb, end, fieldPos(dv, fb, end, msg, 2, 4));
  dv.setBigInt64(fieldPos(dv, fb, end, batch, 0, 8), 0n, true);
  return bytes;
}
