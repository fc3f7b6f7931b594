/**
 * Execution statistics (core/execution-stats.ts) against hand-computed values: per-leg gap in bps (positive
 * = venue worse), fee difference, nearest-rank latency p50/p99, rejections by reason, venue-implied PnL.
 */
import { describe, expect, it } from 'vitest';
import { executionStats, type MirroredLeg } from '../../src/core/execution-stats.js';

const leg = (p: Partial<MirroredLeg> & Pick<MirroredLeg, 'trade' | 'leg' | 'paperPrice' | 'paperQty' | 'paperFee' | 'status'>): MirroredLeg => ({
  asset: `T${p.trade}USDT`,
  side: p.leg === 'open' ? 'SELL' : 'BUY',
  venuePrice: NaN,
  venueQty: 0,
  venueFee: NaN,
  latencyMs: NaN,
  rejectReason: null,
  ...p,
});

const LEGS: MirroredLeg[] = [
  // trade 3 first: the input order does not matter
  leg({ trade: 3, leg: 'close', paperPrice: 9, paperQty: 5, paperFee: 0.0225, status: 'skipped' }),
  leg({ trade: 3, leg: 'open', paperPrice: 10, paperQty: 5, paperFee: 0.025, status: 'rejected', rejectReason: 'min-notional', latencyMs: 5 }),
  leg({ trade: 1, leg: 'open', paperPrice: 100, paperQty: 2, paperFee: 0.1, status: 'filled', venuePrice: 99.9, venueQty: 2, venueFee: 0.12, latencyMs: 10 }),
  leg({ trade: 1, leg: 'close', paperPrice: 95, paperQty: 2, paperFee: 0.095, status: 'filled', venuePrice: 95.19, venueQty: 2, venueFee: 0.1, latencyMs: 30 }),
  leg({ trade: 2, leg: 'open', paperPrice: 50, paperQty: 4, paperFee: 0.1, status: 'partial', venuePrice: 50, venueQty: 2, venueFee: 0.05, latencyMs: 20 }),
  leg({ trade: 2, leg: 'close', paperPrice: 52, paperQty: 4, paperFee: 0.104, status: 'rejected', rejectReason: 'rate-limit' }),
];

describe('executionStats', () => {
  const s = executionStats(LEGS);

  it('gives each leg its gap in bps of the paper price (positive: the venue was worse) and its fee difference', () => {
    expect(s.legs.map((l) => [l.trade, l.leg])).toEqual([[1, 'open'], [1, 'close'], [2, 'open'], [2, 'close'], [3, 'open'], [3, 'close']]);
    // sold at 99.9 instead of 100: 10 bps worse; bought at 95.19 instead of 95: 20 bps worse
    expect(s.legs[0]!.gapBps).toBeCloseTo(10, 9);
    expect(s.legs[1]!.gapBps).toBeCloseTo(20, 9);
    expect(s.legs[2]!.gapBps).toBe(0);
    expect(s.legs[3]!.gapBps).toBeNull();
    expect(s.legs[0]!.feeDiff).toBeCloseTo(0.02, 12);
    expect(s.legs[1]!.feeDiff).toBeCloseTo(0.005, 12);
    expect(s.legs[2]!.feeDiff).toBeCloseTo(-0.05, 12);
    expect(s.legs[4]!.feeDiff).toBeNull();
  });

  it('weights the mean gap by paper notional and sums fee differences over venue fills', () => {
    // (10*200 + 20*190 + 0*200) / 590
    expect(s.meanGapBps).toBeCloseTo(5800 / 590, 9);
    expect(s.feeDiffTotal).toBeCloseTo(-0.025, 12);
  });

  it('counts orders by outcome and rejections by reason', () => {
    expect([s.ordersSent, s.ordersFilled, s.ordersPartial, s.ordersRejected, s.ordersSkipped, s.ordersPending]).toEqual([5, 2, 1, 2, 1, 0]);
    expect(s.rejections).toEqual({ 'min-notional': 1, precision: 0, margin: 0, 'rate-limit': 1, 'reduce-only': 0, 'venue-unavailable': 0, other: 0 });
  });

  it('takes nearest-rank latency quantiles over answered orders', () => {
    // 5, 10, 20, 30: p50 = s[2], p99 = s[3]
    expect(s.latencyP50Ms).toBe(20);
    expect(s.latencyP99Ms).toBe(30);
  });

  it('puts the venue-implied PnL next to the paper PnL, for trades the venue filled both ways', () => {
    expect(s.trades.map((t) => t.trade)).toEqual([1, 2, 3]);
    expect(s.trades[0]!.paperPnl).toBeCloseTo(9.805, 12); // 2*(100-95) - 0.1 - 0.095
    expect(s.trades[0]!.venuePnl).toBeCloseTo(9.2, 12); // 2*(99.9-95.19) - 0.12 - 0.1
    expect(s.trades[1]!.paperPnl).toBeCloseTo(-8.204, 12);
    expect(s.trades[1]!.venuePnl).toBeNull();
    expect(s.trades[2]!.paperPnl).toBeCloseTo(4.9525, 12);
    expect(s.comparedTrades).toBe(1);
    expect(s.paperPnlCompared).toBeCloseTo(9.805, 12);
    expect(s.venuePnlCompared).toBeCloseTo(9.2, 12);
  });

  it('has no figures without legs', () => {
    const e = executionStats([]);
    expect([e.meanGapBps, e.latencyP50Ms, e.latencyP99Ms, e.ordersSent, e.comparedTrades]).toEqual([null, null, null, 0, 0]);
  });
});
