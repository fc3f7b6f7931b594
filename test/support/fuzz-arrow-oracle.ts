/**
 * The judge of Arrow fuzz inputs: a mutated scan file goes through apache-arrow (decodeScans, behind the
 * file check) and the template fast path (into a builder that already holds a good file), and the
 * outcome is classified. The strict reader the results are compared against:
 * - both decoders agree: the template declines or appends exactly what appendBatch(decodeScans) appends;
 * - nothing but a ScanFormatError ever escapes (anything else is a crash);
 * - an accepted mutant is not a silent alteration: every row it yields as well formed equals the
 *   original's row at the same index; or only value bytes changed (the original file with just the
 *   mutant's bytes in its value ranges decodes to the same rows: a flipped digit of a price is a
 *   different valid file, which no reader can tell from the original); or the mutant is exactly the
 *   canonical encoding of what was read (apache-arrow's writer gives the file back, byte for byte, from
 *   the table apache-arrow read: no byte ignored, nothing reinterpreted; a file reader never reads a
 *   leading schema message, so its bytes are not compared).
 */
import { Buffer } from 'node:buffer';
import { Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { ScanFormatError } from '../../src/core/errors.js';
import type { ScanRecord } from '../../src/core/scan.js';
import { decodeScans, encodeScans } from '../../src/feeds/replay/arrow-scan.codec.js';
import { MessageCheck, readFileLayout } from '../../src/feeds/replay/arrow-ipc-check.js';
import { BLOCK_SIZE, BatchMeta, HEADER_DICTIONARY_BATCH, HEADER_RECORD_BATCH, readBatchMessage, readI64 } from '../../src/feeds/replay/arrow-ipc-layout.js';
import { batchRow, type ScanBatch } from '../../src/feeds/replay/scan-batch.js';
import { ScanBatchBuilder } from '../../src/feeds/replay/scan-batch-builder.js';
import { TemplateDecoder, decodeScanFileInto, sameBatch } from '../../src/feeds/replay/template-decoder.js';
import { withLeadingSchema } from './arrow-layouts.js';
import { synthScans } from './synthetic-scans.js';

/** A valid file to mutate, and how its writer lays out a file apache-arrow wrote (the scanner's leading schema). */
export interface ArrowSeed {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly layout: (arrowFile: Uint8Array) => Uint8Array;
}

/** What became of one input. The last four are failures. */
export type ArrowOutcome =
  | 'rejected-file'
  | 'rejected-rows'
  | 'accepted-same'
  | 'accepted-value-change'
  | 'accepted-canonical'
  | 'arrow-error'
  | 'altered'
  | 'disagree'
  | 'crash';

/** Outcomes that are failures of the readers. */
export const ARROW_FAILURES: readonly ArrowOutcome[] = ['arrow-error', 'altered', 'disagree', 'crash'];

/** The seeds: the scanner's layouts (plain, leading schema), dictionary files, several rows and batches, a null scan_number. */
export function arrowSeeds(): ArrowSeed[] {
  const s = synthScans({ n: 8, assets: 40, seed: 11 });
  const mixed = { ...s[3], assets: ['BTCUSDT', 'ÄÖÜUSDT', '1000PEPEUSDT', 'X'], prices: Float64Array.of(100, NaN, 0.001, -1) };
  const same = (b: Uint8Array): Uint8Array => b;
  const seeds: [string, Uint8Array, ArrowSeed['layout']][] = [
    ['one-scan', encodeScans([s[0]]), same],
    ['one-scan, leading schema (pyarrow layout)', withLeadingSchema(encodeScans([s[1]])), withLeadingSchema],
    ['one-scan, dictionary symbols', encodeScans([s[2]], { dictionary: true }), same],
    ['three scans, varied universes', encodeScans([s[4], mixed, { ...s[5], assets: s[5].assets.slice(0, 7), prices: s[5].prices.slice(0, 7) }]), same],
    ['one-scan, null scan_number', encodeScans([{ ...s[6], scanNumber: NaN }]), same],
    ['daily file, dictionary symbols', encodeScans([s[7], mixed], { dictionary: true }), same],
    ['two record batches', tableToIPC(new Table([...tableFromIPC(encodeScans([s[0]])).batches, ...tableFromIPC(encodeScans([s[1], s[2]])).batches]), 'file'), same],
  ];
  return seeds.map(([name, bytes, layout]) => ({ name, bytes, layout }));
}

/** Bitwise equality of two scan records (NaN payloads and -0 included). */
export function sameRecord(a: ScanRecord, b: ScanRecord): boolean {
  const bits = (x: ArrayBufferView, y: ArrayBufferView): boolean =>
    Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
  return (
    a.timestampNs === b.timestampNs &&
    Object.is(a.scanNumber, b.scanNumber) &&
    Object.is(a.velDiv, b.velDiv) &&
    a.timestampIso === b.timestampIso &&
    a.schemaVersion === b.schemaVersion &&
    bits(a.features, b.features) &&
    a.assets.length === b.assets.length &&
    a.assets.every((x, i) => x === b.assets[i]) &&
    bits(a.prices, b.prices)
  );
}

/** Judges mutants of the seeds (one instance per thread: it holds a learned TemplateDecoder). */
export class ArrowOracle {
  readonly seeds: readonly ArrowSeed[];
  private readonly originals: ScanBatch[];
  /** [from, to) byte ranges of each seed that hold values. */
  private readonly valueRanges: number[][];
  private readonly decoder: TemplateDecoder;

  constructor(seeds: readonly ArrowSeed[] = arrowSeeds()) {
    this.seeds = seeds;
    this.originals = seeds.map((s) => decodeScans(s.bytes, 'seed.arrow'));
    this.valueRanges = seeds.map((s) => {
      const dv = new DataView(s.bytes.buffer, s.bytes.byteOffset, s.bytes.byteLength);
      const layout = readFileLayout(dv);
      const ranges: number[] = [];
      if ('problem' in layout || new MessageCheck().check(dv, layout.layout, ranges) !== null) throw new Error(`seed ${s.name} does not pass the file check`);
      return ranges;
    });
    const probe = new TemplateDecoder();
    const learnable = seeds.filter((s) => probe.learn(s.bytes)).length;
    // Exactly the seeds' layouts: a mutant is never learned from, so every input is judged alike.
    this.decoder = new TemplateDecoder({ maxTemplates: learnable, maxLearnFailures: 0 });
    for (const s of seeds) this.decoder.learn(s.bytes);
    for (const [i, s] of seeds.entries()) if (!this.canonical(s.bytes, i)) throw new Error(`seed ${s.name} is not canonical`);
  }

  /** Milliseconds the last judge spent in decodeScans (the file check and apache-arrow). */
  lastDecodeMs = 0;

  /** The outcome of mutant `bytes` of seed `seed`, with a detail for failures. */
  judge(bytes: Uint8Array, seed: number): { outcome: ArrowOutcome; detail?: string } {
    let fallback: ScanBatch | null = null;
    let reason = '';
    const t0 = performance.now();
    try {
      fallback = decodeScans(bytes, 'm.arrow');
    } catch (e) {
      if (!(e instanceof ScanFormatError)) return { outcome: 'crash', detail: `decodeScans threw ${describe(e)}` };
      reason = e.reason;
    } finally {
      this.lastDecodeMs = performance.now() - t0;
    }
    const template = this.templateVerdict(bytes, seed, fallback);
    if (template) return template;
    if (!fallback) return reason.startsWith('cannot decode Arrow file') ? { outcome: 'arrow-error', detail: reason } : { outcome: 'rejected-file' };
    const original = this.originals[seed];
    let accepted = 0;
    let differs = false;
    for (let r = 0; r < fallback.n; r++) {
      if (fallback.malformed.has(r)) continue;
      accepted++;
      if (r >= original.n || !sameRecord(batchRow(fallback, r), batchRow(original, r))) differs = true;
    }
    if (accepted === 0) return { outcome: 'rejected-rows' };
    if (!differs) return { outcome: 'accepted-same' };
    if (this.onlyValuesChanged(bytes, seed, fallback)) return { outcome: 'accepted-value-change' };
    if (this.canonical(bytes, seed)) return { outcome: 'accepted-canonical' };
    return { outcome: 'altered', detail: `accepted ${accepted} row(s) that differ from the original and the file is not their canonical encoding` };
  }

  /**
   * True when apache-arrow's writer gives the file back from the table apache-arrow read (in the seed's
   * layout): the same schema and batch metadata as the file check reads them, and byte-identical
   * message bodies. Flatbuffer padding, the offset of an empty buffer and a leading schema message
   * (which file readers skip) are not compared: nothing reads them.
   */
  private canonical(bytes: Uint8Array, seed: number): boolean {
    const again = this.seeds[seed].layout(tableToIPC(tableFromIPC(bytes), 'file'));
    const a = structure(bytes);
    return a !== null && a === structure(again);
  }

  /** True when the seed with only the mutant's value bytes decodes to the mutant's rows. */
  private onlyValuesChanged(bytes: Uint8Array, seed: number, decoded: ScanBatch): boolean {
    const original = this.seeds[seed].bytes;
    if (bytes.length !== original.length) return false;
    const mixed = original.slice();
    const ranges = this.valueRanges[seed];
    for (let k = 0; k < ranges.length; k += 2) mixed.set(bytes.subarray(ranges[k], ranges[k + 1]), ranges[k]);
    let reference: ScanBatch;
    try {
      reference = decodeScans(mixed, 'm.arrow');
    } catch {
      return false;
    }
    if (reference.n !== decoded.n) return false;
    for (let r = 0; r < decoded.n; r++) {
      if (reference.malformed.get(r) !== decoded.malformed.get(r)) return false;
      if (!sameRecord(batchRow(reference, r), batchRow(decoded, r))) return false;
    }
    return true;
  }

  /** A failure verdict when the template path disagrees with apache-arrow or throws; null when it agrees. */
  private templateVerdict(bytes: Uint8Array, seed: number, fallback: ScanBatch | null): { outcome: ArrowOutcome; detail?: string } | null {
    const out = new ScanBatchBuilder();
    let took: boolean;
    try {
      decodeScanFileInto(this.decoder, out, this.seeds[seed].bytes, 'seed.arrow');
      took = this.decoder.decodeInto(out, bytes, 'm.arrow');
    } catch (e) {
      return { outcome: 'crash', detail: `template decoder threw ${describe(e)}` };
    }
    if (!took) return null;
    if (!fallback) return { outcome: 'disagree', detail: 'the template accepted a file apache-arrow rejects' };
    const expected = new ScanBatchBuilder();
    expected.appendBatch(this.originals[seed]);
    expected.appendBatch(fallback);
    return sameBatch(out.finish('x'), expected.finish('x')) ? null : { outcome: 'disagree', detail: 'template and apache-arrow decode different batches' };
  }
}

/** What a reader reads from a file: schema, then per message its header, lengths, nodes, buffers and body bytes. */
function structure(bytes: Uint8Array): string | null {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = readFileLayout(dv);
  if ('problem' in r) return null;
  const { layout } = r;
  const parts: string[] = [JSON.stringify(layout.schema, (_k, v: unknown) => (v instanceof Set ? [...(v as Set<number>)] : v))];
  const m = new BatchMeta();
  const blocks: [number, number][] = [];
  for (let i = 0; i < layout.dictCount; i++) blocks.push([layout.dictBlocks + BLOCK_SIZE * i, HEADER_DICTIONARY_BATCH]);
  for (let i = 0; i < layout.batchCount; i++) blocks.push([layout.batchBlocks + BLOCK_SIZE * i, HEADER_RECORD_BATCH]);
  for (const [block, header] of blocks) {
    if (!readBatchMessage(dv, readI64(dv, block), layout.footerStart, header, m)) return null;
    const nums: number[] = [header, m.version, m.length, m.bodyLength, m.dictionaryId, Number(m.isDelta)];
    for (let i = 0; i < 2 * m.nodeCount; i++) nums.push(readI64(dv, m.nodes + 8 * i));
    // An empty buffer's offset is read by no one: any value in the body is the same file.
    for (let i = 0; i < m.bufferCount; i++) {
      const len = readI64(dv, m.buffers + 16 * i + 8);
      nums.push(len === 0 ? 0 : readI64(dv, m.buffers + 16 * i), len);
    }
    parts.push(nums.join(','), Buffer.from(bytes.buffer, bytes.byteOffset + m.bodyStart, m.bodyLength).toString('hex'));
  }
  return parts.join('|');
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message.slice(0, 200)}` : String(e);
}
