/**
 * Distributed sweep job model, no cluster. Invariants: the dataset fingerprint depends on the scans and
 * factor records only (the same files in another folder, with other mtimes, agree; one changed price or
 * factor differs); the job id is the same for the same sweep and differs with the data, grid or chunk
 * size; the chunks cover every item exactly once, in order; a worker derives the same items and keys
 * from the job description as the submitter from its grid.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetFingerprint } from '../../src/app/distributed/dataset-fingerprint.js';
import { chunkItems, jobIdOf, jobItems, parseJob } from '../../src/app/distributed/sweep-job.js';
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
    expect(await fp('changed')).not.toBe(a);
    expect(await fp('factors')).not.toBe(a);
  });
});

describe('job description', () => {
  const grid = [parseGrid('takeProfitPct=0.004,0.008,0.012'), parseGrid('maxHoldBars=20,60')];
  const { items } = sweepItems(DEFAULT_CONFIG, grid);
  const keys = items.map((i) => i.key);
  const data = { hash: 'f'.repeat(24), scans: 1, firstTs: '1', lastTs: '1', dir: 'x' };

  it('has an id fixed by data, items and chunk size', () => {
    expect(jobIdOf(data, keys, 2)).toBe(jobIdOf(data, [...keys], 2));
    expect(jobIdOf(data, keys, 3)).not.toBe(jobIdOf(data, keys, 2));
    expect(jobIdOf({ ...data, hash: 'e'.repeat(24) }, keys, 2)).not.toBe(jobIdOf(data, keys, 2));
    expect(jobIdOf(data, keys.slice(1), 2)).not.toBe(jobIdOf(data, keys, 2));
  });

  it('chunks cover every item once, in order', () => {
    for (const size of [1, 2, 4, 6, 7]) {
      const chunks = Math.ceil(keys.length / size);
      expect(Array.from({ length: chunks }, (_, c) => chunkItems(keys, size, c)).flat()).toEqual(keys);
    }
  });

  it('a worker derives the same items from the JSON description', () => {
    const job = { format: 1, id: 'j', kind: 'sweep', title: 't', dataset: data, base: DEFAULT_CONFIG, grid, total: keys.length, chunkSize: 2, chunks: 3, leaseMs: 1000, createdAt: 0, state: 'running' };
    const parsed = parseJob('j', JSON.stringify(job));
    expect(jobItems(parsed).items.map((i) => i.key)).toEqual(keys);
    expect(() => parseJob('j', '{"format":9}')).toThrow(/job j .* not a sweep job of format 1/);
    expect(() => parseJob('j', 'nope')).toThrow(/job j .* is not JSON/);
  });
});

