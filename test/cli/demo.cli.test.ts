/**
 * The README's demo on the shipped sample: >= 20 trades, the same command twice gives identical reports,
 * and its report.html renders in headless chromium with the equity curve (screenshot in test-artifacts/);
 * the short walk-forward that follows writes its pages.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from '../support/browser.js';
import { dolphin } from '../support/cli.js';

describe('npm run demo (sample dataset)', () => {
  it('generates the sample on first use and backtests it with >= 20 trades, deterministically', () => {
    const r = spawnSync(process.execPath, ['scripts/demo.mjs', '--quiet'], { encoding: 'utf8', timeout: 170_000 });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join('runs', 'demo', 'report.json'), 'utf8'));
    expect(report.metrics.trades).toBeGreaterThanOrEqual(20);
    expect(report.fingerprint.scans).toBeGreaterThan(3 * 17000);
    // the short walk-forward after the backtest prints the pages it wrote
    expect(r.stdout).toContain(join('runs', 'demo-walk-forward', 'sweep.html'));
    const wf = JSON.parse(readFileSync(join('runs', 'demo-walk-forward', 'walk-forward.json'), 'utf8'));
    expect(wf.walkForward.folds.map((f: { testDays: string[] }) => f.testDays)).toEqual([['2026-01-06'], ['2026-01-07']]);
    expect(wf.overfitting.pbo.partitions).toBe(8);
    expect(readFileSync(join('runs', 'demo-walk-forward', 'sweep.md'), 'utf8')).toMatch(/ranks at or below the median out of sample in \d+ % of 70 splits/);
    const a = dolphin(['backtest', 'data/sample', '--json', '--quiet', '--out', join('runs', 'test-demo-a')]);
    const b = dolphin(['backtest', 'data/sample', '--json', '--quiet', '--out', join('runs', 'test-demo-b')]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toBe(readFileSync(join('runs', 'demo', 'report.json'), 'utf8'));
  }, 180_000);

  it.skipIf(browserSkipReason() !== null)('renders the sample report.html with its equity curve in chromium', async () => {
    const browser = await launchChromium({ width: 1280, height: 1100 });
    try {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(pathToFileURL(resolve('runs', 'demo', 'report.html')).href);
      await page.waitForSelector('html[data-ready="1"]', { timeout: 10_000 });
      const got = (await page.evaluate(`(() => {
        const svg = document.getElementById('equity-svg');
        return { points: Number(svg && svg.getAttribute('data-points')), source: svg && svg.getAttribute('data-source'), markers: Number(svg && svg.getAttribute('data-markers')) };
      })()`)) as { points: number; source: string | null; markers: number };
      expect(errors).toEqual([]);
      expect(got.points).toBeGreaterThan(1000);
      expect(got.markers).toBeGreaterThanOrEqual(40);
      mkdirSync('test-artifacts', { recursive: true });
      await page.screenshot({ path: join('test-artifacts', 'demo-report.png') });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
