/** STRATEGY.md 2: vel_div sources, returns, market return, btcVol, alignment/beta, barOfDay, windows. */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/core/config.js';
import { FeatureCalc, btcVolRange } from '../../src/core/features.js';
import { makeScan, pathScans, storeOf, tsOf, type PathPrice } from './support/scan-builder.js';
import { refAlignBeta, refBtcVol, refMarket } from './support/reference.js';

const calcOf = (scans: Parameters<typeof storeOf>[0], over: Record<string, unknown> = {}) => {
  const store = storeOf(scans);
  return { store, f: new FeatureCalc(store, resolveConfig(over)) };
};

describe('vel_div sources', () => {
  const scans = [
    makeScan({ ts: 0n, prices: { A: 1 }, velDiv: -0.03, features: { w50_velocity: 0.5, w150_velocity: 0.125, w750_velocity: 0.25 } }),
    makeScan({ ts: 1n, prices: { A: 1 }, velDiv: NaN, features: { w50_velocity: 0.5, w150_velocity: 0.125, w750_velocity: 0.25 } }),
    makeScan({ ts: 2n, prices: { A: 1 }, velDiv: Infinity, features: { w50_velocity: 0.5, w750_velocity: 0.25 } }),
    makeScan({ ts: 3n, prices: { A: 1 }, velDiv: NaN, features: { w50_velocity: 0.5 } }),
    makeScan({ ts: 4n, prices: { A: 1 }, velDiv: -0.01, features: {} }),
    makeScan({ ts: 5n, prices: { A: 1 }, velDiv: NaN, features: { w50_velocity: Infinity, w750_velocity: 0 } }),
  ];
  it('"column" uses the scan column only, NaN when not finite', () => {
    const { f } = calcOf(scans, { velDivSource: 'column' });
    expect([0, 1, 2, 3, 4, 5].map((t) => f.velDiv(t))).toEqual([-0.03, NaN, NaN, NaN, -0.01, NaN]);
  });
  it('"derived" uses w{a}_velocity - w{b}_velocity with the default pair [50, 750]', () => {
    const { f } = calcOf(scans, { velDivSource: 'derived' });
    expect([0, 1, 2, 3, 4, 5].map((t) => f.velDiv(t))).toEqual([0.25, 0.25, 0.25, NaN, NaN, NaN]);
  });
  it('"derived" honours velDivPair (legacy [50, 150])', () => {
    const { f } = calcOf(scans, { velDivSource: 'derived', velDivPair: [50, 150] });
    expect(f.velDiv(0)).toBe(0.375);
    expect(f.velDiv(2)).toBeNaN();
  });
  it('"derived" honours a reversed pair', () => {
    const { f } = calcOf(scans, { velDivSource: 'derived', velDivPair: [750, 50] });
    expect(f.velDiv(0)).toBe(-0.25);
  });
  it('"auto" (default) uses the column where finite, else the derived value (NaN column falls back)', () => {
    const { f } = calcOf(scans);
    expect([0, 1, 2, 3, 4, 5].map((t) => f.velDiv(t))).toEqual([-0.03, 0.25, 0.25, NaN, -0.01, NaN]);
  });
});

describe('simple returns', () => {
  const A: PathPrice[] = [100, 110, null, 120, 0, 50, -5, 60, Infinity, 70, undefined, 80, 88];
  const scans = pathScans({ paths: { A, B: A.map(() => 1) } });
  it('r[t] = p[t]/p[t-1] - 1, NaN when either price is invalid, absent, or t = 0', () => {
    const { store, f } = calcOf(scans);
    const id = store.idOf('A');
    const got = A.map((_, t) => f.ret(id, t));
    const exp = [NaN, 110 / 100 - 1, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, 88 / 80 - 1];
    expect(got).toEqual(exp);
  });
});

describe('market return m[t]', () => {
  it('is the mean of the finite returns of the scan assets', () => {
    const scans = pathScans({ paths: { A: [100, 110], B: [100, 120], C: [100, null], D: [100, 130] } });
    const { f } = calcOf(scans);
    const rA = 110 / 100 - 1;
    const rB = 120 / 100 - 1;
    const rD = 130 / 100 - 1;
    expect(f.marketReturn(1)).toBe((rA + rB + rD) / 3);
    expect(f.marketReturn(0)).toBeNaN();
  });

  it('NaN when fewer than half of the scan assets have a finite return; exactly half is enough', () => {
    // 4 assets, 2 finite: ok.
    let { f } = calcOf(pathScans({ paths: { A: [100, 110], B: [100, 120], C: [100, null], D: [null, 130] } }));
    expect(f.marketReturn(1)).toBe((110 / 100 - 1 + (120 / 100 - 1)) / 2);
    // 4 assets, 1 finite: NaN.
    ({ f } = calcOf(pathScans({ paths: { A: [100, 110], B: [100, null], C: [100, null], D: [null, 130] } })));
    expect(f.marketReturn(1)).toBeNaN();
    // 5 assets, 3 finite: ok; 5 assets, 2 finite: NaN.
    ({ f } = calcOf(pathScans({ paths: { A: [100, 110], B: [100, 120], C: [100, 105], D: [null, 130], E: [100, null] } })));
    expect(f.marketReturn(1)).toBe((110 / 100 - 1 + (120 / 100 - 1) + (105 / 100 - 1)) / 3);
    ({ f } = calcOf(pathScans({ paths: { A: [100, 110], B: [100, 120], C: [100, 0], D: [null, 130], E: [100, null] } })));
    expect(f.marketReturn(1)).toBeNaN();
  });

  it('counts only the assets of scan t: an asset absent at t is not in the denominator, one new at t is', () => {
    // B, C, D absent at t = 1: A alone is the universe, 1 of 1 finite.
    let { f } = calcOf(pathScans({ paths: { A: [100, 110], B: [100, undefined], C: [100, undefined], D: [100, undefined] } }));
    expect(f.marketReturn(1)).toBe(110 / 100 - 1);
    // B, C new at t = 1 (no previous price): 1 of 3 finite -> NaN.
    ({ f } = calcOf(pathScans({ paths: { A: [100, 110], B: [undefined, 5], C: [undefined, 6] } })));
    expect(f.marketReturn(1)).toBeNaN();
  });

  it('sums in ascending symbol order whatever the listing order', () => {
    // Search deterministically for prices whose returns sum differently in ascending vs descending order.
    let found = false;
    for (let x = 101; x < 200 && !found; x++) {
      for (let y = x + 1; y < 200 && !found; y++) {
        const [a, b, c, d] = [x / 100 - 1, y / 100 - 1, 133 / 100 - 1, 171 / 100 - 1];
        const asc = (a + b + c + d) / 4;
        if (asc === (d + c + b + a) / 4) continue;
        found = true;
        for (const reverseOrder of [false, true]) {
          const { f } = calcOf(pathScans({ paths: { AAA: [100, x], BBB: [100, y], CCC: [100, 133], DDD: [100, 171] }, reverseOrder }));
          expect(f.marketReturn(1)).toBe(asc);
        }
      }
    }
    expect(found).toBe(true);
  });
});

describe('btcVol', () => {
  const btc = [100, 101, 99, 100, 102, 101, 103];
  const scans = pathScans({ paths: { BTCUSDT: btc, ETHUSDT: btc.map((p) => p * 2) } });

  it('is the population std (divide by n) of the last volWindow BTC returns', () => {
    const { f } = calcOf(scans, { volWindow: 3 });
    const r = [101 / 100 - 1, 99 / 101 - 1, 100 / 99 - 1];
    const mean = (r[0] + r[1] + r[2]) / 3;
    const pop = Math.sqrt(((r[0] - mean) ** 2 + (r[1] - mean) ** 2 + (r[2] - mean) ** 2) / 3);
    const sample = Math.sqrt(((r[0] - mean) ** 2 + (r[1] - mean) ** 2 + (r[2] - mean) ** 2) / 2);
    expect(f.btcVol(3)).toBe(pop);
    expect(f.btcVol(3)).not.toBe(sample);
  });

  it('is NaN until volWindow returns exist (t < volWindow)', () => {
    const { f } = calcOf(scans, { volWindow: 3 });
    expect([0, 1, 2].map((t) => f.btcVol(t))).toEqual([NaN, NaN, NaN]);
    expect(Number.isFinite(f.btcVol(3))).toBe(true);
  });

  it('is NaN when any return in the window is missing', () => {
    const gap = pathScans({ paths: { BTCUSDT: [100, 101, 99, null, 102, 101, 103, 104, 105] } });
    const { f } = calcOf(gap, { volWindow: 3 });
    // price null at 3 kills r[3] and r[4]; windows ending at 3..6 contain one of them.
    expect([3, 4, 5, 6, 7].map((t) => Number.isFinite(f.btcVol(t)))).toEqual([false, false, false, false, true]);
  });

  it('is NaN when the vol asset is absent from the data', () => {
    const { f } = calcOf(pathScans({ paths: { ETHUSDT: btc } }), { volWindow: 3 });
    expect(f.btcVol(5)).toBeNaN();
  });

  it('uses volAsset', () => {
    const { f } = calcOf(scans, { volWindow: 3, volAsset: 'ETHUSDT' });
    expect(f.btcVol(4)).toBe(refBtcVol(scans, 4, 3, 'ETHUSDT'));
  });

  it('is exactly 0 for a constant price', () => {
    const { f } = calcOf(pathScans({ paths: { BTCUSDT: [5, 5, 5, 5] } }), { volWindow: 3 });
    expect(f.btcVol(3)).toBe(0);
  });

  it('btcVolRange (four windows at a time) gives the lazy values, also around a missing price and an overflowing sum', () => {
    // BTCUSDT's returns are about 1e308 every other scan: finite each, but two of them overflow a sum.
    const wild = pathScans({ paths: { BTCUSDT: [1, 2, 1e-154, 1e154, 1e-154, 1e154, 3, null, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] } });
    const { store, f } = calcOf(wild, { volWindow: 3 });
    const out = new Float64Array(store.n);
    btcVolRange(store, resolveConfig({ volWindow: 3 }), 0, store.n, out);
    for (let t = 0; t < store.n; t++) expect(Object.is(out[t], f.btcVol(t))).toBe(true);
    expect(out[5]).toBe(Infinity); // r[3..5] = 1e308, -1, 1e308: the mean overflows
    expect(out[8]).toBeNaN(); // the window holds the missing price's returns
    expect(out.slice(12).every(Number.isFinite)).toBe(true);
  });

  it('windows ignore UTC day boundaries', () => {
    const cross = pathScans({ paths: { BTCUSDT: btc }, start: '2026-01-01T23:59:50Z' });
    const { store, f } = calcOf(cross, { volWindow: 3 });
    expect(store.barOfDay[2]).toBe(0); // 00:00:00 of Jan 2
    expect(store.barOfDay[3]).toBe(1);
    expect(f.btcVol(3)).toBe(calcOf(scans, { volWindow: 3 }).f.btcVol(3));
  });
});

describe('alignment and beta', () => {
  // A and B over 5 scans; m = mean of A and B returns.
  const A = [100, 102, 101, 104, 103];
  const B = [50, 50.5, 50.2, 51, 50.9];
  const scans = pathScans({ paths: { AAA: A, BBB: B } });

  it('use population moments: alignment = cov/sqrt(varI varM), beta = cov/varM', () => {
    const { store, f } = calcOf(scans, { alignWindow: 3 });
    // Window for t = 4 covers r[2], r[3], r[4]; m sums AAA then BBB (ascending symbols).
    const ri = [2, 3, 4].map((t) => A[t] / A[t - 1] - 1);
    const rm = [2, 3, 4].map((t) => (A[t] / A[t - 1] - 1 + (B[t] / B[t - 1] - 1)) / 2);
    const mi = (ri[0] + ri[1] + ri[2]) / 3;
    const mm = (rm[0] + rm[1] + rm[2]) / 3;
    let sii = 0;
    let smm = 0;
    let sim = 0;
    for (let k = 0; k < 3; k++) {
      sii += (ri[k] - mi) * (ri[k] - mi);
      smm += (rm[k] - mm) * (rm[k] - mm);
      sim += (ri[k] - mi) * (rm[k] - mm);
    }
    const cov = sim / 3;
    const varI = sii / 3;
    const varM = smm / 3;
    expect(f.prepareMarketWindow(4)).toBe(true);
    const out = new Float64Array(2);
    f.alignmentBeta(store.idOf('AAA'), 4, out);
    expect(out[0]).toBe(cov / Math.sqrt(varI * varM));
    expect(out[1]).toBe(cov / varM);
    expect(out[0]).toBeGreaterThan(0.45);
  });

  it('are NaN when the window is not full or has a missing value', () => {
    const { store, f } = calcOf(pathScans({ paths: { AAA: [100, 102, null, 104, 103, 105, 106], BBB: [50, 50.5, 50.2, 51, 50.9, 51.3, 51.1], CCC: [10, 11, 12, 11, 10, 11, 12] } }), {
      alignWindow: 3,
    });
    const out = new Float64Array(2);
    expect(f.prepareMarketWindow(2)).toBe(false); // needs r[0], which never exists
    expect(f.prepareMarketWindow(4)).toBe(true);
    f.alignmentBeta(store.idOf('AAA'), 4, out); // r[AAA][3] is NaN
    expect([...out]).toEqual([NaN, NaN]);
    f.alignmentBeta(store.idOf('BBB'), 4, out);
    expect(out.every(Number.isFinite)).toBe(true);
    expect(f.prepareMarketWindow(6)).toBe(true);
    f.alignmentBeta(store.idOf('AAA'), 6, out); // r[4..6] all finite again
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it('are NaN when the asset variance is 0 (constant price)', () => {
    const scans2 = pathScans({ paths: { AAA: [7, 7, 7, 7, 7], BBB: B, CCC: A } });
    const { store, f } = calcOf(scans2, { alignWindow: 3 });
    const out = new Float64Array(2);
    expect(f.prepareMarketWindow(4)).toBe(true);
    f.alignmentBeta(store.idOf('AAA'), 4, out);
    expect([...out]).toEqual([NaN, NaN]);
    expect(refAlignBeta(scans2, 'AAA', 4, 3)).toEqual([NaN, NaN]);
  });

  it('are NaN when the market variance is 0', () => {
    const flat = pathScans({ paths: { AAA: [7, 7, 7, 7, 7], BBB: [3, 3, 3, 3, 3], CCC: [100, 101, 101, 101, 101] } });
    const { store, f } = calcOf(flat, { alignWindow: 2 });
    const out = new Float64Array(2);
    // m[3] = m[4] = 0 exactly: the market variance over 3..4 is 0 even though nothing is missing.
    expect(refMarket(flat, 3)).toBe(0);
    expect(f.prepareMarketWindow(4)).toBe(true);
    for (const s of ['AAA', 'BBB', 'CCC']) {
      f.alignmentBeta(store.idOf(s), 4, out);
      expect([...out]).toEqual([NaN, NaN]);
    }
  });

  it('all at once (alignmentBetaAll) equals one by one, also when a missing price or an overflowing sum takes the exact path', () => {
    // HUGE: each of its returns is finite (about 1e308) but two of them overflow the window's sum.
    const { store, f } = calcOf(
      pathScans({ paths: { AAA: A, BBB: B, CCC: [100, 98, null, 96, 97], HUGE: [1e-154, 1e154, 1e-154, 1e154, 1e-154] } }),
      { alignWindow: 3 },
    );
    expect(f.ret(store.idOf('HUGE'), 3) + f.ret(store.idOf('HUGE'), 1)).toBe(Infinity);
    const align = new Float64Array(store.stride);
    const beta = new Float64Array(store.stride);
    const one = new Float64Array(2);
    expect(f.prepareMarketWindow(4)).toBe(true);
    f.alignmentBetaAll(4, align, beta);
    for (const s of ['AAA', 'BBB', 'CCC', 'HUGE']) {
      f.alignmentBeta(store.idOf(s), 4, one);
      expect([align[store.idOf(s)], beta[store.idOf(s)]]).toEqual([...one]);
    }
    expect(Number.isFinite(align[store.idOf('AAA')])).toBe(true);
    expect([align[store.idOf('CCC')], beta[store.idOf('CCC')]]).toEqual([NaN, NaN]);
  });

  it('an asset moving against the market has negative alignment', () => {
    const { store, f } = calcOf(pathScans({ paths: { AAA: A, BBB: B, CCC: [100, 98, 99, 96, 97], DDD: [10, 10.3, 10.1, 10.5, 10.4] } }), { alignWindow: 3 });
    const out = new Float64Array(2);
    f.prepareMarketWindow(4);
    f.alignmentBeta(store.idOf('CCC'), 4, out);
    expect(out[0]).toBeLessThan(0);
  });
});

describe('barOfDay and day', () => {
  it('counts accepted scans of the same UTC day before t, resetting at UTC midnight', () => {
    const ts = [
      tsOf('2026-03-01T23:59:50Z'),
      tsOf('2026-03-01T23:59:55Z'),
      tsOf('2026-03-02T00:00:00Z'),
      tsOf('2026-03-02T00:00:05Z'),
      tsOf('2026-03-02T13:00:00Z'),
      tsOf('2026-03-04T00:00:00Z') - 1n,
      tsOf('2026-03-04T00:00:00Z'),
    ];
    const store = storeOf(pathScans({ paths: { A: ts.map(() => 1) }, ts }));
    expect(Array.from(store.barOfDay.subarray(0, store.n))).toEqual([0, 1, 0, 1, 2, 0, 0]);
    const d = Array.from(store.day.subarray(0, store.n));
    expect(d[2] - d[0]).toBe(1);
    expect(d[6] - d[5]).toBe(1);
  });
});
