/**
 * The column day cache against the one-shot assembly, on real files. Invariants: cached (first and
 * second pass) and uncached replays give byte-identical reports on this thread and on pools of 1 and 3
 * workers, for a folder mixing daily files and date folders whose universes differ from day to day;
 * units that overlap in time (a scan filed in the wrong day's folder) fall back to the one-shot assembly
 * and still agree. Streamed replays (a window sliding unit by unit) give the same bytes as one-shot ones,
 * cached or not, serial or pooled, with feature windows longer than a unit and multi-day calibration.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest } from '../../../src/app/backtest.js';
import { resolveConfig } from '../../../src/core/config.js';
import { dayOf, type ScanRecord } from '../../../src/core/scan.js';
import { encodeScans } from '../../../src/feeds/replay/arrow-scan.codec.js';
import { reportToJson } from '../../../src/report/report-json.js';
import { WorkerPool } from '../../../src/workers/pool.js';
import { synthScans, writeDailyLayout, writeScannerLayout } from '../../support/synthetic-scans.js';

let root: string;
const config = resolveConfig({ warmupBars: 5, volWindow: 10, alignWindow: 10, minAlignment: 0, calibrationDays: 1, maxHoldBars: 20 });
const base = synthScans({ n: 1400, seed: 33, cadenceSec: 240, assets: 10 });
const days = [...new Set(base.map((s) => dayOf(s.timestampNs)))];
/** The universe changes: the last symbol is missing on the first day, a new one trades from the third. */
const scans: ScanRecord[] = base.map((s) => {
  const d = days.indexOf(dayOf(s.timestampNs));
  let assets = [...s.assets];
  let prices = Array.from(s.prices);
  if (d === 0) {
    assets = assets.slice(0, -1);
    prices = prices.slice(0, -1);
  }
  if (d >= 2) {
    assets.push('ZZNEWUSDT');
    prices.push(5 + (Number(s.timestampNs % 1000n) / 1000));
  }
  return { ...s, assets, prices: Float64Array.from(prices) };
});

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-colcache-'));
  expect(days.length).toBeGreaterThanOrEqual(4);
  const mixed = join(root, 'mixed');
  writeDailyLayout(mixed, scans.filter((s) => dayOf(s.timestampNs) < days[2]));
  writeScannerLayout(mixed, scans.filter((s) => dayOf(s.timestampNs) >= days[2]));
  const overlap = join(root, 'overlap');
  writeScannerLayout(overlap, scans);
  // a scan of the third day filed (as a copy) under the second day's folder: the two units overlap in time
  const stray = scans.find((s) => dayOf(s.timestampNs) === days[2])!;
  const folder = join(overlap, new Date(days[1] * 86_400_000).toISOString().slice(0, 10));
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'zz-stray.arrow'), encodeScans([stray]));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const report = async (dir: string, cacheRoot?: string, pool?: WorkerPool, folders?: string[], stream: boolean | 'auto' = false, cfg = config): Promise<string> =>
  reportToJson((await backtest(join(root, dir), cfg, { cacheRoot, pool, onFolder: (f, s) => folders?.push(s), stream })).report);

describe('column day cache', () => {
  it('agrees with the one-shot assembly: mixed layouts, changing universe, workers 0, 1 and 3, first and cached pass', async () => {
    const reference = await report('mixed');
    const rep = JSON.parse(reference);
    expect(rep.dataQuality.scansAccepted).toBe(scans.length);
    const statuses: string[] = [];
    expect(await report('mixed', join(root, 'c0'), undefined, statuses)).toBe(reference);
    expect(await report('mixed', join(root, 'c0'), undefined, statuses)).toBe(reference);
    expect(statuses.filter((s) => s === 'built').length).toBe(statuses.filter((s) => s === 'hit').length);
    for (const workers of [1, 3]) {
      const pool = new WorkerPool(workers);
      try {
        expect(await report('mixed', undefined, pool)).toBe(reference);
        expect(await report('mixed', join(root, `c${workers}`), pool)).toBe(reference);
        expect(await report('mixed', join(root, `c${workers}`), pool)).toBe(reference);
      } finally {
        await pool.destroy();
      }
    }
  });

  it('units overlapping in time fall back to the one-shot assembly (duplicate merged, as without cache)', async () => {
    const reference = await report('overlap');
    expect(JSON.parse(reference).dataQuality.duplicatesDropped).toBe(1);
    expect(await report('overlap', join(root, 'o'))).toBe(reference);
    expect(await report('overlap', join(root, 'o'))).toBe(reference);
  });

  it('streamed replays give the one-shot bytes: cached or not, serial or pooled, long windows, auto calibration over 2 days', async () => {
    const long = resolveConfig({ warmupBars: 5, volWindow: 40, alignWindow: 500, minAlignment: -1, calibrationDays: 2, maxHoldBars: 30, velDivThreshold: 0 });
    for (const cfg of [config, long]) {
      const reference = await report('mixed', undefined, undefined, undefined, false, cfg);
      expect(JSON.parse(reference).trades.length).toBeGreaterThan(0);
      expect(await report('mixed', undefined, undefined, undefined, true, cfg)).toBe(reference);
      expect(await report('mixed', join(root, 's0'), undefined, undefined, true, cfg)).toBe(reference);
      expect(await report('mixed', join(root, 's0'), undefined, undefined, true, cfg)).toBe(reference);
      const pool = new WorkerPool(2);
      try {
        expect(await report('mixed', undefined, pool, undefined, true, cfg)).toBe(reference);
        expect(await report('mixed', join(root, 's2'), pool, undefined, true, cfg)).toBe(reference);
      } finally {
        await pool.destroy();
      }
    }
    // overlapping units cannot stream: the one-shot path takes over, same bytes
    expect(await report('overlap', join(root, 'so'), undefined, undefined, true)).toBe(await report('overlap'));
  });
});
