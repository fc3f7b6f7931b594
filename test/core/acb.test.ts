/** STRATEGY.md 6 and 1: ACB v5 signal count, cut table, factor timeline (effective-from, latest of day(t)). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FactorTimeline, acbCutFor, acbSignals } from '../../src/core/acb.js';
import { DEFAULT_CONFIG } from '../../src/core/config.js';
import { dayOf } from '../../src/core/scan.js';
import type { FactorRecord } from '../../src/core/trade.js';
import { dayNum, factorDay, tsOf } from './support/scan-builder.js';

const F = (f: Omit<FactorRecord, 'day' | 'effectiveFromNs'>): FactorRecord => ({ day: 0, effectiveFromNs: 0n, ...f });

describe('acbSignals', () => {
  it.each<[string, Omit<FactorRecord, 'day' | 'effectiveFromNs'> | undefined, number]>([
    ['no record', undefined, 0],
    ['empty record', {}, 0],
    ['funding < -0.0001', { fundingBtc: -0.00011 }, 1],
    ['funding = -0.0001 (strict)', { fundingBtc: -0.0001 }, 0],
    ['funding positive', { fundingBtc: 0.001 }, 0],
    ['dvol 55 (strict)', { dvolBtc: 55 }, 0],
    ['dvol 55.01', { dvolBtc: 55.01 }, 1],
    ['dvol 80 (only > 55)', { dvolBtc: 80 }, 1],
    ['dvol 80.01 (> 55 and > 80)', { dvolBtc: 80.01 }, 2],
    ['taker 0.8 (strict)', { takerRatio: 0.8 }, 0],
    ['taker 0.79', { takerRatio: 0.79 }, 1],
    ['fng alone needs confirmation', { fng: 10 }, 0],
    ['fng 24 confirmed by funding', { fng: 24, fundingBtc: -0.001 }, 2],
    ['fng 25 (strict)', { fng: 25, fundingBtc: -0.001 }, 1],
    ['fng confirmed by taker', { fng: 5, takerRatio: 0.5 }, 2],
    ['fng confirmed by dvol', { fng: 5, dvolBtc: 60 }, 2],
    ['fng with extreme dvol', { fng: 5, dvolBtc: 90 }, 3],
    ['everything', { fundingBtc: -0.01, dvolBtc: 90, takerRatio: 0.5, fng: 5 }, 5],
    ['everything but fng', { fundingBtc: -0.01, dvolBtc: 90, takerRatio: 0.5, fng: 50 }, 4],
    ['calm', { fundingBtc: 0.0001, dvolBtc: 40, takerRatio: 1.1, fng: 60 }, 0],
  ])('%s -> %i', (_name, f, n) => {
    expect(acbSignals(f === undefined ? undefined : F(f))).toBe(n);
  });
});

describe('acbCutFor', () => {
  it('maps 0..5+ signals onto the six cuts', () => {
    const cuts = DEFAULT_CONFIG.acbCuts;
    expect([0, 1, 2, 3, 4, 5, 6, 9].map((s) => acbCutFor(s, cuts))).toEqual([0, 0.15, 0.45, 0.55, 0.75, 0.8, 0.8, 0.8]);
    expect(acbCutFor(2, [0, 0.1, 0.2, 0.3, 0.4, 0.5])).toBe(0.2);
  });
});

describe('FactorTimeline', () => {
  const cuts = DEFAULT_CONFIG.acbCuts;
  const D = '2026-02-10';
  const at = (iso: string): [bigint, number] => [tsOf(iso), dayOf(tsOf(iso))];

  it('a record of day D applies to scans of day D from its effective time, not to other days', () => {
    const tl = new FactorTimeline([factorDay(D, { dvolBtc: 60 })], cuts);
    expect(tl.advance(...at('2026-02-09T23:59:55Z'))).toBe(0);
    expect(tl.advance(...at('2026-02-10T00:00:00Z'))).toBe(0.15);
    expect(tl.advance(...at('2026-02-10T23:59:55Z'))).toBe(0.15);
    expect(tl.advance(...at('2026-02-11T00:00:00Z'))).toBe(0); // D+1 has no data
  });

  it('a record is not in effect before its effective time (live arrival)', () => {
    const tl = new FactorTimeline([factorDay(D, { takerRatio: 0.5 }, tsOf('2026-02-10T12:00:00Z'))], cuts);
    expect(tl.advance(...at('2026-02-10T11:59:59Z'))).toBe(0);
    expect(tl.advance(...at('2026-02-10T12:00:00Z'))).toBe(0.15); // effective from that instant, inclusive
  });

  it('the latest record of day(t) in effect wins; a record of the next day arriving early does not apply', () => {
    const recs = [
      factorDay(D, { dvolBtc: 90, fundingBtc: -1 }, tsOf('2026-02-10T12:00:00Z')), // 3 signals, later
      factorDay(D, { dvolBtc: 60 }), // 1 signal, start of day
      factorDay('2026-02-11', { dvolBtc: 90, takerRatio: 0.1, fundingBtc: -1, fng: 1 }, tsOf('2026-02-10T18:00:00Z')),
    ];
    const tl = new FactorTimeline(recs, cuts);
    expect(tl.advance(...at('2026-02-10T06:00:00Z'))).toBe(0.15);
    expect(tl.advance(...at('2026-02-10T12:00:00Z'))).toBe(0.55);
    expect(tl.advance(...at('2026-02-10T19:00:00Z'))).toBe(0.55); // D+1's record is in effect but belongs to D+1
    expect(tl.advance(...at('2026-02-11T00:00:00Z'))).toBe(0.8);
  });

  it('records added live take effect at their effective time', () => {
    const tl = new FactorTimeline([], cuts);
    expect(tl.advance(...at('2026-02-10T10:00:00Z'))).toBe(0);
    tl.add(factorDay(D, { takerRatio: 0.1, dvolBtc: 70 }, tsOf('2026-02-10T10:00:05Z')));
    expect(tl.advance(...at('2026-02-10T10:00:05Z'))).toBe(0.45);
    tl.add(factorDay(D, {}, tsOf('2026-02-10T10:00:10Z')));
    expect(tl.advance(...at('2026-02-10T10:00:10Z'))).toBe(0); // the newer, empty record replaces it
  });

  it('an empty record and a day without records both give acbCuts[0]', () => {
    const custom = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    const tl = new FactorTimeline([factorDay(D, {})], custom);
    expect(tl.advance(...at('2026-02-10T01:00:00Z'))).toBe(0.1);
    expect(tl.advance(...at('2026-02-11T01:00:00Z'))).toBe(0.1);
  });

  it('lists the days with factor data', () => {
    const tl = new FactorTimeline([factorDay(D, {}), factorDay('2026-02-12', { fng: 3 })], cuts);
    expect([...tl.daysWithData()].sort()).toEqual([dayNum(D), dayNum('2026-02-12')]);
  });
});

describe('FactorTimeline.advanceAt (the engine path) = advance(ts[t], day)', () => {
  const cuts = DEFAULT_CONFIG.acbCuts;
  const rec = (effectiveS: number, day: number, dvol: number): FactorRecord => ({ day, effectiveFromNs: BigInt(effectiveS) * 1_000_000_000n, dvolBtc: dvol });
  const recArb = fc.tuple(fc.integer({ min: -5, max: 80 }), fc.integer({ min: 0, max: 2 }), fc.constantFrom(40, 60, 90)).map(([s, d, v]) => rec(s, d, v));

  it('on a replay column (whole) and a live one (growing, records added between scans)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 40 }),
        fc.array(recArb, { maxLength: 5 }),
        fc.array(fc.tuple(fc.nat(39), recArb), { maxLength: 3 }),
        (steps, records, added) => {
          const ts = new BigInt64Array(steps.length);
          let s = 0;
          steps.forEach((d, i) => {
            s += d; // equal timestamps allowed: the column only ascends
            ts[i] = BigInt(s) * 1_000_000_000n;
          });
          const dayAt = (t: number): number => Math.floor(Number(ts[t] / 1_000_000_000n) / 30);
          const want = new FactorTimeline(records, cuts);
          const whole = new FactorTimeline(records, cuts);
          const live = new FactorTimeline(records, cuts);
          const liveWant = new FactorTimeline(records, cuts);
          expect(live.advanceAt(ts, 1, 0, dayAt(0))).toBe(liveWant.advance(ts[0], dayAt(0)));
          for (let t = 0; t < ts.length; t++) {
            expect(whole.advanceAt(ts, ts.length, t, dayAt(t))).toBe(want.advance(ts[t], dayAt(t)));
            for (const [at, r] of added) {
              // live: a record arrives after scan `at` and takes effect no earlier than it
              if (at !== t) continue;
              const late = { ...r, effectiveFromNs: ts[t] + r.effectiveFromNs };
              live.add(late);
              liveWant.add(late);
            }
            if (t + 1 < ts.length) expect(live.advanceAt(ts, t + 2, t + 1, dayAt(t + 1))).toBe(liveWant.advance(ts[t + 1], dayAt(t + 1)));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('missing factors never signal', () => {
  it('null and NaN fields (e.g. from a hand-written or journaled record) count as missing', () => {
    const nul = null as unknown as number;
    expect(acbSignals(F({ takerRatio: nul, fundingBtc: nul, dvolBtc: nul, fng: nul }))).toBe(0);
    expect(acbSignals(F({ takerRatio: NaN, fundingBtc: NaN, dvolBtc: NaN, fng: NaN }))).toBe(0);
    expect(acbSignals(F({ dvolBtc: 60, fng: nul }))).toBe(1);
  });
});
