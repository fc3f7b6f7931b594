/**
 * The ink dashboard through ink-testing-library. Invariants: every panel shows (feed, runs, selected
 * run with positions and shadows, warnings); arrows and tab move the selection and wrap; q quits (no
 * sample after it); a resize redraws at the new width; a gone member is said so in the header.
 */
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { Dashboard, DashboardScreen } from '../../../src/app/watch/dashboard-app.js';
import { buildWatchView } from '../../../src/app/watch/watch-view.js';
import { unreachableStatus } from '../../../src/feeds/live/cluster-status.js';
import { clusterStatus, extras, NOW, POSITION, runStatus, sampleView } from './watch-fixtures.js';

const tick = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));
const RIGHT = '\u001b[C';
const LEFT = '\u001b[D';

describe('DashboardScreen', () => {
  it('draws the feed, the runs, the selected run and the warnings panels', () => {
    const r = render(createElement(DashboardScreen, { view: sampleView(), selected: 0, columns: 120, rows: 40 }));
    const f = r.lastFrame() ?? '';
    expect(f).toContain('Scanner feed');
    expect(f).toMatch(/latest scan #700, age 2\.0 s, 48 assets; cadence 5 s; restarts 1/);
    expect(f).toMatch(/Paper runs \(2\)/);
    expect(f).toMatch(/>\s+paper-1\s+running/);
    expect(f).toMatch(/ETHUSDT\s+1\.5000\s+3000\.0000\s+2990\.0000\s+\+15\.00\s+12/);
    expect(f).toMatch(/PORTFOLIO\s+main\s+tight-stop/);
    expect(f).toContain('Last warnings');
    expect(f).toContain('q: quit');
    r.unmount();
  });
  it('fits a short terminal: the run panel is cut and says how much was left out', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ ...POSITION, asset: `S${i}USDT` }));
    const view = buildWatchView(clusterStatus([runStatus('paper-1')]), extras({ positions: new Map([['paper-1', many]]) }));
    const tall = render(createElement(DashboardScreen, { view, selected: 0, columns: 100, rows: 80 }));
    expect(tall.lastFrame()).toContain('S39USDT');
    tall.unmount();
    const r = render(createElement(DashboardScreen, { view, selected: 0, columns: 100, rows: 30 }));
    const lines = (r.lastFrame() ?? '').split('\n');
    expect(lines.length).toBeLessThanOrEqual(30);
    expect(r.lastFrame()).toMatch(/\.\.\. \d+ more line\(s\): enlarge the terminal/);
    expect(r.lastFrame()).toContain('S0USDT');
    r.unmount();
  });
  it('says MEMBER GONE in the header when the member went away', () => {
    const down = buildWatchView(unreachableStatus({ now: NOW, staleAfterMs: 30_000, address: 'h:1', cluster: 'c', error: "lost Hazelcast cluster 'c' at h:1; reconnecting" }), extras({ downSinceMs: NOW - 5_000 }));
    const r = render(createElement(DashboardScreen, { view: down, selected: 0, columns: 120, rows: 40 }));
    expect(r.lastFrame()).toMatch(/MEMBER GONE for 5\.0 s: lost Hazelcast cluster 'c' at h:1; reconnecting/);
    r.unmount();
  });
});

describe('Dashboard (keys, refresh, resize)', () => {
  const frame = (r: ReturnType<typeof render>) => () => r.lastFrame() ?? '';
  const POLL = { timeout: 20_000 };
  it('switches run with arrows and tab, wrapping, and stops sampling on q', async () => {
    let samples = 0;
    const sample = async (): Promise<ReturnType<typeof sampleView>> => {
      samples++;
      return sampleView();
    };
    const r = render(createElement(Dashboard, { sample, intervalMs: 20 }));
    await expect.poll(() => samples, POLL).toBeGreaterThanOrEqual(2); // refreshes on its own
    await expect.poll(frame(r), POLL).toMatch(/Run 1\/2/);
    r.stdin.write(RIGHT);
    await expect.poll(frame(r), POLL).toMatch(/Run 2\/2/);
    expect(r.lastFrame()).toContain('STOPPED; final report: /runs/p2/report.html');
    r.stdin.write('\t'); // wraps to the first
    await expect.poll(frame(r), POLL).toMatch(/Run 1\/2/);
    r.stdin.write(LEFT); // wraps to the last
    await expect.poll(frame(r), POLL).toMatch(/Run 2\/2/);
    r.stdin.write('q');
    await tick(100);
    const after = samples;
    await tick(150);
    expect(samples).toBeLessThanOrEqual(after + 1); // at most the sample already in flight
    r.unmount();
  });
  it('starts on --run and redraws at the new width on resize', async () => {
    const r = render(createElement(Dashboard, { sample: async () => sampleView(), intervalMs: 1000, initialRun: 'paper-2' }));
    await expect.poll(frame(r), POLL).toMatch(/Run 2\/2/);
    const widest = (): number => Math.max(...(r.lastFrame() ?? '').split('\n').map((l) => [...l].length));
    expect(widest()).toBe(100);
    Object.defineProperty(r.stdout, 'columns', { get: () => 60 });
    r.stdout.emit('resize');
    await expect.poll(widest, POLL).toBe(60);
    r.unmount();
  });
});
