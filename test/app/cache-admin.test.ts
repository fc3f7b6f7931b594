/**
 * The cache use cases as a library (what `dolphin cache` calls), on real files. Invariants: build caches
 * every date folder and top-level file and reports each once; verify (full check) calls a just built
 * cache fresh, a folder with a file added or rewritten stale, a truncated or bit-flipped cache file
 * corrupt; a second build rebuilds only what is not fresh; clear leaves every unit missing.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCache, clearCache, verifyCache } from '../../src/app/cache-admin.js';
import { encodeScans } from '../../src/feeds/replay/arrow-scan.codec.js';
import { WorkerPool } from '../../src/workers/pool.js';
import { synthScans, writeScannerLayout } from '../support/synthetic-scans.js';

let root: string;
let data: string;
const scans = synthScans({ n: 900, seed: 5, cadenceSec: 200 });

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-cache-admin-'));
  data = join(root, 'data');
  writeScannerLayout(data, scans);
  writeFileSync(join(data, 'loose.arrow'), encodeScans([{ ...scans[0], timestampNs: scans[0].timestampNs - 1_000_000_000n }]));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const statuses = (rows: readonly { folder: string; status: string }[]): string[] => rows.map((r) => `${r.folder}:${r.status}`);

describe('cache admin', () => {
  it('build, verify, rebuild what changed, clear', async () => {
    const cacheRoot = join(root, 'cache');
    const days = readdirSync(data).filter((d) => /^\d{4}-\d\d-\d\d$/.test(d)).sort();
    expect(days.length).toBeGreaterThanOrEqual(3);
    const pool = new WorkerPool(2);
    let built;
    try {
      built = await buildCache(data, cacheRoot, { pool });
    } finally {
      await pool.destroy();
    }
    expect(statuses(built.folders)).toEqual([...days.map((d) => `${d}:built`), 'loose.arrow:built']);
    expect(statuses(verifyCache(data, cacheRoot).folders)).toEqual([...days.map((d) => `${d}:fresh`), 'loose.arrow:fresh']);

    // A file added to the first day, a file of the last day rewritten in place: both stale, nothing else.
    const [first, last] = [days[0], days[days.length - 1]];
    writeFileSync(join(data, first, 'added.arrow'), encodeScans([{ ...scans[1], timestampNs: scans[1].timestampNs + 1n }]));
    const victim = join(data, last, readdirSync(join(data, last)).sort()[0]);
    writeFileSync(victim, readFileSync(victim));
    utimesSync(victim, new Date(2e12), new Date(2e12));
    expect(statuses(verifyCache(data, cacheRoot).folders)).toEqual([...days.map((d) => `${d}:${d === first || d === last ? 'stale' : 'fresh'}`), 'loose.arrow:fresh']);

    // A truncated cache file and one with a flipped byte in its columns are corrupt, with the file named.
    const v = verifyCache(data, cacheRoot);
    const mid = days[1];
    const cols = join(v.cacheDir, `${mid}.cols`);
    writeFileSync(cols, readFileSync(cols).subarray(0, 300));
    const loose = join(v.cacheDir, 'loose.arrow.cols');
    const bytes = readFileSync(loose);
    bytes[bytes.length - 100] ^= 0x10;
    writeFileSync(loose, bytes);
    const rows = verifyCache(data, cacheRoot).folders;
    const row = rows.find((r) => r.folder === mid)!;
    expect(row.status).toBe('corrupt');
    expect(row.reason).toContain(cols);
    const flipped = rows.find((r) => r.folder === 'loose.arrow')!;
    expect(flipped.status).toBe('corrupt');
    expect(flipped.reason).toMatch(/body checksum .* does not match/);
    const warnings: string[] = [];
    const again = await buildCache(data, cacheRoot, { onWarning: (m) => warnings.push(m) });
    expect(statuses(again.folders)).toEqual([...days.map((d) => `${d}:${d === first || d === last || d === mid ? 'built' : 'hit'}`), 'loose.arrow:built']);
    expect(warnings.join('\n')).toMatch(new RegExp(`cache file for ${mid} is corrupt`));
    expect(warnings.join('\n')).toMatch(/cache file for loose.arrow is corrupt .*body checksum/);
    expect(statuses(verifyCache(data, cacheRoot).folders)).toEqual([...days.map((d) => `${d}:fresh`), 'loose.arrow:fresh']);

    expect(clearCache(data, cacheRoot)).toBe(v.cacheDir);
    expect(statuses(verifyCache(data, cacheRoot).folders)).toEqual([...days.map((d) => `${d}:missing`), 'loose.arrow:missing']);
  });
});
