/**
 * ScanBatchBuilder: decoding files one after another into a builder (template fast path or the
 * apache-arrow fallback) gives exactly mergeBatches of the per-file decodeScans batches: same columns,
 * symbol interning order, malformed rows, original file and row of each row.
 */
import { describe, expect, it } from 'vitest';
import { ScanFormatError } from '../../../src/core/errors.js';
import { decodeScans, encodeScans } from '../../../src/feeds/replay/arrow-scan.codec.js';
import { mergeBatches, type ScanBatch } from '../../../src/feeds/replay/scan-batch.js';
import { ScanBatchBuilder } from '../../../src/feeds/replay/scan-batch-builder.js';
import { TemplateDecoder, decodeScanFileInto, sameBatch } from '../../../src/feeds/replay/template-decoder.js';
import { synthScans } from '../../support/synthetic-scans.js';

const base = synthScans({ n: 12, seed: 3, assets: 20 });
const s = base[0];
const twice = { ...s, assets: [...s.assets.slice(0, 5), s.assets[2]], prices: s.prices.slice(0, 6) };
const short = { ...s, prices: s.prices.slice(0, 10) };
const other = { ...base[1], assets: [...base[1].assets].reverse(), prices: base[1].prices.slice().reverse() };

/** Files of a folder: one-scan files (same universe in a row, duplicates, short rows), other layouts, broken ones. */
function files(): { bytes: Uint8Array; name: string }[] {
  const list = [
    encodeScans([base[2]]),
    encodeScans([base[3]]),
    encodeScans([twice]),
    encodeScans([twice]),
    encodeScans([short]),
    encodeScans([base[4]]),
    encodeScans([other]),
    encodeScans([base[5], twice, base[6]]),
    encodeScans([base[7]], { dictionary: true }),
    encodeScans([base[8]]).slice(0, 300),
    encodeScans([base[9]], { rowSource: ['a/x.arrow'], rowIndex: Int32Array.of(4) }),
    encodeScans([base[10]]),
    encodeScans([base[10]]),
  ];
  return list.map((bytes, i) => ({ bytes, name: `d/f${String(i).padStart(2, '0')}.arrow` }));
}

/** The reference: each file decoded by apache-arrow, broken ones skipped, merged. */
function reference(fs: { bytes: Uint8Array; name: string }[]): ScanBatch[] {
  const out: ScanBatch[] = [];
  for (const f of fs) {
    try {
      out.push(decodeScans(f.bytes, f.name));
    } catch (e) {
      if (!(e instanceof ScanFormatError)) throw e;
    }
  }
  return out;
}

/** Decodes into one builder through a reused buffer (overwritten after each file), as the pool task does. */
function build(fs: { bytes: Uint8Array; name: string }[], shared: boolean): { batch: ScanBatch | null; skipped: string[] } {
  const d = new TemplateDecoder();
  const out = new ScanBatchBuilder({ rows: 2, items: 8, shared });
  const reused = Buffer.alloc(1 << 16);
  const skipped: string[] = [];
  for (const f of fs) {
    reused.set(f.bytes);
    const view = reused.subarray(0, f.bytes.length);
    try {
      decodeScanFileInto(d, out, view, f.name);
    } catch (e) {
      if (!(e instanceof ScanFormatError)) throw e;
      skipped.push(f.name);
    }
    reused.fill(0x5a);
  }
  return { batch: out.result('d/'), skipped };
}

describe('ScanBatchBuilder', () => {
  it('equals mergeBatches of the per-file batches, fast path and fallback mixed, shared or not', () => {
    const fs = files();
    const ref = mergeBatches(reference(fs), 'd/');
    for (const shared of [false, true]) {
      const { batch, skipped } = build(fs, shared);
      expect(skipped).toEqual(['d/f09.arrow']);
      expect(sameBatch(batch!, ref)).toBe(true);
      expect(batch!.malformed.size).toBeGreaterThan(2);
      expect(batch!.ts.buffer instanceof SharedArrayBuffer).toBe(shared);
    }
  });

  it('every prefix and suffix of the file list gives the same batch as merging (order of symbols)', () => {
    const fs = files();
    for (let i = 0; i <= fs.length; i++) {
      for (const part of [fs.slice(0, i), fs.slice(i)]) {
        const refs = reference(part);
        const { batch } = build(part, false);
        if (refs.length === 0) expect(batch).toBeNull();
        else if (refs.length === 1) expect(sameBatch(batch!, refs[0])).toBe(true);
        else expect(sameBatch(batch!, mergeBatches(refs, 'd/'))).toBe(true);
      }
    }
  });

  it('one file gives that file\'s own batch (no rowSource), as a task of one file did', () => {
    const bytes = encodeScans([base[2]]);
    const { batch } = build([{ bytes, name: 'd/one.arrow' }], false);
    expect(batch!.rowSource).toBeUndefined();
    expect(batch).toEqual(decodeScans(bytes, 'd/one.arrow'));
  });

  it('rollback forgets rows, entries, malformed rows, files and newly interned symbols', () => {
    const out = new ScanBatchBuilder();
    const a = decodeScans(encodeScans([base[2]]), 'a');
    const b = decodeScans(encodeScans([{ ...other, assets: ['NEWUSDT', ...other.assets.slice(1)] }, twice]), 'b');
    out.appendBatch(a);
    const before = out.finish('x');
    const gen = out.generation;
    const m = out.mark();
    out.appendBatch(b);
    out.rollback(m);
    expect(out.generation).not.toBe(gen);
    expect(sameBatch(out.finish('x'), before)).toBe(true);
    out.appendBatch(b);
    expect(sameBatch(out.finish('x'), mergeBatches([a, b], 'x'))).toBe(true);
  });
});
