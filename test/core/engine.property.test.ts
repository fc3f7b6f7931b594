/**
 * Property tests of the engine over random markets (invalid/absent prices, UTC-midnight crossings,
 * irregular spacing, shuffled listing order), random valid configs and random factor records.
 *
 * Invariants:
 *  1. Accounting: after every scan, equity = initialCapital + sum of closed trades' pnl + sum over open
 *     positions of (qty * (entryPrice - mark) - entryFee), mark = last valid price since entry (1e-9 rel).
 *     Each trade's pnl = qty * (entryPrice - exitPrice) - entryFee - exitFee, exitPrice = exit price
 *     * (1 + slippage), entryPrice = entry price * (1 - slippage) (or the price for maker entries),
 *     fees = qty * fill * rate. After finish (closeAtEnd) equity = initialCapital + sum pnl.
 *  2. Gates: no position is opened on a scan where an entry gate was closed; gates and candidates
 *     are recomputed independently from the spec (vel_div, barOfDay, btcVol, ACB cut, open count,
 *     valid/not held/not excluded/alignment, highest beta then smallest symbol); at most one entry per
 *     scan. Conversely, with no open position, equity > 0, every gate open and a candidate, there is an entry.
 *  3. Exits: a position never survives a scan with a valid price at which an exit rule holds, and every
 *     trade's reason is the first rule that holds at its exit scan (END only at the last scan).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveConfig, withVolThreshold, type EngineConfig } from '../../src/core/config.js';
import { Engine } from '../../src/core/engine.js';
import { PaperExecutor } from '../../src/core/paper-executor.js';
import { dayOf, type ScanRecord } from '../../src/core/scan.js';
import type { FactorRecord, Trade } from '../../src/core/trade.js';
import { storeOf } from './support/scan-builder.js';
import { configArb, factorsArb, marketArb } from './support/scenario.arb.js';
import { lastValidPrice, priceIn, refAlignBeta, refBarOfDay, refBtcVol, refVelDiv } from './support/reference.js';

const valid = (p: number | undefined): p is number => p !== undefined && Number.isFinite(p) && p > 0;

/** ACB cut at scan t, straight from STRATEGY.md 1 and 6. */
function refCut(scans: readonly ScanRecord[], t: number, factors: readonly FactorRecord[], cuts: readonly number[]): number {
  const ts = scans[t].timestampNs;
  const day = dayOf(ts);
  let best: FactorRecord | undefined;
  for (const r of factors) if (r.day === day && r.effectiveFromNs <= ts && (!best || r.effectiveFromNs >= best.effectiveFromNs)) best = r;
  let s = 0;
  if (best) {
    if (best.fundingBtc !== undefined && best.fundingBtc < -0.0001) s++;
    if (best.dvolBtc !== undefined && best.dvolBtc > 55) s++;
    if (best.dvolBtc !== undefined && best.dvolBtc > 80) s++;
    if (best.takerRatio !== undefined && best.takerRatio < 0.8) s++;
    if (s >= 1 && best.fng !== undefined && best.fng < 25) s++;
  }
  return cuts[Math.min(s, 5)];
}

interface Run {
  readonly config: EngineConfig;
  readonly trades: readonly Trade[];
  /** Open positions after each scan (before finish). */
  readonly openAt: ReturnType<Engine['positions']>[];
  readonly equityAt: number[];
  readonly engine: Engine;
}

function run(scans: ScanRecord[], over: Record<string, unknown>, factors: FactorRecord[]): Run {
  const c = resolveConfig(over);
  const config = withVolThreshold(c, c.volThreshold as number);
  const store = storeOf(scans);
  const engine = new Engine(store, config, new PaperExecutor(config), factors);
  const openAt: Run['openAt'] = [];
  const equityAt: number[] = [];
  for (let t = 0; t < store.n; t++) {
    engine.onScan(t);
    openAt.push(engine.positions());
    equityAt.push(engine.recorder.equity[t]);
  }
  engine.finish();
  return { config, trades: engine.recorder.trades, openAt, equityAt, engine };
}

const scenarioArb = marketArb.chain((m) => fc.tuple(fc.constant(m), configArb(m.symbols), factorsArb(m.scans)));
// FC_SEED / FC_PATH replay a failing run (fast-check prints both).
const RUNS = process.env['FC_SEED'] ? { numRuns: 150, seed: Number(process.env['FC_SEED']), path: process.env['FC_PATH'] } : { numRuns: 150 };

describe('engine properties', () => {
  it('1. equity = initialCapital + realized pnl + open (qty * (entry - mark) - entryFee); fills follow section 5', () => {
    fc.assert(
      fc.property(scenarioArb, ([m, over, factors]) => {
        const r = run(m.scans, over, factors);
        const c = r.config;
        const slip = c.slippageBps / 1e4;
        const tol = (x: number) => 1e-9 * Math.max(Math.abs(x), c.initialCapital);
        for (let t = 0; t < m.scans.length; t++) {
          let expected = c.initialCapital;
          for (const tr of r.trades) if (tr.exitIndex <= t && !(tr.reason === 'END')) expected += tr.pnl;
          for (const p of r.openAt[t]) {
            const mark = lastValidPrice(m.scans, p.asset, p.entryIndex, t);
            expect(p.mark).toBe(mark);
            expected += p.qty * (p.entryPrice - mark) - p.entryFee;
          }
          expect(Math.abs(r.equityAt[t] - expected)).toBeLessThanOrEqual(tol(expected));
        }
        let total = c.initialCapital;
        for (const tr of r.trades) {
          total += tr.pnl;
          const pIn = priceIn(m.scans[tr.entryIndex], tr.asset) as number;
          const entryFill = c.entryLiquidity === 'maker' ? pIn : pIn * (1 - slip);
          expect(tr.entryPrice).toBe(entryFill);
          expect(tr.entryFee).toBe(tr.qty * entryFill * (c.entryLiquidity === 'maker' ? c.makerFee : c.takerFee));
          const pOut = tr.reason === 'END' ? lastValidPrice(m.scans, tr.asset, tr.entryIndex, tr.exitIndex) : (priceIn(m.scans[tr.exitIndex], tr.asset) as number);
          expect(tr.exitPrice).toBe(pOut * (1 + slip));
          expect(tr.exitFee).toBe(tr.qty * tr.exitPrice * c.takerFee);
          expect(Math.abs(tr.pnl - (tr.qty * (tr.entryPrice - tr.exitPrice) - tr.entryFee - tr.exitFee))).toBeLessThanOrEqual(1e-9 * Math.abs(tr.qty * tr.entryPrice));
          expect(tr.exitTs).toBe(m.scans[tr.exitIndex].timestampNs);
          expect(tr.entryTs).toBe(m.scans[tr.entryIndex].timestampNs);
        }
        const rec = r.engine.recorder;
        const finalEq = rec.equity[rec.n - 1];
        if (c.closeAtEnd) {
          expect(r.engine.openCount).toBe(0);
          expect(Math.abs(finalEq - total)).toBeLessThanOrEqual(tol(total));
        } else {
          expect(r.trades.every((tr) => tr.reason !== 'END')).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('2. no entry on a scan with a closed gate; the pick is the spec candidate; at most one entry per scan', () => {
    let entriesSeen = 0;
    fc.assert(
      fc.property(scenarioArb, ([m, over, factors]) => {
        const r = run(m.scans, over, factors);
        const c = r.config;
        const last = m.scans.length - 1;
        const entries = new Map<number, string>();
        for (const f of r.engine.recorder.fills) {
          if (f.side !== 'SELL') continue;
          expect(entries.has(f.scanIndex)).toBe(false);
          entries.set(f.scanIndex, f.asset);
        }
        entriesSeen += entries.size;
        const all = [...r.trades.map((tr) => ({ asset: tr.asset, entryIndex: tr.entryIndex, exitIndex: tr.reason === 'END' ? Infinity : tr.exitIndex }))];
        // positions still open after the last scan (closeAtEnd off); with closeAtEnd they are END trades already
        for (const p of r.openAt[last] ?? []) {
          if (!all.some((q) => q.asset === p.asset && q.entryIndex === p.entryIndex)) all.push({ asset: p.asset, entryIndex: p.entryIndex, exitIndex: Infinity });
        }
        for (let t = 0; t < m.scans.length; t++) {
          // Positions open after this scan's exits, before its entry.
          const held = all.filter((p) => p.entryIndex < t && p.exitIndex > t).map((p) => p.asset);
          const gates =
            refVelDiv(m.scans, t, c.velDivSource) <= c.velDivThreshold &&
            refBarOfDay(m.scans, t) >= c.warmupBars &&
            refBtcVol(m.scans, t, c.volWindow, c.volAsset) > c.volThreshold &&
            refCut(m.scans, t, factors, c.acbCuts) < 1 &&
            held.length < c.maxOpenPositions;
          let pick: string | undefined;
          let pickBeta = -Infinity;
          if (gates) {
            for (const s of [...m.scans[t].assets].sort()) {
              if (!valid(priceIn(m.scans[t], s)) || held.includes(s) || c.excludeAssets.includes(s)) continue;
              const [al, beta] = refAlignBeta(m.scans, s, t, c.alignWindow);
              if (!(al >= c.minAlignment)) continue;
              if (beta > pickBeta) {
                pickBeta = beta;
                pick = s;
              }
            }
          }
          if (entries.has(t)) {
            expect(gates).toBe(true);
            expect(entries.get(t)).toBe(pick);
          } else if (gates && pick !== undefined && held.length === 0 && r.equityAt[t] > 0) {
            throw new Error(`all gates open with candidate ${pick} and no position at t = ${t}, but no entry`);
          }
        }
      }),
      RUNS,
    );
    expect(entriesSeen).toBeGreaterThan(50); // the generator does exercise entries
  });

  it('3. exits: first rule that holds, checked on every scan with a valid price after the entry scan', () => {
    fc.assert(
      fc.property(scenarioArb, ([m, over, factors]) => {
        const r = run(m.scans, over, factors);
        const c = r.config;
        const last = m.scans.length - 1;
        const ruleAt = (entryPrice: number, entryIndex: number, p: number, t: number): string | null => {
          const adverse = (p - entryPrice) / entryPrice;
          if (adverse >= c.liqStopPct) return 'LIQ_STOP';
          if (c.stopLossPct !== null && adverse >= c.stopLossPct) return 'STOP';
          if (-adverse >= c.takeProfitPct) return 'TP';
          if (t - entryIndex >= c.maxHoldBars) return 'MAX_HOLD';
          return null;
        };
        const positions = [
          ...r.trades.map((tr) => ({ ...tr, end: tr.reason === 'END' ? last : tr.exitIndex })),
          ...(r.openAt[last] ?? []).map((p) => ({ asset: p.asset, entryIndex: p.entryIndex, entryPrice: p.entryPrice, reason: 'OPEN', end: last, exitIndex: -1 })),
        ];
        for (const p of positions) {
          for (let t = p.entryIndex + 1; t <= p.end; t++) {
            const price = priceIn(m.scans[t], p.asset);
            const rule = valid(price) ? ruleAt(p.entryPrice, p.entryIndex, price, t) : null;
            if (t === p.exitIndex && p.reason !== 'END') expect(rule).toBe(p.reason);
            else expect(rule).toBeNull();
          }
          if (p.reason === 'END') expect(p.exitIndex).toBe(last);
        }
      }),
      RUNS,
    );
  });
});
