/**
 * HTML rendering of a report: one self-contained file (inline CSS, SVG charts drawn by a small inline
 * script, no network) with summary cards, equity/drawdown with trade markers, daily PnL and ACB cut,
 * breakdowns, the trade list, data quality, fingerprint and config.
 */
import type { Report } from './report.js';
import { dataQualityRows, fmtNum, fmtPct, fmtTs } from './format.js';
import { CHART_SCRIPT, type ChartData } from './html/chart-script.js';
import { plotSeries, tsToMs, MAX_PLOT_POINTS, type EquityInput, type PlotSeries } from './html/equity-series.js';
import { executionHtml } from './execution-section.js';
import { c, card, esc, n, pageHead, scriptJson, section, STYLE, table, type Cell } from './html/html-parts.js';

export type { EquityInput } from './html/equity-series.js';

/** Options of reportToHtml. */
export interface HtmlOptions {
  /** Page title (default "DOLPHIN <kind> report"). */
  readonly title?: string;
  /**
   * Per-scan equity (the engine recorder's `ts` and `equity` columns). report.json does not carry it;
   * without it the curve is reconstructed from daily closing equity and trade exits (see reconstructEquity).
   */
  readonly equity?: EquityInput;
  /** Cap on plotted equity points (min/max per bucket beyond it); default 4000. */
  readonly maxPoints?: number;
}

/** Items listed per data-quality list before "and N more". */
const LIST_CAP = 200;

/** Renders the report as one self-contained HTML document (deterministic: same input, same bytes). */
export function reportToHtml(report: Report, opts: HtmlOptions = {}): string {
  const title = opts.title ?? `DOLPHIN ${report.kind} report`;
  // report.json carries a downsampled per-scan curve (older reports may not: then it is reconstructed).
  const series = plotSeries(report, opts.equity ?? report.equityCurve, opts.maxPoints ?? MAX_PLOT_POINTS);
  const fp = report.fingerprint;
  const nav = [
    ['summary', 'Summary'],
    ['equity', 'Equity'],
    ['daily', 'Daily'],
    ['breakdowns', 'Breakdowns'],
    ['trades', 'Trades'],
    ['data-quality', 'Data quality'],
    ...(report.execution !== undefined ? [['execution', 'Execution']] : []),
    ['run', 'Fingerprint & config'],
  ]
    .map(([id, label]) => `<a href="#${id}">${esc(label)}</a>`)
    .join('');
  return [
    ...pageHead(title, STYLE),
    '<body>',
    `<header><h1>${esc(title)}</h1><div class="meta">${esc(`${fp.scans} scans, ${fmtTs(fp.firstTs)} to ${fmtTs(fp.lastTs)} UTC · engine ${fp.engineVersion} · strategy v${fp.strategyVersion} · config ${fp.configHash.slice(0, 12)}`)}</div><nav>${nav}</nav></header>`,
    '<main>',
    summarySection(report),
    equitySection(series),
    dailySection(report),
    breakdownSection(report),
    tradesSection(report),
    dataQualitySection(report),
    ...(report.execution !== undefined ? [executionHtml(report.execution)] : []),
    runSection(report),
    '</main>',
    `<footer>DOLPHIN-TS · self-contained report, works offline · report schema v${esc(report.schemaVersion)}</footer>`,
    '<div id="tip"></div>',
    `<script type="application/json" id="dolphin-data">${scriptJson(chartData(report, series))}</script>`,
    `<script>${CHART_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** What the inline script plots. */
function chartData(r: Report, s: PlotSeries): ChartData {
  const round = (x: number): number => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : 0);
  return {
    eq: { t: s.t.map(Math.round), e: s.equity.map(round), dd: s.drawdown.map((d) => Math.round(d * 1e6) / 1e6), n: s.sourcePoints, src: s.source },
    tr: {
      en: r.trades.map((t) => Math.round(tsToMs(t.entryTs))),
      ex: r.trades.map((t) => Math.round(tsToMs(t.exitTs))),
      pnl: r.trades.map((t) => round(t.pnl)),
      a: r.trades.map((t) => t.asset),
      r: r.trades.map((t) => t.reason),
    },
    day: {
      t: r.daily.map((d) => d.day * 86_400_000),
      date: r.daily.map((d) => d.date),
      pnl: r.daily.map((d) => round(d.pnl)),
      acb: r.daily.map((d) => d.acbCut),
      close: r.daily.map((d) => round(d.closingEquity)),
    },
    init: r.config.initialCapital,
  };
}

function tone(x: number | null | undefined): 'pos' | 'neg' | '' {
  return x === null || x === undefined || !Number.isFinite(x) || x === 0 ? '' : x > 0 ? 'pos' : 'neg';
}

function summarySection(r: Report): string {
  const m = r.metrics;
  const why = (key: string): string | undefined => m.nullReasons[key];
  const maybe = (key: keyof typeof m, value: number | null): { note?: string } => (value === null ? { note: why(key) ?? `${key} not computed` } : {});
  const cards = [
    card('Final equity', `${fmtNum(m.finalEquity)}`, { sub: `USDT, from ${fmtNum(r.config.initialCapital)}`, tone: tone(m.roi), id: 'card-final-equity' }),
    card('ROI', fmtPct(m.roi), { tone: tone(m.roi), ...maybe('roi', m.roi) }),
    card('Trades', String(m.trades), { sub: `${fmtNum(m.tradesPerDay, 1)} / day over ${m.days} day(s)` }),
    card('Win rate', fmtPct(m.winRate, 1), { sub: m.expectancy === null ? undefined : `expectancy ${fmtNum(m.expectancy)} USDT`, ...maybe('winRate', m.winRate) }),
    card('Profit factor', fmtNum(m.profitFactor, 3), { sub: m.trades ? `best ${fmtNum(m.bestTrade, 0)} / worst ${fmtNum(m.worstTrade, 0)}` : undefined, ...maybe('profitFactor', m.profitFactor) }),
    card('Max drawdown', fmtPct(m.maxDrawdown), { tone: m.maxDrawdown ? 'neg' : '', sub: 'of per-scan equity', ...maybe('maxDrawdown', m.maxDrawdown) }),
    card('Sharpe', fmtNum(m.sharpe, 2), { sub: 'daily, annualized (365)', ...maybe('sharpe', m.sharpe), id: 'card-sharpe' }),
    card('Sortino', fmtNum(m.sortino, 2), { sub: 'daily, annualized (365)', ...maybe('sortino', m.sortino), id: 'card-sortino' }),
    card('CAGR', fmtPct(m.cagr, 1), { tone: tone(m.cagr), ...maybe('cagr', m.cagr) }),
    card('Calmar', fmtNum(m.calmar, 2), { sub: 'CAGR / max drawdown', ...maybe('calmar', m.calmar) }),
    card('Exposure', fmtPct(m.exposure, 1), { sub: `scans with a position, avg hold ${fmtNum(m.avgHoldMinutes, 0)} min` }),
    card('Fees', fmtNum(m.feesTotal), { sub: 'USDT' }),
  ];
  const cal = r.calibration;
  const calText = `volThreshold ${Number.isFinite(cal.volThreshold) ? cal.volThreshold.toPrecision(6) : '-'} (${cal.mode}${cal.mode === 'auto' ? `, in-sample: ${cal.inSampleDays.join(', ') || 'none'}` : ''})`;
  return section('summary', 'Summary', `<div class="cards">${cards.join('\n')}</div>\n<p class="hint" style="margin-top:10px">${esc(calText)}</p>`);
}

function equitySection(s: PlotSeries): string {
  const how =
    s.source === 'scans'
      ? `Per-scan equity: ${s.sourcePoints} scans, ${s.t.length} points plotted${s.t.length < s.sourcePoints ? ' (min/max per bucket)' : ''}.`
      : `Reconstructed step curve (${s.sourcePoints} samples): trade exits (cumulative net PnL) and daily closing equity; report.json has no per-scan equity, so intraday swings are not shown.`;
  const legend = `<div class="legend"><span><i style="background:#2563eb"></i>equity</span><span><i style="background:rgba(220,38,38,.5)"></i>drawdown</span><span><i style="background:#fff;border:1.5px solid #16a34a"></i>entry</span><span><i style="background:#16a34a"></i>winning exit</span><span><i style="background:#dc2626"></i>losing exit</span><span>dashed: initial capital</span></div>`;
  return section(
    'equity',
    'Equity and drawdown',
    `<p class="hint" id="zoom-note">drag across the chart to zoom, double-click to reset</p><div id="equity-chart" data-source="${s.source}" data-points="${s.t.length}"><noscript>Charts need JavaScript; the tables below are complete without it.</noscript></div>${legend}<p class="hint" style="margin-top:6px">${esc(how)}</p>`,
  );
}

function dailySection(r: Report): string {
  const byDay = new Map(r.breakdowns.byDay.map((b) => [b.key, b]));
  const rows: Cell[][] = r.daily.map((d) => {
    const b = byDay.get(d.date);
    return [
      c(d.date),
      n(d.scans, String(d.scans)),
      n(d.closingEquity, fmtNum(d.closingEquity)),
      n(d.return, fmtPct(d.return), true),
      n(d.pnl, fmtNum(d.pnl), true),
      n(d.tradesClosed, String(d.tradesClosed)),
      n(b?.wins ?? 0, String(b?.wins ?? 0)),
      n(b?.pnl ?? 0, fmtNum(b?.pnl ?? 0), true),
      n(b?.fees ?? 0, fmtNum(b?.fees ?? 0)),
      n(d.acbCut, fmtPct(d.acbCut, 0)),
      c(d.inSample ? 'yes' : ''),
    ];
  });
  const tbl = table(['date', 'scans', 'closing equity', 'return', 'PnL', 'trades', 'wins', 'realized PnL', 'fees', 'ACB cut', 'in-sample'], rows, { id: 'daily-table', sortable: true, empty: 'No daily rows.' });
  return section('daily', 'Daily PnL and ACB cut', `<div id="daily-chart"></div>\n<h3>By day</h3>\n<p class="hint">PnL is the change in closing equity (mark-to-market); realized PnL, wins and fees are of the trades that exited that day.</p>\n${tbl}`);
}

function breakdownTable(rows: Report['breakdowns']['byAsset'], id: string): string {
  return table(
    ['key', 'trades', 'wins', 'win rate', 'PnL', 'avg PnL', 'fees'],
    rows.map((b) => [c(b.key), n(b.trades, String(b.trades)), n(b.wins, String(b.wins)), n(b.trades ? b.wins / b.trades : null, fmtPct(b.trades ? b.wins / b.trades : null, 1)), n(b.pnl, fmtNum(b.pnl), true), n(b.trades ? b.pnl / b.trades : null, fmtNum(b.trades ? b.pnl / b.trades : null), true), n(b.fees, fmtNum(b.fees))]),
    { id, sortable: true, empty: 'No trades.' },
  );
}

function breakdownSection(r: Report): string {
  return section('breakdowns', 'Breakdowns', `<div class="grid2"><div><h3>By asset</h3>${breakdownTable(r.breakdowns.byAsset, 'by-asset')}</div><div><h3>By exit reason</h3>${breakdownTable(r.breakdowns.byReason, 'by-reason')}</div></div>`);
}

function tradesSection(r: Report): string {
  const rows = r.trades.map((t, i) => {
    const holdMin = Number(BigInt(t.exitTs) - BigInt(t.entryTs)) / 60e9;
    return [
      n(i + 1, String(i + 1)),
      c(t.asset),
      c(fmtTs(t.entryTs)),
      c(fmtTs(t.exitTs)),
      n(holdMin, fmtNum(holdMin, 0)),
      n(t.entryPrice, String(+t.entryPrice.toPrecision(8))),
      n(t.exitPrice, String(+t.exitPrice.toPrecision(8))),
      n(t.qty, String(+t.qty.toPrecision(6))),
      n(t.fees, fmtNum(t.fees)),
      n(t.pnl, fmtNum(t.pnl), true),
      c(t.reason),
      n(t.acbCut, fmtPct(t.acbCut, 0)),
    ];
  });
  const tbl = table(['#', 'asset', 'entry (UTC)', 'exit (UTC)', 'hold min', 'entry', 'exit', 'qty', 'fees', 'PnL', 'reason', 'ACB cut'], rows, { id: 'trades-table', sortable: true, empty: 'No trades.' });
  const open = r.openPositions.length
    ? `<h3>Open at the end</h3>${table(
        ['asset', 'entry (UTC)', 'entry', 'mark', 'qty'],
        r.openPositions.map((p) => [c(p.asset), c(fmtTs(p.entryTs)), n(p.entryPrice, String(+p.entryPrice.toPrecision(8))), n(p.mark, String(+p.mark.toPrecision(8))), n(p.qty, String(+p.qty.toPrecision(6)))]),
      )}`
    : '';
  return section('trades', `Trades (${r.trades.length})`, `<p class="hint">Click a column header to sort.</p>${tbl}${open}`);
}

function list(title: string, items: readonly string[]): string {
  if (!items.length) return '';
  const shown = items.slice(0, LIST_CAP).map((s) => `<li>${esc(s)}</li>`);
  if (items.length > LIST_CAP) shown.push(`<li class="muted">and ${items.length - LIST_CAP} more (see report.json)</li>`);
  return `<h3>${esc(title)} (${items.length})</h3><ul class="issues">${shown.join('')}</ul>`;
}

function dataQualitySection(r: Report): string {
  const dq = r.dataQuality;
  const kv = table(
    ['item', 'value'],
    dataQualityRows(dq).map(([k, v]) => [c(k), c(v)]),
    { id: 'dq-counts' },
  );
  const lists = [
    list('Skipped files', dq.skippedFiles.map((f) => `${f.source}: ${f.reason}`)),
    list('Malformed rows', dq.malformedRows.map((m) => `${m.source} row ${m.row}: ${m.reason}`)),
    list('Conflicting rows (all dropped)', dq.conflicts.map((g) => `${fmtTs(g.ts)} UTC: ${g.sources.join(', ')}`)),
    list('Duplicates (merged)', dq.duplicates.map((g) => `${fmtTs(g.ts)} UTC: ${g.sources.join(', ')}`)),
    list('Gaps', dq.gaps.map((g) => `${fmtNum(g.seconds, 0)} s from ${fmtTs(g.fromTs)} to ${fmtTs(g.toTs)} UTC`)),
    list('Scanner restarts', dq.scannerRestarts.map((s) => `${fmtTs(s.ts)} UTC: scan_number ${s.fromScanNumber} -> ${s.toScanNumber}`)),
    list('Invalid prices by asset', Object.entries(dq.invalidPrices.byAsset).map(([a, k]) => `${a}: ${k}`)),
    list('External factor problems', dq.factorProblems.map((f) => `${f.source}: ${f.reason}`)),
    list('Days without external factors', dq.daysWithoutFactors.length ? [dq.daysWithoutFactors.join(', ')] : []),
  ].join('');
  return section('data-quality', 'Data quality', `<div class="grid2"><div>${kv}</div><div>${lists || '<p class="muted">No problems recorded.</p>'}</div></div>`);
}

function runSection(r: Report): string {
  const fp = r.fingerprint;
  const fpRows: [string, string][] = [
    ['kind', r.kind],
    ['engine version', fp.engineVersion],
    ['strategy version', String(fp.strategyVersion)],
    ['config hash', fp.configHash],
    ['first scan', `${fmtTs(fp.firstTs)} UTC (${fp.firstTs ?? '-'})`],
    ['last scan', `${fmtTs(fp.lastTs)} UTC (${fp.lastTs ?? '-'})`],
    ['scans', String(fp.scans)],
    ['scan hash', fp.scanHash],
    ['calibration', `${r.calibration.mode}, volThreshold ${r.calibration.volThreshold}, sample ${r.calibration.sampleSize ?? '-'}, in-sample ${r.calibration.inSampleDays.join(', ') || 'none'}`],
  ];
  const fpTable = `<div class="kv">${table(['field', 'value'], fpRows.map(([k, v]) => [c(k), c(v)]), { id: 'fingerprint' })}</div>`;
  const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? null : x)) ?? 'null';
  const cfgRows = Object.entries(r.config).map(([k, v]) => [c(k), c(typeof v === 'string' ? v : json(v), 'mono')]);
  const cfg = `<div class="kv">${table(['key', 'value'], cfgRows, { id: 'config' })}</div>`;
  return section('run', 'Fingerprint and config', `<div class="grid2"><div><h3>Fingerprint</h3>${fpTable}</div><div><h3>Resolved config</h3>${cfg}</div></div>`);
}
