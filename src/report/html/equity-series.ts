/** The equity series the HTML report plots: per-scan when given, else reconstructed from report.json; downsampled. */
import { DAY_NS } from '../../core/scan.js';
import type { Report } from '../report.js';

/** A per-scan equity series (e.g. the engine recorder's columns), timestamps in UTC epoch nanoseconds. */
export interface EquityInput {
  readonly ts: readonly string[] | BigInt64Array;
  readonly equity: Float64Array | readonly number[];
}

/** An equity series ready to plot: ms timestamps, equity and drawdown (a positive fraction below the running peak). */
export interface PlotSeries {
  readonly t: number[];
  readonly equity: number[];
  readonly drawdown: number[];
  /** Points in the series before downsampling. */
  readonly sourcePoints: number;
  /** `scans`: the per-scan series passed in; `reconstructed`: daily closes plus trade exits (see reconstructEquity). */
  readonly source: 'scans' | 'reconstructed';
}

/** Default cap on plotted points; long series are reduced by min/max per bucket. */
export const MAX_PLOT_POINTS = 4000;

const NS_PER_MS = 1_000_000n;

function nsToMs(ns: bigint): number {
  return Number(ns / NS_PER_MS) + Number(ns % NS_PER_MS) / 1e6;
}

/**
 * Rebuilds an equity step curve from what report.json carries, which has no per-scan equity:
 * the initial capital at the first scan, the realized equity after each trade exit (initial capital plus
 * the cumulative net pnl of the trades in exit order), and each day's closing equity (which includes the
 * unrealized pnl of positions open at the day's last scan) placed at the day's last scan, estimated as
 * the end of the UTC day minus one cadence, clipped to the run's last scan. Between samples the curve is
 * flat, so intraday unrealized swings are not visible and the drawdown is a lower bound of the true one.
 */
export function reconstructEquity(report: Report): { ts: bigint[]; equity: number[] } {
  const fp = report.fingerprint;
  if (fp.firstTs === null || fp.lastTs === null) return { ts: [], equity: [] };
  const first = BigInt(fp.firstTs);
  const last = BigInt(fp.lastTs);
  const cadenceNs = BigInt(Math.round((report.dataQuality?.cadenceSeconds ?? 0) * 1e9));
  const points: { ts: bigint; equity: number; order: number }[] = [{ ts: first, equity: report.config.initialCapital, order: 0 }];
  let cum = report.config.initialCapital;
  const lastExitOfDay = new Map<number, bigint>();
  for (const t of report.trades) {
    const exit = BigInt(t.exitTs);
    cum += t.pnl;
    points.push({ ts: exit, equity: cum, order: 1 });
    const day = Number(exit / DAY_NS);
    const prev = lastExitOfDay.get(day);
    if (prev === undefined || exit > prev) lastExitOfDay.set(day, exit);
  }
  for (const d of report.daily) {
    let ts = BigInt(d.day + 1) * DAY_NS - (cadenceNs > 0n ? cadenceNs : 1n);
    const exit = lastExitOfDay.get(d.day);
    if (exit !== undefined && ts < exit) ts = exit;
    if (ts > last) ts = last;
    if (ts < first) ts = first;
    points.push({ ts, equity: d.closingEquity, order: 2 });
  }
  // Stable by time; at equal times the day close (mark-to-market) wins over a realized-only sample.
  points.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.order - b.order));
  return { ts: points.map((p) => p.ts), equity: points.map((p) => p.equity) };
}

/**
 * Reduces a series to at most `max` points keeping, per bucket of consecutive points, the lowest and
 * highest equity and the deepest drawdown (so peaks, troughs and the max drawdown survive). Returns indexes.
 */
export function downsampleIndexes(equity: ArrayLike<number>, drawdown: ArrayLike<number>, max = MAX_PLOT_POINTS): number[] {
  const n = equity.length;
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.max(1, Math.floor((max - 2) / 3));
  const out: number[] = [0];
  for (let b = 0; b < buckets; b++) {
    const lo = 1 + Math.floor(((n - 2) * b) / buckets);
    const hi = 1 + Math.floor(((n - 2) * (b + 1)) / buckets);
    if (hi <= lo) continue;
    let iMin = lo;
    let iMax = lo;
    let iDd = lo;
    for (let i = lo + 1; i < hi; i++) {
      if (equity[i] < equity[iMin]) iMin = i;
      if (equity[i] > equity[iMax]) iMax = i;
      if (drawdown[i] > drawdown[iDd]) iDd = i;
    }
    const picks = [iMin, iMax, iDd].sort((a, c) => a - c);
    for (let k = 0; k < picks.length; k++) if (picks[k] !== out[out.length - 1]) out.push(picks[k]);
  }
  if (out[out.length - 1] !== n - 1) out.push(n - 1);
  return out;
}

/** Drawdown below the running peak at each point, a fraction in [0, 1). */
export function drawdownOf(equity: ArrayLike<number>): Float64Array {
  const dd = new Float64Array(equity.length);
  let peak = -Infinity;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i];
    if (e > peak) peak = e;
    dd[i] = peak > 0 && Number.isFinite(e) ? (peak - e) / peak : 0;
  }
  return dd;
}

/** The series to plot: the per-scan input when given, else the reconstruction; downsampled to `max` points. */
export function plotSeries(report: Report, input?: EquityInput, max = MAX_PLOT_POINTS): PlotSeries {
  let ts: ArrayLike<bigint | string>;
  let equity: ArrayLike<number>;
  let source: PlotSeries['source'];
  if (input) {
    if (input.ts.length !== input.equity.length) {
      throw new RangeError(`equity series columns differ in length: ts ${input.ts.length}, equity ${input.equity.length}`);
    }
    ts = input.ts;
    equity = input.equity;
    source = 'scans';
  } else {
    const r = reconstructEquity(report);
    ts = r.ts;
    equity = r.equity;
    source = 'reconstructed';
  }
  const dd = drawdownOf(equity);
  const idx = downsampleIndexes(equity, dd, max);
  return {
    t: idx.map((i) => nsToMs(BigInt(ts[i]))),
    equity: idx.map((i) => equity[i]),
    drawdown: idx.map((i) => dd[i]),
    sourcePoints: equity.length,
    source,
  };
}

/** ns timestamp (decimal string) as ms since epoch, sub-ms kept as a fraction. */
export function tsToMs(ns: string | bigint): number {
  return nsToMs(BigInt(ns));
}
