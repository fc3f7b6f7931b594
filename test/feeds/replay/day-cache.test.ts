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
import { readColumnHeader } from '../../../src/feeds/replay/column-file.js';
import { DayCache, defaultCacheRoot, isClosedDay } from '../../../src/feeds/replay/day-cache.js';
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
  reportToJson((await backtest(data, config, { cacheRoot, pool, onWarning: (m) => warnings?.push(m), onFolder: (f, s) => folders?.push(`${f}:${s}`) })).report);

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
    expect(readdirSync(join(new DayCache(cacheRoot, data).dir)).sort()).toEqual(['2026-01-05.cols', '2026-01-06.cols', '2026-01-07.cols']);
    expect(await run(cacheRoot)).toBe(uncached); // reads
    const pool = new WorkerPool(2);
    try {
      expect(await run(join(root, 'cache2'), pool)).toBe(uncached);
      expect(await run(join(root, 'cache2'), pool)).toBe(uncached);
    } finally {
      await pool.destroy();
    }
  });

  it('closed days: a file added is seen, one rewritten in place only by the full check; corrupt files are rebuilt', async () => {
    const cacheRoot = join(root, 'cache3');
    const first = await run(cacheRoot);
    const cache = new DayCache(cacheRoot, data);
    const day1 = join(cache.dir, '2026-01-06.cols');
    const checksumBefore = readColumnHeader(day1).header.checksum;
    // A file of a closed day rewritten in place (same name, new mtime): the folder's listing is unchanged,
    // so a replay trusts the cache (the documented rule); the full check of `cache verify` sees it.
    const f = join(data, '2026-01-06', readdirSync(join(data, '2026-01-06'))[0]);
    utimesSync(f, new Date(2e12), new Date(2e12));
    const folders: string[] = [];
    expect(await run(cacheRoot, undefined, folders)).toBe(first);
    expect(folders).toEqual(['2026-01-05:hit', '2026-01-06:hit', '2026-01-07:hit']);
    const r = dolphin(['cache', 'verify', data, '--cache', cacheRoot]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/2026-01-05\s+fresh\n2026-01-06\s+stale/);
    // `cache build` checks every file: rebuilds the day, to the same bytes (its content did not change).
    expect(dolphin(['cache', 'build', data, '--cache', cacheRoot, '--quiet', '--workers', '1']).stdout).toMatch(/2026-01-06\s+built/);
    expect(readColumnHeader(day1).header.checksum).toBe(checksumBefore);
    // A file added to a closed day changes the folder's listing: the replay sees it and rebuilds the day.
    const extra = join(data, '2026-01-06', 'zz-extra.arrow');
    writeFileSync(extra, encodeScans([{ ...scans[1000], timestampNs: scans[1000].timestampNs + 1n }]));
    try {
      const uncached = await run(undefined);
      folders.length = 0;
      expect(await run(cacheRoot, undefined, folders)).toBe(uncached);
      expect(folders).toContain('2026-01-06:built');
      expect(JSON.parse(uncached).dataQuality.filesRead).toBe(JSON.parse(first).dataQuality.filesRead + 1);
    } finally {
      rmSync(extra);
    }
    expect(await run(cacheRoot)).toBe(first);
    // A truncated cache file and one with a flipped bit in its columns: rebuilt with a warning naming them.
    writeFileSync(day1, readFileSync(day1).subarray(0, 500));
    const day2 = join(cache.dir, '2026-01-07.cols');
    const bytes = readFileSync(day2);
    bytes[bytes.length - 64] ^= 0x01;
    writeFileSync(day2, bytes);
    const warnings: string[] = [];
    expect(await run(cacheRoot, undefined, undefined, warnings)).toBe(first);
    expect(warnings.join('\n')).toMatch(/cache file for 2026-01-06 is corrupt .*rebuilding/);
    expect(warnings.join('\n')).toMatch(/cache file for 2026-01-07 is corrupt .*body checksum/);
    expect(dolphin(['cache', 'verify', data, '--cache', cacheRoot]).code).toBe(0);
  });

  it('calls a day folder closed two UTC days after its date, nothing else', () => {
    const unit = (name: string, kind: 'folder' | 'file' = 'folder') => ({ name, kind, rels: [], mtimeMs: 0, files: () => [] });
    const now = Date.parse('2026-03-10T12:00:00Z');
    expect(isClosedDay(unit('2026-03-08'), now)).toBe(true);
    expect(isClosedDay(unit('scans/2026-03-07'), now)).toBe(true);
    expect(isClosedDay(unit('2026-03-09'), now)).toBe(false);
    expect(isClosedDay(unit('2026-03-10'), now)).toBe(false);
    expect(isClosedDay(unit('2026-03-08', 'file'), now)).toBe(false);
    expect(isClosedDay(unit('misc'), now)).toBe(false);
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
