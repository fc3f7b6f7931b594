/**
 * compare as a library, on real backtests of synthetic scanner folders.
 * Invariants: a later-starting run is attributed to carried-in state / the window and rebuilt by dropping
 * exactly the scans it lacks; factor differences are named by date; a different strategy version is
 * NOT_COMPARABLE; alignment pairs a trade shifted by a scan and leaves the rest one-sided.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest } from '../../src/app/backtest.js';
import { replayRunner } from '../../src/app/replay-input.js';
import { resolveConfig, type StrategyConfig } from '../../src/core/config.js';
import { compareReports, compareRuns } from '../../src/report/compare/compare.js';
import { alignTrades, type SideTrade } from '../../src/report/compare/trade-alignment.js';
import type { Report } from '../../src/report/report.js';
import { synthScans, writeFactors, writeScannerLayout } from '../support/synthetic-scans.js';

let root: string;
let config: StrategyConfig;
let full: Report;

/** A report as it is read back from report.json. */
const roundTrip = (r: Report): Report => JSON.parse(JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Report;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-compare-lib-'));
  config = resolveConfig({ warmupBars: 5, volWindow: 10, alignWindow: 10, minAlignment: 0, maxHoldBars: 20, volThreshold: 0, closeAtEnd: false });
  const scans = synthScans({ n: 500, seed: 21, cadenceSec: 300 });
  writeScannerLayout(join(root, 'full'), scans);
  writeScannerLayout(join(root, 'late'), scans.slice(100));
  writeScannerLayout(join(root, 'fx'), scans);
  writeFactors(join(root, 'fx'), '2026-01-06', { dvol_btc: 90, funding_btc: -0.001 });
  full = roundTrip((await backtest(join(root, 'full'), config)).report);
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('compare (library)', () => {
  it('a run starting later: carried-in state and the window are the causes, and dropping the scans it lacks rebuilds it', async () => {
    const late = roundTrip((await backtest(join(root, 'late'), config)).report);
    const r = await compareRuns({ a: full, b: late, data: { a: join(root, 'full') }, replay: replayRunner });
    expect(r.comparability.overlap?.fromTs).toBe(late.fingerprint.firstTs);
    expect(r.inputs.outsideOverlap).toEqual({ a: 100, b: 0 });
    expect(r.inputs.lackingInB).toEqual([]);
    expect(r.causes.some((c) => c.kind === 'carried-state' && c.description.startsWith('A started earlier (100 scan(s) before the overlap)'))).toBe(true);
    const early = r.trades.onlyA.filter((t) => BigInt(t.entryTs) < BigInt(late.fingerprint.firstTs!));
    expect(early.length).toBeGreaterThan(0);
    for (const c of r.pnl!.components.filter((x) => x.entryTs && BigInt(x.entryTs) < BigInt(late.fingerprint.firstTs!))) expect(c.cause?.kind).toBe('window');
    expect(r.verification?.status).toBe('verified');
    expect(r.verification?.statement).toContain('removing the 100 scan(s) B lacks from A');
  });

  it('names the dates whose external factors differ and ties the change to them', async () => {
    const fx = roundTrip((await backtest(join(root, 'fx'), config)).report);
    const r = compareReports(full, fx);
    expect(r.inputs.factorDiffs.map((f) => [f.date, f.fields])).toEqual([['2026-01-06', ['missing on A']]]);
    expect(r.verdict).toBe('DIVERGED');
    expect(r.firstDivergence?.cause?.kind).toBe('factors');
    expect(r.firstDivergence?.cause?.description).toContain('2026-01-06');
    const v = await compareRuns({ a: full, b: fx, data: { a: join(root, 'full') }, replay: replayRunner });
    expect(v.verification?.status).toBe('verified');
    expect(v.verification?.statement).toContain("with B's factor records");
  });

  it('a different strategy version is NOT_COMPARABLE; the same report is IDENTICAL', () => {
    const other = { ...full, fingerprint: { ...full.fingerprint, strategyVersion: 2 } } as Report;
    const r = compareReports(full, other);
    expect(r.verdict).toBe('NOT_COMPARABLE');
    expect(r.exitCode).toBe(2);
    expect(r.reason).toContain('different strategy versions (A v1, B v2)');
    expect(compareReports(full, full).verdict).toBe('IDENTICAL');
  });

  it('aligns a trade entered one scan later and leaves unrelated ones one-sided', () => {
    const t = (asset: string, entry: number, exit: number, pnl = 1): SideTrade => ({ asset, entryTs: String(entry), exitTs: String(exit), entryPrice: 1, exitPrice: 1, qty: 1, pnl, reason: 'TP', open: false });
    const al = alignTrades([t('X', 10, 20), t('Y', 30, 40), t('X', 50, 60)], [t('X', 11, 20), t('Y', 41, 45), t('X', 50, 60)]);
    expect(al.matched.map((m) => [m.a.asset, m.a.entryTs, m.b.entryTs, m.sameTrade])).toEqual([
      ['X', '10', '11', false],
      ['X', '50', '50', true],
    ]);
    expect(al.onlyA.map((x) => x.entryTs)).toEqual(['30']);
    expect(al.onlyB.map((x) => x.entryTs)).toEqual(['41']);
  });
});
