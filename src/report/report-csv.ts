/**
 * CSV export of a report (RFC 4180: CRLF line ends, a header row, fields quoted when they hold a comma,
 * quote or line break). Timestamps appear twice: ns decimal string (lossless) and ISO 8601 UTC with 9
 * fractional digits. Numbers use the shortest round-trip form; null or non-finite numbers are empty.
 */
import { DAY_NS } from '../core/scan.js';
import type { Report } from './report.js';

/** The CSV files of a report. */
export interface ReportCsv {
  /** One row per closed trade, in report order. */
  readonly trades: string;
  /** One row per daily row (UTC dates with scans). */
  readonly daily: string;
}

const NS_PER_S = 1_000_000_000n;

/** ns timestamp as ISO 8601 UTC with nanoseconds, e.g. 2026-01-05T00:00:00.000000000Z. */
export function isoNs(ts: string | bigint): string {
  const ns = BigInt(ts);
  let s = ns / NS_PER_S;
  let frac = ns % NS_PER_S;
  if (frac < 0n) {
    frac += NS_PER_S;
    s -= 1n;
  }
  return `${new Date(Number(s) * 1000).toISOString().slice(0, 19)}.${frac.toString().padStart(9, '0')}Z`;
}

/**
 * One CSV field, quoted only when needed (RFC 4180 section 2). A text cell that a spreadsheet would read
 * as a formula (first character `=`, `+`, `-`, `@`, tab or CR) gets a leading `'` and quotes, as OWASP's
 * CSV-injection advice says; numbers are written as numbers (a negative PnL stays a number).
 */
export function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) return `"'${s.replace(/"/g, '""')}"`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Header plus rows as an RFC 4180 document (CRLF after every record, including the last). */
export function csvDocument(head: readonly string[], rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  return [head, ...rows].map((r) => `${r.map(csvField).join(',')}\r\n`).join('');
}

/** The report's trades and daily rows as CSV documents. */
export function reportToCsv(report: Report): ReportCsv {
  const trades = csvDocument(
    ['n', 'asset', 'entry_ts_ns', 'entry_time_utc', 'exit_ts_ns', 'exit_time_utc', 'entry_index', 'exit_index', 'entry_price', 'exit_price', 'qty', 'entry_fee', 'exit_fee', 'fees', 'pnl', 'reason', 'acb_cut'],
    report.trades.map((t, i) => [i + 1, t.asset, t.entryTs, isoNs(t.entryTs), t.exitTs, isoNs(t.exitTs), t.entryIndex, t.exitIndex, t.entryPrice, t.exitPrice, t.qty, t.entryFee, t.exitFee, t.fees, t.pnl, t.reason, t.acbCut]),
  );
  const daily = csvDocument(
    ['date', 'day', 'day_start_ts_ns', 'day_start_utc', 'scans', 'closing_equity', 'return', 'pnl', 'trades_closed', 'acb_cut', 'in_sample'],
    report.daily.map((d) => {
      const start = BigInt(d.day) * DAY_NS;
      return [d.date, d.day, start.toString(), isoNs(start), d.scans, d.closingEquity, d.return, d.pnl, d.tradesClosed, d.acbCut, d.inSample];
    }),
  );
  return { trades, daily };
}
