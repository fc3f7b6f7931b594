/**
 * Walk-forward sweeps and overfitting statistics on generated markets with a known edge (real Arrow files,
 * the real CLI, headless chromium for sweep.html). Invariants:
 * - with a planted edge (X = 1) the walk-forward keeps a positive out-of-sample result, PBO is low and the
 *   deflated Sharpe is significant; with X = 0 PBO is several times higher and the DSR is not significant;
 * - no fold reads a scan after its training window: perturbing every scan after fold 1's training days
 *   leaves its calibration, candidates and choice unchanged (while its out-of-sample run does change);
 * - the CLI on the worker pool gives the same folds and statistics as the library on this thread;
 * - sweep.html renders in chromium without errors: walk-forward rows, stitched equity, heat map, logits.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReplayInput, type ReplayData } from '../../src/app/replay-input.js';
import { parseGrid, readSweep, sweepItems } from '../../src/app/sweep.js';
import { sweepToHtml } from '../../src/report/sweep-html.js';
import { runWalkForward, type WalkForwardResult } from '../../src/app/walk-forward.js';
import { DEFAULT_CONFIG } from '../../src/core/config.js';
import { ScanStore } from '../../src/core/scan-store.js';
import type { FoldOptions } from '../../src/core/walk-forward-folds.js';
import { writeDataset } from '../../src/generator/write-dataset.js';
import { browserSkipReason, launchChromium } from '../support/browser.js';
import { dolphin } from '../support/cli.js';

const GRID = ['maxHoldBars=5,30,250', 'takeProfitPct=0.003,0.01'];
const FOLDS: FoldOptions = { folds: 3, mode: 'rolling', trainDays: 2 };
let dir: string;
const data: Record<'edge' | 'flat', { path: string; replay: ReplayData; result: WalkForwardResult }> = {} as never;
const { items, overrides } = sweepItems(DEFAULT_CONFIG, GRID.map(parseGrid));

const run = (replay: ReplayData): Promise<WalkForwardResult> => runWalkForward({ replay, items, overrides, rank: 'roi', folds: FOLDS });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dolphin-wf-'));
  // 6 days of 10 assets at one scan a minute: 8640 scans each (small, so the whole file stays fast)
  for (const [name, edge] of [['edge', 1], ['flat', 0]] as const) {
    const path = join(dir, name);
    writeDataset({ out: path, days: 6, seed: 5, assets: 10, startDay: '2026-01-05', cadenceMs: 60_000, edge, layout: 'daily' });
    const replay = await loadReplayInput(path);
    data[name] = { path, replay, result: await run(replay) };
  }
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('walk-forward on a market with a known edge', () => {
  it('keeps a positive out-of-sample result with the edge; PBO low and DSR significant', () => {
    const { walkForward: w, overfitting: o } = data.edge.result;
    expect(w!.folds).toHaveLength(3);
    expect(w!.folds.map((f) => f.testDays)).toEqual([['2026-01-08'], ['2026-01-09'], ['2026-01-10']]);
    expect(w!.folds.map((f) => f.trainDays)).toEqual([['2026-01-06', '2026-01-07'], ['2026-01-07', '2026-01-08'], ['2026-01-08', '2026-01-09']]);
    for (const f of w!.folds) expect(f.outOfSample!.roi).toBeGreaterThan(0);
    expect(w!.stitched!.roi).toBeGreaterThan(0);
    // the stitched curve compounds the test windows: its ROI is the product of theirs
    const chained = w!.folds.reduce((a, f) => a * (1 + f.outOfSample!.roi!), 1) - 1;
    expect(w!.stitched!.roi! / chained).toBeCloseTo(1, 9);
    expect(w!.stitched!.trades).toBe(w!.folds.reduce((a, f) => a + f.outOfSample!.trades, 0));
    expect(o.configs).toBe(6);
    expect(o.hours).toBe(144);
    expect(o.pbo!.pbo).toBeLessThan(0.1);
    expect(o.dsr!.significant).toBe(true);
  });

  it('without the edge PBO is several times higher and the deflated Sharpe is not significant', () => {
    const flat = data.flat.result.overfitting;
    const edge = data.edge.result.overfitting;
    expect(flat.pbo!.pbo).toBeGreaterThan(0.2);
    expect(flat.pbo!.pbo).toBeGreaterThan(5 * edge.pbo!.pbo);
    expect(flat.dsr!.dsr).toBeLessThan(0.95);
    expect(flat.dsr!.significant).toBe(false);
  });

  it('gives the same overfitting statistics without folds (--overfitting alone)', async () => {
    const r = await runWalkForward({ replay: data.flat.replay, items, overrides, rank: 'roi' });
    expect(r.walkForward).toBeNull();
    expect(r.overfitting).toEqual(data.flat.result.overfitting);
  });

  it("a fold's calibration and choice do not move when every scan after its training window changes", async () => {
    const base = data.edge.replay;
    const fold0 = data.edge.result.walkForward!.folds[0];
    const end = base.store.day.indexOf(base.store.day[0] + 3); // first scan of 2026-01-08, the end of fold 1's training
    const c = base.store.columns();
    const prices = Float64Array.from(c.prices);
    const velDiv = Float64Array.from(c.velDiv);
    const S = c.symbols.length;
    for (let t = end; t < c.n; t++) {
      velDiv[t] = -velDiv[t];
      for (let k = 0; k < S; k++) prices[t * S + k] *= 1 + 0.03 * Math.sin(t * 0.7 + k);
    }
    const store = ScanStore.fromColumns({ ...c, prices, velDiv });
    const perturbed = await run({ ...base, store });
    const p0 = perturbed.walkForward!.folds[0];
    expect(p0.volThreshold).toBe(fold0.volThreshold);
    expect(p0.chosenKey).toBe(fold0.chosenKey);
    expect(p0.candidates).toEqual(fold0.candidates);
    expect(p0.inSample).toEqual(fold0.inSample);
    // the test can fail: the perturbation reaches the out-of-sample run and the later folds' training
    expect(p0.outOfSample).not.toEqual(fold0.outOfSample);
    expect(perturbed.walkForward!.folds[1].candidates).not.toEqual(data.edge.result.walkForward!.folds[1].candidates);
  });
});

const skip = browserSkipReason();

describe('dolphin sweep --walk-forward (CLI, pool) and sweep.html', () => {
  let out: string;
  beforeAll(() => {
    out = join(dir, 'sweep-out');
    const r = dolphin(['sweep', data.edge.path, ...GRID.flatMap((g) => ['--grid', g]), '--walk-forward', '3', '--rolling', '--train-days', '2', '--out', out, '--workers', '2', '--no-cache', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(join(out, 'sweep.html'));
  }, 60_000);

  it('writes walk-forward.json equal to the library run on this thread, and the sections of sweep.md', () => {
    const json = JSON.parse(readFileSync(join(out, 'walk-forward.json'), 'utf8')) as WalkForwardResult;
    const lib = JSON.parse(JSON.stringify(data.edge.result, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))) as WalkForwardResult;
    expect(json.walkForward!.folds).toEqual(lib.walkForward!.folds);
    expect(json.overfitting.pbo).toEqual(lib.overfitting.pbo);
    expect(json.overfitting.dsr).toEqual(lib.overfitting.dsr);
    const md = readFileSync(join(out, 'sweep.md'), 'utf8');
    expect(md).toContain('## Walk-forward (rolling, 3 folds, chosen by roi)');
    expect(md).toMatch(/The best in-sample config ranks at or below the median out of sample in \d+ % of 12870 splits/);
    expect(md).toMatch(/Deflated Sharpe ratio 1\.000: significant/);
  });

  it('renders the same sweep.html whatever order the configs finished in', () => {
    const lines = readSweep(join(out, 'sweep.ndjson'));
    const page = (rows: typeof lines): string => sweepToHtml(rows, data.edge.result, { title: 't', rank: 'roi', heatmap: ['maxHoldBars', 'takeProfitPct'] });
    expect(page([...lines].reverse())).toBe(page(lines));
    // heat-map rows in ascending value order
    expect(page(lines).match(/<tr><th>(\d+)<\/th>/g)).toEqual(['<tr><th>5</th>', '<tr><th>30</th>', '<tr><th>250</th>']);
  });

  it('refuses a walk-forward longer than the data, --anchored with --rolling, heat-map keys outside the grid (exit 2, named)', () => {
    const a = dolphin(['sweep', data.edge.path, '--grid', 'takeProfitPct=0.01,0.02', '--walk-forward', '5', '--train-days', '3', '--out', join(dir, 'bad1'), '--workers', '0', '--no-cache', '--quiet']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('walk-forward needs 3 training + 5 x 1 test days = 8 UTC days, the data has 6');
    const b = dolphin(['sweep', data.edge.path, '--grid', 'takeProfitPct=0.01,0.02', '--walk-forward', '2', '--anchored', '--rolling', '--out', join(dir, 'bad2'), '--workers', '0', '--quiet']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('--anchored and --rolling exclude each other');
    const c = dolphin(['sweep', data.edge.path, '--grid', 'takeProfitPct=0.01,0.02', '--walk-forward', '2', '--heatmap', 'takeProfitPct,leverage', '--out', join(dir, 'bad3'), '--workers', '0', '--quiet']);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('--heatmap keys must be --grid keys (takeProfitPct), was "takeProfitPct,leverage"');
  });

  it.skipIf(skip !== null)(`sweep.html renders in headless chromium${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const tb = await launchChromium({ width: 1280, height: 900 });
    try {
      const page = await tb.context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
      await page.goto(pathToFileURL(join(out, 'sweep.html')).href);
      await page.waitForSelector('html[data-ready="1"]', { timeout: 30_000 });
      const got = (await page.evaluate(`(() => ({
        points: Number(document.getElementById('equity-svg').getAttribute('data-points')),
        folds: document.querySelectorAll('#walk-forward-table tbody tr').length,
        ranked: document.querySelectorAll('#ranked-table tbody tr').length,
        heat: document.querySelectorAll('#heatmap-table tbody td').length,
        logitBars: document.querySelectorAll('#logit-svg rect').length,
        pbo: document.querySelector('#card-pbo .val').textContent,
      }))()`)) as { points: number; folds: number; ranked: number; heat: number; logitBars: number; pbo: string };
      expect(errors).toEqual([]);
      expect(got.folds).toBe(3);
      expect(got.ranked).toBe(6);
      expect(got.heat).toBe(6); // 3 maxHoldBars x 2 takeProfitPct
      expect(got.logitBars).toBe(24);
      expect(got.points).toBeGreaterThan(100);
      expect(got.pbo).toBe(data.edge.result.overfitting.pbo!.pbo.toFixed(3));
      const box = await page.locator('#equity-path').boundingBox();
      expect(box!.width).toBeGreaterThan(500);
      await page.screenshot({ path: join(process.cwd(), 'test-artifacts', 'sweep.png'), fullPage: true });
    } finally {
      await tb.close();
    }
  }, 60_000);
});
