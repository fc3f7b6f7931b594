/** Arrow file layouts of other writers, built from ours: the scanner's (pyarrow's) leading schema message. */
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { readFooter } from '../../src/feeds/replay/arrow-ipc-layout.js';

/** The scanner's (pyarrow's) file layout: the schema message also written after the magic. */
export function withLeadingSchema(bytes: Uint8Array): Uint8Array {
  const stream = tableToIPC(tableFromIPC(bytes), 'stream');
  const schemaLen = 8 + new DataView(stream.buffer, stream.byteOffset).getInt32(4, true);
  const out = new Uint8Array(bytes.length + schemaLen);
  out.set(bytes.subarray(0, 8));
  out.set(stream.subarray(0, schemaLen), 8);
  out.set(bytes.subarray(8), 8 + schemaLen);
  const dv = new DataView(out.buffer);
  const f = readFooter(dv)!;
  for (const [at, count] of [[f.dictBlocks, f.dictCount], [f.batchBlocks, f.batchCount]]) {
    for (let i = 0; i < count; i++) dv.setBigInt64(at + 24 * i, dv.getBigInt64(at + 24 * i, true) + BigInt(schemaLen), true);
  }
  return out;
}
