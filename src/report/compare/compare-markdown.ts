/** Markdown rendering of a comparison (for a pull request or a deployment log). */
import { fmtNum, fmtTs, mdCode, mdTable, mdText } from '../format.js';
import type { CompareResult } from './compare.js';
import type { SideTrade } from './trade-alignment.js';

/** Rows listed per table before "and N more". */
export const MD_ROW_CAP = 200;

const show = (v: unknown): ReturnType<typeof mdCode> => mdCode(JSON.stringify(v) ?? String(v));
const cap = <T>(rows: readonly T[]): { rows: readonly T[]; more: string } => ({ rows: rows.slice(0, MD_ROW_CAP), more: rows.length > MD_ROW_CAP ? `\n\n... and ${rows.length - MD_ROW_CAP} more (see --json).` : '' });
const trade = (t: SideTrade): string[] => [t.asset, fmtTs(t.entryTs), t.open ? 'open' : fmtTs(t.exitTs), t.reason, String(+t.entryPrice.toPrecision(8)), String(+t.exitPrice.toPrecision(8)), fmtNum(t.pnl)];

/** Renders the comparison as Markdown. */
export function compareToMarkdown(r: CompareResult): string {
  const o: string[] = [];
  const c = r.comparability;
  o.push(`# DOLPHIN compare: ${mdText(r.verdict)}`, '', mdText(r.reason), '');
  o.push(mdTable(['', 'A', 'B'], [
    ['report', r.labels.a, r.labels.b],
    ['scans', String(c.windowA.scans), String(c.windowB.scans)],
    ['first scan (UTC)', fmtTs(c.windowA.firstTs), fmtTs(c.windowB.firstTs)],
    ['last scan (UTC)', fmtTs(c.windowA.lastTs), fmtTs(c.windowB.lastTs)],
    ['engine / strategy', `${c.engineVersion[0]} / v${c.strategyVersion[0]}`, `${c.engineVersion[1]} / v${c.strategyVersion[1]}`],
    ['trades (incl. open)', String(r.trades.a), String(r.trades.b)],
    ['final equity', fmtNum(r.finalEquity.a), fmtNum(r.finalEquity.b)],
  ]), '');
  o.push('## Comparability', '');
  o.push(`- Overlap: ${c.overlap ? `${fmtTs(c.overlap.fromTs)} -> ${fmtTs(c.overlap.toTs)} UTC` : 'none'}`);
  o.push(`- Config: ${c.configHashEqual ? 'same (hash equal)' : 'differs'}`);
  for (const n of [...c.reasons, ...c.notes]) o.push(`- ${mdText(n)}`);
  o.push('');
  if (c.configDiff.length) o.push(mdTable(['key', 'A', 'B', 'note'], c.configDiff.map((k) => [k.key, show(k.a), show(k.b), k.derived ?? ''])), '');
  if (r.verdict === 'NOT_COMPARABLE') return `${o.join('\n')}\n`;
  const i = r.inputs;
  o.push('## Inputs', '');
  o.push(i.scanLogs ? `${i.commonScans} identical scans in the overlap; B lacks ${i.lackingInB.length}, A lacks ${i.lackingInA.length}; ${i.contentDiffers.length} differ in content; outside the overlap A ${i.outsideOverlap.a}, B ${i.outsideOverlap.b}.` : 'Scan differences unknown: a report has no scan log.', '');
  if (i.missingRuns.length) {
    const m = cap(i.missingRuns);
    o.push('### Missing scans', '', mdTable(['lacking', 'from (UTC)', 'to (UTC)', 'scans', 'from ns'], m.rows.map((x) => [x.lacking, fmtTs(x.fromTs), fmtTs(x.toTs), String(x.count), x.fromTs])) + m.more, '');
  }
  if (i.contentDiffers.length) {
    const m = cap(i.contentDiffers);
    o.push('### Different content at the same timestamp', '', mdTable(['timestamp (UTC)', 'ns'], m.rows.map((t) => [fmtTs(t), t])) + m.more, '');
  }
  if (i.factorDiffs.length) o.push('### External factors', '', mdTable(['date', 'differs', 'A', 'B'], i.factorDiffs.map((f) => [f.date, f.fields.join(', '), f.a ? show(f.a) : '-', f.b ? show(f.b) : '-'])), '');
  o.push('## Trades', '');
  o.push(`${r.trades.matched} matched (${r.trades.identical} identical), ${r.trades.onlyA.length} only in A, ${r.trades.onlyB.length} only in B.`, '');
  if (r.trades.differing.length) {
    const m = cap(r.trades.differing);
    o.push('### Matched, different', '', mdTable(['asset', 'entry A', 'entry B', 'exit A', 'exit B', 'reason A/B', 'Δ entry px', 'Δ exit px', 'Δ PnL'], m.rows.map((x) => [x.a.asset, fmtTs(x.a.entryTs), fmtTs(x.b.entryTs), x.a.open ? 'open' : fmtTs(x.a.exitTs), x.b.open ? 'open' : fmtTs(x.b.exitTs), `${x.a.reason}/${x.b.reason}`, String(+x.delta.entryPrice.toPrecision(6)), String(+x.delta.exitPrice.toPrecision(6)), fmtNum(x.delta.pnl)])) + m.more, '');
  }
  const head = ['asset', 'entry (UTC)', 'exit (UTC)', 'reason', 'entry', 'exit', 'PnL'];
  if (r.trades.onlyA.length) o.push('### Only in A', '', mdTable(head, cap(r.trades.onlyA).rows.map(trade)) + cap(r.trades.onlyA).more, '');
  if (r.trades.onlyB.length) o.push('### Only in B', '', mdTable(head, cap(r.trades.onlyB).rows.map(trade)) + cap(r.trades.onlyB).more, '');
  o.push('## Divergence and attribution', '');
  if (r.firstDivergence) {
    o.push(`First divergence at ${fmtTs(r.firstDivergence.ts)} UTC: ${mdText(r.firstDivergence.what)}.`, '');
    o.push(`Cause: ${r.firstDivergence.cause ? mdText(r.firstDivergence.cause.description) : 'none found before it (unexplained)'}.`, '');
  } else o.push('No divergence.', '');
  if (r.verification) o.push(`Attribution: ${mdText(r.verification.statement)}.`, '');
  if (r.pnl) {
    const p = r.pnl;
    o.push(mdTable(['part', 'USDT'], [
      ['B - A final equity', fmtNum(p.total, 6)],
      ['matched-trade deltas', fmtNum(p.matched, 6)],
      ['trades only in B', fmtNum(p.onlyB, 6)],
      ['trades only in A (negated)', fmtNum(p.onlyA, 6)],
      ['initial capital', fmtNum(p.initialCapital, 6)],
      ['rounding residual', p.residual.toExponential(2)],
    ]), '');
    o.push('### By cause', '', mdTable(['cause', 'kind', 'items', 'USDT'], p.byCause.map((b) => [b.description, b.kind, String(b.items), fmtNum(b.delta)])), '');
    const m = cap(p.components);
    o.push('### Parts', '', mdTable(['when (UTC)', 'kind', 'what', 'USDT', 'cause at'], m.rows.map((x) => [x.anchorTs ? fmtTs(x.anchorTs) : '-', x.kind, x.what, fmtNum(x.delta), x.cause ? `${x.cause.kind} ${fmtTs(x.cause.ts)}` : 'unexplained'])) + m.more, '');
  }
  return `${o.join('\n')}\n`;
}
