/**
 * Distributed sweep job model, no cluster. Invariants: the dataset fingerprint depends on the scans and
 * factor records only (the same files in another folder, with other mtimes, agree; one changed price or
 * factor differs); the job id is the same for the same sweep and differs with the data, grid or chunk
 * size; the chunks cover every item exactly once, in order, and never span two datasets; a worker derives
 * the same items and keys from the job description (sweep or batch) as the submitter; a batch run's key
 * depends on the dataset's content and the config, not on the folder's name.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetFingerprint } from '../../src/app/distributed/dataset-fingerprint.js';
import { jobChunks, jobIdOf, jobItems, parseJob } from '../../src/app/distributed/sweep-job.js';
import { batchItems } from '../../src/app/batch.js';
import { loadReplayInput } from '../../src/app/replay-input.js';
import { parseGrid, sweepItems } from '../../src/app/sweep.js';
import { DEFAULT_CONFIG } from '../../src/core/config.js';
import { synthScans, writeDailyLayout, writeFactors } from '../support/synthetic-scans.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-distjob-'));
  const scans = synthScans({ n: 600, seed: 21, assets: 5, cadenceSec: 10 });
  writeDailyLayout(join(root, 'a'), scans);
  cpSync(join(root, 'a'), join(root, 'copy'), { recursive: true });
  for (const f of readdirSync(join(root, 'copy'))) utimesSync(join(root, 'copy', f), new Date(0), new Date(0));
  const changed = scans.map((s, i) => (i === 300 ? { ...s, prices: s.prices.map((p, k) => (k === 1 ? p * 1.0001 : p)) } : s));
  writeDailyLayout(join(root, 'changed'), changed);
  writeDailyLayout(join(root, 'factors'), scans);
  writeFactors(join(root, 'factors'), '2026-01-05', { funding_btc: 0.0001 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const fp = async (dir: string): Promise<string> => datasetFingerprint(await loadReplayInput(join(root, dir))).hash;

describe('dataset fingerprint', () => {
  it('is the same for the same scans in another folder and differs when a price or a factor differs', async () => {
    const a = await fp('a');
    expect(a).toMatch(/^[0-9a-f]{24}$/);
    expect(await fp('copy')).toBe(a);
    // through the day cache (its content-hash column, first pass and cached pass): the same
    const cacheRoot = join(root, 'cache');
    expect(datasetFingerprint(await loadReplayInput(join(root, 'a'), { cacheRoot })).hash).toBe(a);
    const cachedReplay = await loadReplayInput(join(root, 'a'), { cacheRoot });
    expect(cachedReplay.cached).toBeTruthy();
    expect(datasetFingerprint(cachedReplay).hash).toBe(a);
    expect(await fp('changed')).not.toBe(a);
    expect(await fp('factors')).not.toBe(a);
  });
});

describe('job description', () => {
  const grid = [parseGrid('takeProfitPct=0.004,0.008,0.012'), parseGrid('maxHoldBars=20,60')];
  const { items } = sweepItems(DEFAULT_CONFIG, grid);
  const keys = items.map((i) => i.key);
  const data = { hash: 'f'.repeat(24), scans: 1, firstTs: '1', lastTs: '1', dir: 'x' };
  const other = { ...data, hash: 'e'.repeat(24), dir: 'y' };

  it('has an id fixed by data, items and chunk size', () => {
    expect(jobIdOf([data], keys, 2)).toBe(jobIdOf([data], [...keys], 2));
    expect(jobIdOf([data], keys, 3)).not.toBe(jobIdOf([data], keys, 2));
    expect(jobIdOf([other], keys, 2)).not.toBe(jobIdOf([data], keys, 2));
    expect(jobIdOf([data, other], keys, 2)).not.toBe(jobIdOf([data], keys, 2));
    expect(jobIdOf([data], keys.slice(1), 2)).not.toBe(jobIdOf([data], keys, 2));
  });

  it('chunks cover every item once, in order, each on one dataset', () => {
    const parts = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2].map((part, i) => ({ part, i }));
    for (const size of [1, 2, 4, 6, 7, 20]) {
      const chunks = jobChunks(parts, size);
      expect(chunks.flatMap(([a, b]) => parts.slice(a, b).map((x) => x.i))).toEqual(parts.map((x) => x.i));
      for (const [a, b] of chunks) {
        expect(b - a).toBeGreaterThan(0);
        expect(b - a).toBeLessThanOrEqual(size);
        expect(new Set(parts.slice(a, b).map((x) => x.part)).size).toBe(1);
      }
    }
    expect(jobChunks(parts, 20)).toEqual([[0, 3], [3, 5], [5, 10]]);
    // a sweep (one dataset) chunks as before: full chunks of `size`, the last one shorter
    expect(jobChunks(keys.map(() => ({ part: 0 })), 4)).toEqual([[0, 4], [4, 6]]);
  });

  it('a worker derives the same items from the JSON description', () => {
    const job = { format: 2, id: 'j', title: 't', datasets: [data], work: { kind: 'sweep', base: DEFAULT_CONFIG, grid }, total: keys.length, chunkSize: 2, chunks: 3, leaseMs: 1000, createdAt: 0, state: 'running' };
    const parsed = parseJob('j', JSON.stringify(job));
    expect(jobItems(parsed).items.map((i) => i.key)).toEqual(keys);
    expect(() => parseJob('j', '{"format":1,"kind":"sweep","id":"j","grid":[]}')).toThrow(/job j .* not a sweep or batch job of format 2 \(format 1\)/);
    expect(() => parseJob('j', JSON.stringify({ ...job, work: { kind: 'batch' } }))).toThrow(/not a sweep or batch job/);
    expect(() => parseJob('j', 'nope')).toThrow(/job j .* is not JSON/);
  });

  it('a batch keys each run by dataset content and config, whatever the folder is called', () => {
    const a = { ...DEFAULT_CONFIG, takeProfitPct: 0.004 };
    const b = { ...DEFAULT_CONFIG, takeProfitPct: 0.008 };
    const runs = [
      { part: 0, label: 'a.json', config: a },
      { part: 0, label: 'b.json', config: b },
      { part: 1, label: 'a.json', config: a },
      { part: 1, label: 'b.json', config: b },
    ];
    const { items, overrides } = batchItems([data, other], runs);
    expect(new Set(items.map((i) => i.key)).size).toBe(4);
    expect(items.map((i) => i.part)).toEqual([0, 0, 1, 1]);
    expect(overrides.get(items[2].key)).toEqual({ data: 'y', config: 'a.json' });
    // the same content under another folder name: the same keys
    expect(batchItems([{ ...data, dir: 'z' }, other], runs).items.map((i) => i.key)).toEqual(items.map((i) => i.key));
    // the same data twice: the repeated runs are kept once
    expect(batchItems([data, data], runs).items).toHaveLength(2);
    const job = { format: 2, id: 'k', title: 't', datasets: [data, other], work: { kind: 'batch', runs }, total: 4, chunkSize: 3, chunks: 2, leaseMs: 1000, createdAt: 0, state: 'running' };
    const parsed = jobItems(parseJob('k', JSON.stringify(job)));
    expect(parsed.items.map((i) => i.key)).toEqual(items.map((i) => i.key));
    expect(jobChunks(parsed.items, 3)).toEqual([[0, 2], [2, 4]]);
  });
});

