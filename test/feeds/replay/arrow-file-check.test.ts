/**
 * Damaged Arrow scan files (issue 8, class 1) against the file check, on every path. Invariants:
 * - a file apache-arrow would loop on (a record batch block pointing at the dictionary batch or at the
 *   leading schema) is skipped by name, serial and on the pool, cached or not; --strict makes it fatal;
 * - a file whose lengths make apache-arrow read zeros, NaN or a glued symbol is refused (or its row is
 *   malformed), never decoded to altered values;
 * - a file without rows is named in skippedFiles; a file whose rows are all malformed names each row;
 * - the template fast path and apache-arrow refuse exactly the same files, with the same reasons;
 * - the cached and uncached paths accept and refuse exactly the same files (same data-quality record);
 * - a scan listing more than MAX_ASSETS_PER_SCAN assets is a malformed row, decoded in linear time.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest } from '../../../src/app/backtest.js';
import { resolveConfig } from '../../../src/core/config.js';
import { ScanFormatError } from '../../../src/core/errors.js';
import { MAX_ASSETS_PER_SCAN, MAX_TEXT_FIELD_LENGTH } from '../../../src/core/scan-limits.js';
import { decodeScans, encodeScans } from '../../../src/feeds/replay/arrow-scan.codec.js';
import { loadReplay } from '../../../src/feeds/replay/load-replay.js';
import { loadScanDirectory } from '../../../src/feeds/replay/load-scan-directory.js';
import { ScanBatchBuilder } from '../../../src/feeds/replay/scan-batch-builder.js';
import { TemplateDecoder, decodeScanFileInto, sameBatch } from '../../../src/feeds/replay/template-decoder.js';
import { reportToJson } from '../../../src/report/report-json.js';
import { WorkerPool } from '../../../src/workers/pool.js';
import { loadScanDirectoryParallel } from '../../../src/workers/parallel-replay.js';
import {
  batchBlockOnDictionary,
  batchBlockOnSchema,
  batchLengthZero,
  gluedSymbol,
  noRecordBatch,
  priceBufferEmpty,
  pricesNullWithoutBitmap,
  scanNumberBufferEmpty,
} from '../../support/arrow-mutants.js';
import { synthScans, writeFactors, writeScannerLayout } from '../../support/synthetic-scans.js';

const scans = synthScans({ n: 300, seed: 8, cadenceSec: 300 });
const good = scans[0];
const config = resolveConfig({ warmupBars: 5, volWindow: 10, alignWindow: 10, minAlignment: 0, calibrationDays: 1, maxHoldBars: 20 });

/** Damaged files, by name, with what the reason must say. */
const BROKEN: readonly [string, () => Uint8Array, RegExp][] = [
  ['loops-on-dictionary.arrow', () => batchBlockOnDictionary(good), /record batch 0: the message at 8 is not a readable record batch/],
  ['spins-on-schema.arrow', () => batchBlockOnSchema(good), /record batch 0: block offset 8 is outside the messages/],
  ['nan-prices.arrow', () => priceBufferEmpty(good), /column "asset_prices\.item": data buffer shorter than 8 float64 values/],
  ['null-prices.arrow', () => pricesNullWithoutBitmap(good), /column "asset_prices\.item": validity bitmap shorter than its 8 values/],
  ['scan-number-0.arrow', () => scanNumberBufferEmpty(good), /column "scan_number": data buffer shorter than 1 int64 values/],
  ['no-batch.arrow', () => noRecordBatch(good), /not the end-of-stream marker/],
  ['length-0.arrow', () => batchLengthZero(good), /column "scan_number" has 1 values, expected 0/],
  ['empty.arrow', () => encodeScans([]), /the file holds no scan \(0 rows\)/],
];

/** What decodeScans throws (its reason), or null. */
function refusal(bytes: Uint8Array): string | null {
  try {
    decodeScans(bytes, 'f.arrow');
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(ScanFormatError);
    return (e as ScanFormatError).reason;
  }
}

let root: string;
let data: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-check-'));
  data = join(root, 'data');
  writeScannerLayout(data, scans);
  for (const [name, make] of BROKEN) writeFileSync(join(data, '2026-01-05', name), make());
  // One file whose only row is malformed by the scan format's bounds: named by row, not skipped.
  writeFileSync(join(data, '2026-01-05', 'glued.arrow'), gluedSymbol({ ...scans[5], timestampNs: scans[5].timestampNs + 1n }, 2));
  writeFileSync(join(data, '2026-01-05', 'long-iso.arrow'), encodeScans([{ ...scans[6], timestampNs: scans[6].timestampNs + 1n, timestampIso: 'x'.repeat(MAX_TEXT_FIELD_LENGTH + 1) }]));
  writeFactors(data, '2026-01-05', { dvol_btc: 60 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('Arrow file check', () => {
  it('refuses each damaged file before apache-arrow reads it, naming the column', () => {
    for (const [name, make, reason] of BROKEN) expect(refusal(make()), name).toMatch(reason);
  });

  it('flags a glued symbol (the next one left empty) as a malformed row, on both decoders alike', () => {
    const bytes = gluedSymbol(good, 2);
    const batch = decodeScans(bytes, 'g.arrow');
    expect(batch.symbols[2]).toBe(`${good.assets[2]}${good.assets[3]}`);
    expect(batch.malformed.get(0)).toBe('assets[3]: a symbol is empty');
    const d = new TemplateDecoder();
    expect(d.learn(encodeScans([good]))).toBe(true);
    const fast = d.decode(bytes, 'g.arrow');
    expect(fast).not.toBeNull();
    expect(sameBatch(fast!, batch)).toBe(true);
  });

  it('the template fast path refuses exactly what apache-arrow refuses, with the same reason', () => {
    const d = new TemplateDecoder();
    for (const s of [encodeScans([good]), encodeScans([good], { dictionary: true })]) expect(d.learn(s)).toBe(true);
    for (const [name, make] of BROKEN) {
      const bytes = make();
      expect(d.decode(bytes, 'f.arrow'), name).toBeNull();
      let viaTemplate: unknown = null;
      try {
        decodeScanFileInto(d, new ScanBatchBuilder(), bytes, 'f.arrow');
      } catch (e) {
        viaTemplate = e;
      }
      expect((viaTemplate as ScanFormatError).reason, name).toBe(refusal(bytes));
    }
  });

  it('a file apache-arrow loops on, among good ones, is skipped by name serially and on the pool; strict stops on it', async () => {
    const serial = loadScanDirectory(data);
    const skipped = serial.dataQuality.skippedFiles.map((f) => f.source);
    expect(skipped).toEqual(BROKEN.map(([name]) => `2026-01-05/${name}`).sort());
    expect(serial.store.n).toBe(scans.length);
    // The two rows outside the scan format are named by file and row.
    expect(serial.dataQuality.malformedRows).toEqual([
      { source: '2026-01-05/glued.arrow', row: 0, reason: 'assets[3]: a symbol is empty' },
      { source: '2026-01-05/long-iso.arrow', row: 0, reason: `timestamp_iso is ${MAX_TEXT_FIELD_LENGTH + 1} characters long (at most ${MAX_TEXT_FIELD_LENGTH})` },
    ]);
    const pool = new WorkerPool(2);
    try {
      const parallel = await loadScanDirectoryParallel(data, pool);
      expect(parallel.dataQuality).toEqual(serial.dataQuality);
      await expect(loadScanDirectoryParallel(data, pool, { strict: true })).rejects.toThrow(/2026-01-05\/\S+\.arrow: /);
    } finally {
      await pool.destroy();
    }
    expect(() => loadScanDirectory(data, { strict: true })).toThrow(/2026-01-05\/empty\.arrow: the file holds no scan/);
  });

  it('cached and uncached replays accept and refuse the same files: byte-identical reports', async () => {
    const uncached = reportToJson((await backtest(data, config)).report);
    const rep = JSON.parse(uncached);
    expect(rep.dataQuality.skippedFiles.map((f: { source: string }) => f.source)).toContain('2026-01-05/loops-on-dictionary.arrow');
    const cacheRoot = join(root, 'cache');
    expect(reportToJson((await backtest(data, config, { cacheRoot })).report)).toBe(uncached); // builds the cache
    expect(reportToJson((await backtest(data, config, { cacheRoot })).report)).toBe(uncached); // reads it
    const cached = await loadReplay(data, { cacheRoot, strict: false });
    expect(cached.dataQuality.skippedFiles).toEqual(rep.dataQuality.skippedFiles);
    await expect(loadReplay(data, { cacheRoot, strict: true })).rejects.toThrow(ScanFormatError);
  });

  it('a 20,000-asset scan is a malformed row on both decoders, and the folder loads (linear interning)', () => {
    const assets = Array.from({ length: 20_000 }, (_, i) => `S${i}USDT`);
    const big = { ...scans[7], timestampNs: scans[7].timestampNs + 1n, assets, prices: Float64Array.from(assets, (_, i) => i + 1) };
    const bytes = encodeScans([big]);
    const reason = `the scan lists 20000 assets (at most ${MAX_ASSETS_PER_SCAN})`;
    const batch = decodeScans(bytes, 'big.arrow');
    expect(batch.malformed.get(0)).toBe(reason);
    const d = new TemplateDecoder();
    expect(d.learn(encodeScans([good]))).toBe(true);
    expect(sameBatch(d.decode(bytes, 'big.arrow')!, batch)).toBe(true);
    const dir = join(root, 'big');
    writeScannerLayout(dir, scans.slice(0, 50));
    writeFileSync(join(dir, '2026-01-05', 'big.arrow'), bytes);
    const r = loadScanDirectory(dir);
    expect(r.dataQuality.malformedRows).toEqual([{ source: '2026-01-05/big.arrow', row: 0, reason }]);
    expect(r.store.symbols.length).toBe(good.assets.length);
  });

  it('a day whose every row is malformed caches as an empty day, named row by row, not as a corrupt cache', async () => {
    const dir = join(root, 'all-bad');
    mkdirSync(join(dir, '2026-02-01'), { recursive: true });
    writeFileSync(join(dir, '2026-02-01', 'a.arrow'), gluedSymbol({ ...good, timestampNs: good.timestampNs + 86_400_000_000_000n * 27n }, 1));
    writeScannerLayout(dir, scans.slice(0, 20));
    const warnings: string[] = [];
    const first = await loadReplay(dir, { cacheRoot: join(root, 'cache2'), onWarning: (w) => warnings.push(w) });
    const again = await loadReplay(dir, { cacheRoot: join(root, 'cache2'), onWarning: (w) => warnings.push(w) });
    expect(warnings.join("\n")).toBe("");
    expect(again.dataQuality.malformedRows).toEqual([{ source: '2026-02-01/a.arrow', row: 0, reason: 'assets[2]: a symbol is empty' }]);
    expect(again.dataQuality).toEqual(first.dataQuality);
  });
});
