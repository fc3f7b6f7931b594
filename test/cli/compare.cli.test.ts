/**
 * `dolphin compare` on real backtests of synthetic scanner folders, through the built CLI.
 * Invariants: same data + config -> IDENTICAL (0); dropped scans -> DIVERGED (1), the dropped scans named
 * as the cause and verified by replay, PnL parts summing to the final-equity difference; a changed key is
 * named; a changed price is named by its timestamp; no overlap -> NOT_COMPARABLE (2); tolerance gates.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanRecord } from '../../src/core/scan.js';
import { dolphin } from '../support/cli.js';
import { synthScans, writeScannerLayout } from '../support/synthetic-scans.js';

const SETS = ['--set', 'warmupBars=5', '--set', 'volWindow=10', '--set', 'alignWindow=10', '--set', 'minAlignment=0', '--set', 'maxHoldBars=20', '--set', 'volThreshold=0', '--set', 'closeAtEnd=false'];
const N = 600;

let root: string;
let scans: ScanRecord[];
let dropped: bigint[];

function backtest(data: string, name: string, extra: string[] = []): string {
  const out = join(root, 'runs', name);
  const r = dolphin(['backtest', data, '--out', out, '--quiet', '--workers', '0', ...SETS, ...extra]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return out;
}

interface Json {
  verdict: string;
  exitCode: number;
  comparability: { configDiff: { key: string }[]; overlap: unknown };
  inputs: { lackingInB: string[]; lackingInA: string[]; contentDiffers: string[]; missingRuns: { lacking: string; count: number }[] };
  trades: { matched: number; onlyA: unknown[]; onlyB: unknown[] };
  finalEquity: { a: number; b: number; delta: number };
  firstDivergence: { ts: string; what: string; cause: { kind: string; ts: string; description: string } | null } | null;
  pnl: { total: number; matched: number; onlyA: number; onlyB: number; initialCapital: number; residual: number; components: { delta: number; anchorTs: string; cause: { kind: string; ts: string } | null }[] } | null;
  verification: { status: string; statement: string; inputMatchesScanLog?: boolean } | null;
}

function compareJson(a: string, b: string, extra: string[] = []): { code: number; json: Json; stderr: string } {
  const r = dolphin(['compare', a, b, '--json', ...extra]);
  return { code: r.code, json: JSON.parse(r.stdout) as Json, stderr: r.stderr };
}

let full: string;
let fullRun: string;
let dropRun: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-compare-'));
  scans = synthScans({ n: N, seed: 11, cadenceSec: 60 });
  full = join(root, 'full');
  writeScannerLayout(full, scans);
  // A live-journal-like copy missing ~3 % of the scans (every 33rd, never the first or last).
  const kept = scans.filter((_, i) => i % 33 !== 16);
  dropped = scans.filter((_, i) => i % 33 === 16).map((s) => s.timestampNs);
  writeScannerLayout(join(root, 'dropped'), kept);
  fullRun = backtest(full, 'full');
  dropRun = backtest(join(root, 'dropped'), 'dropped');
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('dolphin compare', () => {
  it('two runs of the same data and config are IDENTICAL, exit 0', () => {
    const again = backtest(full, 'full-again');
    const r = dolphin(['compare', fullRun, join(again, 'report.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^IDENTICAL: same \d+ trades and equal metrics/);
  });

  it('3 % dropped scans: DIVERGED exit 1, the dropped scans are the cause, verified by replay, PnL split sums up', () => {
    const { code, json } = compareJson(fullRun, dropRun);
    expect(code).toBe(1);
    expect(json.verdict).toBe('DIVERGED');
    expect(json.inputs.lackingInB).toEqual(dropped.map(String));
    expect(json.inputs.lackingInA).toEqual([]);
    expect(json.inputs.contentDiffers).toEqual([]);
    expect(json.comparability.configDiff).toEqual([]);
    expect(json.firstDivergence?.cause?.kind).toBe('missing-scans');
    expect(dropped.map(String)).toContain(json.firstDivergence?.cause?.ts);
    expect(BigInt(json.firstDivergence!.cause!.ts) <= BigInt(json.firstDivergence!.ts)).toBe(true);
    expect(json.verification?.status).toBe('verified');
    expect(json.verification?.statement).toBe(`verified by replay: removing the ${dropped.length} scan(s) B lacks from A reproduces B's trades exactly (${json.trades.matched + json.trades.onlyB.length} trades and open positions)`);
    expect(json.verification?.inputMatchesScanLog).toBe(true);
    const p = json.pnl!;
    expect(p.total).toBe(json.finalEquity.b - json.finalEquity.a);
    expect(p.total).not.toBe(0);
    expect(Math.abs(p.matched + p.onlyA + p.onlyB + p.initialCapital - p.total)).toBeLessThan(1e-6);
    expect(Math.abs(p.components.reduce((s, c) => s + c.delta, 0) - p.total)).toBeLessThan(1e-6);
    for (const c of p.components) {
      expect(c.cause?.kind).toBe('missing-scans');
      expect(dropped.map(String)).toContain(c.cause?.ts);
      expect(BigInt(c.cause!.ts) <= BigInt(c.anchorTs)).toBe(true);
    }
    const human = dolphin(['compare', fullRun, dropRun]);
    expect(human.code).toBe(1);
    expect(human.stdout.split('\n')[0]).toMatch(/^DIVERGED: /);
    expect(human.stdout).toMatch(/cause: B lacks the scan at /);
    expect(human.stdout).toContain(`removing the ${dropped.length} scan(s) B lacks from A reproduces B's trades exactly`);
  });

  it('says unverified when the data folder given does not hold the scans of the report', () => {
    const { code, json } = compareJson(fullRun, dropRun, ['--data-a', join(root, 'dropped'), '--data-b', join(root, 'dropped')]);
    expect(code).toBe(1);
    expect(json.verification?.status).toBe('unverified');
    expect(json.verification?.statement).toMatch(/does not hold the scans/);
    const none = compareJson(fullRun, dropRun, ['--no-replay']);
    expect(none.json.verification).toBeNull();
  });

  it('a changed takeProfitPct is named as the cause and verified with the other config', () => {
    const tp = backtest(full, 'tp', ['--set', 'takeProfitPct=0.004']);
    const { code, json } = compareJson(fullRun, tp);
    expect(code).toBe(1);
    expect(json.comparability.configDiff.map((k) => k.key)).toEqual(['takeProfitPct']);
    expect(json.firstDivergence?.cause?.kind).toBe('config');
    expect(json.firstDivergence?.cause?.description).toContain('takeProfitPct (A 0.01, B 0.004)');
    expect(json.verification?.status).toBe('verified');
    expect(json.verification?.statement).toContain("with B's config (takeProfitPct)");
    const human = dolphin(['compare', fullRun, tp]);
    expect(human.stdout).toMatch(/Config\s+differs: takeProfitPct/);
  });

  it('a different price at one timestamp names that timestamp', () => {
    const repA = JSON.parse(readFileSync(join(fullRun, 'report.json'), 'utf8')) as { trades: { asset: string; entryIndex: number; exitIndex: number }[] };
    const t = repA.trades.find((x) => x.exitIndex > x.entryIndex + 1)!;
    const k = t.entryIndex + 1;
    const changed = scans.map((s, i) => (i === k ? { ...s, prices: Float64Array.from(s.prices, (p, j) => (s.assets[j] === t.asset ? p * 0.95 : p)) } : s));
    writeScannerLayout(join(root, 'price'), changed);
    const run = backtest(join(root, 'price'), 'price');
    const ts = scans[k].timestampNs.toString();
    const { code, json } = compareJson(fullRun, run);
    expect(code).toBe(1);
    expect(json.inputs.contentDiffers).toEqual([ts]);
    expect(json.inputs.lackingInA.length + json.inputs.lackingInB.length).toBe(0);
    expect(json.firstDivergence?.cause?.kind).toBe('content');
    expect(json.firstDivergence?.cause?.ts).toBe(ts);
    expect(json.verification?.status).toBe('verified');
    const human = dolphin(['compare', fullRun, run]);
    expect(human.stdout).toContain(`(${ts})`);
  });

  it('non-overlapping windows are NOT_COMPARABLE, exit 2', () => {
    const later = join(root, 'later');
    writeScannerLayout(later, synthScans({ n: 120, seed: 3, start: '2026-03-01', cadenceSec: 60 }));
    const run = backtest(later, 'later');
    const r = dolphin(['compare', fullRun, run]);
    expect(r.code).toBe(2);
    expect(r.stdout.split('\n')[0]).toMatch(/^NOT_COMPARABLE: no overlapping time window/);
  });

  it('a tiny difference is WITHIN_TOLERANCE (exit 0) and DIVERGED below it (exit 1)', () => {
    const cap = backtest(full, 'cap', ['--set', 'initialCapital=25000.000001']);
    const within = compareJson(fullRun, cap);
    expect(within.code).toBe(0);
    expect(within.json.verdict).toBe('WITHIN_TOLERANCE');
    const strict = compareJson(fullRun, cap, ['--tolerance', '1e-14']);
    expect(strict.code).toBe(1);
    expect(strict.json.verdict).toBe('DIVERGED');
    expect(strict.json.pnl?.initialCapital).toBeCloseTo(0.000001, 9);
  });

  it('writes Markdown and a self-contained HTML page with the timeline', () => {
    const html = join(root, 'cmp.html');
    const r = dolphin(['compare', fullRun, dropRun, '--md', '--html', html]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^# DOLPHIN compare: DIVERGED/);
    expect(r.stdout).toContain('## Divergence and attribution');
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg class="chart" id="timeline"');
    expect(page).toContain('DIVERGED');
    expect(page).not.toMatch(/<script|https?:\/\//);
  });

  it('exits 2 naming a missing or bad report file', () => {
    const missing = join(root, 'nope.json');
    const r1 = dolphin(['compare', missing, fullRun]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain(missing);
    const bad = join(root, 'bad.json');
    writeFileSync(bad, '{ not json');
    const r2 = dolphin(['compare', fullRun, bad]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(bad);
    const r3 = dolphin(['compare', fullRun, dropRun, '--data-a', join(root, 'no-such-dir')]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain('no-such-dir');
  });
});
