/** fast-check arbitraries: random scan sequences (invalid prices, day crossings), configs and factor records. */
import fc from 'fast-check';
import type { ScanRecord } from '../../../src/core/scan.js';
import type { FactorRecord } from '../../../src/core/trade.js';
import { dayOf } from '../../../src/core/scan.js';
import { makeScan, tsOf } from './scan-builder.js';

/** A random market: scans plus the symbols universe. */
export interface Market {
  readonly scans: ScanRecord[];
  readonly symbols: string[];
}

const POOL = ['AAA', 'BBB', 'CCC', 'DDD', 'ETHUSDT', 'ZZZ'];

/** Scans every ~5 s starting a few minutes before a UTC midnight, with invalid and absent prices. */
export const marketArb: fc.Arbitrary<Market> = fc
  .record({
    extra: fc.subarray(POOL, { minLength: 1, maxLength: 4 }),
    n: fc.integer({ min: 8, max: 70 }),
    startOffsetS: fc.integer({ min: 0, max: 400 }),
    seedSteps: fc.array(fc.integer({ min: -40, max: 40 }), { minLength: 70 * 7, maxLength: 70 * 7 }),
    validity: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 70 * 7, maxLength: 70 * 7 }),
    velDiv: fc.array(fc.constantFrom(-1, -0.02, -0.0199, 0, NaN, -0.5), { minLength: 70, maxLength: 70 }),
    gaps: fc.array(fc.constantFrom(5, 5, 5, 5, 5, 1, 17, 300), { minLength: 70, maxLength: 70 }),
    shuffleListing: fc.boolean(),
    vel: fc.array(fc.constantFrom(0.1, -0.05, 0, 0.03, NaN), { minLength: 140, maxLength: 140 }),
  })
  .map(({ extra, n, startOffsetS, seedSteps, validity, velDiv, gaps, shuffleListing, vel }) => {
    const symbols = ['BTCUSDT', ...extra];
    const price = symbols.map((_, i) => 100 / (i + 1));
    let ts = tsOf('2026-01-01T23:55:00Z') + BigInt(startOffsetS) * 1_000_000_000n;
    const scans: ScanRecord[] = [];
    for (let t = 0; t < n; t++) {
      const prices: Record<string, number | null> = {};
      symbols.forEach((s, i) => {
        const k = t * 7 + i;
        price[i] *= 1 + seedSteps[k] / 1000;
        const v = validity[k];
        if (v === 1) return; // absent
        prices[s] = v === 0 ? null : v === 2 ? 0 : v === 3 ? -1 : price[i];
      });
      const order = Object.keys(prices);
      if (shuffleListing && t % 2 === 1) order.reverse();
      const features = { w50_velocity: vel[2 * t], w150_velocity: vel[2 * t + 1], w750_velocity: vel[(2 * t + 3) % 140] };
      scans.push(makeScan({ ts, prices, order, velDiv: velDiv[t], features, scanNumber: (t * 7) % 23 }));
      ts += BigInt(gaps[t]) * 1_000_000_000n;
    }
    return { scans, symbols };
  });

/** Config overrides for resolveConfig (always valid). */
export const configArb = (symbols: readonly string[]): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record({
      maxOpenPositions: fc.integer({ min: 1, max: 3 }),
      leverage: fc.constantFrom(0.5, 1, 4, 9),
      maxLeverage: fc.constantFrom(9, 12),
      takeProfitPct: fc.constantFrom(0.001, 0.005, 0.01, 0.05),
      liqStopPct: fc.constantFrom(0.005, 0.02, 0.95 / 9, 0.5),
      stopLossPct: fc.constantFrom(null, 0.003, 0.01),
      maxHoldBars: fc.integer({ min: 1, max: 15 }),
      slippageBps: fc.constantFrom(0, 1, 7.5),
      entryLiquidity: fc.constantFrom('taker', 'maker'),
      warmupBars: fc.integer({ min: 0, max: 12 }),
      volWindow: fc.integer({ min: 2, max: 5 }),
      alignWindow: fc.integer({ min: 2, max: 5 }),
      minAlignment: fc.constantFrom(-1, -0.5, 0, 0.45, 0.9),
      volThreshold: fc.constantFrom(0, 0.0005, 0.002, 0.005),
      velDivThreshold: fc.constantFrom(-0.02, -0.5),
      velDivSource: fc.constantFrom('auto', 'column', 'derived'),
      closeAtEnd: fc.boolean(),
      excludeAssets: fc.subarray([...symbols]),
      takerFee: fc.constantFrom(0, 0.0005),
      makerFee: fc.constantFrom(0, 0.0002),
      acbCuts: fc.constantFrom([0, 0.15, 0.45, 0.55, 0.75, 0.8], [0, 1, 1, 1, 1, 1], [0.3, 0.5, 1, 1, 1, 1]),
    })
    .map((c) => ({ ...c, maxLeverage: Math.max(c.maxLeverage, c.leverage) }));

/** Factor records for the days of the scans, effective at random instants within the run. */
export const factorsArb = (scans: readonly ScanRecord[]): fc.Arbitrary<FactorRecord[]> => {
  if (scans.length === 0) return fc.constant([]);
  const first = scans[0].timestampNs;
  const last = scans[scans.length - 1].timestampNs;
  const span = Number((last - first) / 1_000_000_000n) + 1;
  const days = [dayOf(first), dayOf(last)];
  return fc.array(
    fc.record({
      dayIdx: fc.integer({ min: 0, max: 1 }),
      offsetS: fc.integer({ min: -30, max: span }),
      fundingBtc: fc.option(fc.constantFrom(-0.001, 0.001), { nil: undefined }),
      dvolBtc: fc.option(fc.constantFrom(40, 60, 90), { nil: undefined }),
      fng: fc.option(fc.constantFrom(10, 50), { nil: undefined }),
      takerRatio: fc.option(fc.constantFrom(0.5, 1.2), { nil: undefined }),
    }).map((r) => {
      const rec: FactorRecord = { day: days[r.dayIdx], effectiveFromNs: first + BigInt(r.offsetS) * 1_000_000_000n };
      const out: Record<string, unknown> = { ...rec };
      for (const k of ['fundingBtc', 'dvolBtc', 'fng', 'takerRatio'] as const) if (r[k] !== undefined) out[k] = r[k];
      return out as unknown as FactorRecord;
    }),
    { maxLength: 3 },
  );
};
