/** The HTML pages of `dolphin serve` other than reports: the runs list and messages. Every data string is escaped. */
import { fmtAge } from '../../feeds/live/cluster-status.js';
import { fmtNum, fmtPct } from '../../report/format.js';
import { c, esc, n, section, STYLE, table, type Cell } from '../../report/html/html-parts.js';
import type { LiveRunSnapshot, MemberState } from './live-runs.js';
import type { RunEntry } from './runs-index.js';

/** URL of a path of folder names below RUNS_DIR (each segment encoded). */
export function runHref(segments: readonly string[]): string {
  return `/runs/${segments.map(encodeURIComponent).join('/')}/`;
}

/** What the list shows of the cluster (null when serve runs without --hz). */
export interface ListLive {
  readonly member: { state: MemberState; detail: string };
  readonly runs: readonly LiveRunSnapshot[];
  /** The served report of a stopped run, by run id (null when its journal is not in RUNS_DIR). */
  readonly reportHref: (runId: string) => string | null;
  readonly nowMs: number;
}

/** The runs list: finished runs with their headline metrics, a compare form, and the live paper runs. */
export function listPageHtml(runsDir: string, runs: readonly RunEntry[], live: ListLive | null): string {
  const rows: Cell[][] = runs.map((r) => [
    c(r.name),
    c(r.kind),
    n(r.scans, r.scans === null ? '-' : String(r.scans)),
    n(r.finalEquity, fmtNum(r.finalEquity)),
    n(r.roi, fmtPct(r.roi), true),
    n(r.trades, r.trades === null ? '-' : String(r.trades)),
    n(r.maxDrawdown, fmtPct(r.maxDrawdown)),
    n(r.sharpe, fmtNum(r.sharpe)),
    c(r.problem ?? (r.hasReport ? 'report' : 'no report yet')),
  ]);
  // names are links: table() escapes text, so the links are added around the escaped names here
  const runTable = linkFirstColumn(
    table(['Run', 'Kind', 'Scans', 'Final equity', 'ROI', 'Trades', 'Max DD', 'Sharpe', 'Report'], rows, { id: 'runs', sortable: true, empty: 'No runs in this folder yet.' }),
    runs.map((r) => runHref([r.name])),
  );
  const withReport = runs.filter((r) => r.hasReport);
  const options = withReport.map((r) => `<option value="${esc(r.name)}">${esc(r.name)}</option>`).join('');
  const compare =
    withReport.length < 2
      ? '<p class="muted">Two runs with a report.json are needed to compare.</p>'
      : `<form action="/compare" method="get" id="compare-form"><select name="a">${options}</select> vs <select name="b">${options}</select> <button type="submit">Compare</button></form>`;
  const parts = [section('runs-section', `Runs in ${runsDir}`, runTable), section('compare', 'Compare two runs', compare)];
  if (live !== null) {
    const m = live.member;
    const head = m.state === 'up' ? '' : `<p class="neg" id="member">${esc(m.state === 'gone' ? `MEMBER GONE: ${m.detail}` : m.detail)}</p>`;
    const liveRows: Cell[][] = live.runs.map((r) => [
      c(r.runId),
      c(r.state.stopped ? 'stopped' : 'running'),
      c(fmtAge((live.nowMs - r.state.heartbeatMs) / 1000)),
      n(r.state.equity, fmtNum(r.state.equity)),
      n(r.state.trades, String(r.state.trades)),
      n(r.positions.length, String(r.positions.length)),
      c(r.state.stopped ? (live.reportHref(r.runId) === null ? 'final report in its journal' : 'final report') : 'live page'),
    ]);
    const hrefs = live.runs.map((r) => `/live/${encodeURIComponent(r.runId)}`);
    let liveTable = linkFirstColumn(table(['Paper run', 'State', 'Heartbeat', 'Equity', 'Trades', 'Open', ''], liveRows, { id: 'live-runs', empty: 'No paper run has published a state yet.' }), hrefs);
    liveTable = linkLastColumn(liveTable, live.runs.map((r) => (r.state.stopped ? live.reportHref(r.runId) : `/live/${encodeURIComponent(r.runId)}`)));
    parts.push(section('live', 'Paper runs on the cluster', head + liveTable));
  }
  return page('DOLPHIN runs', parts.join('\n'));
}

/** A short page with a status message (404, 403...). */
export function messagePageHtml(title: string, message: string): string {
  return page(title, section('message', title, `<p>${esc(message)}</p><p><a href="/">all runs</a></p>`));
}

function page(title: string, body: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title><style>${STYLE}</style></head>`,
    `<body><header><h1>${esc(title)}</h1><div class="meta"><a href="/" style="color:#93c5fd">all runs</a> · dolphin serve (read-only)</div></header>`,
    `<main>${body}</main>`,
    // the report's table sorting needs its script; the list is short enough to stay unsorted without it
    '</body></html>',
    '',
  ].join('\n');
}

/** Wraps the text of each body row's first cell in a link (hrefs are built from encoded segments). */
function linkFirstColumn(html: string, hrefs: readonly string[]): string {
  let i = 0;
  return html.replace(/<tr><td([^>]*)>([^<]*)<\/td>/g, (_m, attrs: string, text: string) => `<tr><td${attrs}><a href="${esc(hrefs[i++] ?? '#')}">${text}</a></td>`);
}

/** Wraps the text of each body row's last cell in a link when it has one. */
function linkLastColumn(html: string, hrefs: readonly (string | null)[]): string {
  let i = 0;
  return html.replace(/<td([^>]*)>([^<]*)<\/td><\/tr>/g, (m, attrs: string, text: string) => {
    const h = hrefs[i++];
    return h === null || h === undefined ? m : `<td${attrs}><a href="${esc(h)}">${text}</a></td></tr>`;
  });
}
