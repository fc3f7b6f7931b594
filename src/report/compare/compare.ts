/**
 * `compare`: comparability, trade alignment, first divergence and PnL attribution of two reports, with a
 * verdict that can gate a deployment (IDENTICAL / WITHIN_TOLERANCE exit 0, DIVERGED 1, NOT_COMPARABLE 2).
 * compareReports is pure; compareRuns adds the replay check of the attribution when data folders are known.
 */
import { UsageError } from '../../core/errors.js';
import type { Report } from '../report.js';
import { buildCauses, CauseIndex, firstDivergence, splitPnl, type Cause, type Divergence, type PnlSplit } from './attribution.js';
import { assessComparability, diffInputs, type Comparability, type FactorDiff, type MissingRun } from './comparability.js';
import { verifyByReplay, type DataDirs, type ReplayRunner, type Verification } from './replay-check.js';
import { checkReportTimestamps } from './report-timestamps.js';
import { alignTrades, sideTrades, type MatchedTrade, type SideTrade } from './trade-alignment.js';

/** The verdict. */
export type Verdict = 'IDENTICAL' | 'WITHIN_TOLERANCE' | 'DIVERGED' | 'NOT_COMPARABLE';

/** Exit code of each verdict (bad input is 2 as well). */
export const VERDICT_EXIT: Readonly<Record<Verdict, number>> = { IDENTICAL: 0, WITHIN_TOLERANCE: 0, DIVERGED: 1, NOT_COMPARABLE: 2 };

/** Default relative tolerance on final equity. */
export const DEFAULT_TOLERANCE = 1e-9;

/** Options of compareReports. */
export interface CompareOptions {
  /** Relative tolerance on final equity for WITHIN_TOLERANCE (default 1e-9). */
  readonly tolerance?: number;
  /** How to name the sides (file paths). */
  readonly labels?: { readonly a: string; readonly b: string };
}

/** The structured result (what --json prints). */
export interface CompareResult {
  readonly verdict: Verdict;
  readonly exitCode: number;
  /** One line: why this verdict. */
  readonly reason: string;
  readonly tolerance: number;
  readonly labels: { readonly a: string; readonly b: string };
  readonly comparability: Comparability;
  readonly inputs: {
    readonly scanLogs: boolean;
    readonly commonScans: number;
    readonly lackingInA: readonly string[];
    readonly lackingInB: readonly string[];
    readonly contentDiffers: readonly string[];
    readonly outsideOverlap: { readonly a: number; readonly b: number };
    readonly missingRuns: readonly MissingRun[];
    readonly factorDiffs: readonly FactorDiff[];
  };
  readonly trades: {
    readonly a: number;
    readonly b: number;
    readonly matched: number;
    readonly identical: number;
    /** Matched pairs that differ in any figure. */
    readonly differing: readonly MatchedTrade[];
    readonly onlyA: readonly SideTrade[];
    readonly onlyB: readonly SideTrade[];
    readonly metricsEqual: boolean;
  };
  readonly finalEquity: { readonly a: number; readonly b: number; readonly delta: number; readonly relative: number };
  readonly firstDivergence: Divergence | null;
  readonly causes: readonly Cause[];
  readonly pnl: PnlSplit | null;
  readonly verification: Verification | null;
}

const tsText = (ts: string | null): string => (ts === null ? '-' : `${new Date(Number(BigInt(ts) / 1_000_000n)).toISOString().replace('T', ' ').slice(0, 19)} UTC`);

/** Compares two reports (no I/O). */
export function compareReports(a: Report, b: Report, opts: CompareOptions = {}): CompareResult {
  const tolerance = opts.tolerance ?? DEFAULT_TOLERANCE;
  if (!(Number.isFinite(tolerance) && tolerance >= 0)) throw new UsageError(`tolerance must be a number >= 0, was ${tolerance}`);
  const labels = opts.labels ?? { a: 'A', b: 'B' };
  checkReportTimestamps(a, labels.a);
  checkReportTimestamps(b, labels.b);
  const comparability = assessComparability(a, b);
  const diff = diffInputs(a, b, comparability);
  const fa = a.metrics.finalEquity;
  const fb = b.metrics.finalEquity;
  const delta = fb - fa;
  const relative = delta === 0 ? 0 : Math.abs(delta) / Math.max(Math.abs(fa), Number.MIN_VALUE);
  const inputs: CompareResult['inputs'] = {
    scanLogs: diff.scanLogs,
    commonScans: diff.common,
    lackingInA: diff.lackingInA.map(String),
    lackingInB: diff.lackingInB.map(String),
    contentDiffers: diff.contentDiffers.map(String),
    outsideOverlap: diff.outsideOverlap,
    missingRuns: diff.missingRuns,
    factorDiffs: diff.factorDiffs,
  };
  const ta = sideTrades(a);
  const tb = sideTrades(b);
  const al = alignTrades(ta, tb);
  const metricsEqual = JSON.stringify(a.metrics) === JSON.stringify(b.metrics);
  const causes = buildCauses(a, b, comparability, diff);
  const index = new CauseIndex(causes, diff, comparability.overlap, (where) => {
    const c: Cause = {
      id: causes.length,
      kind: 'window',
      ts: where === 'before' ? (comparability.overlap?.fromTs ?? '0') : (comparability.overlap?.toTs ?? '0'),
      description: `outside the overlapping window (${where === 'before' ? 'before' : 'after'} it): only one run covers that time`,
    };
    causes.push(c);
    return c;
  });
  const trades: CompareResult['trades'] = {
    a: ta.length,
    b: tb.length,
    matched: al.matched.length,
    identical: al.matched.filter((m) => m.identical).length,
    differing: al.matched.filter((m) => !m.identical),
    onlyA: al.onlyA,
    onlyB: al.onlyB,
    metricsEqual,
  };
  const finalEquity = { a: fa, b: fb, delta, relative };
  const base = { exitCode: 0, tolerance, labels, comparability, inputs, trades, finalEquity, causes, verification: null };
  if (!comparability.comparable) {
    return { ...base, verdict: 'NOT_COMPARABLE', exitCode: VERDICT_EXIT.NOT_COMPARABLE, reason: comparability.reasons.join('; '), firstDivergence: null, pnl: null };
  }
  const sameTrades = al.onlyA.length === 0 && al.onlyB.length === 0 && al.matched.every((m) => m.sameTrade);
  const identical = sameTrades && al.matched.every((m) => m.identical) && metricsEqual;
  const within = sameTrades && relative <= tolerance;
  const verdict: Verdict = identical ? 'IDENTICAL' : within ? 'WITHIN_TOLERANCE' : 'DIVERGED';
  const first = identical ? null : firstDivergence(al, index);
  const pnl = identical ? null : splitPnl(a, b, al, index);
  const reason =
    verdict === 'IDENTICAL'
      ? `same ${al.matched.length} trades and equal metrics`
      : verdict === 'WITHIN_TOLERANCE'
        ? `same ${al.matched.length} trades; final equity differs by ${relative.toExponential(3)} relative (tolerance ${tolerance})`
        : sameTrades
          ? `same trades, but final equity differs by ${relative.toExponential(3)} relative (tolerance ${tolerance})`
          : `${al.onlyA.length} trade(s) only in A, ${al.onlyB.length} only in B, ${al.matched.filter((m) => !m.sameTrade).length} matched trade(s) with different timing`;
  return { ...base, verdict, exitCode: VERDICT_EXIT[verdict], reason, firstDivergence: first, pnl };
}

/** Inputs of compareRuns. */
export interface CompareRunsInput extends CompareOptions {
  readonly a: Report;
  readonly b: Report;
  /** Data folders of the sides, for the replay check. */
  readonly data?: DataDirs;
  /** Skip the replay check. */
  readonly noReplay?: boolean;
  /** Replays data folders for the check (`replayRunner` of app/replay-input.ts); unverified without. */
  readonly replay?: ReplayRunner;
}

/** compareReports plus the replay check of the attribution when the runs diverged or differ in input. */
export async function compareRuns(input: CompareRunsInput): Promise<CompareResult> {
  const r = compareReports(input.a, input.b, input);
  if (r.verdict === 'NOT_COMPARABLE' || r.verdict === 'IDENTICAL' || input.noReplay) return r;
  const diff = diffInputs(input.a, input.b, r.comparability);
  const verification = await verifyByReplay(input.a, input.b, diff, input.data ?? {}, input.replay);
  return { ...r, verification };
}

/** The human summary (verdict on the first line). */
export function compareSummary(r: CompareResult): string {
  const L: string[] = [];
  const { a, b } = r.labels;
  L.push(`${r.verdict}: ${r.reason}`);
  L.push(`  A ${a}`, `  B ${b}`);
  const c = r.comparability;
  L.push(`  Windows      A ${c.windowA.scans} scans ${tsText(c.windowA.firstTs)} -> ${tsText(c.windowA.lastTs)}; B ${c.windowB.scans} scans ${tsText(c.windowB.firstTs)} -> ${tsText(c.windowB.lastTs)}`);
  if (c.overlap) L.push(`  Overlap      ${tsText(c.overlap.fromTs)} -> ${tsText(c.overlap.toTs)}`);
  L.push(`  Versions     engine ${c.engineVersion[0]} / ${c.engineVersion[1]}, strategy v${c.strategyVersion[0]} / v${c.strategyVersion[1]}`);
  L.push(`  Config       ${c.configHashEqual ? 'same (hash equal)' : `differs: ${c.configDiff.map((k) => `${k.key} (A ${JSON.stringify(k.a)}, B ${JSON.stringify(k.b)}${k.derived ? ', calibrated from different data' : ''})`).join(', ')}`}`);
  for (const n of [...c.reasons, ...c.notes]) L.push(`  note: ${n}`);
  if (r.verdict === 'NOT_COMPARABLE') return `${L.join('\n')}\n`;
  const i = r.inputs;
  if (i.scanLogs) {
    L.push(`  Scans        ${i.commonScans} identical in the overlap; B lacks ${i.lackingInB.length}, A lacks ${i.lackingInA.length}, ${i.contentDiffers.length} differ in content; outside the overlap A ${i.outsideOverlap.a}, B ${i.outsideOverlap.b}`);
  } else L.push('  Scans        unknown (a report has no scan log)');
  if (i.factorDiffs.length) L.push(`  Factors      ${i.factorDiffs.length} date(s) differ: ${i.factorDiffs.map((f) => `${f.date} (${f.fields.join(', ')})`).join('; ')}`);
  const t = r.trades;
  L.push(`  Trades       A ${t.a}, B ${t.b}: ${t.matched} matched (${t.identical} identical), ${t.onlyA.length} only in A, ${t.onlyB.length} only in B`);
  L.push(`  Final equity A ${r.finalEquity.a.toFixed(2)}, B ${r.finalEquity.b.toFixed(2)} (B - A ${r.finalEquity.delta.toFixed(2)} USDT, ${r.finalEquity.relative.toExponential(3)} relative)`);
  if (r.firstDivergence) {
    L.push(`  First divergence at ${tsText(r.firstDivergence.ts)}: ${r.firstDivergence.what}`);
    L.push(`    cause: ${r.firstDivergence.cause ? r.firstDivergence.cause.description + (r.firstDivergence.cause.kind === 'missing-scans' ? ` (nearest: ${r.firstDivergence.cause.ts})` : '') : 'none found before it (unexplained)'}`);
  }
  if (r.verification) L.push(`  Attribution  ${r.verification.statement}`);
  if (r.pnl) {
    const p = r.pnl;
    L.push(`  PnL split    B - A = ${p.total.toFixed(2)} = matched ${p.matched.toFixed(2)} + only-in-B ${p.onlyB.toFixed(2)} + only-in-A ${p.onlyA.toFixed(2)}${p.initialCapital ? ` + initial capital ${p.initialCapital.toFixed(2)}` : ''} (rounding ${p.residual.toExponential(1)})`);
    const top = [...p.byCause].sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta)).slice(0, 8);
    for (const bc of top) L.push(`    ${bc.delta >= 0 ? '+' : ''}${bc.delta.toFixed(2)} from ${bc.items} item(s): ${bc.description}`);
    if (p.byCause.length > top.length) L.push(`    ... ${p.byCause.length - top.length} more cause(s) (see --json / --md)`);
  }
  return `${L.join('\n')}\n`;
}

/** JSON of a result (bigint-free already; non-finite numbers as null). */
export function compareToJson(r: CompareResult): string {
  return `${JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}
