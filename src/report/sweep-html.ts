/**
 * sweep.html: one self-contained page (inline CSS and script, no network) with the ranked configs, a heat
 * map over two grid keys, the walk-forward table, the stitched out-of-sample equity (the report's chart
 * code) and the overfitting section with its readings.
 */
import { CHART_SCRIPT, type ChartData } from './html/chart-script.js';
import { drawdownOf, tsToMs } from './html/equity-series.js';
import { c, card, esc, n, pageHead, scriptJson, section, STYLE, table, type Cell } from './html/html-parts.js';
import { fmtNum, fmtPct } from './format.js';
import type { Metrics } from './metrics.js';
import type { WalkForwardResult } from './walk-forward-model.js';
import { overfittingReading, overridesText, walkForwardReading } from './walk-forward-readings.js';

/** A config's result as the page shows it (a sweep.ndjson line). */
export interface SweepRow {
  readonly key: string;
  readonly overrides: Record<string, unknown>;
  readonly metrics: Metrics | null;
  readonly error: string | null;
}

/** Options of sweepToHtml. */
export interface SweepHtmlOptions {
  readonly title: string;
  readonly rank: keyof Metrics;
  /** Two grid keys for the heat map (rows, columns); none: no heat map. */
  readonly heatmap?: readonly [string, string];
}

const metricOf = (m: Metrics | null, k: keyof Metrics): number | null => {
  const v = m?.[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

/** Renders sweep.html (deterministic: same input, same bytes). */
export function sweepToHtml(rows: readonly SweepRow[], wf: WalkForwardResult, o: SweepHtmlOptions): string {
  const ranked = [...rows].sort((a, b) => {
    const x = metricOf(a.metrics, o.rank);
    const y = metricOf(b.metrics, o.rank);
    if (x === null || y === null) return x === null && y === null ? (a.key < b.key ? -1 : 1) : x === null ? 1 : -1;
    return y - x || (a.key < b.key ? -1 : 1);
  });
  const w = wf.walkForward;
  const curve = w?.stitchedCurve ?? { ts: [], equity: [] };
  const dd = drawdownOf(curve.equity);
  const data: ChartData = {
    eq: { t: curve.ts.map((t) => Math.round(tsToMs(t))), e: curve.equity.map((x) => Math.round(x * 1e4) / 1e4), dd: Array.from(dd, (d) => Math.round(d * 1e6) / 1e6), n: curve.ts.length, src: 'scans' },
    tr: { en: [], ex: [], pnl: [], a: [], r: [] },
    day: { t: [], date: [], pnl: [], acb: [], close: [] },
    init: curve.equity[0] ?? 0,
  };
  const nav = [['ranked', 'Ranked configs'], ['heatmap', 'Heat map'], ['walk-forward', 'Walk-forward'], ['overfitting', 'Overfitting']]
    .map(([id, label]) => `<a href="#${id}">${esc(label)}</a>`)
    .join('');
  return [
    ...pageHead(o.title, `${STYLE}.heat td{text-align:center}`),
    '<body>',
    `<header><h1>${esc(o.title)}</h1><div class="meta">${esc(`${rows.length} configs, ranked by ${String(o.rank)}`)}</div><nav>${nav}</nav></header>`,
    '<main>',
    rankedSection(ranked, o.rank),
    heatmapSection(rows, o),
    walkForwardSection(wf),
    overfittingSection(wf),
    '</main>',
    '<footer>DOLPHIN-TS · self-contained sweep report, works offline</footer>',
    '<div id="tip"></div>',
    `<script type="application/json" id="dolphin-data">${scriptJson(data)}</script>`,
    `<script>${CHART_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function rankedSection(ranked: readonly SweepRow[], rank: keyof Metrics): string {
  const rows: Cell[][] = ranked.map((l, i) => [
    n(i + 1, String(i + 1)),
    c(overridesText(l.overrides)),
    n(l.metrics?.trades, String(l.metrics?.trades ?? '-')),
    n(l.metrics?.roi, fmtPct(l.metrics?.roi), true),
    n(l.metrics?.maxDrawdown, fmtPct(l.metrics?.maxDrawdown)),
    n(l.metrics?.profitFactor, fmtNum(l.metrics?.profitFactor, 3)),
    n(l.metrics?.sharpe, fmtNum(l.metrics?.sharpe, 2)),
    c(l.error ? `error: ${l.error}` : ''),
  ]);
  return section('ranked', `Ranked configs (by ${String(rank)})`, table(['#', 'config', 'trades', 'ROI', 'max DD', 'profit factor', 'Sharpe', ''], rows, { id: 'ranked-table', sortable: true }));
}

/** Colour of a value on a red (low) - white - green (high) scale around 0 for signed metrics. */
function heatColour(v: number | null, lo: number, hi: number): string {
  if (v === null) return '#f3f4f6';
  const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const f = Math.min(1, Math.abs(v) / m);
  const a = Math.round(40 + 160 * f);
  return v >= 0 ? `rgb(${255 - a},255,${255 - a})` : `rgb(255,${255 - a},${255 - a})`;
}

function heatmapSection(rows: readonly SweepRow[], o: SweepHtmlOptions): string {
  if (!o.heatmap) return section('heatmap', 'Heat map', '<p class="muted">Needs two grid keys (--heatmap key1,key2, or a grid with two keys).</p>');
  const [kr, kc] = o.heatmap;
  const json = (v: unknown): string => JSON.stringify(v);
  // axis values in a fixed order whatever order the configs finished in: numbers ascending, else by text
  const order = (a: string, b: string): number => {
    const x = Number(a);
    const y = Number(b);
    return Number.isFinite(x) && Number.isFinite(y) ? x - y : a < b ? -1 : a > b ? 1 : 0;
  };
  const rv = [...new Set(rows.map((r) => json(r.overrides[kr])))].sort(order);
  const cv = [...new Set(rows.map((r) => json(r.overrides[kc])))].sort(order);
  // cell = best ranking value over the configs with that pair (other keys vary inside a cell)
  const cell = (a: string, b: string): number | null => {
    let best: number | null = null;
    for (const r of rows) {
      if (json(r.overrides[kr]) !== a || json(r.overrides[kc]) !== b) continue;
      const v = metricOf(r.metrics, o.rank);
      if (v !== null && (best === null || v > best)) best = v;
    }
    return best;
  };
  const vals = rv.flatMap((a) => cv.map((b) => cell(a, b))).filter((v): v is number => v !== null);
  const lo = Math.min(0, ...vals);
  const hi = Math.max(0, ...vals);
  const fmt = (v: number | null): string => (v === null ? '-' : o.rank === 'roi' || o.rank === 'winRate' || o.rank === 'cagr' ? fmtPct(v) : fmtNum(v, 3));
  const head = `<tr><th>${esc(kr)} \\ ${esc(kc)}</th>${cv.map((b) => `<th>${esc(b === undefined ? '-' : b)}</th>`).join('')}</tr>`;
  const body = rv
    .map((a) => `<tr><th>${esc(a === undefined ? '-' : a)}</th>${cv.map((b) => {
      const v = cell(a, b);
      return `<td style="background:${heatColour(v, lo, hi)}"${v === null ? '' : ` data-v="${v}"`}>${esc(fmt(v))}</td>`;
    }).join('')}</tr>`)
    .join('\n');
  return section('heatmap', `Heat map: ${String(o.rank)} by ${kr} and ${kc}`, `<p class="hint">Best ${esc(String(o.rank))} over the configs with each pair of values; green above 0, red below.</p><div class="tbl"><table class="heat" id="heatmap-table"><thead>${head}</thead><tbody>\n${body}\n</tbody></table></div>`);
}

function walkForwardSection(wf: WalkForwardResult): string {
  const w = wf.walkForward;
  if (!w) return section('walk-forward', 'Walk-forward', '<p class="muted">No walk-forward in this sweep (--walk-forward K).</p>');
  const rows: Cell[][] = w.folds.map((f) => [
    n(f.index + 1, String(f.index + 1)),
    c(`${f.trainDays[0]} .. ${f.trainDays[f.trainDays.length - 1]} (${f.trainDays.length})`),
    c(`${f.testDays[0]} .. ${f.testDays[f.testDays.length - 1]} (${f.testDays.length})`),
    c(overridesText(f.chosenOverrides)),
    n(f.volThreshold, fmtNum(f.volThreshold, 8)),
    n(f.inSample?.roi, fmtPct(f.inSample?.roi), true),
    n(f.outOfSample?.roi, fmtPct(f.outOfSample?.roi), true),
    n(f.isDailyReturn, fmtPct(f.isDailyReturn, 3), true),
    n(f.oosDailyReturn, fmtPct(f.oosDailyReturn, 3), true),
    n(f.outOfSample?.trades, String(f.outOfSample?.trades ?? '-')),
  ]);
  const s = w.stitched;
  const cards = [
    card('Stitched OOS ROI', fmtPct(s?.roi), { tone: s?.roi === null || s?.roi === undefined ? '' : s.roi > 0 ? 'pos' : s.roi < 0 ? 'neg' : '', id: 'card-oos-roi' }),
    card('OOS max drawdown', fmtPct(s?.maxDrawdown)),
    card('OOS trades', String(s?.trades ?? 0)),
    card('WF efficiency', fmtNum(w.efficiency, 2), { sub: 'OOS / IS per-day return' }),
  ].join('');
  const readings = `<ul class="issues">${walkForwardReading(w).map((x) => `<li>${esc(x)}</li>`).join('')}</ul>`;
  return section(
    'walk-forward',
    `Walk-forward (${w.mode}, ${w.folds.length} folds, chosen by ${w.rank})`,
    `<div class="cards">${cards}</div>\n${readings}\n${table(['fold', 'training days', 'test days', 'chosen config', 'volThreshold', 'IS ROI', 'OOS ROI', 'IS per day', 'OOS per day', 'OOS trades'], rows, { id: 'walk-forward-table' })}\n<h3>Stitched out-of-sample equity</h3><div id="equity-chart"></div>`,
  );
}

/** Histogram of the CSCV logits as inline SVG (bars of equal width; the 0 line marks the median). */
function logitHistogram(logits: readonly number[]): string {
  if (logits.length === 0) return '';
  const lo = Math.min(-0.5, ...logits);
  const hi = Math.max(0.5, ...logits);
  const bins = 24;
  const counts = new Array<number>(bins).fill(0);
  for (const x of logits) counts[Math.min(bins - 1, Math.floor(((x - lo) / (hi - lo)) * bins))]++;
  const max = Math.max(...counts);
  const W = 480;
  const H = 140;
  const bw = W / bins;
  const bars = counts
    .map((k, i) => {
      const h = max > 0 ? (k / max) * (H - 20) : 0;
      const mid = lo + ((i + 0.5) / bins) * (hi - lo);
      return `<rect x="${(i * bw).toFixed(1)}" y="${(H - 20 - h).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${mid <= 0 ? '#dc2626' : '#16a34a'}"><title>${esc(`logit ${fmtNum(mid, 2)}: ${k} splits`)}</title></rect>`;
    })
    .join('');
  const zero = ((0 - lo) / (hi - lo)) * W;
  return `<svg class="chart" id="logit-svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${bars}<line x1="${zero.toFixed(1)}" x2="${zero.toFixed(1)}" y1="0" y2="${H - 20}" stroke="#111827" stroke-dasharray="3,3"/><text class="ax" x="2" y="${H - 4}">${esc(fmtNum(lo, 2))}</text><text class="ax" x="${W - 2}" y="${H - 4}" text-anchor="end">${esc(fmtNum(hi, 2))}</text><text class="ax" x="${zero.toFixed(1)}" y="${H - 4}" text-anchor="middle">0</text></svg>`;
}

function overfittingSection(wf: WalkForwardResult): string {
  const o = wf.overfitting;
  const p = o.pbo;
  const d = o.dsr;
  const cards = [
    card('PBO', p ? fmtNum(p.pbo, 3) : '-', { sub: `${o.configs} configs, ${o.partitions} blocks`, tone: p ? (p.pbo < 0.25 ? 'pos' : p.pbo >= 0.5 ? 'neg' : '') : '', id: 'card-pbo' }),
    card('P(OOS loss)', p ? fmtNum(p.probabilityOfLoss, 3) : '-'),
    card('Deflated Sharpe', d ? fmtNum(d.dsr, 3) : '-', { sub: d ? (d.significant ? 'significant' : 'not significant') : '', tone: d ? (d.significant ? 'pos' : 'neg') : '', id: 'card-dsr' }),
    card('Best / expected max Sharpe', d ? `${fmtNum(d.sharpe, 3)} / ${fmtNum(d.expectedMaxSharpe, 3)}` : '-', { sub: 'hourly' }),
  ].join('');
  const readings = `<ul class="issues" id="overfitting-readings">${overfittingReading(o).map((x) => `<li>${esc(x)}</li>`).join('')}</ul>`;
  const hist = o.logits.length ? `<h3>CSCV logits (red: in-sample best at or below the out-of-sample median)</h3>${logitHistogram(o.logits)}` : '';
  return section('overfitting', 'Overfitting', `<div class="cards">${cards}</div>\n${readings}\n${hist}`);
}
