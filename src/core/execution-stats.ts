/** Paper fills vs a venue's fills (the mirror, issue 12): per-leg price gap, fees, latency, rejections, PnL. */

/** Why a venue refused (or the mirror gave up on) an order. */
export type RejectReason = 'min-notional' | 'precision' | 'margin' | 'rate-limit' | 'reduce-only' | 'venue-unavailable' | 'other';

/** Every rejection reason, in report order. */
export const REJECT_REASONS: readonly RejectReason[] = ['min-notional', 'precision', 'margin', 'rate-limit', 'reduce-only', 'venue-unavailable', 'other'];

/** One mirrored order as the execution journal knows it at the end (one paper fill = one leg). */
export interface MirroredLeg {
  /** Trade number (1-based, in the order the paper book opened its trades). */
  readonly trade: number;
  readonly leg: 'open' | 'close';
  readonly asset: string;
  /** SELL opens the short, BUY closes it. */
  readonly side: 'SELL' | 'BUY';
  readonly paperPrice: number;
  readonly paperQty: number;
  readonly paperFee: number;
  /** filled: the venue filled some quantity (partial when less than sent); pending: outcome still unknown. */
  readonly status: 'filled' | 'partial' | 'rejected' | 'skipped' | 'pending';
  /** Venue average fill price (NaN unless filled/partial). */
  readonly venuePrice: number;
  /** Venue filled quantity (0 unless filled/partial). */
  readonly venueQty: number;
  /** Venue fee in the quote currency (NaN when unknown). */
  readonly venueFee: number;
  /** Order sent -> venue answer with its status, ms (NaN when never answered). */
  readonly latencyMs: number;
  readonly rejectReason: RejectReason | null;
}

/** A leg's gap between the paper fill and the venue's fill. */
export interface LegGap {
  readonly trade: number;
  readonly leg: 'open' | 'close';
  readonly asset: string;
  readonly side: 'SELL' | 'BUY';
  readonly status: MirroredLeg['status'];
  readonly paperPrice: number;
  /** null unless the venue filled. */
  readonly venuePrice: number | null;
  /**
   * Cost of the venue's fill against the paper fill in basis points of the paper price: positive when
   * the venue was worse (sold lower, bought higher). null unless the venue filled.
   */
  readonly gapBps: number | null;
  /** venueFee - paperFee (quote currency); null when the venue fee is unknown. */
  readonly feeDiff: number | null;
  readonly latencyMs: number | null;
  readonly rejectReason: RejectReason | null;
}

/** A trade's PnL as paper booked it and as the venue's fills imply. */
export interface TradePnl {
  readonly trade: number;
  readonly asset: string;
  /** qty * (entry - exit) - fees of the paper legs. */
  readonly paperPnl: number;
  /**
   * min(open qty, close qty) * (open avg - close avg) - venue fees, when both legs filled at the venue;
   * null otherwise.
   */
  readonly venuePnl: number | null;
}

/** The execution section's figures. */
export interface ExecutionStats {
  readonly legs: readonly LegGap[];
  readonly trades: readonly TradePnl[];
  /** Legs that are (or will be) orders: every leg but the skipped ones. */
  readonly ordersSent: number;
  readonly ordersFilled: number;
  readonly ordersPartial: number;
  readonly ordersRejected: number;
  readonly ordersSkipped: number;
  readonly ordersPending: number;
  /** Mean gap over filled legs, weighted by the paper notional (bps); null without fills. */
  readonly meanGapBps: number | null;
  /** Sum of venue fees minus paper fees over legs whose venue fee is known. */
  readonly feeDiffTotal: number;
  /** Nearest-rank p50 / p99 of latencies of answered orders, ms; null without any. */
  readonly latencyP50Ms: number | null;
  readonly latencyP99Ms: number | null;
  readonly rejections: Readonly<Record<RejectReason, number>>;
  /** Over trades whose two legs the venue filled: the paper PnL and the venue-implied PnL. */
  readonly comparedTrades: number;
  readonly paperPnlCompared: number;
  readonly venuePnlCompared: number;
}

/** Nearest-rank quantile of an ascending array: s[min(n-1, floor(n*q))] (the convention of the live state). */
export function nearestRank(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] as number;
}

const filled = (l: MirroredLeg): boolean => (l.status === 'filled' || l.status === 'partial') && l.venueQty > 0 && Number.isFinite(l.venuePrice);

/** The gap of one leg (pure). */
export function legGap(l: MirroredLeg): LegGap {
  const f = filled(l);
  const gap = !f ? null : l.side === 'SELL' ? ((l.paperPrice - l.venuePrice) / l.paperPrice) * 1e4 : ((l.venuePrice - l.paperPrice) / l.paperPrice) * 1e4;
  return {
    trade: l.trade,
    leg: l.leg,
    asset: l.asset,
    side: l.side,
    status: l.status,
    paperPrice: l.paperPrice,
    venuePrice: f ? l.venuePrice : null,
    gapBps: gap,
    feeDiff: f && Number.isFinite(l.venueFee) ? l.venueFee - l.paperFee : null,
    latencyMs: Number.isFinite(l.latencyMs) ? l.latencyMs : null,
    rejectReason: l.rejectReason,
  };
}

/** Computes the execution section's figures from the mirrored legs (any order; output by trade, open first). */
export function executionStats(input: readonly MirroredLeg[]): ExecutionStats {
  const legs = [...input].sort((a, b) => a.trade - b.trade || (a.leg === b.leg ? 0 : a.leg === 'open' ? -1 : 1));
  const rejections = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
  let nFilled = 0;
  let nPartial = 0;
  let nRejected = 0;
  let nSkipped = 0;
  let nPending = 0;
  let gapNum = 0;
  let gapDen = 0;
  let feeDiff = 0;
  const lat: number[] = [];
  for (const l of legs) {
    if (l.status === 'filled') nFilled++;
    else if (l.status === 'partial') nPartial++;
    else if (l.status === 'rejected') {
      nRejected++;
      rejections[l.rejectReason ?? 'other']++;
    } else if (l.status === 'skipped') nSkipped++;
    else nPending++;
    if (Number.isFinite(l.latencyMs)) lat.push(l.latencyMs);
    if (filled(l)) {
      const g = legGap(l).gapBps as number;
      const w = l.paperPrice * l.paperQty;
      gapNum += g * w;
      gapDen += w;
      if (Number.isFinite(l.venueFee)) feeDiff += l.venueFee - l.paperFee;
    }
  }
  lat.sort((a, b) => a - b);
  const byTrade = new Map<number, { open?: MirroredLeg; close?: MirroredLeg }>();
  for (const l of legs) {
    const e = byTrade.get(l.trade) ?? {};
    e[l.leg] = l;
    byTrade.set(l.trade, e);
  }
  const trades: TradePnl[] = [];
  let compared = 0;
  let paperC = 0;
  let venueC = 0;
  for (const [trade, { open, close }] of byTrade) {
    if (open === undefined || close === undefined) continue;
    const paperPnl = open.paperQty * (open.paperPrice - close.paperPrice) - open.paperFee - close.paperFee;
    let venuePnl: number | null = null;
    if (filled(open) && filled(close)) {
      const q = Math.min(open.venueQty, close.venueQty);
      venuePnl = q * (open.venuePrice - close.venuePrice) - (Number.isFinite(open.venueFee) ? open.venueFee : 0) - (Number.isFinite(close.venueFee) ? close.venueFee : 0);
      compared++;
      paperC += paperPnl;
      venueC += venuePnl;
    }
    trades.push({ trade, asset: open.asset, paperPnl, venuePnl });
  }
  return {
    legs: legs.map(legGap),
    trades,
    ordersSent: legs.length - nSkipped,
    ordersFilled: nFilled,
    ordersPartial: nPartial,
    ordersRejected: nRejected,
    ordersSkipped: nSkipped,
    ordersPending: nPending,
    meanGapBps: gapDen > 0 ? gapNum / gapDen : null,
    feeDiffTotal: feeDiff,
    latencyP50Ms: lat.length ? nearestRank(lat, 0.5) : null,
    latencyP99Ms: lat.length ? nearestRank(lat, 0.99) : null,
    rejections,
    comparedTrades: compared,
    paperPnlCompared: paperC,
    venuePnlCompared: venueC,
  };
}
