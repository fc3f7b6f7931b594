/**
 * STRATEGY.md 4: the entry gates in order (vel_div, warm-up per UTC day, btcVol strictly above the
 * threshold, acbCut < 1 and room for a position) and candidate selection (valid, not held, not
 * excluded, alignment >= minAlignment, highest beta, ties by symbol).
 */
import { describe, expect, it } from 'vitest';
import { factorDay, pathScans, runOn, testConfig, tsOf, wiggle, type PathPrice } from './support/scan-builder.js';
import { refAlignBeta, refBtcVol } from './support/reference.js';

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

/**
 * "Always open" scenario: vel_div -1 everywhere, maxHoldBars 1, so every scan whose gates are open
 * gets an entry (the previous position exits first). Windows of 2 make t = 2 the first possible entry.
 */
function gateRun(n: number, over: Record<string, unknown> = {}, o: { velDiv?: number[]; ts?: bigint[]; btc?: PathPrice[]; factors?: Parameters<typeof runOn>[2]; features?: Record<string, number> } = {}) {
  const scans = pathScans({
    paths: { BTCUSDT: o.btc ?? wiggle(n, 100), AAA: wiggle(n, 50, 0.02, 3) },
    velDiv: o.velDiv ?? -1,
    ts: o.ts,
    features: o.features,
  });
  return { scans, ...runOn(scans, testConfig({ maxHoldBars: 1, liqStopPct: 0.5, ...over }), o.factors ?? []) };
}

describe('baseline', () => {
  it('with every gate open there is one entry per scan from t = 2', () => {
    expect(gateRun(12).entries).toEqual(range(2, 12));
  });
});

describe('gate 1: vel_div <= velDivThreshold', () => {
  it('enters at equality, not above, not on NaN', () => {
    const velDiv = [-1, -1, -1, -0.02, -0.0199, NaN, -0.5, 0, -0.020001, 5];
    expect(gateRun(10, {}, { velDiv }).entries).toEqual([2, 3, 6, 8]);
  });
  it('uses velDivThreshold', () => {
    const velDiv = [-1, -1, -0.05, -0.049, -0.051, -0.05];
    expect(gateRun(6, { velDivThreshold: -0.05 }, { velDiv }).entries).toEqual([2, 4, 5]);
  });
  it('uses the configured source: derived ignores the column', () => {
    const velDiv = Array(6).fill(-1);
    const closed = { w50_velocity: 0.1, w750_velocity: 0.05 }; // derived = +0.05
    expect(gateRun(6, { velDivSource: 'derived' }, { velDiv, features: closed }).entries).toEqual([]);
    const open = { w50_velocity: 0.1, w750_velocity: 0.13 }; // derived = -0.03
    expect(gateRun(6, { velDivSource: 'derived' }, { velDiv: Array(6).fill(1), features: open }).entries).toEqual(range(2, 6));
    expect(gateRun(6, {}, { velDiv: Array(6).fill(NaN), features: open }).entries).toEqual(range(2, 6)); // auto falls back
  });
});

describe('gate 2: barOfDay >= warmupBars, per UTC day', () => {
  it('the warm-up restarts at UTC midnight', () => {
    const start = tsOf('2026-01-01T23:59:35Z');
    const ts = range(0, 10).map((i) => start + BigInt(i) * 5_000_000_000n); // t = 5 is 00:00:00
    expect(gateRun(10, { warmupBars: 3 }, { ts }).entries).toEqual([3, 4, 8, 9]);
    expect(gateRun(10, { warmupBars: 0 }, { ts }).entries).toEqual(range(2, 10));
  });
  it('a gap of days still restarts the warm-up; a long day keeps counting', () => {
    const ts = [
      ...range(0, 6).map((i) => tsOf('2026-01-01T10:00:00Z') + BigInt(i) * 5_000_000_000n),
      ...range(0, 6).map((i) => tsOf('2026-01-05T10:00:00Z') + BigInt(i) * 5_000_000_000n),
    ];
    expect(gateRun(12, { warmupBars: 4 }, { ts }).entries).toEqual([4, 5, 10, 11]);
  });
  it('default warmupBars is 100', () => {
    const r = gateRun(104, { warmupBars: 100 });
    expect(r.entries).toEqual([100, 101, 102, 103]);
  });
});

describe('gate 3: btcVol > volThreshold (strict, finite)', () => {
  const n = 12;
  const btc = [100, 101, 99.5, 100.2, 101.9, 100.1, 99, 99.8, 101, 100.5, 98.9, 100];
  it('a scan whose btcVol equals the threshold does not enter', () => {
    const probe = pathScans({ paths: { BTCUSDT: btc } });
    const vols = range(0, n).map((t) => refBtcVol(probe, t, 2));
    const byVol = range(2, n).sort((a, b) => vols[a] - vols[b]);
    const mid = byVol[Math.floor(byVol.length / 2)];
    const thr = vols[mid];
    const expected = range(2, n).filter((t) => vols[t] > thr);
    expect(expected).not.toContain(mid);
    expect(expected.length).toBeGreaterThan(2);
    expect(expected.length).toBeLessThan(n - 3);
    expect(gateRun(n, { volThreshold: thr }, { btc }).entries).toEqual(expected);
    // Just below: t = 5 enters too.
    const below = thr - 1e-15;
    expect(gateRun(n, { volThreshold: below }, { btc }).entries).toContain(mid);
  });
  it('a non-finite btcVol closes the gate even with a negative threshold', () => {
    const holed: PathPrice[] = [...btc];
    holed[6] = null; // r[6] and r[7] are NaN: btcVol(6), btcVol(7), btcVol(8) are NaN
    expect(gateRun(n, { volThreshold: -1 }, { btc: holed }).entries).toEqual([2, 3, 4, 5, 9, 10, 11]);
  });
});

describe('gate 4: acbCut < 1 and open < maxOpenPositions', () => {
  it('a cut of 1 closes the gate', () => {
    expect(gateRun(8, { acbCuts: [1, 1, 1, 1, 1, 1] }).entries).toEqual([]);
  });
  it('a factor record raising the cut to 1 closes the gate from its effective time on', () => {
    const scans = pathScans({ paths: { A: Array(8).fill(1) } });
    const f = factorDay('2026-01-01', { takerRatio: 0.5 }, scans[5].timestampNs);
    expect(gateRun(8, { acbCuts: [0, 1, 1, 1, 1, 1] }, { factors: [f] }).entries).toEqual([2, 3, 4]);
    // A cut just below 1 still lets entries through.
    expect(gateRun(8, { acbCuts: [0, 0.99, 1, 1, 1, 1] }, { factors: [f] }).entries).toEqual(range(2, 8));
  });
  it('no entry while maxOpenPositions positions are open; at most one entry per scan', () => {
    expect(gateRun(8, { maxHoldBars: 250, takeProfitPct: 0.9 }).entries).toEqual([2]);
    const n = 10;
    const scans = pathScans({
      paths: { BTCUSDT: wiggle(n, 100), AAA: wiggle(n, 50, 0.02, 3), BBB: wiggle(n, 20, 0.03, 5), CCC: wiggle(n, 10, 0.015, 1), DDD: wiggle(n, 7, 0.01, 2) },
      velDiv: -1,
    });
    const r = runOn(scans, testConfig({ maxOpenPositions: 3, liqStopPct: 0.5, takeProfitPct: 0.9, closeAtEnd: false }));
    expect(r.entries).toEqual([2, 3, 4]);
    expect(r.openAfter).toEqual([0, 0, 1, 2, 3, 3, 3, 3, 3, 3]);
  });
});

describe('gate 5: candidates', () => {
  // Same-direction moves with amplitudes AAA > BBB > CCC: beta AAA > BBB > CCC.
  const n = 6;
  const g = [0, 1, -0.5, 0.7, -1, 0.3];
  const path = (base: number, amp: number): number[] => g.map((x) => base * (1 + amp * x));
  const paths = { BTCUSDT: path(100, 0.01), AAA: path(30, 0.03), BBB: path(40, 0.02), CCC: path(50, 0.01) };
  const run = (over: Record<string, unknown>, velAt: number[], p: Record<string, PathPrice[]> = paths) => {
    const scans = pathScans({ paths: p, velDiv: range(0, n).map((t) => (velAt.includes(t) ? -1 : 0)), reverseOrder: true });
    const r = runOn(scans, testConfig({ liqStopPct: 0.5, takeProfitPct: 0.9, closeAtEnd: false, ...over }));
    return { scans, ...r, picked: r.engine.recorder.fills.filter((f) => f.side === 'SELL').map((f) => f.asset) };
  };

  it('precondition: beta AAA > BBB > CCC at t = 2 and 3', () => {
    const scans = pathScans({ paths });
    for (const t of [2, 3]) {
      const b = ['AAA', 'BBB', 'CCC'].map((s) => refAlignBeta(scans, s, t, 2)[1]);
      expect(b[0]).toBeGreaterThan(b[1]);
      expect(b[1]).toBeGreaterThan(b[2]);
    }
  });
  it('picks the highest beta', () => {
    expect(run({}, [2]).picked).toEqual(['AAA']);
  });
  it('skips held assets', () => {
    expect(run({ maxOpenPositions: 2 }, [2, 3]).picked).toEqual(['AAA', 'BBB']);
  });
  it('skips excluded assets', () => {
    expect(run({ excludeAssets: ['BTCUSDT', 'AAA'] }, [2]).picked).toEqual(['BBB']);
    expect(run({ excludeAssets: ['BTCUSDT', 'AAA', 'BBB', 'CCC'] }, [2]).picked).toEqual([]);
  });
  it('the vol asset is a candidate unless excluded', () => {
    const big = { ...paths, BTCUSDT: path(100, 0.05) };
    expect(run({ excludeAssets: [] }, [2], big).picked).toEqual(['BTCUSDT']);
  });
  it('skips assets without a valid price at t', () => {
    for (const bad of [null, undefined, 0, -3]) {
      const p = { ...paths, AAA: paths.AAA.map((x, t) => (t === 3 ? bad : x)) };
      expect(run({}, [3], p).picked).toEqual(['BBB']);
    }
  });
  it('ties on beta go to the smallest symbol, whatever the listing order', () => {
    const p = { BTCUSDT: paths.BTCUSDT, ZZZ: paths.AAA, MMM: paths.AAA, CCC: paths.CCC };
    expect(run({}, [2], p).picked).toEqual(['MMM']);
  });
  it('no candidate: no entry', () => {
    const flat = { BTCUSDT: paths.BTCUSDT, AAA: Array(n).fill(5) };
    expect(run({}, [2, 3, 4], flat).picked).toEqual([]);
  });

  describe('alignment >= minAlignment (window 3)', () => {
    // Returns per scan (t = 1..3): BTC and four clones (excluded) drive the market; BBB follows it;
    // AAA is large and only partly aligned, so it has the highest beta but a lower alignment.
    const rB = [0.01, -0.01, 0.01];
    const rA = [0.06, -0.01, -0.01];
    const fromReturns = (p0: number, rs: number[]): number[] => rs.reduce((acc, r) => [...acc, acc[acc.length - 1] * (1 + r)], [p0]);
    const p: Record<string, number[]> = {
      BTCUSDT: fromReturns(100, rB),
      C1: fromReturns(10, rB),
      C2: fromReturns(11, rB),
      C3: fromReturns(12, rB),
      C4: fromReturns(13, rB),
      BBB: fromReturns(20, rB.map((r) => r * 0.9)),
      AAA: fromReturns(30, rA),
    };
    const excl = ['BTCUSDT', 'C1', 'C2', 'C3', 'C4'];
    const run3 = (minAlignment: number) => {
      const scans = pathScans({ paths: p, velDiv: [0, 0, 0, -1] });
      const r = runOn(scans, testConfig({ alignWindow: 3, minAlignment, excludeAssets: excl, closeAtEnd: false }));
      return r.engine.recorder.fills.map((f) => f.asset);
    };
    const scans = pathScans({ paths: p });
    const [alA, betaA] = refAlignBeta(scans, 'AAA', 3, 3);
    const [alB, betaB] = refAlignBeta(scans, 'BBB', 3, 3);

    it('precondition: AAA has the higher beta and the lower alignment', () => {
      expect(betaA).toBeGreaterThan(betaB);
      expect(alA).toBeLessThan(alB);
      expect(alA).toBeGreaterThan(0);
    });
    it('alignment exactly at minAlignment qualifies', () => {
      expect(run3(alA)).toEqual(['AAA']);
    });
    it('alignment below minAlignment does not', () => {
      expect(run3(alA + 1e-12)).toEqual(['BBB']);
      expect(run3((alA + alB) / 2)).toEqual(['BBB']);
      expect(run3(alB + 1e-12)).toEqual([]);
    });
  });
});
