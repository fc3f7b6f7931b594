/** Run-level report metrics (STRATEGY.md 8): drawdown, ROI, exposure, annualized ratios, trade stats. */

import { DAY_NS } from '../core/scan.js';
import { dailyRows, type DailyRow, type RunSeries } from './daily.js';
import { tradeStats, type TradeStats } from './trade-stats.js';

export type { RunSeries, DailyRow } from './daily.js';

/** Periods per year for annualization: crypto trades every calendar day. */
export const PERIODS_PER_YEAR = 365;
/** Fewer closed trades than this: Sharpe, Sortino, CAGR and Calmar are null. */
export const MIN_TRADES_FOR_RATIOS = 10;
/** Fewer daily rows than this: Sharpe, Sortino, CAGR and Calmar are null. */
export const MIN_DAILY_ROWS_FOR_RATIOS = 14;

/** Report metrics of a run. Numbers are `null` where undefined; `nullReasons[field]` says why. */
export interface Metrics extends TradeStats {
  /** Processed scans. */
  readonly scans: number;
  /** Daily rows (UTC dates with scans). */
  readonly days: number;
  /** (last scan ts - first scan ts) / 1 day, as a float; 0 without scans. */
  readonly elapsedDays: number;
  /** trades / daily rows. */
  readonly tradesPerDay: number | null;
  /** Funding paid; always 0 in v1 (no funding data). */
  readonly funding: number;
  /** Equity after the last scan; initialCapital without scans. */
  readonly finalEquity: number;
  /** finalEquity / initialCapital - 1. */
  readonly roi: number | null;
  /** Largest (peak - equity) / peak over the per-scan equity series, a positive fraction (see maxDrawdown). */
  readonly maxDrawdown: number | null;
  /** Share of scans with an open position after processing. */
  readonly exposure: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly cagr: number | null;
  readonly calmar: number | null;
}

/**
 * Largest `(peak - equity) / peak` over the series, as a positive fraction (0 when equity never falls);
 * null for an empty series.
 *
 * Decision: the running peak starts at the series' first sample, not at initialCapital. STRATEGY.md 8
 * defines drawdown "over that series" (equity sampled after each scan), and initialCapital is not a
 * sample of it. Consequence: a loss on the very first scan (e.g. the first entry's fee) is not part of
 * the drawdown; later losses are measured from the highest sample seen so far. Samples while the peak
 * is <= 0 (equity wiped out from the start) define no fraction and are skipped.
 */
export function maxDrawdown(equity: Float64Array): number | null {
  if (equity.length === 0) return null;
  let peak = equity[0]!;
  let mdd = 0;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!;
    if (e > peak) peak = e;
    if (peak > 0) {
      const dd = (peak - e) / peak;
      if (dd > mdd) mdd = dd;
    }
  }
  return mdd;
}

/**
 * `(lastTs - firstTs) / 1 day` as a float. The bigint difference is split into whole days and a
 * remainder below 2^53 so that spans longer than ~104 days (2^53 ns) lose no precision before the
 * final division.
 */
export function elapsedDays(firstTs: bigint, lastTs: bigint): number {
  const diff = lastTs - firstTs;
  const whole = diff / DAY_NS;
  const rem = diff % DAY_NS;
  return Number(whole) + Number(rem) / Number(DAY_NS);
}

/** Left-to-right sum in time order. */
function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/** A value, or null with the reason (without the field prefix). */
type Maybe = { value: number; reason: null } | { value: null; reason: string };
const ok = (value: number): Maybe =>
  Number.isFinite(value) ? { value, reason: null } : { value: null, reason: `not finite (${value})` };
const no = (reason: string): Maybe => ({ value: null, reason });

/**
 * Annualized Sharpe of daily returns: mean / std (ddof 1) * sqrt(365). Null with "no variance" when all
 * returns are equal (tested on the returns themselves, so float rounding in the mean cannot turn a
 * constant series into a huge ratio).
 */
function sharpe(r: readonly number[]): Maybe {
  const n = r.length;
  if (n < 2) return no(`fewer than 2 daily returns (${n})`);
  if (r.every((x) => x === r[0])) return no('no variance');
  const mean = sum(r) / n;
  let ss = 0;
  for (const x of r) ss += (x - mean) * (x - mean);
  const std = Math.sqrt(ss / (n - 1));
  if (std === 0) return no('no variance');
  return ok((mean / std) * Math.sqrt(PERIODS_PER_YEAR));
}

/** Annualized Sortino: mean / sqrt(mean(min(r, 0)^2)) * sqrt(365); the downside mean is over all days. */
function sortino(r: readonly number[]): Maybe {
  const n = r.length;
  if (n === 0) return no('no daily returns');
  const mean = sum(r) / n;
  let ds = 0;
  let losing = 0;
  for (const x of r) {
    const d = x < 0 ? x : 0;
    if (x < 0) losing++;
    ds += d * d;
  }
  if (losing === 0) return no('no losing day');
  const dd = Math.sqrt(ds / n);
  if (dd === 0) return no('downside deviation underflows to 0');
  return ok((mean / dd) * Math.sqrt(PERIODS_PER_YEAR));
}

/** CAGR = (final / initial)^(365 / days) - 1. */
function cagr(finalEquity: number, initialCapital: number, days: number): Maybe {
  if (!(days > 0)) return no('no elapsed time (days = 0)');
  if (!(initialCapital > 0)) return no(`initialCapital is not positive (${initialCapital})`);
  const growth = finalEquity / initialCapital;
  if (growth < 0) return no(`final equity is negative (${finalEquity})`);
  return ok(Math.pow(growth, PERIODS_PER_YEAR / days) - 1);
}

/** Field order of Metrics, used to order nullReasons. */
const FIELD_ORDER: readonly (keyof Metrics)[] = [
  'scans', 'days', 'elapsedDays', 'trades', 'tradesPerDay', 'winRate', 'profitFactor', 'expectancy',
  'avgTrade', 'bestTrade', 'worstTrade', 'avgHoldScans', 'avgHoldMinutes', 'feesTotal', 'funding',
  'finalEquity', 'roi', 'maxDrawdown', 'exposure', 'sharpe', 'sortino', 'cagr', 'calmar',
];

/**
 * All report metrics of a run. Pure and deterministic: sums run left to right in time order (scans,
 * daily rows, trades in report order). `rows` may be passed when the caller already has dailyRows(s).
 */
export function computeMetrics(s: RunSeries, rows: readonly DailyRow[] = dailyRows(s)): Metrics {
  const n = s.ts.length;
  const reasons: Record<string, string> = {};
  const ts = tradeStats(s.trades);
  Object.assign(reasons, ts.nullReasons);

  const finalEquity = n > 0 ? s.equity[n - 1]! : s.initialCapital;
  const elapsed = n > 0 ? elapsedDays(s.ts[0]!, s.ts[n - 1]!) : 0;

  let tradesPerDay: number | null = null;
  if (rows.length > 0) tradesPerDay = ts.trades / rows.length;
  else reasons.tradesPerDay = 'tradesPerDay: no daily rows';

  let roi: number | null = null;
  if (s.initialCapital > 0) roi = finalEquity / s.initialCapital - 1;
  else reasons.roi = `roi: initialCapital is not positive (${s.initialCapital})`;

  const mdd = maxDrawdown(s.equity);
  if (mdd === null) reasons.maxDrawdown = 'maxDrawdown: no scans';

  let exposure: number | null = null;
  if (n > 0) {
    let open = 0;
    for (let i = 0; i < n; i++) if (s.openPositions[i]! > 0) open++;
    exposure = open / n;
  } else reasons.exposure = 'exposure: no scans';

  // Small-sample gate shared by the four annualized ratios.
  const small: string[] = [];
  if (ts.trades < MIN_TRADES_FOR_RATIOS) small.push(`fewer than ${MIN_TRADES_FOR_RATIOS} trades (${ts.trades})`);
  if (rows.length < MIN_DAILY_ROWS_FOR_RATIOS) {
    small.push(`fewer than ${MIN_DAILY_ROWS_FOR_RATIOS} daily rows (${rows.length})`);
  }
  const gate = small.length > 0 ? no(small.join(' and ')) : null;
  const returns = rows.map((r) => r.return);

  const rSharpe = gate ?? sharpe(returns);
  const rSortino = gate ?? sortino(returns);
  const rCagr = gate ?? cagr(finalEquity, s.initialCapital, elapsed);
  let rCalmar: Maybe;
  if (gate) rCalmar = gate;
  else if (mdd === null || mdd === 0) rCalmar = no('no drawdown');
  else if (rCagr.value === null) rCalmar = no(`cagr is null (${rCagr.reason})`);
  else rCalmar = ok(rCagr.value / mdd);
  const ratios: [string, Maybe][] = [['sharpe', rSharpe], ['sortino', rSortino], ['cagr', rCagr], ['calmar', rCalmar]];
  for (const [field, m] of ratios) if (m.reason !== null) reasons[field] = `${field}: ${m.reason}`;

  const nullReasons: Record<string, string> = {};
  for (const f of FIELD_ORDER) if (reasons[f] !== undefined) nullReasons[f] = reasons[f];

  return {
    scans: n,
    days: rows.length,
    elapsedDays: elapsed,
    trades: ts.trades,
    tradesPerDay,
    winRate: ts.winRate,
    profitFactor: ts.profitFactor,
    expectancy: ts.expectancy,
    avgTrade: ts.avgTrade,
    bestTrade: ts.bestTrade,
    worstTrade: ts.worstTrade,
    avgHoldScans: ts.avgHoldScans,
    avgHoldMinutes: ts.avgHoldMinutes,
    feesTotal: ts.feesTotal,
    funding: 0,
    finalEquity,
    roi,
    maxDrawdown: mdd,
    exposure,
    sharpe: rSharpe.value,
    sortino: rSortino.value,
    cagr: rCagr.value,
    calmar: rCalmar.value,
    nullReasons,
  };
}
