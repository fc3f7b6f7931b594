/** Checks the timestamps compare reads from a report (decimal nanosecond strings), so a bad one is a ReportError, not a stack. */
import { ReportError } from '../../core/errors.js';
import { timestampProblem } from '../../core/scan-limits.js';
import type { Report } from '../report.js';

const DECIMAL = /^\d{1,20}$/;

/** Why `value` is not a plausible timestamp in nanoseconds as a decimal string, or null. */
function tsProblem(value: unknown): string | null {
  if (typeof value !== 'string' || !DECIMAL.test(value)) return `${JSON.stringify(value) ?? String(value)} is not a decimal string of nanoseconds`;
  return timestampProblem(BigInt(value));
}

/**
 * Throws a ReportError naming the report, the field and the value when any timestamp compare uses
 * (trades, open positions, fingerprint, gaps, factor records) is not a plausible decimal nanosecond
 * string. `label` names the report (its file).
 */
export function checkReportTimestamps(report: Report, label: string): void {
  const problems: string[] = [];
  const check = (field: string, value: unknown, nullable = false): void => {
    if (nullable && value === null) return;
    const p = tsProblem(value);
    if (p !== null) problems.push(`${field}: ${p}`);
  };
  const list = <T>(v: readonly T[] | undefined): readonly T[] => (Array.isArray(v) ? v : []);
  check('fingerprint.firstTs', report.fingerprint.firstTs, true);
  check('fingerprint.lastTs', report.fingerprint.lastTs, true);
  list(report.trades).forEach((t, i) => {
    check(`trades[${i}].entryTs`, t?.entryTs);
    check(`trades[${i}].exitTs`, t?.exitTs);
  });
  list(report.openPositions).forEach((p, i) => check(`openPositions[${i}].entryTs`, p?.entryTs));
  list(report.dataQuality?.gaps).forEach((g, i) => {
    check(`dataQuality.gaps[${i}].fromTs`, g?.fromTs);
    check(`dataQuality.gaps[${i}].toTs`, g?.toTs);
  });
  list(report.factors).forEach((f, i) => check(`factors[${i}].effectiveFromNs`, f?.effectiveFromNs));
  if (problems.length === 0) return;
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
  throw new ReportError(`${label} has bad timestamps: ${problems.slice(0, 3).join('; ')}${more}; pass a report.json a backtest or live run wrote`);
}
