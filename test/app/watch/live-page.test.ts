/**
 * The live page's data (pure). Invariants: the chart data has one equity point per scan seen with its
 * drawdown below the running peak; daily rows sum the PnL of the trades closed that day and close at the
 * day's last equity; the final report is linked only once the run stopped; no data string reaches the
 * page as markup (the run id and symbols appear only escaped).
 */
import { describe, expect, it } from 'vitest';
import type { LiveRunSnapshot } from '../../../src/app/watch/live-runs.js';
import { liveChartData, livePageHtml, livePayload } from '../../../src/app/watch/live-page.js';
import type { ParsedState } from '../../../src/feeds/live/paper-state-parser.js';

const DAY = 86_400_000;
const D0 = 20_458 * DAY; // 2026-01-05
const ns = (ms: number): string => (BigInt(ms) * 1_000_000n).toString();
const EVIL = '<img src=x onerror=alert(1)>';

function snapshot(over: Partial<ParsedState> = {}): LiveRunSnapshot {
  const state = {
    runId: EVIL, heartbeatMs: D0 + DAY + 10_000, startedAtMs: D0, feedStatus: 'CONNECTED', lastScanTs: ns(D0 + DAY + 5_000), lastScanNumber: 4,
    equity: 10_050, cash: 10_000, initialCapital: 10_000, realizedPnl: 40, trades: 3, acbCut: 0.5, positions: 1,
    counters: { scansAccepted: 4, malformedMessages: 0, outOfBounds: 0, badTimestamps: 0, lateOrDuplicate: 0, scannerRestarts: 0, invalidPrices: 0, reconnects: 0, scansMissed: 0, fromStream: 4, fromKey: 0 },
    lastRejection: null, missed: [], shadows: [], validation: null, journal: '/j', stopped: false, ...over,
  } as ParsedState;
  return {
    runId: EVIL,
    state,
    positions: [{ asset: EVIL, qty: 1, entryPrice: 100, entryTs: ns(D0 + DAY), mark: 99, unrealizedPnl: 1 }],
    curve: { t: [D0 + 1_000, D0 + 2_000, D0 + DAY + 1_000, D0 + DAY + 5_000], e: [10_000, 9_900, 10_100, 10_050] },
    trades: [
      { asset: 'A', entryTs: ns(D0), exitTs: ns(D0 + 1_500), entryPrice: 1, exitPrice: 1, pnl: -10, reason: 'STOP' },
      { asset: 'B', entryTs: ns(D0), exitTs: ns(D0 + 1_800), entryPrice: 1, exitPrice: 1, pnl: 30, reason: 'TP' },
      { asset: EVIL, entryTs: ns(D0 + DAY), exitTs: ns(D0 + DAY + 2_000), entryPrice: 1, exitPrice: 1, pnl: 20, reason: 'TP' },
    ],
    updates: 7,
  };
}

describe('liveChartData', () => {
  it('plots each scan with its drawdown, the trades and one row per day', () => {
    const c = liveChartData(snapshot());
    expect(c.eq).toMatchObject({ t: [D0 + 1_000, D0 + 2_000, D0 + DAY + 1_000, D0 + DAY + 5_000], e: [10_000, 9_900, 10_100, 10_050], n: 4, src: 'scans' });
    expect(c.eq.dd).toEqual([0, 0.01, 0, 0.00495]);
    expect(c.tr.pnl).toEqual([-10, 30, 20]);
    expect(c.day).toEqual({ t: [D0, D0 + DAY], date: ['2026-01-05', '2026-01-06'], pnl: [20, 20], acb: [0, 0.5], close: [9_900, 10_050] });
    expect(c.init).toBe(10_000);
  });
});

describe('livePayload and the page', () => {
  it('links the final report only once the run stopped', () => {
    expect(livePayload(snapshot(), '/runs/j/').reportHref).toBeNull();
    expect(livePayload(snapshot({ stopped: true }), '/runs/j/')).toMatchObject({ status: 'stopped', reportHref: '/runs/j/' });
    expect(livePayload(snapshot(), null).recentTrades.map((t) => t.asset)).toEqual([EVIL, 'B', 'A']); // newest first
  });
  it('never puts a data string into the page as markup', () => {
    const html = livePageHtml(livePayload(snapshot(), null));
    expect(html).not.toContain('<img');
    expect(html).toContain('<title>DOLPHIN live: &lt;img src=x onerror=alert(1)&gt;</title>');
    expect(html).toContain('\\u003cimg src=x onerror=alert(1)\\u003e'); // inside the JSON data only
  });
});
