/**
 * `dolphin serve` in headless chromium against a real member and a real live paper run (both CLI
 * processes). Invariants: the list shows the runs with their headline metrics and links to reports; a
 * report page draws the same charts as report.html; the live page of the running run receives at least
 * three server-sent updates as scans arrive, its positions table matches the run's published state, its
 * equity chart grows; a hostile run id and symbol appear as text and never run as script; when the run
 * stops, the page says so and links the final report, which is served. No page or console error.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ScanRecord } from '../../src/core/scan.js';
import { browserSkipReason, launchChromium, type TestBrowser } from '../support/browser.js';
import { spawnDolphin, type CliProcess } from '../support/cli.js';
import { describeHazelcast, ensureMember } from '../support/hazelcast.js';
import { ScanPutter, uniqueMaps, waitFor, waitForSettledState } from '../support/live-driver.js';
import { synthScans } from '../support/synthetic-scans.js';
import { FIXTURES } from '../report/fixtures/golden.js';

const skip = browserSkipReason();
const SETS = ['warmupBars=5', 'volWindow=10', 'alignWindow=10', 'minAlignment=0', 'maxHoldBars=20', 'volThreshold=0'].flatMap((s) => ['--set', s]);
/** A run id and a symbol that would run script if any page put them into HTML unescaped. */
const RUN_ID = `r<b>"'&x`;
const EVIL = '<img/src=x/onerror=window.__pwned=1>';

let root: string;
let tb: TestBrowser | undefined;
const procs: CliProcess[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-serve-browser-'));
});
afterAll(async () => {
  for (const p of procs) p.proc.kill('SIGKILL');
  await tb?.close();
  rmSync(root, { recursive: true, force: true });
});

/** The synthetic scans with one symbol renamed to EVIL (every scan, same place). */
function evilScans(n: number): ScanRecord[] {
  return synthScans({ n, seed: 41, cadenceSec: 5 }).map((s) => ({ ...s, assets: s.assets.map((a) => (a === 'A04USDT' ? EVIL : a)) }));
}

describeHazelcast('dolphin serve (headless chromium, real member, real live run)', () => {
  it.skipIf(skip !== null)('lists runs, shows a report, follows a live run through at least three updates, links its final report', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const runs = join(root, 'runs');
    mkdirSync(join(runs, 'fixture'), { recursive: true });
    cpSync(join(FIXTURES, 'report.json'), join(runs, 'fixture', 'report.json'));
    const journal = join(runs, 'live-journal');
    const hz = ['--hz', member.address, '--cluster', member.cluster, '--state-map', maps.stateMap];
    const put = await ScanPutter.connect(member.address, member.cluster, maps.featuresMap);
    const live = spawnDolphin(['live', '--paper', ...hz, '--features-map', maps.featuresMap, '--journal', journal, '--run-id', RUN_ID, '--poll', '300', ...SETS]);
    procs.push(live);
    const serve = spawnDolphin(['serve', runs, '--port', '0', ...hz]);
    procs.push(serve);
    try {
      await waitFor(() => live.err().includes('listening on'), 30_000, `live to start: ${live.err()}`);
      await waitFor(() => /http:\/\/127\.0\.0\.1:\d+/.test(serve.err()), 10_000, `serve to start: ${serve.err()}`);
      const base = /http:\/\/127\.0\.0\.1:\d+/.exec(serve.err())![0];
      const scans = evilScans(100);
      for (const s of scans.slice(0, 80)) await put.put(s);
      const stateMap = await put.client.getMap<string, string>(maps.stateMap);
      const state = async (): Promise<{ lastScanTs: string; positions: { asset: string }[]; equity: number }> => JSON.parse((await stateMap.get(RUN_ID)) ?? 'null');
      await waitFor(async () => (await state())?.lastScanTs === scans[79]!.timestampNs.toString(), 20_000, 'state of scan 80');

      tb = await launchChromium(undefined, { offline: false });
      const page = await tb.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

      // the list: the fixture's headline metrics, the live run with a link to its page
      await page.goto(`${base}/`);
      await expect.poll(() => page.locator('#runs tbody tr').count()).toBeGreaterThanOrEqual(2);
      const fixtureRow = page.locator('#runs tbody tr', { hasText: 'fixture' });
      await expect.poll(() => fixtureRow.locator('td').nth(5).textContent()).toBe('23');
      await expect.poll(() => page.locator('#live-runs tbody tr').first().locator('td').first().textContent()).toBe(RUN_ID);

      // a report: the same charts as report.html
      await fixtureRow.locator('a').first().click();
      await page.waitForSelector('html[data-ready="1"]');
      expect(await page.locator('#equity-svg').count()).toBe(1);
      expect(await page.locator('#daily-svg rect.bar').count()).toBeGreaterThan(0);

      // the live page: three or more updates while scans arrive
      await page.goto(`${base}/live/${encodeURIComponent(RUN_ID)}`);
      await page.waitForSelector('body[data-updates]');
      const start = Number(await page.getAttribute('body', 'data-updates'));
      const vertices = async (): Promise<number> => ((await page.getAttribute('#equity-path', 'd')) ?? '').match(/[MLHV]/g)?.length ?? 0;
      const verticesBefore = await vertices();
      for (const s of scans.slice(80)) {
        await put.put(s);
        await new Promise((r) => setTimeout(r, 250));
      }
      const last = scans[99]!.timestampNs.toString();
      await expect.poll(async () => page.getAttribute('body', 'data-last-scan'), { timeout: 15_000 }).toBe(last);
      expect(Number(await page.getAttribute('body', 'data-updates')) - start).toBeGreaterThanOrEqual(3);
      const st = await waitForSettledState(stateMap, RUN_ID, scans[99]!.timestampNs, scans.length); // then the page shows it
      await expect.poll(() => page.locator('#positions-table tbody tr').count(), { timeout: 15_000 }).toBe(st.positions.length);
      await expect.poll(async () => (await page.locator('#v-equity').textContent())!.replace(/,/g, ''), { timeout: 15_000 }).toBe(st.equity.toFixed(2));
      const shown = await page.locator('#positions-table tbody tr td:first-child').allTextContents();
      expect(shown.sort()).toEqual(st.positions.map((p) => p.asset).sort());
      expect(await page.locator('#equity-svg').count()).toBe(1); // redrawn, not stacked
      expect(await vertices()).toBeGreaterThanOrEqual(verticesBefore + 3); // one point per new scan
      // the hostile strings are text: the symbol in a table or nowhere, never an element; the title is the run id
      expect(await page.title()).toBe(`DOLPHIN live: ${RUN_ID}`);
      expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('img').count()).toBe(0);
      const tradeAssets = await page.locator('#trades-table tbody tr td:first-child').allTextContents();
      expect([...shown, ...tradeAssets]).toContain(EVIL);

      // the run stops: the page says so and links the final report, which is served
      live.proc.kill('SIGINT');
      expect(await live.exited, live.err()).toBe(0);
      await page.waitForSelector('#final-report', { timeout: 10_000 });
      expect(await page.locator('#status').textContent()).toBe('STOPPED');
      await page.click('#final-report');
      await page.waitForSelector('html[data-ready="1"]');
      expect(await page.title()).toBe('DOLPHIN live report: live-journal');
      expect(await page.locator('#equity-svg').count()).toBe(1);
      expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(errors).toEqual([]);
    } finally {
      await put.close();
      serve.proc.kill('SIGINT');
      expect(await serve.exited).toBe(0);
    }
  }, 120_000);
});
