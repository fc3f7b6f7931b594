/** Text, Markdown and JSON of `dolphin compare-scans`: scan agreement plus the backtest verdict of both folders. */
import type { Verdict } from './compare/compare.js';
import { fmtTs, mdTable } from './format.js';
import type { FeatureAgreement, ScanAgreement } from './scan-agreement.js';

/** Headline figures of one side's backtest. */
export interface BacktestHeadline {
  readonly scans: number;
  readonly trades: number;
  readonly finalEquity: number;
  readonly roi: number | null;
  readonly maxDrawdown: number | null;
}

/** The whole comparison: scan agreement and, when both folders backtest, `compare`'s verdict. */
export interface ScanComparison {
  readonly agreement: ScanAgreement;
  readonly backtest: {
    readonly a: BacktestHeadline;
    readonly b: BacktestHeadline;
    readonly verdict: Verdict;
    readonly reason: string;
  } | null;
  /** Why there is no backtest verdict (a folder did not backtest), else null. */
  readonly backtestError: string | null;
}

const g = (x: number | null, digits = 4): string => (x === null || !Number.isFinite(x) ? '-' : Math.abs(x) !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5) ? x.toExponential(2) : x.toFixed(digits));
const pct = (x: number | null): string => (x === null || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(2)} %`);

function featureRow(f: FeatureAgreement): string[] {
  return [f.name, String(f.pairs), g(f.correlation, 6), g(f.maxAbsDiff), g(f.medianAbsDiff), `${f.identical}`];
}

/** Human text (a headline per section). */
export function scanComparisonText(c: ScanComparison): string {
  const a = c.agreement;
  const L: string[] = [];
  L.push(`compare-scans: ${a.matched} scans matched within ${a.cadenceMs / 2} ms (half the cadence); A has ${a.unmatchedA} unmatched, B ${a.unmatchedB}; median B - A offset ${g(a.medianOffsetMs, 1)} ms`);
  L.push(`  A ${a.a.label}: ${a.a.scans} scans ${fmtTs(a.a.firstTs)} -> ${fmtTs(a.a.lastTs)} UTC, ${a.a.symbols} symbols`);
  L.push(`  B ${a.b.label}: ${a.b.scans} scans ${fmtTs(a.b.firstTs)} -> ${fmtTs(a.b.lastTs)} UTC, ${a.b.symbols} symbols`);
  L.push(`  prices: ${a.prices.commonSymbols} common symbols, ${a.prices.pairs} price pairs, relative difference max ${g(a.prices.maxRelDiff)} median ${g(a.prices.medianRelDiff)}`);
  L.push('  feature                 pairs  correlation  max |diff|  median |diff|  identical');
  for (const f of a.features) {
    const r = featureRow(f);
    L.push(`  ${r[0].padEnd(22)} ${r[1].padStart(6)}  ${r[2].padStart(11)}  ${r[3].padStart(10)}  ${r[4].padStart(13)}  ${r[5].padStart(9)}`);
  }
  const gt = a.gate;
  L.push(`  entry gate (vel_div <= ${gt.threshold}): open in both ${gt.bothOpen}, only A ${gt.onlyA}, only B ${gt.onlyB}, closed in both ${gt.bothClosed}`);
  L.push(`  gate openings: ${gt.crossingsBoth} in both, ${gt.crossingsOnlyA} only in A, ${gt.crossingsOnlyB} only in B`);
  for (const e of gt.examples.slice(0, 5)) L.push(`    ${fmtTs(e.ts)} UTC opens only in ${e.side} (vel_div A ${g(e.velDivA)}, B ${g(e.velDivB)})`);
  if (c.backtest) {
    const b = c.backtest;
    L.push(`  backtest: A ${b.a.trades} trades, final equity ${b.a.finalEquity.toFixed(2)} (ROI ${pct(b.a.roi)}); B ${b.b.trades} trades, final equity ${b.b.finalEquity.toFixed(2)} (ROI ${pct(b.b.roi)})`);
    L.push(`  compare verdict: ${b.verdict}: ${b.reason}`);
  } else L.push(`  backtest: not run (${c.backtestError ?? 'unknown reason'})`);
  return `${L.join('\n')}\n`;
}

/** Markdown report. */
export function scanComparisonMarkdown(c: ScanComparison): string {
  const a = c.agreement;
  const out: string[] = ['# Scan comparison', ''];
  out.push(
    mdTable(
      ['side', 'folder', 'scans', 'first (UTC)', 'last (UTC)', 'symbols', 'unmatched'],
      [
        ['A', a.a.label, String(a.a.scans), fmtTs(a.a.firstTs), fmtTs(a.a.lastTs), String(a.a.symbols), String(a.unmatchedA)],
        ['B', a.b.label, String(a.b.scans), fmtTs(a.b.firstTs), fmtTs(a.b.lastTs), String(a.b.symbols), String(a.unmatchedB)],
      ],
    ),
  );
  out.push('', `${a.matched} scans matched by timestamp within ${a.cadenceMs / 2} ms; median offset B - A ${g(a.medianOffsetMs, 1)} ms. Prices of ${a.prices.commonSymbols} common symbols: relative difference max ${g(a.prices.maxRelDiff)}, median ${g(a.prices.medianRelDiff)}.`, '');
  out.push('## Features', '', mdTable(['feature', 'pairs', 'correlation', 'max abs diff', 'median abs diff', 'identical'], a.features.map(featureRow)), '');
  const gt = a.gate;
  out.push(`## Entry gate (vel_div <= ${gt.threshold})`, '');
  out.push(
    mdTable(
      ['', 'both', 'only A', 'only B', 'neither'],
      [
        ['scans with the gate open', String(gt.bothOpen), String(gt.onlyA), String(gt.onlyB), String(gt.bothClosed)],
        ['gate openings', String(gt.crossingsBoth), String(gt.crossingsOnlyA), String(gt.crossingsOnlyB), '-'],
      ],
    ),
  );
  if (gt.examples.length) out.push('', mdTable(['scan (UTC)', 'opens only in', 'vel_div A', 'vel_div B'], gt.examples.map((e) => [fmtTs(e.ts), e.side, g(e.velDivA), g(e.velDivB)])));
  out.push('', '## Backtest', '');
  if (c.backtest) {
    const b = c.backtest;
    out.push(
      mdTable(
        ['side', 'scans', 'trades', 'final equity', 'ROI', 'max drawdown'],
        [
          ['A', String(b.a.scans), String(b.a.trades), b.a.finalEquity.toFixed(2), pct(b.a.roi), pct(b.a.maxDrawdown)],
          ['B', String(b.b.scans), String(b.b.trades), b.b.finalEquity.toFixed(2), pct(b.b.roi), pct(b.b.maxDrawdown)],
        ],
      ),
      '',
      `Verdict of \`compare\`: **${b.verdict}**: ${b.reason}`,
    );
  } else out.push(`Not run: ${c.backtestError ?? 'unknown reason'}`);
  return `${out.join('\n')}\n`;
}

/** JSON (non-finite numbers as null). */
export function scanComparisonJson(c: ScanComparison): string {
  return `${JSON.stringify(c, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}
