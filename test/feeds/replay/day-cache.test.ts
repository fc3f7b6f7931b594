/**
 * Day cache on real files. Invariants: a cached replay reports byte-for-byte what the first replay did
 * (data-quality section included), on one thread or the pool; a changed day is rebuilt; a corrupted
 * cache file is rebuilt with a warning; the cache lives outside the data folder.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest } from '../../../src/app/backtest.js';
import { resolveConfig } from '../../../src/core/config.js';
import { encodeScans } from '../../../src/feeds/replay/arrow-scan.codec.js';
import { DayCache, defaultCacheRoot } from '../../../src/feeds/replay/day-cache.js';
import { reportToJson } from '../../../src/report/report-json.js';
import { WorkerPool } from '../../../src/workers/pool.js';
import { dolphin } from '../../support/cli.js';
import { synthScans, writeFactors, writeScannerLayout } from '../../support/synthetic-scans.js';

let root: string;
let data: string;
const config = resolveConfig({ warmupBars: 5, volWindow: 10, alignWindow: 10, minAlignment: 0, calibrationDays: 1, maxHoldBars: 20 });
const scans = synthScans({ n: 1200, seed: 21, cadenceSec: 150 });

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-cache-'));
  data = join(root, 'data');
  const paths = writeScannerLayout(data, scans);
  // Imperfections the cache must remember: a truncated file, a malformed row, a duplicate, a conflict.
  writeFileSync(paths[5], readFileSync(paths[5]).subarray(0, 100));
  writeFileSync(join(data, '2026-01-05', 'malformed.arrow'), encodeScans([{ ...scans[9], timestampNs: scans[9].timestampNs + 1n, prices: scans[9].prices.slice(0, 2) }]));
  writeFileSync(join(data, '2026-01-05', 'copy.arrow'), encodeScans([scans[30]]));
  writeFileSync(join(data, '2026-01-06', 'conflict.arrow'), encodeScans([{ ...scans[900], velDiv: 0.5 }]));
  writeFactors(data, '2026-01-05', { dvol_btc: 60 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = async (cacheRoot: string | undefined, pool?: WorkerPool, folders?: string[], warnings?: string[]) =>
  reportToJson((await backtest(data, config, { cacheRoot, pool, onWarning: (m) => warnings?.push(m) })).report);

describe('day cache', () => {
  it('first and cached replays give byte-identical reports, serial and on the pool', async () => {
    const uncached = await run(undefined);
    const rep = JSON.parse(uncached);
    expect(rep.dataQuality.skippedFiles).toHaveLength(1);
    expect(rep.dataQuality.malformedRows).toHaveLength(1);
    expect(rep.dataQuality.duplicatesDropped).toBe(1);
    expect(rep.dataQuality.conflictsDropped).toBe(2);
    const cacheRoot = join(root, 'cache1');
    expect(await run(cacheRoot)).toBe(uncached); // builds
    expect(readdirSync(join(new DayCache(cacheRoot, data).dir)).sort()).toEqual(['2026-01-05.arrow', '2026-01-05.json', '2026-01-06.arrow', '2026-01-06.json', '2026-01-07.arrow', '2026-01-07.json']);
    expect(await run(cacheRoot)).toBe(uncached); // reads
    const pool = new WorkerPool(2);
    try {
      expect(await run(join(root, 'cache2'), pool)).toBe(uncached);
      expect(await run(join(root, 'cache2'), pool)).toBe(uncached);
    } finally {
      await pool.destroy();
    }
  });

  it('rebuilds a changed day and a corrupted cache file (with a warning), reporting the same', async () => {
    const cacheRoot = join(root, 'cache3');
    const first = await run(cacheRoot);
    const cache = new DayCache(cacheRoot, data);
    const day1 = join(cache.dir, '2026-01-06.arrow');
    const before = readFileSync(day1);
    // A changed mtime in the day's folder makes the day stale: rebuilt, and the replay still agrees.
    const f = join(data, '2026-01-06', readdirSync(join(data, '2026-01-06'))[0]);
    utimesSync(f, new Date(2e12), new Date(2e12));
    const r = dolphin(['cache', 'verify', data, '--cache', cacheRoot]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/2026-01-05\s+fresh\n2026-01-06\s+stale/);
    expect(await run(cacheRoot)).toBe(first);
    expect(readFileSync(day1).equals(before)).toBe(true);
    // Corrupt the cached file: rebuilt with a warning naming it.
    writeFileSync(day1, before.subarray(0, 500));
    const warnings: string[] = [];
    expect(await run(cacheRoot, undefined, undefined, warnings)).toBe(first);
    expect(warnings.join('\n')).toMatch(/cache file for 2026-01-06 is corrupt .*rebuilding/);
    expect(dolphin(['cache', 'verify', data, '--cache', cacheRoot]).code).toBe(0);
  });

  it('lives outside the data folder; dolphin cache build and clear work', () => {
    expect(defaultCacheRoot({ XDG_CACHE_HOME: '/x/y' })).toBe('/x/y/dolphin');
    expect(defaultCacheRoot({ HOME: '/h' }).endsWith('/.cache/dolphin')).toBe(true);
    const cacheRoot = join(root, 'cache4');
    const b = dolphin(['cache', 'build', data, '--cache', cacheRoot, '--quiet', '--workers', '1']);
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/2026-01-05\s+built/);
    expect(dolphin(['cache', 'build', data, '--cache', cacheRoot, '--quiet']).stdout).toMatch(/2026-01-05\s+hit/);
    expect(readdirSync(data).some((n) => n.includes('cache'))).toBe(false);
    const c = dolphin(['cache', 'clear', data, '--cache', cacheRoot]);
    expect(c.code).toBe(0);
    expect(existsSync(new DayCache(cacheRoot, data).dir)).toBe(false);
  });
});
