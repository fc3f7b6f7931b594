/** Trade-level report metrics (STRATEGY.md 8): report order, summary statistics and breakdowns. */

import type { Trade } from '../core/trade.js';
import { dayOf, dayToIso } from '../core/scan.js';

/** Nanoseconds in one minute. */
const MINUTE_NS = 60e9;

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Code-unit order, never locale order, so every machine sorts alike. */
function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Trades in report order: by exit time, then entry time, then symbol (code-unit order).
 * Remaining ties (impossible in a valid run: an asset is never held twice at once) fall back to the
 * scan indexes, so the result never depends on the input order. Returns a new array.
 */
export function sortTrades(trades: readonly Trade[]): Trade[] {
  return trades
    .slice()
    .sort(
      (a, b) =>
        cmpBig(a.exitTs, b.exitTs) ||
        cmpBig(a.entryTs, b.entryTs) ||
        cmpStr(a.asset, b.asset) ||
        a.exitIndex - b.exitIndex ||
        a.entryIndex - b.entryIndex,
    );
}

/** Summary statistics over closed trades; `null` where undefined (see `nullReasons`). */
export interface TradeStats {
  readonly trades: number;
  /** Trades with pnl > 0 over all trades. */
  readonly winRate: number | null;
  /** Sum of winning pnl / |sum of losing pnl|; null without a losing trade. */
  readonly profitFactor: number | null;
  /** Mean pnl per trade. */
  readonly expectancy: number | null;
  /** Mean pnl per trade (same value as expectancy; both names are in the report). */
  readonly avgTrade: number | null;
  readonly bestTrade: number | null;
  readonly worstTrade: number | null;
  /** Mean of exitIndex - entryIndex. */
  readonly avgHoldScans: number | null;
  /** Mean of (exitTs - entryTs) / 60e9. */
  readonly avgHoldMinutes: number | null;
  /** Sum of entry and exit fees. */
  readonly feesTotal: number;
  /** Why each null field is null, keyed by field name. */
  readonly nullReasons: Readonly<Record<string, string>>;
}

/** Holding time of a trade in minutes, exact up to one rounding per step (the bigint difference first). */
export function holdMinutes(t: Trade): number {
  return Number(t.exitTs - t.entryTs) / MINUTE_NS;
}

/**
 * Trade summary statistics. Sums run left to right over the trades in report order (sortTrades),
 * so the result does not depend on the order the trades are given in.
 */
export function tradeStats(trades: readonly Trade[]): TradeStats {
  const sorted = sortTrades(trades);
  const n = sorted.length;
  let wins = 0;
  let losses = 0;
  let sumWin = 0;
  let sumLoss = 0;
  let sumPnl = 0;
  let sumFees = 0;
  let sumHoldScans = 0;
  let sumHoldMinutes = 0;
  let best = -Infinity;
  let worst = Infinity;
  for (const t of sorted) {
    if (t.pnl > 0) {
      wins++;
      sumWin += t.pnl;
    } else if (t.pnl < 0) {
      losses++;
      sumLoss += t.pnl;
    }
    sumPnl += t.pnl;
    sumFees += t.fees;
    sumHoldScans += t.exitIndex - t.entryIndex;
    sumHoldMinutes += holdMinutes(t);
    if (t.pnl > best) best = t.pnl;
    if (t.pnl < worst) worst = t.pnl;
  }
  const nullReasons: Record<string, string> = {};
  const none = (field: string): null => {
    nullReasons[field] = `${field}: no trades`;
    return null;
  };
  const winRate = n > 0 ? wins / n : none('winRate');
  let profitFactor: number | null;
  if (losses > 0) profitFactor = sumWin / Math.abs(sumLoss);
  else {
    profitFactor = null;
    nullReasons.profitFactor = n > 0 ? 'profitFactor: no losing trade' : 'profitFactor: no trades';
  }
  const expectancy = n > 0 ? sumPnl / n : none('expectancy');
  const avgTrade = n > 0 ? sumPnl / n : none('avgTrade');
  const bestTrade = n > 0 ? best : none('bestTrade');
  const worstTrade = n > 0 ? worst : none('worstTrade');
  const avgHoldScans = n > 0 ? sumHoldScans / n : none('avgHoldScans');
  const avgHoldMinutes = n > 0 ? sumHoldMinutes / n : none('avgHoldMinutes');
  return {
    trades: n,
    winRate,
    profitFactor,
    expectancy,
    avgTrade,
    bestTrade,
    worstTrade,
    avgHoldScans,
    avgHoldMinutes,
    feesTotal: sumFees,
    nullReasons,
  };
}

/** Aggregate of the trades sharing one key. */
export interface BreakdownRow {
  /** Asset symbol, exit reason, or exit UTC date (YYYY-MM-DD), depending on the breakdown. */
  readonly key: string;
  readonly trades: number;
  /** Trades with pnl > 0. */
  readonly wins: number;
  /** Sum of pnl. */
  readonly pnl: number;
  /** Sum of fees. */
  readonly fees: number;
}

/** Trade breakdowns; each lists only keys that occur, ascending by key (code-unit order). */
export interface TradeBreakdowns {
  readonly byAsset: readonly BreakdownRow[];
  readonly byReason: readonly BreakdownRow[];
  /** Keyed by the trade's exit UTC date. */
  readonly byDay: readonly BreakdownRow[];
}

interface Acc {
  trades: number;
  wins: number;
  pnl: number;
  fees: number;
}

function breakdown(sorted: readonly Trade[], keyOf: (t: Trade) => string): BreakdownRow[] {
  const acc = new Map<string, Acc>();
  for (const t of sorted) {
    const k = keyOf(t);
    let a = acc.get(k);
    if (a === undefined) {
      a = { trades: 0, wins: 0, pnl: 0, fees: 0 };
      acc.set(k, a);
    }
    a.trades++;
    if (t.pnl > 0) a.wins++;
    a.pnl += t.pnl;
    a.fees += t.fees;
  }
  return [...acc.keys()]
    .sort(cmpStr)
    .map((key) => {
      const a = acc.get(key)!;
      return { key, trades: a.trades, wins: a.wins, pnl: a.pnl, fees: a.fees };
    });
}

/** Breakdowns by asset, by exit reason and by exit UTC date; sums in report order (sortTrades). */
export function tradeBreakdowns(trades: readonly Trade[]): TradeBreakdowns {
  const sorted = sortTrades(trades);
  return {
    byAsset: breakdown(sorted, (t) => t.asset),
    byReason: breakdown(sorted, (t) => t.reason),
    byDay: breakdown(sorted, (t) => dayToIso(dayOf(t.exitTs))),
  };
}
