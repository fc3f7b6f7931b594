/** STRATEGY.md 3: exit rules, their order, invalid prices, the entry scan, and closeAtEnd. */
import { describe, expect, it } from 'vitest';
import { expectClose, pathScans, runOn, testConfig, wiggle, type PathPrice } from './support/scan-builder.js';

/**
 * AAA = [99, 101, 98, 100, ...after]; the only entry signal is at t = 3 (price 100) unless `velAt`
 * says otherwise. With slippageBps 0 the entry fill is exactly 100, qty = 100000 / 100 = 1000, entry fee 50.
 */
function exitRun(after: PathPrice[], over: Record<string, unknown> = {}, velAt: number[] = [3]) {
  const AAA: PathPrice[] = [99, 101, 98, 100, ...after];
  const velDiv = AAA.map((_, t) => (velAt.includes(t) ? -1 : 0));
  const scans = pathScans({ paths: { BTCUSDT: wiggle(AAA.length, 100), AAA }, velDiv });
  return { scans, ...runOn(scans, testConfig({ slippageBps: 0, ...over })) };
}

describe('exit thresholds (>= boundaries, relative to the entry fill)', () => {
  it('precondition: the entry happens at t = 3 at exactly 100 with qty 1000', () => {
    const r = exitRun([100], { closeAtEnd: false });
    expect(r.entries).toEqual([3]);
    const pos = r.engine.positions()[0];
    expect(pos.entryPrice).toBe(100);
    expect(pos.qty).toBe(1000);
    expect(pos.entryFee).toBe(50);
  });

  it('LIQ_STOP at adverse >= liqStopPct', () => {
    const r = exitRun([149.99, 150, 100], { liqStopPct: 0.5 });
    expect(r.trades[0]).toMatchObject({ reason: 'LIQ_STOP', entryIndex: 3, exitIndex: 5, exitPrice: 150 });
    expect(r.trades[0].pnl).toBe(1000 * (100 - 150) - 50 - 1000 * 150 * 0.0005);
  });

  it('LIQ_STOP default is 0.95 / 9 = 10.555...%', () => {
    const r = exitRun([110.55, 110.56]);
    expect(r.trades[0]).toMatchObject({ reason: 'LIQ_STOP', exitIndex: 5 });
  });

  it('STOP at adverse >= stopLossPct when set; never when null (default)', () => {
    const r = exitRun([104.99, 105, 100], { stopLossPct: 0.05 });
    expect(r.trades[0]).toMatchObject({ reason: 'STOP', exitIndex: 5, exitPrice: 105 });
    const none = exitRun([104.99, 105, 100, 100], { closeAtEnd: false });
    expect(none.trades).toEqual([]);
  });

  it('TP at -adverse >= takeProfitPct (default 1%)', () => {
    const r = exitRun([99.01, 99, 100]);
    expect(r.trades[0]).toMatchObject({ reason: 'TP', exitIndex: 5, exitPrice: 99 });
    const q = exitRun([75.01, 75, 100], { takeProfitPct: 0.25 });
    expect(q.trades[0]).toMatchObject({ reason: 'TP', exitIndex: 5, exitPrice: 75 });
  });

  it('MAX_HOLD when t - entryIndex >= maxHoldBars', () => {
    const r = exitRun([100, 100, 100, 100], { maxHoldBars: 3 });
    expect(r.trades[0]).toMatchObject({ reason: 'MAX_HOLD', entryIndex: 3, exitIndex: 6 });
    expect(exitRun([100, 100, 100, 100], { maxHoldBars: 250 }).trades[0].reason).toBe('END');
  });

  it('default maxHoldBars is 250', () => {
    const r = exitRun(Array(260).fill(100));
    expect(r.trades[0]).toMatchObject({ reason: 'MAX_HOLD', exitIndex: 253 });
  });
});

describe('exit order LIQ_STOP > STOP > TP > MAX_HOLD', () => {
  const over = { liqStopPct: 0.5, stopLossPct: 0.05, takeProfitPct: 0.25, maxHoldBars: 1 };
  it.each<[number, string]>([
    [160, 'LIQ_STOP'], // LIQ, STOP and MAX_HOLD all hold
    [150, 'LIQ_STOP'],
    [120, 'STOP'], // STOP and MAX_HOLD
    [105, 'STOP'],
    [75, 'TP'], // TP and MAX_HOLD
    [60, 'TP'],
    [100, 'MAX_HOLD'],
    [104, 'MAX_HOLD'],
    [76, 'MAX_HOLD'],
  ])('price %d at the due bar -> %s', (p, reason) => {
    const r = exitRun([p, 100], over);
    expect(r.trades[0]).toMatchObject({ reason, exitIndex: 4, exitPrice: p });
  });

  it('STOP below liqStop wins over LIQ when only STOP holds, LIQ wins when both', () => {
    expect(exitRun([130], { liqStopPct: 0.3, stopLossPct: 0.2 }).trades[0].reason).toBe('LIQ_STOP');
    expect(exitRun([129], { liqStopPct: 0.3, stopLossPct: 0.2 }).trades[0].reason).toBe('STOP');
  });
});

describe('invalid prices', () => {
  it('an invalid price (null, absent, 0, negative, Infinity) means no check; a due MAX_HOLD exits at the next valid price', () => {
    const r = exitRun([97, null, undefined, 0, -1, Infinity, 101, 100], { maxHoldBars: 2, takeProfitPct: 0.5 });
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({ reason: 'MAX_HOLD', entryIndex: 3, exitIndex: 10, exitPrice: 101 });
  });

  it('the position keeps its last mark while the price is invalid', () => {
    const r = exitRun([97, null, undefined, 0, 99], { takeProfitPct: 0.5, closeAtEnd: false });
    const e4 = 25000 - 50 + 1000 * (100 - 97);
    expect(r.equity[4]).toBe(e4);
    expect(r.equity[5]).toBe(e4);
    expect(r.equity[6]).toBe(e4);
    expect(r.equity[7]).toBe(e4);
    expect(r.equity[8]).toBe(25000 - 50 + 1000 * (100 - 99));
  });

  it('a liquidation-level price is not seen while invalid; the next valid price decides', () => {
    const r = exitRun([null, 100.5, 100], { liqStopPct: 0.5, closeAtEnd: false });
    expect(r.trades).toEqual([]);
  });
});

describe('the entry scan', () => {
  it('a position opened at t is not exit-checked at t', () => {
    // slippage 1 bp: at t = 3 adverse = (100 - 99.99) / 99.99 > liqStopPct = 0.00005, but it only exits at t = 4.
    const r = exitRun([100, 100], { slippageBps: 1, liqStopPct: 0.00005 });
    expect(r.trades[0]).toMatchObject({ reason: 'LIQ_STOP', entryIndex: 3, exitIndex: 4 });
    expect(r.openAfter[3]).toBe(1);
  });

  it('an asset closed at t can be entered again at t (exits come first)', () => {
    const r = exitRun([101, 100.5, 102], { maxHoldBars: 1, liqStopPct: 0.5 }, [3, 4, 5]);
    expect(r.entries).toEqual([3, 4, 5]);
    expect(r.trades.map((t) => [t.entryIndex, t.exitIndex, t.reason])).toEqual([
      [3, 4, 'MAX_HOLD'],
      [4, 5, 'MAX_HOLD'],
      [5, 6, 'MAX_HOLD'],
    ]);
  });
});

describe('closeAtEnd', () => {
  it('closes every open position at its mark with END, exit slippage, at the last scan timestamp', () => {
    const r = exitRun([101, 102], { slippageBps: 10 });
    const entryFill = 100 * (1 - 0.001);
    const qty = 100000 / entryFill;
    const exitFill = 102 * (1 + 0.001);
    const t = r.trades[0];
    expect(t).toMatchObject({ reason: 'END', entryIndex: 3, exitIndex: 5 });
    expect(t.exitTs).toBe(r.scans[5].timestampNs);
    expect(t.entryTs).toBe(r.scans[3].timestampNs);
    expect(t.exitPrice).toBe(exitFill);
    expectClose(t.qty, qty);
    const pnl = qty * (entryFill - exitFill) - qty * entryFill * 0.0005 - qty * exitFill * 0.0005;
    expectClose(t.pnl, pnl);
    expectClose(r.equity[5], 25000 + pnl);
    expect(r.engine.openCount).toBe(0);
  });

  it('closes at the last valid mark when the last price is invalid', () => {
    const r = exitRun([101, null], { slippageBps: 10 });
    expect(r.trades[0]).toMatchObject({ reason: 'END', exitIndex: 5, exitPrice: 101 * (1 + 0.001) });
    expect(r.trades[0].exitTs).toBe(r.scans[5].timestampNs);
  });

  it('a position opened on the last scan closes too, at that scan', () => {
    const r = exitRun([101, 102], { slippageBps: 10 }, [5]);
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({ reason: 'END', entryIndex: 5, exitIndex: 5, entryPrice: 102 * (1 - 0.001), exitPrice: 102 * (1 + 0.001) });
    expect(r.trades[0].pnl).toBeLessThan(0);
  });

  it('closeAtEnd false leaves positions open and the last equity unrealized', () => {
    const r = exitRun([101, 102], { closeAtEnd: false });
    expect(r.trades).toEqual([]);
    expect(r.engine.openCount).toBe(1);
    expect(r.equity[5]).toBe(25000 - 50 + 1000 * (100 - 102));
  });

  it('finish() without scans does nothing', () => {
    const r = runOn([], testConfig());
    expect(r.trades).toEqual([]);
    expect(r.equity).toEqual([]);
  });
});
