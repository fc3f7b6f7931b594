/**
 * The watch view model and its text (pure). Invariants: a sparkline has one block per value (at most the
 * width), its lowest value is ▁ and its highest █; bars held = time since entry / cadence; the view shows
 * positions, shadows side by side, today's trades and the final report of a stopped run; a member that
 * is gone is said so with for how long; every data string reaches the terminal without control characters.
 */
import { describe, expect, it } from 'vitest';
import { sparkline } from '../../../src/app/watch/sparkline.js';
import { barsHeld, buildWatchView, medianStepMs } from '../../../src/app/watch/watch-view.js';
import { formatFrame, termText } from '../../../src/app/watch/watch-frame.js';
import { unreachableStatus, type ScannerEntryStatus } from '../../../src/feeds/live/cluster-status.js';
import { clusterStatus, extras, NOW, runStatus, sampleView } from './watch-fixtures.js';

describe('sparkline', () => {
  it('maps the lowest value to ▁ and the highest to █, one block per value', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8], 20)).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([5, 1, 5], 20)).toBe('█▁█');
  });
  it('keeps the last `width` values, skips non-finite ones, draws a flat series mid-height', () => {
    expect(sparkline([100, 1, 2, 3], 3)).toBe('▁▅█');
    expect(sparkline([1, NaN, 2, Infinity], 10)).toBe('▁█');
    expect(sparkline([7, 7, 7], 10)).toBe('▄▄▄');
    expect(sparkline([], 10)).toBe('');
    expect(sparkline([1, 2], 0)).toBe('');
  });
});

describe('barsHeld and cadence', () => {
  it('is the time since entry over the cadence', () => {
    expect(barsHeld('1000000000000', '1060000000000', 5_000)).toBe(12);
    expect(barsHeld('1000000000000', null, 5_000)).toBeNull();
    expect(barsHeld('1000000000000', '1060000000000', null)).toBeNull();
    expect(barsHeld('1060000000000', '1000000000000', 5_000)).toBeNull();
  });
  it('cadence is the median step between distinct scans', () => {
    expect(medianStepMs([0, 5_000, 10_000, 10_000, 15_000, 60_000])).toBe(5_000);
    expect(medianStepMs([42])).toBeNull();
  });
});

describe('buildWatchView', () => {
  it('carries positions with bars held, history, shadows, today and the stopped run report', () => {
    const v = sampleView();
    expect(v.runs.map((r) => [r.runId, r.status])).toEqual([['paper-1', 'running'], ['paper-2', 'stopped']]);
    const p = v.runs[0]!.positions[0]!;
    expect(p).toMatchObject({ asset: 'ETHUSDT', entryPrice: 3000, unrealizedPnl: 15, barsHeld: 12 });
    expect(v.runs[0]!.tradesToday).toBe(3);
    expect(v.runs[1]!.reportPath).toBe('/runs/p2/report.html');
    expect(v.feed).toMatchObject({ cadenceSeconds: 5, restarts: 1, scanNumber: 700 });
  });
  it('a scanner record cadence wins over the observed one; a gone member says since when', () => {
    const down = buildWatchView(unreachableStatus({ now: NOW, staleAfterMs: 30_000, address: 'h:1', cluster: 'c', error: 'lost it' }), extras({ downSinceMs: NOW - 75_000 }));
    expect(down.connection).toMatchObject({ reachable: false, downSinceMs: NOW - 75_000 });
    expect(formatFrame(down, 0)).toMatch(/MEMBER GONE for 1 min 15 s: lost it/);
    expect(formatFrame(down, 0)).toContain('PAPER RUNS: unknown while the member is gone');
  });
});

describe('the phase-2 scanner', () => {
  it('its cadence wins over the observed one; its stale symbols and its line are shown; a stopped one is ignored', () => {
    const counters = { socketDrops: 0, resubscribes: 0, scansWithoutStream: 0, restPolls: 0, restErrors: 0, rateLimited: 0, malformedMessages: 0, invalidPrices: 0, delisted: 0, missedBoundaries: 0, writeErrors: 0, publishErrors: 0 };
    const record = (id: string, stopped: boolean, staleSymbols: string[]): ScannerEntryStatus => ({
      health: stopped ? 'STOPPED' : 'OK',
      heartbeatAgeSeconds: 1.5,
      heartbeatLimitSeconds: 15,
      status: {
        scannerId: id, mode: 'scanner', exchange: 'binanceusdm', venue: 'v', priceSource: 'last', cadenceMs: stopped ? 60_000 : 10_000, heartbeatMs: NOW - 1_500, startedAtMs: NOW - 600_000,
        connection: 'WEBSOCKET', lastTickAgeMs: 100, lastScanTs: null, lastScanNumber: 41, scansWritten: 41, scansPublished: 41, universeSize: 12, staleSymbols, delistedSymbols: [],
        clockOffsetMs: null, clockRttMs: null, restoredScans: 0, out: null, counters, stopped,
      },
    });
    const v = buildWatchView(clusterStatus([runStatus('paper-1')], { scanners: [record('old', true, ['ZZZUSDT']), record('own-1', false, ['XRPUSDT', 'DOGEUSDT'])] }), extras());
    expect(v.feed.cadenceSeconds).toBe(10);
    expect(v.feed.staleSymbols).toEqual(['XRPUSDT', 'DOGEUSDT']);
    expect(v.runs[0]!.positions[0]!.barsHeld).toBe(6);
    const text = formatFrame(v, 0, 160);
    expect(text).toContain('stale symbols (2): XRPUSDT, DOGEUSDT');
    expect(text).toMatch(/scanner own-1 \(binanceusdm\): OK, WEBSOCKET, heartbeat 1\.5 s, scan #41, 12 symbols, 41 published/);
    expect(text).toMatch(/scanner old \(binanceusdm\): STOPPED/);
  });
});

describe('formatFrame', () => {
  it('shows the feed, every run, the selected run detail, shadows side by side and warnings', () => {
    const text = formatFrame(sampleView(), 0, 140);
    expect(text).toMatch(/latest scan #700, age 2\.0 s, 48 assets; cadence 5 s; restarts 1/);
    expect(text).toMatch(/>\s+paper-1\s+running\s+0\.5 s\s+10,250\.50\s+\+2\.51%\s+7\s+3\s+1\s+0\.25/);
    expect(text).toMatch(/paper-2\s+stopped/);
    expect(text).toMatch(/ETHUSDT\s+1\.5000\s+3000\.0000\s+2990\.0000\s+\+15\.00\s+12/);
    expect(text).toMatch(/PORTFOLIO\s+main\s+tight-stop/);
    expect(text).toMatch(/vs main\s+\+0\.00\s+-150\.50/);
    expect(text).toMatch(/▁.*█/); // the sparkline of 10,000 .. 10,250.50
    const stopped = formatFrame(sampleView(), 1, 140);
    expect(stopped).toContain('STOPPED; final report: /runs/p2/report.html');
  });
  it('shows a mirrored run\'s mirror health in its detail (the line dolphin status prints)', () => {
    const mirror = { venue: 'binance-demo', host: '127.0.0.1:4010', health: 'DEGRADED' as const, sent: 4, filled: 3, partial: 0, rejected: 1, skipped: 0, pending: 1, retries: 2, lastError: null, lastReconcile: { atMs: NOW, ok: false, drift: ['ETHUSDT venue -1.5 paper 0'] }, latencyP50Ms: 41, latencyP99Ms: 90 };
    const v = buildWatchView(clusterStatus([runStatus('paper-1', { mirror })]), extras());
    const text = formatFrame(v, 0, 240);
    expect(text).toMatch(/mirror binance-demo \(127\.0\.0\.1:4010\): DEGRADED, sent 4, filled 3, partial 0, rejected 1, not sent 0, pending 1, retries 2, latency p50 41 ms p99 90 ms, DRIFT ETHUSDT venue -1\.5 paper 0/);
    expect(formatFrame(sampleView(), 0, 240)).not.toMatch(/mirror /);
  });
  it('never lets a control character from data reach the terminal', () => {
    const evil = '\u001b[2J\u001b]0;pwned\u0007run\nid';
    const v = buildWatchView(clusterStatus([runStatus(evil, { shadows: [{ name: '\u001b[31mred', equity: 1, trades: 0, openPositions: 0 }] })]), extras({ positions: new Map([[evil, [{ asset: 'X\rY', qty: 1, entryPrice: 1, entryTs: '1', mark: 1, unrealizedPnl: 0 }]]]) }));
    const text = formatFrame(v, 0, 200);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/); // newlines only between lines
    expect(text).toContain('?[2J?]0;pwned?run?id');
    expect(termText('a\u2028b\u009bc')).toBe('a?b?c');
  });
  it('cuts every line to the width', () => {
    for (const line of formatFrame(sampleView(), 0, 50).split('\n')) expect([...line].length).toBeLessThanOrEqual(50);
  });
});
