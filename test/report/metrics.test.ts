/**
 * Run metrics (STRATEGY.md 8) on hand-worked series. Invariants: drawdown is measured from the running
 * peak of the per-scan equity series; ratios annualize daily returns with 365 (Sharpe with ddof 1);
 * each ratio is null with a reason below 10 trades or 14 daily rows, or when its denominator is 0.
 * The expected values are written out from the formulas, so a change of formula (ddof 0, 252 days,
 * downside over losing days only, elapsed days off by the intraday offset) fails these tests.
 */
import { describe, expect, it } from 'vitest';
import type { Trade } from '../../src/core/trade.js';
import type { RunSeries } from '../../src/report/daily.js';
import { computeMetrics, elapsedDays, maxDrawdown } from '../../src/report/metrics.js';

const DAY = 86_400_000_000_000n;
const HOUR = 3_600_000_000_000n;
const T0 = BigInt(Date.parse('2026-01-01T00:00:00Z')) * 1_000_000n;

function trade(exitTs: bigint, pnl: number): Trade {
  return {
    asset: 'ETHUSDT', entryTs: exitTs - HOUR, exitTs, entryIndex: 0, exitIndex: 12, entryPrice: 1, exitPrice: 1,
    qty: 1, entryFee: 0.5, exitFee: 0.5, fees: 1, pnl, reason: 'TP', acbCut: 0,
  };
}
/** `n` trades, one closing at 18:00 of each day in turn. */
function trades(pnls: readonly number[]): Trade[] {
  return pnls.map((p, i) => trade(T0 + BigInt(i % 14) * DAY + 18n * HOUR, p));
}
const TEN = [50, -20, 30, -10, 40, 25, -15, 60, -5, 20];

/**
 * A run with two scans per day from 2026-01-01: at 06:00 (equity = previous close, or `dip[d]` times
 * it) and at 18:00 (the close = previous close * (1 + returns[d])). `open` marks 18:00 scans with a
 * position open.
 */
function daily(
  initialCapital: number,
  returns: readonly number[],
  tr: readonly Trade[],
  opts: { dip?: Record<number, number>; open?: number } = {},
): RunSeries {
  const ts: bigint[] = [];
  const eq: number[] = [];
  const open: number[] = [];
  let prev = initialCapital;
  returns.forEach((r, d) => {
    ts.push(T0 + BigInt(d) * DAY + 6n * HOUR, T0 + BigInt(d) * DAY + 18n * HOUR);
    const close = prev * (1 + r);
    eq.push(prev * (opts.dip?.[d] ?? 1), close);
    open.push(0, d < (opts.open ?? 0) ? 1 : 0);
    prev = close;
  });
  return {
    initialCapital,
    ts: BigInt64Array.from(ts),
    equity: Float64Array.from(eq),
    openPositions: Int32Array.from(open),
    acbCut: new Float64Array(ts.length),
    trades: tr,
    inSampleDays: new Set(),
  };
}

const near = (actual: number | null, expected: number, tol = 1e-12): void => {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThan(tol);
};

describe('computeMetrics: 14 days, 10 trades, worked by hand', () => {
  // Daily returns: +2 % on days 1-7, -1 % on days 8-14; initialCapital 10000; 28 scans, the first at
  // Jan 1 06:00 and the last at Jan 14 18:00, so elapsed days = 13 + 12/24 = 13.5.
  const R = [...Array(7).fill(0.02), ...Array(7).fill(-0.01)] as number[];
  const m = computeMetrics(daily(10_000, R, trades(TEN), { open: 5 }));

  it('counts scans, days and exposure', () => {
    expect(m.scans).toBe(28);
    expect(m.days).toBe(14);
    expect(m.elapsedDays).toBe(13.5);
    expect(m.exposure).toBe(5 / 28); // 5 of the 28 scans have an open position
    expect(m.trades).toBe(10);
    expect(m.tradesPerDay).toBe(10 / 14);
    expect(m.funding).toBe(0);
  });

  it('computes ROI and drawdown', () => {
    // final = 10000 * 1.02^7 * 0.99^7 = 10000 * 1.0098^7 = 10706.501064533 -> roi 0.0706501064533
    near(m.finalEquity, 10_000 * 1.0098 ** 7, 1e-8);
    near(m.roi, 0.0706501064533, 1e-12);
    // peak at the day-7 close, trough at the day-14 close: dd = 1 - 0.99^7 = 0.0679346520930
    near(m.maxDrawdown, 1 - 0.99 ** 7);
    near(m.maxDrawdown, 0.0679346520930, 1e-12);
  });

  it('computes Sharpe with ddof 1 and 365 periods', () => {
    // mean = (7 * 0.02 - 7 * 0.01) / 14 = 0.005; deviations are +-0.015, SS = 14 * 0.000225 = 0.00315
    // std (ddof 1) = sqrt(0.00315 / 13) = 0.0155662356
    // sharpe = 0.005 / 0.0155662356 * sqrt(365) = 0.3212101 * 19.1049732 = 6.1366709345
    near(m.sharpe, (0.005 / Math.sqrt(0.00315 / 13)) * Math.sqrt(365));
    near(m.sharpe, 6.136670934532, 1e-11);
    // ddof 0 would give 0.005 / 0.015 * sqrt(365) = 6.3683; 252 periods would give 5.0990.
    expect(Math.abs(m.sharpe! - 6.3683)).toBeGreaterThan(0.1);
    expect(Math.abs(m.sharpe! - 5.099)).toBeGreaterThan(0.1);
  });

  it('computes Sortino with the downside mean over all days', () => {
    // mean(min(r,0)^2) = 7 * 0.0001 / 14 = 0.00005; sqrt = 0.00707106781
    // sortino = 0.005 / 0.00707106781 * sqrt(365) = 0.70710678 * 19.1049732 = 13.5092560861
    near(m.sortino, (0.005 / Math.sqrt(0.00005)) * Math.sqrt(365));
    near(m.sortino, 13.509256086106, 1e-11);
    // Over the losing days only it would be 0.005 / 0.01 * sqrt(365) = 9.5525.
  });

  it('computes CAGR over elapsed days and Calmar', () => {
    // cagr = 1.0098^(7 * 365 / 13.5) - 1 = 1.0098^189.259 - 1 = 5.3326035475
    near(m.cagr, 1.0098 ** ((7 * 365) / 13.5) - 1);
    near(m.cagr, 5.33260354753, 1e-10);
    // calmar = 5.3326035475 / 0.0679346521 = 78.4960750256
    near(m.calmar, (1.0098 ** ((7 * 365) / 13.5) - 1) / (1 - 0.99 ** 7), 1e-11);
    near(m.calmar, 78.4960750256, 1e-9);
    expect(m.nullReasons).toEqual({});
  });

  it('includes the trade statistics', () => {
    // wins 50+30+40+25+60+20 = 225, losses -20-10-15-5 = -50; total 175
    expect(m.winRate).toBe(0.6);
    expect(m.profitFactor).toBe(4.5);
    expect(m.expectancy).toBe(17.5);
    expect(m.avgTrade).toBe(17.5);
    expect(m.bestTrade).toBe(60);
    expect(m.worstTrade).toBe(-20);
    expect(m.avgHoldScans).toBe(12);
    expect(m.avgHoldMinutes).toBe(60);
    expect(m.feesTotal).toBe(10);
  });
});

describe('computeMetrics: null ratios', () => {
  const R14 = [...Array(7).fill(0.02), ...Array(7).fill(-0.01)] as number[];
  const RATIOS = ['sharpe', 'sortino', 'cagr', 'calmar'] as const;

  it('nulls every ratio with 9 trades', () => {
    const m = computeMetrics(daily(10_000, R14, trades(TEN.slice(0, 9))));
    for (const k of RATIOS) {
      expect(m[k]).toBeNull();
      expect(m.nullReasons[k]).toBe(`${k}: fewer than 10 trades (9)`);
    }
    expect(m.winRate).not.toBeNull(); // trade statistics need no minimum sample
  });

  it('nulls every ratio with 13 daily rows', () => {
    const m = computeMetrics(daily(10_000, R14.slice(1), trades(TEN)));
    expect(m.days).toBe(13);
    for (const k of RATIOS) {
      expect(m[k]).toBeNull();
      expect(m.nullReasons[k]).toBe(`${k}: fewer than 14 daily rows (13)`);
    }
  });

  it('names both shortfalls and every other null on an empty run', () => {
    const m = computeMetrics(daily(10_000, [], []));
    expect(m.finalEquity).toBe(10_000);
    expect(m.roi).toBe(0);
    expect(m.nullReasons).toEqual({
      tradesPerDay: 'tradesPerDay: no daily rows',
      winRate: 'winRate: no trades',
      profitFactor: 'profitFactor: no trades',
      expectancy: 'expectancy: no trades',
      avgTrade: 'avgTrade: no trades',
      bestTrade: 'bestTrade: no trades',
      worstTrade: 'worstTrade: no trades',
      avgHoldScans: 'avgHoldScans: no trades',
      avgHoldMinutes: 'avgHoldMinutes: no trades',
      maxDrawdown: 'maxDrawdown: no scans',
      exposure: 'exposure: no scans',
      sharpe: 'sharpe: fewer than 10 trades (0) and fewer than 14 daily rows (0)',
      sortino: 'sortino: fewer than 10 trades (0) and fewer than 14 daily rows (0)',
      cagr: 'cagr: fewer than 10 trades (0) and fewer than 14 daily rows (0)',
      calmar: 'calmar: fewer than 10 trades (0) and fewer than 14 daily rows (0)',
    });
    for (const [k, v] of Object.entries(m)) if (k !== 'nullReasons') expect(v === null).toBe(k in m.nullReasons);
  });

  it('nulls Sortino without a losing day, keeping Sharpe and Calmar', () => {
    // returns alternate +1 % / +2 %; a 06:00 dip to 0.97 x the previous close on day 4 is the only
    // drawdown: maxDrawdown = 0.03 while no daily return is negative.
    const R = Array.from({ length: 14 }, (_, i) => (i % 2 === 0 ? 0.01 : 0.02));
    const m = computeMetrics(daily(10_000, R, trades(TEN), { dip: { 3: 0.97 } }));
    expect(m.sortino).toBeNull();
    expect(m.nullReasons.sortino).toBe('sortino: no losing day');
    // mean 0.015, deviations +-0.005, std (ddof 1) = sqrt(14 * 0.000025 / 13) = 0.00518875
    // sharpe = 0.015 / 0.00518875 * sqrt(365) = 55.2300384108
    near(m.sharpe, (0.015 / Math.sqrt(0.00035 / 13)) * Math.sqrt(365), 1e-12);
    near(m.maxDrawdown, 0.03, 1e-15);
    // growth 1.01^7 * 1.02^7 = 1.0302^7 over 13.5 days
    const calmar = (1.0302 ** ((7 * 365) / 13.5) - 1) / 0.03; // = 277.9472847 / 0.03 = 9264.909489
    expect(Math.abs(m.calmar! / calmar - 1)).toBeLessThan(1e-12);
    expect(Object.keys(m.nullReasons)).toEqual(['sortino']);
  });

  it('nulls Calmar without a drawdown (a loss before the first sample is not a drawdown)', () => {
    // Day 1's 06:00 sample is already 9900 (0.99 x initialCapital) and closes there (-1 %: a losing day,
    // so Sortino exists); afterwards equity only rises. The running peak starts at the first sample,
    // 9900, so maxDrawdown = 0 and Calmar is null.
    const R = [-0.01, ...Array.from({ length: 13 }, (_, i) => 0.005 + 0.001 * i)];
    const s = daily(10_000, R, trades(TEN), { dip: { 0: 0.99 } });
    const m = computeMetrics(s);
    expect(s.equity[0]).toBe(9_900);
    expect(m.maxDrawdown).toBe(0);
    expect(m.calmar).toBeNull();
    expect(m.nullReasons.calmar).toBe('calmar: no drawdown');
    expect(m.sortino).not.toBeNull();
    expect(m.cagr).not.toBeNull();
    expect(Object.keys(m.nullReasons)).toEqual(['calmar']);
  });

  it('nulls Sharpe with zero variance', () => {
    // initialCapital 2^14 growing 50 % a day: closes 3^d * 2^(14-d) are exact, so every return is
    // exactly 0.5: no variance, no losing day, no drawdown; CAGR = 1.5^(14 * 365 / 13.5) - 1.
    const m = computeMetrics(daily(16_384, Array(14).fill(0.5), trades(TEN)));
    expect(m.nullReasons).toEqual({
      sharpe: 'sharpe: no variance',
      sortino: 'sortino: no losing day',
      calmar: 'calmar: no drawdown',
    });
    const expected = 1.5 ** ((14 * 365) / 13.5) - 1;
    expect(Math.abs(m.cagr! / expected - 1)).toBeLessThan(1e-12);
  });
});

describe('maxDrawdown', () => {
  it('takes the deeper of two peak-to-trough falls', () => {
    // peak 120 -> 90: 30/120 = 0.25; peak 150 -> 105: 45/150 = 0.30
    expect(maxDrawdown(Float64Array.from([100, 120, 90, 110, 150, 105, 140]))).toBe(0.3);
    // peak 200 -> 100: 0.5 (the later 250 -> 200 = 0.2 is smaller)
    expect(maxDrawdown(Float64Array.from([100, 200, 100, 250, 200]))).toBe(0.5);
  });

  it('starts the running peak at the first sample, not at initialCapital', () => {
    // whatever initialCapital was (say 120), it is not a sample: 90 -> 100 -> 95 gives 5/100 = 0.05
    expect(maxDrawdown(Float64Array.from([90, 100, 95]))).toBe(0.05);
    expect(maxDrawdown(Float64Array.from([1, 2, 3]))).toBe(0);
    expect(maxDrawdown(new Float64Array(0))).toBeNull();
  });
});

describe('elapsedDays', () => {
  it('divides the bigint span without losing nanoseconds on long runs', () => {
    expect(elapsedDays(T0, T0 + 13n * DAY + 12n * HOUR)).toBe(13.5);
    // A ~22-year span (> 2^53 ns): Number(span) / 86400e9 rounds twice and lands one ulp off
    // (8121.370289702828); whole days + remainder / day gives the correctly rounded quotient
    // (checked with exact rational arithmetic).
    const span = 701_686_393_030_324_383n;
    expect(Number(span) / 86_400e9).toBe(8121.370289702828);
    expect(elapsedDays(0n, span)).toBe(8121.370289702829);
    expect(elapsedDays(T0, T0)).toBe(0);
  });
});
