/** The recorded series of a run and its daily rows (STRATEGY.md 8): one row per UTC date that has scans. */

import type { Trade } from '../core/trade.js';
import { DAY_NS, dayOf, dayToIso } from '../core/scan.js';
import { firstAtOrAfter, firstDescent } from '../core/ts-deltas.js';

/**
 * What a run records for its report, the same in live and replay.
 * The four columns are aligned: entry `i` describes the `i`-th processed scan.
 */
export interface RunSeries {
  readonly initialCapital: number;
  /** Timestamp of each processed scan, ascending, UTC epoch nanoseconds. */
  readonly ts: BigInt64Array;
  /** Equity sampled after each scan is fully processed (exits, entry, fees, END closes on the last scan). */
  readonly equity: Float64Array;
  /** Open positions after processing each scan. */
  readonly openPositions: Int32Array;
  /** ACB cut in effect at each scan. */
  readonly acbCut: Float64Array;
  /** Closed trades, in any order (the report sorts them, see sortTrades). */
  readonly trades: readonly Trade[];
  /** UTC day numbers used for the volThreshold calibration (in-sample). */
  readonly inSampleDays: ReadonlySet<number>;
}

/** One UTC date that has scans. */
export interface DailyRow {
  /** YYYY-MM-DD (UTC). */
  readonly date: string;
  /** UTC day number (days since epoch). */
  readonly day: number;
  /** Equity after the day's last scan. */
  readonly closingEquity: number;
  /** closingEquity / previous row's closingEquity - 1; the first row against initialCapital. */
  readonly return: number;
  /** closingEquity - previous row's closingEquity; the first row against initialCapital. */
  readonly pnl: number;
  /** Trades whose exit timestamp falls on this UTC date. */
  readonly tradesClosed: number;
  /** ACB cut in effect at the day's last scan. */
  readonly acbCut: number;
  /** The date is a calibration (in-sample) day. */
  readonly inSample: boolean;
  /** Processed scans on this date. */
  readonly scans: number;
}

/**
 * Check that the series columns are aligned and the timestamps ascend.
 * A mismatch is a bug in the recorder, not bad user data, hence a RangeError.
 */
export function assertRunSeries(s: RunSeries): void {
  const n = s.ts.length;
  if (s.equity.length !== n || s.openPositions.length !== n || s.acbCut.length !== n) {
    throw new RangeError(
      `run series columns differ in length: ts ${n}, equity ${s.equity.length}, ` +
        `openPositions ${s.openPositions.length}, acbCut ${s.acbCut.length}`,
    );
  }
  const i = firstDescent(s.ts, n);
  if (i >= 0) throw new RangeError(`run series timestamps are not ascending at index ${i}: ${s.ts[i - 1]} then ${s.ts[i]}`);
}

/**
 * Daily rows of a run, ascending by date. Dates without scans get no row, so the next row's return
 * and PnL span the gap (they are measured against the previous row, not against a calendar day).
 */
export function dailyRows(s: RunSeries): DailyRow[] {
  assertRunSeries(s);
  const closedByDay = new Map<number, number>();
  for (const t of s.trades) {
    const d = dayOf(t.exitTs);
    closedByDay.set(d, (closedByDay.get(d) ?? 0) + 1);
  }
  const rows: DailyRow[] = [];
  const n = s.ts.length;
  let prevClose = s.initialCapital;
  let start = 0;
  while (start < n) {
    const day = dayOf(s.ts[start]!);
    // ascending timestamps: the day ends at the first scan of a later day
    const end = firstAtOrAfter(s.ts, start + 1, n, (BigInt(day) + 1n) * DAY_NS);
    const last = end - 1;
    const close = s.equity[last]!;
    rows.push({
      date: dayToIso(day),
      day,
      closingEquity: close,
      return: close / prevClose - 1,
      pnl: close - prevClose,
      tradesClosed: closedByDay.get(day) ?? 0,
      acbCut: s.acbCut[last]!,
      inSample: s.inSampleDays.has(day),
      scans: end - start,
    });
    prevClose = close;
    start = end;
  }
  return rows;
}
