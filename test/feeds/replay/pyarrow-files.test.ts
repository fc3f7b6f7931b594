/**
 * Files as the external scanner's pyarrow writes them (fixtures/pyarrow, written by write_fixtures.py
 * with pyarrow 26.0.1): the file check must accept what a real writer produces, not only what
 * apache-arrow writes. Invariants: one-scan files, a multi-batch day file (its sliced batches keep
 * buffers longer than their values) and the same day with dictionary-encoded symbols are read without a
 * skipped file or malformed row; the three layouts give the same scans (timestamps, symbols, prices with
 * nulls as NaN, vel_div); the template fast path and apache-arrow agree on the one-scan files.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFile, loadScanDirectory } from '../../../src/feeds/replay/load-scan-directory.js';
import { listScanFiles } from '../../../src/feeds/replay/scan-directory.js';
import { TemplateDecoder } from '../../../src/feeds/replay/template-decoder.js';

const FIX = join(import.meta.dirname, 'fixtures', 'pyarrow');

/** Every scan of a folder as comparable plain values. */
function scansOf(dir: string): { ts: string; velDiv: number; prices: Record<string, number> }[] {
  const data = loadScanDirectory(dir, { strict: true });
  expect(data.dataQuality.skippedFiles).toEqual([]);
  expect(data.dataQuality.malformedRows).toEqual([]);
  const s = data.store;
  const out = [];
  for (let t = 0; t < s.n; t++) {
    const prices: Record<string, number> = {};
    for (let id = 0; id < s.symbols.length; id++) {
      const p = s.price(t, id);
      if (!Number.isNaN(p)) prices[s.symbols[id]!] = p;
    }
    out.push({ ts: s.ts[t]!.toString(), velDiv: s.velDiv[t]!, prices });
  }
  return out;
}

describe('files written by pyarrow', () => {
  it('a multi-batch day file and its dictionary-encoded twin are read whole and alike', () => {
    const daily = scansOf(join(FIX, 'daily'));
    expect(daily).toHaveLength(120);
    expect(Object.keys(daily[1]!.prices).length).toBeGreaterThan(15);
    expect(daily.filter((s) => Number.isNaN(s.velDiv)).length).toBe(8);
    expect(scansOf(join(FIX, 'daily-dict'))).toEqual(daily);
  });

  it('one-scan files equal the first scans of the day file, on the template path and through apache-arrow', () => {
    const scanner = scansOf(join(FIX, 'scanner'));
    expect(scanner).toEqual(scansOf(join(FIX, 'daily')).slice(0, 3));
    const files = listScanFiles(join(FIX, 'scanner'));
    const template = new TemplateDecoder();
    for (const f of files) {
      const fast = decodeFile(f, template);
      const slow = decodeFile(f);
      expect(fast.n).toBe(1);
      expect([...fast.prices]).toEqual([...slow.prices]);
      expect(fast.ts[0]).toBe(slow.ts[0]);
    }
  });
});
