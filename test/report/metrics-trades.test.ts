/**
 * Trade metrics (STRATEGY.md 8): report order, summary statistics, breakdowns. Invariants: the
 * result never depends on the order trades are given in; symbols sort by code unit, not locale;
 * breakdown keys ascend and their counts and sums add up to the totals.
 */
import { describe, expect, it } from 'vitest';
import type { ExitReason, Trade } from '../../src/core/trade.js';
import { sortTrades, tradeBreakdowns, tradeStats } from '../../src/report/trade-stats.js';

const MIN = 60_000_000_000n;
const T0 = BigInt(Date.parse('2026-03-01T00:00:00Z')) * 1_000_000n;
const DAY = 1440n * MIN;

function trade(p: {
  asset: string;
  entry: bigint;
  exit: bigint;
  pnl: number;
  fees?: number;
  reason?: ExitReason;
  entryIndex?: number;
  exitIndex?: number;
}): Trade {
  const fees = p.fees ?? 0;
  return {
    asset: p.asset, entryTs: p.entry, exitTs: p.exit, entryIndex: p.entryIndex ?? 0, exitIndex: p.exitIndex ?? 0,
    entryPrice: 1, exitPrice: 1, qty: 1, entryFee: fees / 2, exitFee: fees / 2, fees, pnl: p.pnl,
    reason: p.reason ?? 'TP', acbCut: 0,
  };
}

describe('sortTrades', () => {
  // D exits first; A, B, C exit together: C entered earliest; A and B entered together, so by symbol:
  // 'ZRXUSDT' < 'aaveusdt' in code units ('Z' = 90 < 'a' = 97), although a locale sort puts aave first.
  const A = trade({ asset: 'aaveusdt', entry: T0 + 2n * MIN, exit: T0 + 9n * MIN, pnl: 1 });
  const B = trade({ asset: 'ZRXUSDT', entry: T0 + 2n * MIN, exit: T0 + 9n * MIN, pnl: 2 });
  const C = trade({ asset: 'SOLUSDT', entry: T0 + 1n * MIN, exit: T0 + 9n * MIN, pnl: 3 });
  const D = trade({ asset: 'XRPUSDT', entry: T0 + 1n * MIN, exit: T0 + 5n * MIN, pnl: 4 });

  it('orders by exit time, then entry time, then symbol in code-unit order', () => {
    expect(sortTrades([A, B, C, D])).toEqual([D, C, B, A]);
    expect(sortTrades([D, A, C, B])).toEqual([D, C, B, A]);
    expect(sortTrades([B, A, D, C]).map((t) => t.asset)).toEqual(['XRPUSDT', 'SOLUSDT', 'ZRXUSDT', 'aaveusdt']);
  });

  it('compares timestamps as bigints beyond 2^53 and leaves its input alone', () => {
    // 1 ns apart at ~1.77e18 ns: equal as float64, distinct as bigint
    const late = trade({ asset: 'AAA', entry: T0, exit: T0 + 1n, pnl: 0 });
    const early = trade({ asset: 'BBB', entry: T0, exit: T0, pnl: 0 });
    const input = [late, early];
    expect(sortTrades(input)).toEqual([early, late]);
    expect(input).toEqual([late, early]);
  });
});

describe('tradeStats', () => {
  // pnl 30, -10, 0, 20, -5 (a zero-pnl trade is neither a win nor a loss)
  const ts = [
    trade({ asset: 'A', entry: T0, exit: T0 + 10n * MIN, exitIndex: 120, pnl: 30, fees: 2 }),
    trade({ asset: 'B', entry: T0, exit: T0 + 20n * MIN, exitIndex: 240, pnl: -10, fees: 2 }),
    trade({ asset: 'C', entry: T0, exit: T0 + 30n * MIN, exitIndex: 360, pnl: 0, fees: 1 }),
    trade({ asset: 'D', entry: T0 + 30n * MIN, exit: T0 + 35n * MIN, entryIndex: 360, exitIndex: 420, pnl: 20, fees: 3 }),
    trade({ asset: 'E', entry: T0 + 30n * MIN, exit: T0 + 31n * MIN, entryIndex: 360, exitIndex: 372, pnl: -5, fees: 0.5 }),
  ];
  const s = tradeStats(ts);

  it('computes win rate, profit factor, expectancy, best and worst', () => {
    expect(s.trades).toBe(5);
    expect(s.winRate).toBe(2 / 5); // 30 and 20 win; 0 does not
    expect(s.profitFactor).toBe(50 / 15); // (30 + 20) / |-10 - 5|
    expect(s.expectancy).toBe(7); // 35 / 5
    expect(s.avgTrade).toBe(7);
    expect(s.bestTrade).toBe(30);
    expect(s.worstTrade).toBe(-10);
    expect(s.feesTotal).toBe(8.5);
    expect(s.nullReasons).toEqual({});
  });

  it('averages holds in scans and minutes', () => {
    // scans: 120 + 240 + 360 + 60 + 12 = 792 -> 158.4; minutes: 10 + 20 + 30 + 5 + 1 = 66 -> 13.2
    expect(s.avgHoldScans).toBe(792 / 5);
    expect(s.avgHoldMinutes).toBe(66 / 5);
  });

  it('nulls profit factor without a losing trade and everything per-trade without trades', () => {
    const wins = tradeStats([ts[0]!, ts[2]!]);
    expect(wins.profitFactor).toBeNull();
    expect(wins.nullReasons).toEqual({ profitFactor: 'profitFactor: no losing trade' });
    const none = tradeStats([]);
    expect(none.winRate).toBeNull();
    expect(none.feesTotal).toBe(0);
    expect(Object.keys(none.nullReasons)).toEqual([
      'winRate', 'profitFactor', 'expectancy', 'avgTrade', 'bestTrade', 'worstTrade', 'avgHoldScans', 'avgHoldMinutes',
    ]);
  });

  it('sums in report order whatever the input order', () => {
    // 0.1 + 0.2 + 0.3 differs from 0.3 + 0.2 + 0.1 in float64; the sum follows exit order.
    const xs = [0.3, 0.2, 0.1].map((pnl, i) => trade({ asset: 'X', entry: T0, exit: T0 + BigInt(3 - i) * MIN, pnl }));
    expect(tradeStats(xs).expectancy).toBe((0.1 + 0.2 + 0.3) / 3);
    expect(tradeStats(xs.slice().reverse()).expectancy).toBe((0.1 + 0.2 + 0.3) / 3);
  });
});

describe('tradeBreakdowns', () => {
  const ts = [
    trade({ asset: 'SOLUSDT', entry: T0, exit: T0 + DAY + MIN, pnl: 5, fees: 1, reason: 'TP' }),
    trade({ asset: 'BTCUSDT', entry: T0, exit: T0 + MIN, pnl: -3, fees: 1, reason: 'MAX_HOLD' }),
    trade({ asset: 'SOLUSDT', entry: T0, exit: T0 + 2n * MIN, pnl: 4, fees: 2, reason: 'TP' }),
    trade({ asset: 'ETHUSDT', entry: T0, exit: T0 + DAY - 1n, pnl: -8, fees: 0.5, reason: 'LIQ_STOP' }),
    trade({ asset: 'BTCUSDT', entry: T0 + DAY, exit: T0 + 3n * DAY, pnl: 2, fees: 1, reason: 'END' }),
  ];
  const b = tradeBreakdowns(ts);

  it('groups by asset with keys ascending', () => {
    expect(b.byAsset).toEqual([
      { key: 'BTCUSDT', trades: 2, wins: 1, pnl: -1, fees: 2 },
      { key: 'ETHUSDT', trades: 1, wins: 0, pnl: -8, fees: 0.5 },
      { key: 'SOLUSDT', trades: 2, wins: 2, pnl: 9, fees: 3 },
    ]);
  });

  it('groups by exit reason, listing only reasons that occur', () => {
    expect(b.byReason.map((r) => [r.key, r.trades, r.pnl])).toEqual([
      ['END', 1, 2],
      ['LIQ_STOP', 1, -8],
      ['MAX_HOLD', 1, -3],
      ['TP', 2, 9],
    ]);
  });

  it("groups by the exit's UTC date (the last nanosecond stays on its day)", () => {
    expect(b.byDay).toEqual([
      { key: '2026-03-01', trades: 3, wins: 1, pnl: -7, fees: 3.5 },
      { key: '2026-03-02', trades: 1, wins: 1, pnl: 5, fees: 1 },
      { key: '2026-03-04', trades: 1, wins: 1, pnl: 2, fees: 1 },
    ]);
  });
});
