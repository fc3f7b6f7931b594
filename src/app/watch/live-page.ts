/**
 * The live page of a running paper run: the report's equity/drawdown and daily charts (the same inline
 * script as report.html, fed new data at each update), headline cards, open positions and closed trades,
 * updated from server-sent events. Data reaches the DOM only through textContent and JSON, never as HTML.
 */
import type { ChartData } from '../../report/html/chart-script.js';
import { CHART_SCRIPT } from '../../report/html/chart-script.js';
import { downsampleIndexes, drawdownOf, MAX_PLOT_POINTS } from '../../report/html/equity-series.js';
import { esc, pageHead, scriptJson, STYLE } from '../../report/html/html-parts.js';
import type { LiveRunSnapshot } from './live-runs.js';

/** What one server-sent `state` event carries. */
export interface LivePayload {
  readonly runId: string;
  readonly status: 'running' | 'stopped';
  readonly heartbeatMs: number;
  readonly lastScanTs: string | null;
  readonly feedStatus: string;
  readonly equity: number;
  readonly initialCapital: number;
  readonly trades: number;
  readonly acbCut: number;
  readonly validation: string | null;
  readonly positions: readonly { asset: string; qty: number; entryPrice: number; mark: number; unrealizedPnl: number; entryTs: string }[];
  /** The most recent closed trades, newest first. */
  readonly recentTrades: readonly { asset: string; entryTs: string; exitTs: string; pnl: number; reason: string }[];
  /** Link to the final report when the run stopped and its journal is served (else null). */
  readonly reportHref: string | null;
  readonly updates: number;
  readonly chart: ChartData;
}

/** Trades listed on the page. */
const RECENT_TRADES = 100;
const DAY_MS = 86_400_000;

/** The payload of a snapshot. Pure. */
export function livePayload(s: LiveRunSnapshot, reportHref: string | null): LivePayload {
  const st = s.state;
  return {
    runId: s.runId,
    status: st.stopped ? 'stopped' : 'running',
    heartbeatMs: st.heartbeatMs,
    lastScanTs: st.lastScanTs,
    feedStatus: st.feedStatus,
    equity: st.equity,
    initialCapital: st.initialCapital,
    trades: st.trades,
    acbCut: st.acbCut,
    validation: st.validation === null ? null : `${st.validation.verdict}: ${st.validation.summary}`,
    positions: s.positions.map((p) => ({ asset: p.asset, qty: p.qty, entryPrice: p.entryPrice, mark: p.mark, unrealizedPnl: p.unrealizedPnl, entryTs: p.entryTs })),
    recentTrades: s.trades.slice(-RECENT_TRADES).reverse().map((t) => ({ asset: t.asset, entryTs: t.entryTs, exitTs: t.exitTs, pnl: t.pnl, reason: t.reason })),
    reportHref: st.stopped ? reportHref : null,
    updates: s.updates,
    chart: liveChartData(s),
  };
}

/** The ChartData of report.html for a live curve and its trades. Pure. */
export function liveChartData(s: LiveRunSnapshot): ChartData {
  const round = (x: number): number => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : 0);
  const dd = drawdownOf(s.curve.e);
  const idx = downsampleIndexes(s.curve.e, dd, MAX_PLOT_POINTS);
  const ms = (ns: string): number => Number(BigInt(ns) / 1_000_000n);
  // daily rows: PnL of the trades closed that day, closing equity = last curve point of the day
  const days = new Map<number, { pnl: number; close: number }>();
  for (const t of s.trades) {
    const d = Math.floor(ms(t.exitTs) / DAY_MS);
    const row = days.get(d) ?? { pnl: 0, close: NaN };
    row.pnl += Number.isFinite(t.pnl) ? t.pnl : 0;
    days.set(d, row);
  }
  for (let i = 0; i < s.curve.t.length; i++) {
    const d = Math.floor((s.curve.t[i] as number) / DAY_MS);
    const row = days.get(d) ?? { pnl: 0, close: NaN };
    row.close = s.curve.e[i] as number;
    days.set(d, row);
  }
  const dayKeys = [...days.keys()].sort((a, b) => a - b);
  const today = s.state.lastScanTs === null ? null : Math.floor(ms(s.state.lastScanTs) / DAY_MS);
  return {
    eq: { t: idx.map((i) => s.curve.t[i] as number), e: idx.map((i) => round(s.curve.e[i] as number)), dd: idx.map((i) => Math.round((dd[i] as number) * 1e6) / 1e6), n: s.curve.t.length, src: 'scans' },
    tr: { en: s.trades.map((t) => ms(t.entryTs)), ex: s.trades.map((t) => ms(t.exitTs)), pnl: s.trades.map((t) => round(t.pnl)), a: s.trades.map((t) => t.asset), r: s.trades.map((t) => t.reason) },
    day: {
      t: dayKeys.map((d) => d * DAY_MS),
      date: dayKeys.map((d) => new Date(d * DAY_MS).toISOString().slice(0, 10)),
      pnl: dayKeys.map((d) => round(days.get(d)!.pnl)),
      acb: dayKeys.map((d) => (d === today ? s.state.acbCut : 0)),
      close: dayKeys.map((d) => round(days.get(d)!.close)),
    },
    init: s.state.initialCapital,
  };
}

/** The live page (its first state embedded; later ones arrive on `events`). */
export function livePageHtml(first: LivePayload): string {
  const title = `DOLPHIN live: ${first.runId}`;
  return [
    ...pageHead(title, `${STYLE}\n#member.gone{color:#dc2626;font-weight:600}`),
    '<body>',
    `<header><h1>${esc(title)}</h1><div class="meta"><a href="/">all runs</a> · <span id="status"></span> · <span id="member">connected</span></div></header>`,
    '<main>',
    '<section id="summary"><h2>Now</h2><div class="cards">',
    ...['equity', 'pnl', 'trades', 'acb', 'scan', 'validation'].map((k) => `<div class="card"><div class="lbl">${esc(CARD_LABELS[k] ?? k)}</div><div class="val" id="v-${k}"></div></div>`),
    '</div><p class="hint" id="report-link"></p></section>',
    '<section id="equity"><h2>Equity and drawdown (since this server started watching)</h2><p class="hint" id="zoom-note"></p><div id="equity-chart"></div></section>',
    '<section id="positions"><h2>Open positions</h2><div class="tbl"><table id="positions-table"><thead><tr><th>Asset</th><th class="num">Qty</th><th class="num">Entry price</th><th class="num">Mark</th><th class="num">Unrealised PnL</th><th>Entry (UTC)</th></tr></thead><tbody></tbody></table></div></section>',
    '<section id="trades"><h2>Closed trades (newest first)</h2><div class="tbl"><table id="trades-table"><thead><tr><th>Asset</th><th>Entry (UTC)</th><th>Exit (UTC)</th><th class="num">PnL</th><th>Reason</th></tr></thead><tbody></tbody></table></div></section>',
    '<section id="daily"><h2>Daily PnL</h2><div id="daily-chart"></div></section>',
    '</main>',
    '<div id="tip"></div>',
    `<script type="application/json" id="dolphin-data">${scriptJson(first.chart)}</script>`,
    `<script type="application/json" id="dolphin-first">${scriptJson(first)}</script>`,
    `<script type="application/json" id="dolphin-chart-src">${scriptJson(CHART_SCRIPT)}</script>`,
    `<script>${LIVE_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const CARD_LABELS: Readonly<Record<string, string>> = { equity: 'Equity', pnl: 'PnL', trades: 'Trades', acb: 'ACB cut', scan: 'Last scan (UTC)', validation: 'Validation' };

// Plain ES2017. The report's chart script is run again at every update with the new data; the window
// listeners it adds are removed before the next run, so a page kept open all day does not pile them up.
const LIVE_SCRIPT = String.raw`(function () {
'use strict';
var SRC = JSON.parse(document.getElementById('dolphin-chart-src').textContent);
var added = [];
var updates = 0;
function runCharts(chart) {
  added.forEach(function (a) { window.removeEventListener(a[0], a[1], a[2]); });
  added = [];
  document.getElementById('dolphin-data').textContent = JSON.stringify(chart);
  var orig = window.addEventListener;
  window.addEventListener = function (t, f, o) { added.push([t, f, o]); return orig.call(window, t, f, o); };
  try { var s = document.createElement('script'); s.textContent = SRC; document.body.appendChild(s); s.remove(); }
  finally { window.addEventListener = orig; }
}
function fmt(x, d) { return typeof x === 'number' && isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '-'; }
function ts(ns) { if (!ns || !/^\d+$/.test(ns)) return '-'; return new Date(Number(ns.slice(0, -6) || '0')).toISOString().replace('T', ' ').slice(0, 19); }
function set(id, text) { document.getElementById(id).textContent = text; }
function rows(tableId, list, cells) {
  var body = document.getElementById(tableId).tBodies[0];
  while (body.firstChild) body.removeChild(body.firstChild);
  list.forEach(function (item) {
    var tr = document.createElement('tr');
    cells(item).forEach(function (c) { var td = document.createElement('td'); td.textContent = c[0]; if (c[1]) td.className = c[1]; tr.appendChild(td); });
    body.appendChild(tr);
  });
}
function render(p) {
  updates++;
  set('status', p.status === 'stopped' ? 'STOPPED' : 'running, feed ' + p.feedStatus);
  set('v-equity', fmt(p.equity, 2));
  set('v-pnl', fmt(p.equity - p.initialCapital, 2));
  set('v-trades', String(p.trades));
  set('v-acb', fmt(p.acbCut, 2));
  set('v-scan', ts(p.lastScanTs));
  set('v-validation', p.validation === null ? '-' : p.validation);
  var link = document.getElementById('report-link');
  while (link.firstChild) link.removeChild(link.firstChild);
  if (p.status === 'stopped') {
    link.appendChild(document.createTextNode('The run stopped. '));
    if (p.reportHref) { var a = document.createElement('a'); a.href = p.reportHref; a.id = 'final-report'; a.textContent = 'Final report'; link.appendChild(a); }
    else link.appendChild(document.createTextNode('Its final report is in its journal folder.'));
  }
  rows('positions-table', p.positions, function (x) { return [[x.asset], [fmt(x.qty, 4), 'num'], [fmt(x.entryPrice, 4), 'num'], [fmt(x.mark, 4), 'num'], [fmt(x.unrealizedPnl, 2), 'num ' + (x.unrealizedPnl >= 0 ? 'pos' : 'neg')], [ts(x.entryTs)]]; });
  rows('trades-table', p.recentTrades, function (x) { return [[x.asset], [ts(x.entryTs)], [ts(x.exitTs)], [fmt(x.pnl, 2), 'num ' + (x.pnl >= 0 ? 'pos' : 'neg')], [x.reason]]; });
  runCharts(p.chart);
  document.body.setAttribute('data-updates', String(updates));
  document.body.setAttribute('data-last-scan', p.lastScanTs || '');
}
render(JSON.parse(document.getElementById('dolphin-first').textContent));
var member = document.getElementById('member');
var es = new EventSource(location.pathname.replace(/\/$/, '') + '/events');
es.addEventListener('state', function (m) { render(JSON.parse(m.data)); });
es.addEventListener('member', function (m) {
  var d = JSON.parse(m.data);
  member.textContent = d.state === 'up' ? 'connected' : 'MEMBER GONE: ' + d.detail;
  member.className = d.state === 'up' ? '' : 'gone';
});
es.onerror = function () { member.textContent = 'lost the connection to dolphin serve; retrying'; member.className = 'gone'; };
es.onopen = function () { if (member.className === 'gone' && member.textContent.indexOf('dolphin serve') >= 0) { member.textContent = 'connected'; member.className = ''; } };
})();
`;
