/**
 * Text rendering of a WatchView (pure): the panels' lines, shared by the ink dashboard and the plain
 * frames it prints when stdout is not a terminal. Every string from data goes through `termText`, so a
 * hostile run id or symbol cannot move the cursor or recolour the terminal.
 */
import { fmtAge } from '../../feeds/live/cluster-status.js';
import { mirrorLine } from '../../feeds/live/cluster-status-format.js';
import { fmtNum, fmtTs } from '../../report/format.js';
import { sparkline } from './sparkline.js';
import type { RunView, WatchView } from './watch-view.js';

/** Data text made safe for a terminal: control characters (ESC, CR, newlines...) become '?'. Pure. */
export function termText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}

/** Money with thousands separators, '-' when not finite. */
export function fmtMoney(x: number): string {
  return Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : '-';
}

/** Signed with a leading + for non-negative values, '-' when not finite. */
export function fmtSigned(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return '-';
  const t = Math.abs(x).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${x < 0 && Number(t.replace(/,/g, '')) !== 0 ? '-' : '+'}${t}`;
}

/** Columns: left-aligned unless listed in `right`; two spaces apart; each line cut to `width`. Pure. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number>, width = Infinity): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
      .slice(0, Math.max(0, width));
  return [line(header), ...rows.map(line)];
}

/** The title line: health, cluster and time; a lost member says so and how long ago. */
export function headerLine(v: WatchView): string {
  const c = v.connection;
  const at = new Date(v.atMs).toISOString().replace('T', ' ').slice(0, 19);
  if (!c.reachable) {
    const since = c.downSinceMs === null ? '' : ` for ${fmtAge((v.atMs - c.downSinceMs) / 1000)}`;
    return `DOLPHIN dashboard  MEMBER GONE${since}: ${termText(c.error ?? 'unreachable')}  ${at} UTC`;
  }
  const again = c.reconnects > 0 ? `, reconnected ${c.reconnects}x` : '';
  return `DOLPHIN dashboard  ${v.health}  cluster '${termText(c.cluster)}' at ${termText(c.address)}, ${c.members ?? '?'} member(s)${again}  ${at} UTC`;
}

/** The scanner feed panel. */
export function feedLines(v: WatchView): string[] {
  const f = v.feed;
  const scan =
    f.scanState === 'OK'
      ? `latest scan #${f.scanNumber ?? '?'}, age ${fmtAge(f.ageSeconds ?? NaN)}, ${f.assets ?? 0} assets`
      : f.scanState === 'MISSING'
        ? 'latest scan: none published'
        : `latest scan: ${f.scanState}`;
  const out = [`${scan}; cadence ${f.cadenceSeconds === null ? '?' : `${fmtNum(f.cadenceSeconds, f.cadenceSeconds % 1 === 0 ? 0 : 1)} s`}; restarts ${f.restarts}`];
  out.push(f.staleSymbols.length === 0 ? 'stale symbols: none' : `stale symbols (${f.staleSymbols.length}): ${f.staleSymbols.slice(0, 8).map(termText).join(', ')}${f.staleSymbols.length > 8 ? ', ...' : ''}`);
  for (const s of f.scanners) {
    const st = s.status;
    out.push(
      `scanner ${termText(st.scannerId)} (${termText(st.exchange)}): ${s.health}, ${termText(st.connection)}, heartbeat ${fmtAge(s.heartbeatAgeSeconds)}, ` +
        `scan #${st.lastScanNumber ?? '-'}, ${st.universeSize} symbols, ${st.scansPublished} published`,
    );
  }
  return out;
}

/** One row per run for the runs table (the selected one marked with '>'). */
export function runRows(v: WatchView, selected: number): string[][] {
  return v.runs.map((r, i) => [
    i === selected ? '>' : ' ',
    termText(r.runId),
    r.status,
    fmtAge(r.heartbeatAgeSeconds),
    fmtMoney(r.equity),
    `${fmtSigned(r.pnlPct)}%`,
    String(r.trades),
    r.tradesToday === null ? '-' : String(r.tradesToday),
    String(r.positions.length),
    fmtNum(r.acbCut, 2),
    r.validation?.verdict ?? '-',
  ]);
}

/** Header of runRows. */
export const RUN_HEADER = ['', 'RUN', 'STATE', 'HEARTBEAT', 'EQUITY', 'PNL %', 'TRADES', 'TODAY', 'OPEN', 'ACB CUT', 'VALIDATION'];
/** Right-aligned columns of runRows. */
export const RUN_RIGHT: ReadonlySet<number> = new Set([4, 5, 6, 7, 8, 9]);

/** The selected run's panel: equity and sparkline, state, positions, shadows side by side. */
export function runDetailLines(r: RunView, width: number): string[] {
  const out: string[] = [];
  const spark = sparkline(r.equityHistory, Math.max(8, Math.min(60, width - 40)));
  out.push(`${termText(r.runId)}: equity ${fmtMoney(r.equity)} (${fmtSigned(r.pnl)}, ${fmtSigned(r.pnlPct)}%)  ${spark}`);
  out.push(
    `feed ${r.feedStatus}, last scan ${r.lastScanTs === null ? '-' : `${fmtTs(r.lastScanTs)} UTC (${fmtAge(r.lastScanAgeSeconds ?? NaN)} ago)`}, ` +
      `ACB cut ${fmtNum(r.acbCut, 2)}, trades ${r.trades} (today ${r.tradesToday ?? '-'})`,
  );
  if (r.validation !== null) out.push(`validation ${r.validation.verdict}: ${termText(r.validation.summary)}`);
  if (r.mirror !== null) out.push(termText(mirrorLine(r.mirror)));
  if (r.status === 'stopped') out.push(`STOPPED; final report: ${r.reportPath === null ? `in ${termText(r.journal)} (not on this machine)` : termText(r.reportPath)}`);
  for (const why of r.reasons) out.push(`! ${termText(why)}`);
  out.push('');
  if (r.positions.length === 0) out.push('no open positions');
  else {
    const rows = r.positions.map((p) => [termText(p.asset), fmtNum(p.qty, 4), fmtNum(p.entryPrice, 4), fmtNum(p.mark, 4), fmtSigned(p.unrealizedPnl), p.barsHeld === null ? '-' : String(p.barsHeld)]);
    out.push(...textTable(['POSITION', 'QTY', 'ENTRY', 'MARK', 'UNREAL PNL', 'BARS'], rows, new Set([1, 2, 3, 4, 5]), width));
  }
  if (r.shadows.length > 0) {
    out.push('');
    out.push(...shadowLines(r, width));
  }
  return out;
}

/** Shadows side by side with the main portfolio: one column each. */
export function shadowLines(r: RunView, width: number): string[] {
  const cols = [{ name: 'main', equity: r.equity, trades: r.trades, open: r.positions.length }, ...r.shadows.map((s) => ({ name: termText(s.name), equity: s.equity, trades: s.trades, open: s.openPositions }))];
  const rows = [
    ['PORTFOLIO', ...cols.map((c) => c.name)],
    ['equity', ...cols.map((c) => fmtMoney(c.equity))],
    ['vs main', ...cols.map((c) => fmtSigned(c.equity - r.equity))],
    ['trades', ...cols.map((c) => String(c.trades))],
    ['open', ...cols.map((c) => String(c.open))],
  ];
  const [head, ...body] = rows as [string[], ...string[][]];
  return textTable(head, body, new Set(cols.map((_, i) => i + 1)), width);
}

/** The last warnings, numbered. */
export function warningLines(v: WatchView): string[] {
  return v.warnings.length === 0 ? ['no warnings'] : v.warnings.map((w) => `- ${termText(w)}`);
}

/** A whole frame as plain text (the non-terminal output), `width` columns at most. Pure. */
export function formatFrame(v: WatchView, selected: number, width = 120): string {
  const cut = (l: string): string => l.slice(0, width);
  const out: string[] = [headerLine(v), '', 'SCANNER FEED', ...feedLines(v).map((l) => `  ${l}`), ''];
  if (v.runs.length === 0) out.push(v.connection.reachable ? 'PAPER RUNS: none' : 'PAPER RUNS: unknown while the member is gone');
  else {
    out.push(`PAPER RUNS (${v.runs.length})`, ...textTable(RUN_HEADER, runRows(v, selected), RUN_RIGHT, width - 2).map((l) => `  ${l}`));
    const r = v.runs[Math.min(selected, v.runs.length - 1)];
    if (r !== undefined) out.push('', ...runDetailLines(r, width - 2).map((l) => (l === '' ? '' : `  ${l}`)));
  }
  out.push('', 'WARNINGS', ...warningLines(v).map((l) => `  ${l}`));
  return out.map(cut).join('\n');
}
