/**
 * Parallel replay on the real piscina pool (dist/ worker entry). Invariants: the report is byte-identical
 * for 1, 2 and 3 workers and for the serial path, data-quality section included; feature columns
 * computed in index ranges equal the lazy serial values bit for bit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest } from '../../src/app/backtest.js';
import { resolveConfig } from '../../src/core/config.js';
import { FeatureCalc } from '../../src/core/features.js';
import { encodeScans } from '../../src/feeds/replay/arrow-scan.codec.js';
import { loadScanDirectory } from '../../src/feeds/replay/load-scan-directory.js';
import { reportToJson } from '../../src/report/report-json.js';
import { chunkFiles, computeFeaturesParallel } from '../../src/workers/parallel-replay.js';
import { WorkerPool } from '../../src/workers/pool.js';
import { listScanFiles } from '../../src/feeds/replay/scan-directory.js';
import { synthScans, writeFactors, writeScannerLayout } from '../support/synthetic-scans.js';

let dir: string;
const config = resolveConfig({ warmupBars: 5, volWindow: 10, alignWindow: 10, minAlignment: 0, calibrationDays: 1, maxHoldBars: 20 });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dolphin-par-'));
  const scans = synthScans({ n: 1500, seed: 11, cadenceSec: 120 });
  writeScannerLayout(dir, scans);
  writeFileSync(join(dir, '2026-01-05', 'dup.arrow'), encodeScans([scans[7]]));
  writeFileSync(join(dir, '2026-01-06', 'broken.arrow'), 'ARROW1 but not really');
  writeFactors(dir, '2026-01-06', { dvol_btc: 70 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parallel replay', () => {
  it('gives byte-identical reports for the serial path and 1, 2, 3 workers', async () => {
    const serial = reportToJson((await backtest(dir, config)).report);
    expect(JSON.parse(serial).metrics.trades).toBeGreaterThan(0);
    expect(JSON.parse(serial).dataQuality.skippedFiles).toHaveLength(1);
    expect(JSON.parse(serial).dataQuality.duplicatesDropped).toBe(1);
    for (const n of [1, 2, 3]) {
      const pool = new WorkerPool(n);
      try {
        const par = reportToJson((await backtest(dir, config, { pool })).report);
        expect(par).toBe(serial);
      } finally {
        await pool.destroy();
      }
    }
  });

  it('computes feature columns in ranges bit-identical to the lazy serial values', async () => {
    const replay = loadScanDirectory(dir);
    const pool = new WorkerPool(2);
    try {
      const cols = await computeFeaturesParallel(replay.store, config, pool);
      const f = new FeatureCalc(replay.store, config);
      for (let t = 0; t < replay.store.n; t++) {
        expect(Object.is(cols.market![t], f.marketReturn(t))).toBe(true);
        expect(Object.is(cols.btcVol[t], f.btcVol(t))).toBe(true);
      }
    } finally {
      await pool.destroy();
    }
  });

  it('never puts two folders in one decode task', () => {
    const chunks = chunkFiles(listScanFiles(dir), 100);
    for (const c of chunks) expect(new Set(c.map((f) => f.rel.split('/')[0])).size).toBe(1);
    expect(chunks.reduce((s, c) => s + c.length, 0)).toBe(1502);
  });
});
