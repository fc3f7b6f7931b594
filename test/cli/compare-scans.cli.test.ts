/**
 * `dolphin compare-scans` through the real CLI. Invariants: a folder against its own rescan matches every
 * scan, features agree to rounding (correlation 1) and the gate and backtest agree; another window set
 * disagrees measurably (lower correlation, gate openings on one side only); scans shifted by less than
 * half the cadence still match; JSON and Markdown carry the same figures; bad flags exit 2.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rescan } from '../../src/app/rescan.js';
import { readOrderedScans } from '../../src/feeds/scan-folder/scan-folder-reader.js';
import { ScanFileWriter } from '../../src/feeds/scan-folder/scan-file-writer.js';
import { writeDataset } from '../../src/generator/write-dataset.js';
import type { ScanComparison } from '../../src/report/scan-agreement-render.js';
import { dolphin } from '../support/cli.js';

let root: string;
let gen: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-cmpscans-'));
  gen = join(root, 'gen');
  writeDataset({ out: gen, layout: 'scanner', seed: 5, days: 2, assets: 12, startDay: '2026-03-02', cadenceMs: 60_000 });
  rescan({ dir: gen, out: join(root, 'same') });
  rescan({ dir: gen, out: join(root, 'other'), windows: [20, 60, 150, 400] });
  // the rescan, every scan 20 s later (under half the 60 s cadence)
  const s = readOrderedScans(join(root, 'same'));
  const w = new ScanFileWriter(join(root, 'shifted'));
  for (let i = 0; i < s.count; i++) {
    const r = s.record(i);
    w.write({ ...r, timestampNs: r.timestampNs + 20_000_000_000n });
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = (...args: string[]): ScanComparison => {
  const r = dolphin(['compare-scans', ...args, '--json', '--no-cache']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ScanComparison;
};

describe('dolphin compare-scans', () => {
  it('a folder and its rescan agree to rounding, gate and backtest included', () => {
    const c = run(gen, join(root, 'same'));
    expect(c.agreement.matched).toBe(2880);
    expect(c.agreement.unmatchedA + c.agreement.unmatchedB).toBe(0);
    for (const f of c.agreement.features) {
      expect(f.correlation, f.name).toBeGreaterThan(0.999999);
      expect(f.maxAbsDiff!, f.name).toBeLessThan(1e-6);
    }
    expect(c.agreement.prices.maxRelDiff).toBe(0);
    expect(c.agreement.gate.crossingsOnlyA + c.agreement.gate.crossingsOnlyB).toBe(0);
    expect(c.backtest?.a.trades).toBe(c.backtest?.b.trades);
    expect(['IDENTICAL', 'WITHIN_TOLERANCE']).toContain(c.backtest?.verdict);
  });

  it('other windows disagree measurably; shifted scans still match', () => {
    const c = run(join(root, 'same'), join(root, 'other'));
    const w50 = c.agreement.features.find((f) => f.name === 'w50_lambda_max')!;
    expect(w50.correlation!).toBeLessThan(0.999);
    expect(w50.maxAbsDiff!).toBeGreaterThan(0.01);
    expect(c.agreement.gate.crossingsOnlyA + c.agreement.gate.crossingsOnlyB).toBeGreaterThan(0);
    const s = run(join(root, 'same'), join(root, 'shifted'), '--cadence', '60s', '--no-backtest');
    expect(s.agreement.matched).toBe(2880);
    expect(s.agreement.medianOffsetMs).toBe(20_000);
    expect(s.agreement.features.every((f) => f.identical === f.pairs)).toBe(true);
    expect(s.backtest).toBeNull();
  });

  it('prints text and Markdown; bad flags exit 2', () => {
    const t = dolphin(['compare-scans', gen, join(root, 'same'), '--no-backtest', '--no-cache']);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('2880 scans matched');
    expect(t.stdout).toContain('entry gate (vel_div <= -0.02)');
    const md = dolphin(['compare-scans', gen, join(root, 'same'), '--md', '--no-cache']);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('# Scan comparison');
    expect(md.stdout).toContain('| w750_instability |');
    expect(md.stdout).toMatch(/Verdict of `compare`: \*\*(IDENTICAL|WITHIN_TOLERANCE)\*\*/);
    const bad = dolphin(['compare-scans', gen, join(root, 'same'), '--cadence', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--cadence');
    const missing = dolphin(['compare-scans', gen, join(root, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope');
  });
});
