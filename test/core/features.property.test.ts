/**
 * Property tests of the derived values (STRATEGY.md 2, "Arithmetic").
 *
 * Invariants (all compared with Object.is, i.e. bit for bit, NaN equal to NaN):
 *  1. Chunked: computing t in index chunks with a fresh FeatureCalc per chunk equals one serial pass.
 *  2. Shuffled: computing the t's in a random order with one FeatureCalc equals one serial pass.
 *  3. Incremental (live): computing t right after appending scan t to a growing store equals the
 *     batch pass over the full store.
 *  4. Oracle: every value equals the spec written out naively over plain ScanRecords (support/reference.ts).
 *  5. All at once: alignmentBetaAll (every symbol, row by row) equals alignmentBeta symbol by symbol, on a
 *     replay store and on a growing live store (whose price rows are wider than its universe).
 *  6. Ranges: btcVolRange (what pool workers and the day cache compute) over any [from, to) equals the
 *     lazy FeatureCalc.btcVol.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveConfig, type StrategyConfig } from '../../src/core/config.js';
import { FeatureCalc, btcVolRange } from '../../src/core/features.js';
import type { ScanRecord } from '../../src/core/scan.js';
import { ScanStore } from '../../src/core/scan-store.js';
import { storeOf } from './support/scan-builder.js';
import { marketArb } from './support/scenario.arb.js';
import { refAlignBeta, refBarOfDay, refBtcVol, refMarket, refVelDiv } from './support/reference.js';

/** Every feature of scan t, flattened: velDiv, m, btcVol, then [alignment, beta] per symbol (fixed list). */
function featuresAt(f: FeatureCalc, store: ScanStore, symbols: readonly string[], t: number): number[] {
  const out = [f.velDiv(t), f.marketReturn(t), f.btcVol(t)];
  const ok = f.prepareMarketWindow(t);
  const ab = new Float64Array(2);
  for (const s of symbols) {
    const id = store.idOf(s);
    if (!ok || id < 0) {
      out.push(NaN, NaN);
      continue;
    }
    f.alignmentBeta(id, t, ab);
    out.push(ab[0], ab[1]);
  }
  return out;
}

const sameBits = (a: number[], b: number[]): boolean => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

const windowsArb = fc.record({ volWindow: fc.integer({ min: 2, max: 6 }), alignWindow: fc.integer({ min: 2, max: 6 }), velDivSource: fc.constantFrom('auto', 'column', 'derived') });

function serial(scans: ScanRecord[], config: StrategyConfig, symbols: string[]): number[][] {
  const store = storeOf(scans);
  const f = new FeatureCalc(store, config);
  return scans.map((_, t) => featuresAt(f, store, symbols, t));
}

describe('feature computation is order- and chunk-independent', () => {
  it('1. chunks with a fresh FeatureCalc per chunk = serial', () => {
    fc.assert(
      fc.property(marketArb, windowsArb, fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 1, maxLength: 20 }), (m, w, sizes) => {
        const config = resolveConfig(w);
        const want = serial(m.scans, config, m.symbols);
        const store = storeOf(m.scans);
        let t = 0;
        let i = 0;
        while (t < store.n) {
          const f = new FeatureCalc(store, config);
          const end = Math.min(store.n, t + sizes[i++ % sizes.length]);
          for (; t < end; t++) expect(sameBits(featuresAt(f, store, m.symbols, t), want[t])).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('2. any order of t with one FeatureCalc = serial', () => {
    fc.assert(
      fc.property(
        marketArb.chain((m) => fc.tuple(fc.constant(m), fc.shuffledSubarray([...m.scans.keys()], { minLength: m.scans.length, maxLength: m.scans.length }))),
        windowsArb,
        ([m, order], w) => {
          const config = resolveConfig(w);
          const want = serial(m.scans, config, m.symbols);
          const store = storeOf(m.scans);
          const f = new FeatureCalc(store, config);
          for (const t of order) expect(sameBits(featuresAt(f, store, m.symbols, t), want[t])).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('3. incremental computation on a growing store = batch', () => {
    fc.assert(
      fc.property(marketArb, windowsArb, (m, w) => {
        const config = resolveConfig(w);
        const want = serial(m.scans, config, m.symbols);
        const store = new ScanStore(1, 1);
        const f = new FeatureCalc(store, config);
        m.scans.forEach((scan, t) => {
          store.append(scan);
          expect(sameBits(featuresAt(f, store, m.symbols, t), want[t])).toBe(true);
        });
      }),
      { numRuns: 100 },
    );
  });

  it('5. alignmentBetaAll = alignmentBeta per symbol, replay and live stores', () => {
    fc.assert(
      fc.property(marketArb, windowsArb, (m, w) => {
        const config = resolveConfig(w);
        const check = (store: ScanStore, f: FeatureCalc, t: number): void => {
          if (!f.prepareMarketWindow(t)) return;
          const align = new Float64Array(store.stride);
          const beta = new Float64Array(store.stride);
          f.alignmentBetaAll(t, align, beta);
          const one = new Float64Array(2);
          for (let id = 0; id < store.symbols.length; id++) {
            f.alignmentBeta(id, t, one);
            expect(Object.is(align[id], one[0]) && Object.is(beta[id], one[1])).toBe(true);
          }
        };
        const replay = storeOf(m.scans);
        const fr = new FeatureCalc(replay, config);
        for (let t = 0; t < replay.n; t++) check(replay, fr, t);
        const live = new ScanStore(1, 1);
        const fl = new FeatureCalc(live, config);
        m.scans.forEach((scan, t) => {
          live.append(scan);
          check(live, fl, t);
        });
      }),
      { numRuns: 100 },
    );
  });

  it('6. btcVolRange over any range = the lazy btcVol', () => {
    fc.assert(
      fc.property(marketArb, windowsArb, fc.nat(), fc.nat(), (m, w, a, b) => {
        const config = resolveConfig(w);
        const store = storeOf(m.scans);
        const from = a % store.n;
        const to = from + (b % (store.n - from + 1));
        const out = new Float64Array(to - from);
        btcVolRange(store, config, from, to, out);
        const f = new FeatureCalc(store, config);
        for (let t = from; t < to; t++) expect(Object.is(out[t - from], f.btcVol(t))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('4. values equal the naive spec oracle bit for bit', () => {
    fc.assert(
      fc.property(marketArb, windowsArb, (m, w) => {
        const config = resolveConfig(w);
        const got = serial(m.scans, config, m.symbols);
        const store = storeOf(m.scans);
        m.scans.forEach((_, t) => {
          const exp = [
            refVelDiv(m.scans, t, w.velDivSource as 'auto'),
            refMarket(m.scans, t),
            refBtcVol(m.scans, t, w.volWindow),
            ...m.symbols.flatMap((s) => refAlignBeta(m.scans, s, t, w.alignWindow)),
          ];
          expect(got[t]).toEqual(exp);
          expect(sameBits(got[t], exp)).toBe(true);
          expect(store.barOfDay[t]).toBe(refBarOfDay(m.scans, t));
        });
      }),
      { numRuns: 100 },
    );
  });
});
