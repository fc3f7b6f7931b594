/**
 * Trade alignment: pairs the trades (and open positions) of two reports by asset and entry time. Exact
 * (asset, entry) pairs first; then, per asset, remaining trades whose holding periods overlap are paired
 * by nearest entry time (the same trade entered a scan later, say). The rest is one-sided.
 */
import type { Report } from '../report.js';

/** A trade or an open position of one side, with the figures compare needs. */
export interface SideTrade {
  readonly asset: string;
  readonly entryTs: string;
  /** Exit time; for an open position the report's last scan time. */
  readonly exitTs: string;
  readonly entryPrice: number;
  /** Exit fill; for an open position its mark. */
  readonly exitPrice: number;
  readonly qty: number;
  /**
   * Contribution to final equity: realized PnL; for an open position qty * (entry - mark) minus its
   * entry fee (recomputed from the config's fee rate).
   */
  readonly pnl: number;
  /** Exit reason, or "OPEN" for a position still open at the end. */
  readonly reason: string;
  readonly open: boolean;
}

/** Two trades taken as the same trade. */
export interface MatchedTrade {
  readonly a: SideTrade;
  readonly b: SideTrade;
  /** Same asset, entry and exit time, reason and open state. */
  readonly sameTrade: boolean;
  /** Every figure equal too. */
  readonly identical: boolean;
  readonly delta: {
    /** B minus A, nanoseconds as decimal strings. */
    readonly entryNs: string;
    readonly exitNs: string;
    readonly entryPrice: number;
    readonly exitPrice: number;
    readonly qty: number;
    readonly pnl: number;
  };
}

/** Result of aligning two trade lists. */
export interface Alignment {
  readonly matched: readonly MatchedTrade[];
  readonly onlyA: readonly SideTrade[];
  readonly onlyB: readonly SideTrade[];
}

/** The trades and open positions of a report as SideTrades, in time order. */
export function sideTrades(r: Report): SideTrade[] {
  const out: SideTrade[] = r.trades.map((t) => ({
    asset: t.asset,
    entryTs: t.entryTs,
    exitTs: t.exitTs,
    entryPrice: t.entryPrice,
    exitPrice: t.exitPrice,
    qty: t.qty,
    pnl: t.pnl,
    reason: t.reason,
    open: false,
  }));
  const rate = r.config.entryLiquidity === 'maker' ? r.config.makerFee : r.config.takerFee;
  for (const p of r.openPositions ?? []) {
    out.push({
      asset: p.asset,
      entryTs: p.entryTs,
      exitTs: r.fingerprint.lastTs ?? p.entryTs,
      entryPrice: p.entryPrice,
      exitPrice: p.mark,
      qty: p.qty,
      pnl: p.qty * (p.entryPrice - p.mark) - p.qty * p.entryPrice * rate,
      reason: 'OPEN',
      open: true,
    });
  }
  return out.sort(byEntry);
}

/** Entry time, then asset. */
export function byEntry(x: SideTrade, y: SideTrade): number {
  const d = BigInt(x.entryTs) - BigInt(y.entryTs);
  return d < 0n ? -1 : d > 0n ? 1 : x.asset < y.asset ? -1 : x.asset > y.asset ? 1 : 0;
}

function pair(a: SideTrade, b: SideTrade): MatchedTrade {
  const sameTrade = a.asset === b.asset && a.entryTs === b.entryTs && a.exitTs === b.exitTs && a.reason === b.reason && a.open === b.open;
  const identical = sameTrade && a.entryPrice === b.entryPrice && a.exitPrice === b.exitPrice && a.qty === b.qty && a.pnl === b.pnl;
  return {
    a,
    b,
    sameTrade,
    identical,
    delta: {
      entryNs: (BigInt(b.entryTs) - BigInt(a.entryTs)).toString(),
      exitNs: (BigInt(b.exitTs) - BigInt(a.exitTs)).toString(),
      entryPrice: b.entryPrice - a.entryPrice,
      exitPrice: b.exitPrice - a.exitPrice,
      qty: b.qty - a.qty,
      pnl: b.pnl - a.pnl,
    },
  };
}

/** Aligns A's and B's trades (open positions included). */
export function alignTrades(a: readonly SideTrade[], b: readonly SideTrade[]): Alignment {
  const matched: MatchedTrade[] = [];
  const key = (t: SideTrade): string => `${t.asset}\u0000${t.entryTs}`;
  const bByKey = new Map<string, SideTrade[]>();
  for (const t of b) bByKey.set(key(t), [...(bByKey.get(key(t)) ?? []), t]);
  const usedB = new Set<SideTrade>();
  const restA: SideTrade[] = [];
  for (const t of a) {
    const cand = bByKey.get(key(t))?.find((x) => !usedB.has(x));
    if (cand) {
      usedB.add(cand);
      matched.push(pair(t, cand));
    } else restA.push(t);
  }
  // Second pass: same asset, overlapping holding periods, nearest entry first.
  const restB = b.filter((t) => !usedB.has(t));
  const candidates: { a: SideTrade; b: SideTrade; d: bigint }[] = [];
  for (const ta of restA) {
    for (const tb of restB) {
      if (ta.asset !== tb.asset) continue;
      const overlap = BigInt(ta.entryTs) <= BigInt(tb.exitTs) && BigInt(tb.entryTs) <= BigInt(ta.exitTs);
      if (!overlap) continue;
      const d = BigInt(ta.entryTs) - BigInt(tb.entryTs);
      candidates.push({ a: ta, b: tb, d: d < 0n ? -d : d });
    }
  }
  candidates.sort((x, y) => (x.d < y.d ? -1 : x.d > y.d ? 1 : byEntry(x.a, y.a)));
  const usedA = new Set<SideTrade>();
  for (const c of candidates) {
    if (usedA.has(c.a) || usedB.has(c.b)) continue;
    usedA.add(c.a);
    usedB.add(c.b);
    matched.push(pair(c.a, c.b));
  }
  matched.sort((x, y) => byEntry(x.a, y.a));
  return { matched, onlyA: restA.filter((t) => !usedA.has(t)), onlyB: b.filter((t) => !usedB.has(t)) };
}
