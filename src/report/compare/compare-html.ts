/**
 * HTML rendering of a comparison: one self-contained page (inline CSS, no script, no network) with the
 * verdict, comparability, a static SVG timeline of where scans are missing or differ and where trades
 * diverge, the attribution and the trade tables.
 */
import { fmtNum, fmtTs } from '../format.js';
import { c, card, esc, n, pageHead, section, STYLE, table, type Cell } from '../html/html-parts.js';
import type { CompareResult } from './compare.js';
import type { SideTrade } from './trade-alignment.js';

const ROW_CAP = 500;
const W = 1000;
const H = 150;
const X0 = 40;

const tone = (v: string): 'pos' | 'neg' | '' => (v === 'IDENTICAL' || v === 'WITHIN_TOLERANCE' ? 'pos' : 'neg');

/** A static SVG timeline: the two windows, missing scans per side, content differences, trade divergences. */
export function timelineSvg(r: CompareResult): string {
  const cw = r.comparability;
  const starts = [cw.windowA.firstTs, cw.windowB.firstTs].filter((x): x is string => x !== null).map(BigInt);
  const ends = [cw.windowA.lastTs, cw.windowB.lastTs].filter((x): x is string => x !== null).map(BigInt);
  if (!starts.length) return '<p class="muted">No scans.</p>';
  const t0 = starts.reduce((x, y) => (y < x ? y : x));
  const t1 = ends.reduce((x, y) => (y > x ? y : x));
  const span = Number(t1 - t0) || 1;
  const x = (ts: string | bigint): number => X0 + ((W - X0 - 10) * Number(BigInt(ts) - t0)) / span;
  const yA = 30;
  const yB = 80;
  const parts: string[] = [];
  const bar = (first: string | null, last: string | null, y: number, label: string): void => {
    parts.push(`<text class="lbl" x="4" y="${y + 12}">${label}</text>`);
    if (first && last) parts.push(`<rect x="${x(first).toFixed(1)}" y="${y}" width="${Math.max(1, x(last) - x(first)).toFixed(1)}" height="16" fill="#dbeafe" stroke="#93c5fd"/>`);
  };
  bar(cw.windowA.firstTs, cw.windowA.lastTs, yA, 'A');
  bar(cw.windowB.firstTs, cw.windowB.lastTs, yB, 'B');
  // One tick per pixel column at most, so a million missing scans stay a small file.
  const ticks = (list: readonly string[], y: number, h: number, colour: string, title: string): void => {
    const seen = new Map<number, number>();
    for (const t of list) {
      const px = Math.round(x(t));
      seen.set(px, (seen.get(px) ?? 0) + 1);
    }
    for (const [px, k] of seen) parts.push(`<rect x="${px - 0.5}" y="${y}" width="1.5" height="${h}" fill="${colour}"><title>${esc(`${k} ${title}`)}</title></rect>`);
  };
  ticks(r.inputs.lackingInA, yA - 4, 24, '#dc2626', 'scan(s) A lacks');
  ticks(r.inputs.lackingInB, yB - 4, 24, '#dc2626', 'scan(s) B lacks');
  ticks(r.inputs.contentDiffers, yA, yB - yA + 16, '#f59e0b', 'scan(s) with different content');
  const dot = (t: SideTrade, y: number, colour: string, side: string): string =>
    `<circle cx="${x(t.entryTs).toFixed(1)}" cy="${y}" r="3.5" fill="${colour}"><title>${esc(`${t.asset} only in ${side}, entered ${fmtTs(t.entryTs)}, PnL ${fmtNum(t.pnl)}`)}</title></circle>`;
  for (const t of r.trades.onlyA.slice(0, 2000)) parts.push(dot(t, yA + 22, '#7c3aed', 'A'));
  for (const t of r.trades.onlyB.slice(0, 2000)) parts.push(dot(t, yB + 22, '#7c3aed', 'B'));
  if (r.firstDivergence) {
    const fx = x(r.firstDivergence.ts).toFixed(1);
    parts.push(`<line x1="${fx}" x2="${fx}" y1="14" y2="${H - 20}" stroke="#111827" stroke-dasharray="3 3"><title>${esc(`first divergence ${fmtTs(r.firstDivergence.ts)}`)}</title></line>`);
  }
  parts.push(`<text class="ax" x="${X0}" y="${H - 4}">${esc(fmtTs(t0.toString()))}</text>`, `<text class="ax" x="${W - 10}" y="${H - 4}" text-anchor="end">${esc(fmtTs(t1.toString()))}</text>`);
  const legend = `<div class="legend"><span><i style="background:#dc2626"></i>missing scans</span><span><i style="background:#f59e0b"></i>different content</span><span><i style="background:#7c3aed"></i>one-sided trade entry</span><span>dashed: first divergence</span></div>`;
  return `<svg class="chart" id="timeline" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="timeline of input differences">${parts.join('')}</svg>${legend}`;
}

const tradeRow = (t: SideTrade): Cell[] => [c(t.asset), c(fmtTs(t.entryTs)), c(t.open ? 'open' : fmtTs(t.exitTs)), c(t.reason), n(t.entryPrice, String(+t.entryPrice.toPrecision(8))), n(t.exitPrice, String(+t.exitPrice.toPrecision(8))), n(t.pnl, fmtNum(t.pnl), true)];
const TRADE_HEAD = ['asset', 'entry (UTC)', 'exit (UTC)', 'reason', 'entry', 'exit', 'PnL'];

/** Renders the comparison as one self-contained HTML document (deterministic). */
export function compareToHtml(r: CompareResult, title = 'DOLPHIN compare'): string {
  const cw = r.comparability;
  const cards = [
    card('Verdict', r.verdict, { tone: tone(r.verdict), sub: `exit code ${r.exitCode}`, id: 'verdict' }),
    card('Final equity A', fmtNum(r.finalEquity.a)),
    card('Final equity B', fmtNum(r.finalEquity.b)),
    card('B - A', fmtNum(r.finalEquity.delta), { tone: r.finalEquity.delta > 0 ? 'pos' : r.finalEquity.delta < 0 ? 'neg' : '', sub: `${r.finalEquity.relative.toExponential(2)} relative` }),
    card('Trades', `${r.trades.matched} matched`, { sub: `${r.trades.onlyA.length} only A, ${r.trades.onlyB.length} only B` }),
  ];
  const kv = (rows: [string, string, string][]): string => table(['', 'A', 'B'], rows.map(([k, a, b]) => [c(k), c(a, 'mono'), c(b, 'mono')]));
  const comp = [
    kv([
      ['report', r.labels.a, r.labels.b],
      ['scans', String(cw.windowA.scans), String(cw.windowB.scans)],
      ['window (UTC)', `${fmtTs(cw.windowA.firstTs)} -> ${fmtTs(cw.windowA.lastTs)}`, `${fmtTs(cw.windowB.firstTs)} -> ${fmtTs(cw.windowB.lastTs)}`],
      ['engine / strategy', `${cw.engineVersion[0]} / v${cw.strategyVersion[0]}`, `${cw.engineVersion[1]} / v${cw.strategyVersion[1]}`],
    ]),
    `<p>Overlap: ${esc(cw.overlap ? `${fmtTs(cw.overlap.fromTs)} -> ${fmtTs(cw.overlap.toTs)} UTC` : 'none')}. Config: ${esc(cw.configHashEqual ? 'same (hash equal)' : 'differs')}.</p>`,
    [...cw.reasons, ...cw.notes].length ? `<ul class="issues">${[...cw.reasons, ...cw.notes].map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : '',
    cw.configDiff.length ? table(['key', 'A', 'B', 'note'], cw.configDiff.map((k) => [c(k.key), c(JSON.stringify(k.a), 'mono'), c(JSON.stringify(k.b), 'mono'), c(k.derived ?? '')])) : '',
  ].join('\n');
  const body: string[] = [
    section('summary', 'Verdict', `<div class="cards">${cards.join('\n')}</div><p>${esc(r.reason)}</p>`),
    section('comparability', 'Comparability', comp),
  ];
  if (r.verdict !== 'NOT_COMPARABLE') {
    const i = r.inputs;
    body.push(
      section(
        'inputs',
        'Inputs',
        [
          `<p>${esc(i.scanLogs ? `${i.commonScans} identical scans in the overlap; B lacks ${i.lackingInB.length}, A lacks ${i.lackingInA.length}; ${i.contentDiffers.length} differ in content; outside the overlap A ${i.outsideOverlap.a}, B ${i.outsideOverlap.b}.` : 'Scan differences unknown: a report has no scan log.')}</p>`,
          timelineSvg(r),
          '<h3>Missing scans</h3>',
          table(['lacking', 'from (UTC)', 'to (UTC)', 'scans'], i.missingRuns.slice(0, ROW_CAP).map((m) => [c(m.lacking), c(fmtTs(m.fromTs)), c(fmtTs(m.toTs)), n(m.count, String(m.count))]), { empty: 'None.' }),
          '<h3>Different content at the same timestamp</h3>',
          table(['timestamp (UTC)', 'ns'], i.contentDiffers.slice(0, ROW_CAP).map((t) => [c(fmtTs(t)), c(t, 'mono')]), { empty: 'None.' }),
          '<h3>External factors</h3>',
          table(['date', 'differs', 'A', 'B'], i.factorDiffs.map((f) => [c(f.date), c(f.fields.join(', ')), c(f.a ? JSON.stringify(f.a) : '-', 'mono'), c(f.b ? JSON.stringify(f.b) : '-', 'mono')]), { empty: 'None.' }),
        ].join('\n'),
      ),
    );
    const attr: string[] = [];
    if (r.firstDivergence) attr.push(`<p><b>First divergence</b> at ${esc(fmtTs(r.firstDivergence.ts))} UTC: ${esc(r.firstDivergence.what)}.<br><b>Cause:</b> ${esc(r.firstDivergence.cause?.description ?? 'none found before it (unexplained)')}.</p>`);
    else attr.push('<p>No divergence.</p>');
    if (r.verification) attr.push(`<p id="verification"><b>Attribution:</b> ${esc(r.verification.statement)}.</p>`);
    if (r.pnl) {
      const p = r.pnl;
      attr.push(
        table(['part', 'USDT'], [
          [c('B - A final equity'), n(p.total, fmtNum(p.total, 6), true)],
          [c('matched-trade deltas'), n(p.matched, fmtNum(p.matched, 6), true)],
          [c('trades only in B'), n(p.onlyB, fmtNum(p.onlyB, 6), true)],
          [c('trades only in A (negated)'), n(p.onlyA, fmtNum(p.onlyA, 6), true)],
          [c('initial capital'), n(p.initialCapital, fmtNum(p.initialCapital, 6), true)],
          [c('rounding residual'), n(p.residual, p.residual.toExponential(2))],
        ]),
        '<h3>By cause</h3>',
        table(['cause', 'kind', 'items', 'USDT'], p.byCause.map((b) => [c(b.description), c(b.kind), n(b.items, String(b.items)), n(b.delta, fmtNum(b.delta), true)])),
        '<h3>Parts</h3>',
        table(['when (UTC)', 'kind', 'what', 'USDT', 'cause'], p.components.slice(0, ROW_CAP).map((x) => [c(x.anchorTs ? fmtTs(x.anchorTs) : '-'), c(x.kind), c(x.what), n(x.delta, fmtNum(x.delta), true), c(x.cause ? `${x.cause.kind} at ${fmtTs(x.cause.ts)}` : 'unexplained')])),
      );
    }
    body.push(section('attribution', 'Divergence and attribution', attr.join('\n')));
    body.push(
      section(
        'trades',
        'Trades',
        [
          '<h3>Matched, different</h3>',
          table(['asset', 'entry A', 'entry B', 'exit A', 'exit B', 'reason A/B', 'Δ entry px', 'Δ exit px', 'Δ PnL'], r.trades.differing.slice(0, ROW_CAP).map((m) => [c(m.a.asset), c(fmtTs(m.a.entryTs)), c(fmtTs(m.b.entryTs)), c(m.a.open ? 'open' : fmtTs(m.a.exitTs)), c(m.b.open ? 'open' : fmtTs(m.b.exitTs)), c(`${m.a.reason}/${m.b.reason}`), n(m.delta.entryPrice, String(+m.delta.entryPrice.toPrecision(6))), n(m.delta.exitPrice, String(+m.delta.exitPrice.toPrecision(6))), n(m.delta.pnl, fmtNum(m.delta.pnl), true)]), { empty: 'None.' }),
          '<h3>Only in A</h3>',
          table(TRADE_HEAD, r.trades.onlyA.slice(0, ROW_CAP).map(tradeRow), { empty: 'None.' }),
          '<h3>Only in B</h3>',
          table(TRADE_HEAD, r.trades.onlyB.slice(0, ROW_CAP).map(tradeRow), { empty: 'None.' }),
        ].join('\n'),
      ),
    );
  }
  return [
    ...pageHead(`${title}: ${r.verdict}`, STYLE),
    '<body>',
    `<header><h1>${esc(`${title}: ${r.verdict}`)}</h1><div class="meta">${esc(`A ${r.labels.a} · B ${r.labels.b}`)}</div></header>`,
    '<main>',
    ...body,
    '</main>',
    '<footer>DOLPHIN-TS · self-contained comparison, works offline</footer>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
