/**
 * The HTML report in a real headless chromium (Debian package, via playwright-core), opened from a
 * file:// URL with no network. Invariants: no console error and no page error; the equity chart is drawn
 * with its points (data-points, an SVG path with that many vertices) and trade markers; the daily chart
 * has one bar per day; drag-to-zoom and double-click reset work. Writes test-artifacts/report.png.
 * Skips with a reason without chromium, except under CI=true (fails).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconstructEquity } from '../../src/report/html/equity-series.js';
import { reportToHtml } from '../../src/report/report-html.js';
import { parseReport } from '../../src/report/report-json.js';
import type { Report } from '../../src/report/report.js';
import { browserSkipReason, launchChromium, type TestBrowser } from '../support/browser.js';
import { FIXTURES } from './fixtures/golden.js';

const skip = browserSkipReason();
const ARTIFACTS = join(process.cwd(), 'test-artifacts');

let dir: string;
let tb: TestBrowser;
const report: Report = parseReport(readFileSync(join(FIXTURES, 'report.json'), 'utf8'), 'fixtures/report.json');

/**
 * A long deterministic per-scan equity series over the fixture's time range (exercises downsampling):
 * the reconstructed curve plus mean-reverting noise, so the trade markers sit on a plausible path.
 */
function perScanEquity(n: number): { ts: BigInt64Array; equity: Float64Array } {
  const rec = reconstructEquity(report);
  const first = rec.ts[0];
  const step = (rec.ts[rec.ts.length - 1] - first) / BigInt(n - 1);
  const ts = new BigInt64Array(n);
  const equity = new Float64Array(n);
  let k = 0;
  let noise = 0;
  let s = 7;
  for (let i = 0; i < n; i++) {
    ts[i] = first + BigInt(i) * step;
    while (k + 1 < rec.ts.length && rec.ts[k + 1] <= ts[i]) k++;
    s = (s * 1103515245 + 12345) % 2147483648;
    noise = noise * 0.995 + (s / 2147483648 - 0.5) * 30;
    equity[i] = rec.equity[k] + (i === n - 1 ? 0 : noise);
  }
  return { ts, equity };
}

interface PageResult {
  errors: string[];
  points: number;
  vertices: number;
  markers: number;
  bars: number;
  source: string | null;
}

async function open(file: string, shot?: string): Promise<PageResult & { page: import('playwright-core').Page }> {
  const page = await tb.context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('html[data-ready="1"]', { timeout: 30_000 });
  // a string expression: the test tsconfig has no DOM types
  const got = (await page.evaluate(`(() => {
    const svg = document.getElementById('equity-svg');
    return {
      points: Number(svg && svg.getAttribute('data-points')),
      markers: Number((svg && svg.getAttribute('data-markers')) || 0),
      source: svg ? svg.getAttribute('data-source') : null,
      d: (document.getElementById('equity-path') || { getAttribute: () => '' }).getAttribute('d') || '',
      bars: document.querySelectorAll('#daily-svg rect.bar').length,
    };
  })()`)) as { points: number; markers: number; source: string | null; d: string; bars: number };
  const res = { page, errors, points: got.points, vertices: (got.d.match(/[MLHV]/g) ?? []).length, markers: got.markers, bars: got.bars, source: got.source };
  if (shot) await page.screenshot({ path: shot, fullPage: true });
  return res;
}

describe.skipIf(skip !== null)(`HTML report in headless chromium${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dolphin-html-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    tb = await launchChromium({ width: 1280, height: 900 });
  });
  afterAll(async () => {
    await tb?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders the per-scan equity curve, drawdown, markers and daily bars without errors; screenshot', async () => {
    const file = join(dir, 'report.html');
    writeFileSync(file, reportToHtml(report, { equity: perScanEquity(60_000) }));
    const r = await open(file, join(ARTIFACTS, 'report.png'));
    expect(r.errors).toEqual([]);
    expect(r.source).toBe('scans');
    expect(r.points).toBeGreaterThan(1000);
    expect(r.points).toBeLessThanOrEqual(4000);
    expect(r.vertices).toBe(r.points);
    expect(r.markers).toBe(report.trades.length);
    expect(await r.page.locator('#equity-svg circle.mk').count()).toBe(2 * report.trades.length);
    // one PnL bar per day plus one ACB bar per day with a cut
    expect(r.bars).toBe(report.daily.length + report.daily.filter((d) => d.acbCut > 0).length);
    // the equity area is not blank: the path spans most of the plot width
    const box = await r.page.locator('#equity-path').boundingBox();
    const plot = await r.page.locator('#equity-svg').boundingBox();
    expect(box!.width).toBeGreaterThan(plot!.width * 0.8);
    expect(box!.height).toBeGreaterThan(50);
    await r.page.close();
  });

  it('zooms on a drag and resets on a double-click', async () => {
    const file = join(dir, 'zoom.html');
    writeFileSync(file, reportToHtml(report, { equity: perScanEquity(20_000) }));
    const r = await open(file);
    const plot = (await r.page.locator('#equity-svg').boundingBox())!;
    const y = plot.y + 120;
    await r.page.mouse.move(plot.x + plot.width * 0.4, y);
    await r.page.mouse.down();
    await r.page.mouse.move(plot.x + plot.width * 0.5, y, { steps: 5 });
    await r.page.mouse.up();
    const zoomed = Number(await r.page.locator('#equity-svg').getAttribute('data-points'));
    expect(zoomed).toBeLessThan(r.points * 0.2);
    expect(zoomed).toBeGreaterThan(10);
    expect(await r.page.locator('#zoom-note').textContent()).toMatch(/^zoomed: /);
    await r.page.mouse.dblclick(plot.x + plot.width * 0.5, y);
    expect(Number(await r.page.locator('#equity-svg').getAttribute('data-points'))).toBe(r.points);
    expect(r.errors).toEqual([]);
    await r.page.close();
  });

  it('draws the reconstructed curve from report.json alone and sorts the trade table', async () => {
    const file = join(dir, 'plain.html');
    writeFileSync(file, reportToHtml(report));
    const r = await open(file);
    expect(r.errors).toEqual([]);
    expect(r.source).toBe('reconstructed');
    expect(r.points).toBe(1 + report.trades.length + report.daily.length);
    const pnlHeader = r.page.locator('#trades-table th', { hasText: 'PnL' });
    await pnlHeader.click();
    const marker = r.page.locator('#equity-svg circle.mk').last();
    await marker.hover();
    const last = report.trades[report.trades.length - 1];
    await expect.poll(() => r.page.locator('#tip').textContent()).toContain(last.asset);
    const firstPnl = Number(await r.page.locator('#trades-table tbody tr:first-child td:nth-child(10)').getAttribute('data-v'));
    expect(firstPnl).toBe(Math.min(...report.trades.map((t) => t.pnl)));
    await r.page.close();
  });

  it('renders a report without scans or trades without errors', async () => {
    const file = join(dir, 'empty.html');
    const empty: Report = { ...report, fingerprint: { ...report.fingerprint, firstTs: null, lastTs: null, scans: 0 }, trades: [], daily: [], breakdowns: { byAsset: [], byReason: [], byDay: [] } };
    writeFileSync(file, reportToHtml(empty));
    const r = await open(file);
    expect(r.errors).toEqual([]);
    expect(r.points).toBe(0);
    await r.page.close();
  });
});
