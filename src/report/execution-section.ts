/**
 * The execution section of a live report with the order mirror (issue 12): paper fills vs the demo
 * venue's fills per leg (gap in bps, fee difference, latency), rejections by reason, venue-implied PnL
 * next to paper PnL, and the last reconciliation, rendered as Markdown and HTML. The figures come from
 * core/execution-stats.ts; a report without the section renders exactly as before.
 */
import { REJECT_REASONS, type ExecutionStats } from '../core/execution-stats.js';
import { fmtNum, mdTable, mdText } from './format.js';
import { c, esc, n, section, table, type Cell } from './html/html-parts.js';

/** One symbol of a reconciliation (short quantities as positive numbers). */
export interface ReconcileRowView {
  readonly asset: string;
  readonly paperQty: number;
  readonly mirroredQty: number;
  readonly venueQty: number;
  readonly drift: number;
}

/** `report.execution`: present only in live reports of runs with --mirror. */
export interface ExecutionReportSection {
  /** Mirror venue name, e.g. binance-demo. */
  readonly venue: string;
  /** host[:port] of the venue's REST root. */
  readonly host: string;
  readonly stats: ExecutionStats;
  readonly lastReconcile: { readonly atMs: number; readonly ok: boolean; readonly rows: readonly ReconcileRowView[] } | null;
}

const bps = (x: number | null): string => (x === null ? '' : `${fmtNum(x, 2)} bp`);
const ms = (x: number | null): string => (x === null ? '' : `${fmtNum(x, 0)} ms`);
const num = (x: number | null, d = 4): string => (x === null ? '' : fmtNum(x, d));
const qty = (x: number): string => String(+x.toPrecision(9));

/** Headline figures as label/value pairs (Markdown and HTML share them). */
export function executionSummary(e: ExecutionReportSection): [string, string][] {
  const s = e.stats;
  const rej = REJECT_REASONS.filter((r) => s.rejections[r] > 0).map((r) => `${r} ${s.rejections[r]}`);
  const rec = e.lastReconcile;
  return [
    ['Venue', `${e.venue} (${e.host})`],
    ['Legs', `${s.ordersSent + s.ordersSkipped}: ${s.ordersFilled} filled, ${s.ordersPartial} partially filled, ${s.ordersRejected} rejected, ${s.ordersPending} pending (not sent yet or outcome unknown at stop), ${s.ordersSkipped} skipped (nothing open at the venue to close)`],
    ['Mean gap', s.meanGapBps === null ? 'no venue fill' : `${fmtNum(s.meanGapBps, 2)} bp (positive: the venue filled worse than paper)`],
    ['Fee difference', `${fmtNum(s.feeDiffTotal, 4)} USDT (venue - paper)`],
    ['Latency p50 / p99', s.latencyP50Ms === null ? 'no answered order' : `${fmtNum(s.latencyP50Ms, 0)} / ${fmtNum(s.latencyP99Ms, 0)} ms`],
    ['Rejections', rej.length ? rej.join(', ') : 'none'],
    ['PnL, paper vs venue', s.comparedTrades ? `${fmtNum(s.paperPnlCompared)} vs ${fmtNum(s.venuePnlCompared)} USDT over ${s.comparedTrades} trade(s) the venue filled both ways` : 'no trade filled both ways at the venue'],
    ['Reconciliation', rec === null ? 'not run' : `${rec.ok ? 'clean' : 'DRIFT'} at ${new Date(rec.atMs).toISOString()}`],
  ];
}

/** Markdown of the section. */
export function executionMarkdown(e: ExecutionReportSection): string {
  const s = e.stats;
  const out: string[] = ['## Execution (order mirror)', '', 'Tested only against the emulated venue; see docs/mirror.md.', ''];
  out.push(mdTable(['item', 'value'], executionSummary(e)), '');
  out.push('### Legs', '');
  out.push(
    s.legs.length
      ? mdTable(
          ['trade', 'leg', 'asset', 'status', 'paper', 'venue', 'gap', 'fee diff', 'latency', 'rejected for'],
          s.legs.map((l) => [String(l.trade), l.leg, mdText(l.asset), l.status, String(+l.paperPrice.toPrecision(8)), l.venuePrice === null ? '' : String(+l.venuePrice.toPrecision(8)), bps(l.gapBps), num(l.feeDiff), ms(l.latencyMs), l.rejectReason ?? '']),
        )
      : 'No order mirrored.',
    '',
  );
  out.push('### PnL per trade', '');
  out.push(s.trades.length ? mdTable(['trade', 'asset', 'paper PnL', 'venue PnL'], s.trades.map((t) => [String(t.trade), mdText(t.asset), fmtNum(t.paperPnl), t.venuePnl === null ? '' : fmtNum(t.venuePnl)])) : 'No closed trade mirrored.', '');
  const rec = e.lastReconcile;
  if (rec !== null && rec.rows.length) {
    out.push('### Last reconciliation', '');
    out.push(mdTable(['asset', 'paper short', 'mirrored short', 'venue short', 'drift'], rec.rows.map((r) => [mdText(r.asset), qty(r.paperQty), qty(r.mirroredQty), qty(r.venueQty), qty(r.drift)])), '');
  }
  return out.join('\n');
}

/** HTML of the section. */
export function executionHtml(e: ExecutionReportSection): string {
  const s = e.stats;
  const kv = table(['item', 'value'], executionSummary(e).map(([k, v]) => [c(k), c(v)]));
  const legs = table(
    ['trade', 'leg', 'asset', 'status', 'paper', 'venue', 'gap (bp)', 'fee diff', 'latency (ms)', 'rejected for'],
    s.legs.map((l): Cell[] => [n(l.trade, String(l.trade)), c(l.leg), c(l.asset), c(l.status), n(l.paperPrice, String(+l.paperPrice.toPrecision(8))), n(l.venuePrice, l.venuePrice === null ? '' : String(+l.venuePrice.toPrecision(8))), n(l.gapBps, l.gapBps === null ? '' : fmtNum(l.gapBps, 2), true), n(l.feeDiff, num(l.feeDiff)), n(l.latencyMs, l.latencyMs === null ? '' : fmtNum(l.latencyMs, 0)), c(l.rejectReason ?? '')]),
    { id: 'execution-legs', sortable: true, empty: 'No order mirrored.' },
  );
  const pnl = table(['trade', 'asset', 'paper PnL', 'venue PnL'], s.trades.map((t): Cell[] => [n(t.trade, String(t.trade)), c(t.asset), n(t.paperPnl, fmtNum(t.paperPnl), true), n(t.venuePnl, t.venuePnl === null ? '' : fmtNum(t.venuePnl), true)]), { empty: 'No closed trade mirrored.' });
  const rec = e.lastReconcile;
  const recTbl = rec === null ? '' : `<h3>Last reconciliation</h3>${table(['asset', 'paper short', 'mirrored short', 'venue short', 'drift'], rec.rows.map((r): Cell[] => [c(r.asset), n(r.paperQty, qty(r.paperQty)), n(r.mirroredQty, qty(r.mirroredQty)), n(r.venueQty, qty(r.venueQty)), n(r.drift, qty(r.drift), true)]), { empty: 'No symbol traded.' })}`;
  return section('execution', 'Execution (order mirror)', `<p class="hint">${esc('Paper fills vs the demo venue. Tested only against the emulated venue; see docs/mirror.md.')}</p><div class="grid2"><div>${kv}</div><div><h3>PnL per trade</h3>${pnl}</div></div><h3>Legs</h3>${legs}${recTbl}`);
}
