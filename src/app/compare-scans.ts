/** The compare-scans use case: two scan folders side by side (scan agreement, then both backtested and compared). */
import type { StrategyConfig } from '../core/config.js';
import { compareReports } from '../report/compare/compare.js';
import type { Report } from '../report/report.js';
import { scanAgreement } from '../report/scan-agreement.js';
import type { BacktestHeadline, ScanComparison } from '../report/scan-agreement-render.js';
import { backtest } from './backtest.js';
import { loadReplayInput, type ReplayData } from './replay-input.js';

/** Options of compareScans. */
export interface CompareScansOptions {
  readonly a: string;
  readonly b: string;
  readonly config: StrategyConfig;
  /** Cadence for matching (default: A's median scan spacing); scans match within half of it. */
  readonly cadenceMs?: number;
  /** Day cache root for the loads (none when undefined). */
  readonly cacheRoot?: string;
  /** Skip the backtests (agreement only). */
  readonly noBacktest?: boolean;
}

const headline = (r: Report): BacktestHeadline => ({ scans: r.metrics.scans, trades: r.metrics.trades, finalEquity: r.metrics.finalEquity, roi: r.metrics.roi, maxDrawdown: r.metrics.maxDrawdown });

/**
 * Loads both folders as a replay does (order, dedupe, malformed rows skipped), measures their scan
 * agreement, then backtests each with the same config and compares the two reports with `compare`'s
 * library function. A folder that does not backtest (e.g. too short to calibrate) leaves the verdict out
 * with the reason; a folder that does not load throws (DataEmptyError, exit 1).
 */
export async function compareScans(o: CompareScansOptions): Promise<ScanComparison> {
  const load = (dir: string): Promise<ReplayData> => loadReplayInput(dir, { cacheRoot: o.cacheRoot });
  const ra = await load(o.a);
  const rb = await load(o.b);
  const agreement = scanAgreement(ra.store, rb.store, { a: o.a, b: o.b }, o.config, o.cadenceMs);
  if (o.noBacktest) return { agreement, backtest: null, backtestError: 'skipped (--no-backtest)' };
  try {
    const ba = await backtest(o.a, o.config, { replay: ra });
    const bb = await backtest(o.b, o.config, { replay: rb });
    const cmp = compareReports(ba.report, bb.report, { labels: { a: o.a, b: o.b } });
    return { agreement, backtest: { a: headline(ba.report), b: headline(bb.report), verdict: cmp.verdict, reason: cmp.reason }, backtestError: null };
  } catch (e) {
    return { agreement, backtest: null, backtestError: (e as Error).message.split('\n')[0] };
  }
}
