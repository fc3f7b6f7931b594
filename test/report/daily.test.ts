/**
 * Daily rows (STRATEGY.md 8). Invariants: one row per UTC date that has scans, ascending; dates
 * without scans are skipped and the next row is measured against the previous row; the first row is
 * measured against initialCapital; close and ACB cut come from the day's last scan.
 */
import { describe, expect, it } from 'vitest';
import { dayOf } from '../../src/core/scan.js';
import type { Trade } from '../../src/core/trade.js';
import { assertRunSeries, dailyRows, type RunSeries } from '../../src/report/daily.js';

// Builders are local because test helpers outside daily*/metrics* test files are not ours to add.
const ns = (iso: string, extra = 0n): bigint => BigInt(Date.parse(iso)) * 1_000_000n + extra;
const day = (iso: string): number => dayOf(ns(iso));
type Pt = [ts: bigint, equity: number, open: number, cut: number];
function series(initialCapital: number, pts: Pt[], trades: Trade[] = [], inSample: number[] = []): RunSeries {
  return {
    initialCapital,
    ts: BigInt64Array.from(pts.map((p) => p[0])),
    equity: Float64Array.from(pts.map((p) => p[1])),
    openPositions: Int32Array.from(pts.map((p) => p[2])),
    acbCut: Float64Array.from(pts.map((p) => p[3])),
    trades,
    inSampleDays: new Set(inSample),
  };
}
function closing(exitTs: bigint): Trade {
  return {
    asset: 'BTCUSDT', entryTs: exitTs - 1n, exitTs, entryIndex: 0, exitIndex: 1, entryPrice: 1, exitPrice: 1,
    qty: 1, entryFee: 0, exitFee: 0, fees: 0, pnl: 0, reason: 'TP', acbCut: 0,
  };
}

describe('dailyRows', () => {
  // Scans on 2026-01-01 (3), 2026-01-02 (1, at the last nanosecond of the day), none on 2026-01-03,
  // 2026-01-04 (2). initialCapital 10000.
  const lastNs = ns('2026-01-02T23:59:59.999Z', 999_999n); // 23:59:59.999999999, still Jan 2
  const s = series(
    10_000,
    [
      [ns('2026-01-01T00:00:00Z'), 10_000, 0, 0],
      [ns('2026-01-01T12:00:00Z'), 10_050, 1, 0.15],
      [ns('2026-01-01T23:00:00Z'), 10_100, 0, 0.45],
      [lastNs, 9_900, 1, 0],
      [ns('2026-01-04T00:00:00Z'), 9_950, 1, 0.55],
      [ns('2026-01-04T08:00:00Z'), 10_197, 0, 0.15],
    ],
    [closing(ns('2026-01-01T12:00:00Z')), closing(ns('2026-01-04T00:00:00Z')), closing(ns('2026-01-04T08:00:00Z'))],
    [day('2026-01-01'), day('2026-01-02')],
  );
  const rows = dailyRows(s);

  it('skips a date without scans and assigns the last nanosecond to its own date', () => {
    expect(rows.map((r) => r.date)).toEqual(['2026-01-01', '2026-01-02', '2026-01-04']);
    expect(rows.map((r) => r.day)).toEqual([day('2026-01-01'), day('2026-01-02'), day('2026-01-04')]);
    expect(rows.map((r) => r.scans)).toEqual([3, 1, 2]);
  });

  it("closes each day at its last scan's equity and ACB cut", () => {
    expect(rows.map((r) => r.closingEquity)).toEqual([10_100, 9_900, 10_197]);
    expect(rows.map((r) => r.acbCut)).toEqual([0.45, 0, 0.15]);
  });

  it('measures the first day against initialCapital and later days against the previous row', () => {
    // 10100/10000 - 1 = 0.01; 9900/10100 - 1 = -200/10100 = -0.0198...; Jan 4 vs Jan 2 (Jan 3 skipped):
    // 10197/9900 - 1 = 297/9900 = 0.03.
    expect(rows[0]!.return).toBeCloseTo(0.01, 15);
    expect(rows[1]!.return).toBeCloseTo(-200 / 10_100, 15);
    expect(rows[2]!.return).toBeCloseTo(0.03, 15);
    expect(rows.map((r) => r.pnl)).toEqual([100, -200, 297]);
  });

  it('counts trades by exit date and flags in-sample dates', () => {
    expect(rows.map((r) => r.tradesClosed)).toEqual([1, 0, 2]);
    expect(rows.map((r) => r.inSample)).toEqual([true, true, false]);
  });

  it('has no rows without scans', () => {
    expect(dailyRows(series(10_000, []))).toEqual([]);
  });

  it('rejects misaligned columns and descending timestamps', () => {
    const bad: RunSeries = { ...s, equity: new Float64Array(2) };
    expect(() => assertRunSeries(bad)).toThrow(/differ in length: ts 6, equity 2/);
    const desc = series(1, [[2n, 1, 0, 0], [1n, 1, 0, 0]]);
    expect(() => dailyRows(desc)).toThrow(/not ascending at index 1/);
  });
});
