/**
 * STRATEGY.md 5 and 6-7 in the engine: sizing on equity after exits with marks at t (before the new fee),
 * leverage * (1 - cut) / maxOpen, the maxLeverage cap, fills (slippage, maker/taker), fees, realized
 * PnL and cash; the ACB cut in sizing; scan_number and wall-clock time never matter.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectClose, factorDay, pathScans, runOn, testConfig, wiggle, type PathPrice } from './support/scan-builder.js';
import { refAlignBeta } from './support/reference.js';

/** AAA enters at t = 3 at 100 (higher beta); BBB is the other candidate. x4 = AAA's price at t = 4. */
function twoAssets(x4: PathPrice, over: Record<string, unknown>, velAt = [3, 4]) {
  const AAA: PathPrice[] = [100, 103, 99, 100, x4, 100];
  const BBB: PathPrice[] = [50, 50.5, 49.8, 50.1, 50.6, 50.3];
  const scans = pathScans({ paths: { BTCUSDT: wiggle(6, 100), AAA, BBB }, velDiv: AAA.map((_, t) => (velAt.includes(t) ? -1 : 0)) });
  const r = runOn(scans, testConfig({ slippageBps: 0, closeAtEnd: false, takeProfitPct: 0.9, ...over }));
  const sells = r.engine.recorder.fills.filter((f) => f.side === 'SELL');
  return { scans, ...r, sells };
}

describe('sizing', () => {
  it('precondition: AAA is picked at t = 3, BBB at t = 4 when AAA is held', () => {
    const r = twoAssets(104, { maxOpenPositions: 2 });
    expect(refAlignBeta(r.scans, 'AAA', 3, 2)[1]).toBeGreaterThan(refAlignBeta(r.scans, 'BBB', 3, 2)[1]);
    expect(r.sells.map((f) => [f.asset, f.scanIndex])).toEqual([
      ['AAA', 3],
      ['BBB', 4],
    ]);
  });

  it('target notional = equity * leverage * (1 - cut) / maxOpenPositions (first entry: 25000 * 4 / 2)', () => {
    const r = twoAssets(104, { maxOpenPositions: 2 });
    expect(r.sells[0].qty).toBe(500);
    expect(r.sells[0].fee).toBe(25);
  });

  it('the next entry is sized on equity with the open position marked at t', () => {
    const r = twoAssets(104, { maxOpenPositions: 2 });
    const equity = 25000 - 25 + 500 * (100 - 104); // 22975, not 24975 (stale mark)
    const notional = (equity * 4) / 2;
    expectClose(r.sells[1].qty * r.sells[1].price, notional);
    expect(r.sells[1].price).toBe(50.6);
    expectClose(r.sells[1].fee, notional * 0.0005);
  });

  it('the entry is sized on equity after this scan\'s exits (realized PnL and exit fee included)', () => {
    const r = twoAssets(98, { maxOpenPositions: 1, takeProfitPct: 0.01 });
    expect(r.trades[0]).toMatchObject({ asset: 'AAA', reason: 'TP', exitIndex: 4 });
    const equity = 25000 - 50 + 1000 * (100 - 98) - 1000 * 98 * 0.0005; // 26901
    expect(r.sells).toHaveLength(2);
    expect(r.sells[1].scanIndex).toBe(4);
    expectClose(r.sells[1].qty * r.sells[1].price, equity * 4);
  });

  it('the maxLeverage cap: open notional (qty * mark) + new notional <= equity * maxLeverage', () => {
    const r = twoAssets(105, { maxOpenPositions: 2, leverage: 9, liqStopPct: 0.5 });
    expect(r.sells[0].qty).toBe(1125); // 25000 * 9 / 2 / 100
    const equity = 25000 - 56.25 + 1125 * (100 - 105); // 19318.75
    const room = equity * 9 - 1125 * 105; // 55743.75 < target 86934.375
    expect(room).toBeLessThan((equity * 9) / 2);
    expectClose(r.sells[1].qty * r.sells[1].price, room);
  });

  it('the cap uses maxLeverage, not leverage', () => {
    const r = twoAssets(105, { maxOpenPositions: 2, leverage: 8, maxLeverage: 20, liqStopPct: 0.5 });
    const qA = (25000 * 8) / 2 / 100;
    const equity = 25000 - qA * 100 * 0.0005 + qA * (100 - 105);
    expectClose(r.sells[1].qty * r.sells[1].price, (equity * 8) / 2); // room = 20 * equity - ... is not binding
  });

  it('notional <= 0: no entry', () => {
    const r = twoAssets(115, { maxOpenPositions: 2, leverage: 9, liqStopPct: 0.5 });
    // equity 8068.75 * 9 = 72618.75 < open notional 1125 * 115 = 129375
    expect(r.sells.map((f) => f.asset)).toEqual(['AAA']);
    expect(r.openAfter[4]).toBe(1);
  });

  it('negative equity: no entry', () => {
    const r = twoAssets(125, { maxOpenPositions: 2, leverage: 9, maxLeverage: 100, liqStopPct: 0.5 });
    expect(25000 - 56.25 + 1125 * (100 - 125)).toBeLessThan(0);
    expect(r.sells.map((f) => f.asset)).toEqual(['AAA']);
  });
});

describe('several open positions', () => {
  it('END closes them in entry order, each at its own mark', () => {
    const r = twoAssets(104, { maxOpenPositions: 2, closeAtEnd: true });
    expect(r.trades.map((t) => [t.asset, t.reason, t.entryIndex, t.exitIndex])).toEqual([
      ['AAA', 'END', 3, 5],
      ['BBB', 'END', 4, 5],
    ]);
    expect(r.trades[0].exitPrice).toBe(100);
    expect(r.trades[1].exitPrice).toBe(50.3);
  });
});

describe('ACB cut in sizing', () => {
  it('scales the notional by (1 - cut) and is recorded on the trade; the choice is unchanged', () => {
    const base = twoAssets(100.5, { maxOpenPositions: 1, closeAtEnd: true }, [3]);
    const f1 = factorDay('2026-01-01', { dvolBtc: 60 }); // 1 signal -> 0.15
    const scans = base.scans;
    const r = runOn(scans, testConfig({ slippageBps: 0, takeProfitPct: 0.9 }), [f1]);
    expect(r.engine.recorder.fills[0].asset).toBe(base.sells[0].asset);
    expectClose(r.engine.recorder.fills[0].qty * 100, 25000 * 4 * (1 - 0.15));
    expect(r.trades[0].acbCut).toBe(0.15);
    expect(base.trades[0].acbCut).toBe(0);
    const f5 = factorDay('2026-01-01', { dvolBtc: 90, fundingBtc: -1, takerRatio: 0.1, fng: 3 }); // 5 -> 0.8
    const r5 = runOn(scans, testConfig({ slippageBps: 0, takeProfitPct: 0.9 }), [f5]);
    expectClose(r5.engine.recorder.fills[0].qty * 100, 25000 * 4 * 0.2);
    expect(r5.engine.recorder.acbCut[3]).toBe(0.8);
  });

  it('a factor record of another day does not apply', () => {
    const base = twoAssets(100.5, { maxOpenPositions: 1 }, [3]);
    const r = runOn(base.scans, testConfig({ slippageBps: 0, takeProfitPct: 0.9 }), [factorDay('2026-01-02', { dvolBtc: 90 })]);
    expect(r.engine.recorder.fills[0].qty).toBe(1000);
  });
});

describe('fills, fees, realized PnL, cash', () => {
  /** Single tradable asset: entry at t = 3 at 100, END at 102 on t = 5. */
  const single = (over: Record<string, unknown>) => {
    const AAA = [99, 101, 98, 100, 101, 102];
    const scans = pathScans({ paths: { BTCUSDT: wiggle(6, 100), AAA }, velDiv: [0, 0, 0, -1, 0, 0] });
    return runOn(scans, testConfig(over));
  };

  it('taker entry fills at p * (1 - bps/1e4), closing buy at p * (1 + bps/1e4); fee = qty * fill * takerFee', () => {
    const r = single({ slippageBps: 10 });
    const [sell, buy] = r.engine.recorder.fills;
    expect(sell).toMatchObject({ side: 'SELL', price: 100 * (1 - 10 / 1e4), liquidity: 'taker', scanIndex: 3 });
    expect(sell.qty).toBe(100000 / (100 * (1 - 10 / 1e4)));
    expect(sell.fee).toBe(sell.qty * sell.price * 0.0005);
    expect(buy).toMatchObject({ side: 'BUY', price: 102 * (1 + 10 / 1e4), liquidity: 'taker', qty: sell.qty, scanIndex: 5 });
    expect(buy.fee).toBe(buy.qty * buy.price * 0.0005);
    const t = r.trades[0];
    expect(t.entryPrice).toBe(sell.price);
    expect(t.exitPrice).toBe(buy.price);
    expect(t.entryFee).toBe(sell.fee);
    expect(t.exitFee).toBe(buy.fee);
    expect(t.fees).toBe(sell.fee + buy.fee);
    expectClose(t.pnl, sell.qty * (sell.price - buy.price) - sell.fee - buy.fee, 1e-14);
  });

  it('default slippage is 1 bp', () => {
    const r = single({});
    expect(r.engine.recorder.fills[0].price).toBe(100 * (1 - 1 / 1e4));
    expect(r.engine.recorder.fills[1].price).toBe(102 * (1 + 1 / 1e4));
  });

  it('maker entry fills at p without slippage and pays makerFee; the exit stays taker', () => {
    const r = single({ slippageBps: 10, entryLiquidity: 'maker' });
    const [sell, buy] = r.engine.recorder.fills;
    expect(sell).toMatchObject({ price: 100, qty: 1000, fee: 1000 * 100 * 0.0002, liquidity: 'maker' });
    expect(buy).toMatchObject({ price: 102 * (1 + 10 / 1e4), liquidity: 'taker' });
    expect(buy.fee).toBe(1000 * 102 * (1 + 10 / 1e4) * 0.0005);
    expectClose(r.trades[0].pnl, 1000 * (100 - 102 * 1.001) - 20 - 1000 * 102 * 1.001 * 0.0005);
  });

  it('fee rates are configurable', () => {
    const r = single({ slippageBps: 0, takerFee: 0.001 });
    expect(r.engine.recorder.fills[0].fee).toBe(100);
    expect(r.engine.recorder.fills[1].fee).toBe(1000 * 102 * 0.001);
    const z = single({ slippageBps: 0, takerFee: 0, makerFee: 0 });
    expect(z.trades[0].pnl).toBe(1000 * (100 - 102));
  });

  it('cash pays the entry fee at the fill and receives qty * (entryFill - exitFill) - exitFee at the close', () => {
    const r = single({ slippageBps: 0, closeAtEnd: true });
    expect(r.equity[2]).toBe(25000);
    expect(r.equity[3]).toBe(25000 - 50); // marked at the entry price: only the fee
    expect(r.equity[4]).toBe(25000 - 50 + 1000 * (100 - 101));
    expect(r.engine.cash).toBe(25000 - 50 + 1000 * (100 - 102) - 1000 * 102 * 0.0005);
    expect(r.equity[5]).toBe(r.engine.cash);
  });

  it('initialCapital scales everything', () => {
    const r = single({ slippageBps: 0, initialCapital: 1000 });
    expect(r.engine.recorder.fills[0].qty).toBe(40);
  });
});

describe('scan_number and wall-clock time never matter', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });
  const n = 40;
  const paths = { BTCUSDT: wiggle(n, 100, 0.01), AAA: wiggle(n, 50, 0.02, 3), BBB: wiggle(n, 20, 0.015, 6) };
  const velDiv = Array.from({ length: n }, (_, t) => (t % 3 === 0 ? -1 : 0));
  const strip = (r: ReturnType<typeof runOn>) => ({ trades: r.trades, fills: r.engine.recorder.fills, equity: r.equity });

  it('scan_number resets and jumps change nothing', () => {
    const over = { maxOpenPositions: 2, takeProfitPct: 0.005 };
    const a = runOn(pathScans({ paths, velDiv }), testConfig(over));
    const resets = Array.from({ length: n }, (_, t) => (t < 17 ? 1000 + t : t - 17));
    const b = runOn(pathScans({ paths, velDiv, scanNumbers: resets }), testConfig(over));
    const c = runOn(pathScans({ paths, velDiv, scanNumbers: Array(n).fill(7) }), testConfig(over));
    expect(a.trades.length).toBeGreaterThan(2);
    expect(strip(b)).toEqual(strip(a));
    expect(strip(c)).toEqual(strip(a));
  });

  it('the engine does not read the clock: same output at different system times, Date.now never called', () => {
    const over = { maxOpenPositions: 2, takeProfitPct: 0.005 };
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2001-01-01T00:00:00Z'));
    const spy = vi.spyOn(Date, 'now');
    const perf = vi.spyOn(performance, 'now');
    const a = runOn(pathScans({ paths, velDiv }), testConfig(over));
    vi.setSystemTime(new Date('2099-06-01T12:34:56Z'));
    const b = runOn(pathScans({ paths, velDiv }), testConfig(over));
    expect(strip(b)).toEqual(strip(a));
    expect(a.engine.recorder.fills.every((f) => f.tsInit === f.tsEvent)).toBe(true);
    expect(spy).not.toHaveBeenCalled();
    expect(perf).not.toHaveBeenCalled();
  });
});

describe('engine contract', () => {
  it('onScan must be called for consecutive indices', () => {
    const r = runOn(pathScans({ paths: { AAA: [1, 2, 3] } }), testConfig());
    expect(() => r.engine.onScan(5)).toThrow(RangeError);
  });
});
