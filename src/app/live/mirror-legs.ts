/**
 * The mirror's bookkeeping, without I/O: paper fills numbered into trades and legs with their client
 * order ids, and each leg's outcome folded from the execution journal's records (so a restart knows
 * exactly what was sent, settled or left unknown).
 */
import { createHash } from 'node:crypto';
import type { MirroredLeg, RejectReason } from '../../core/execution-stats.js';
import type { Fill } from '../../core/trade.js';
import type { ExecutionRecord } from '../../feeds/exchange/execution-journal.js';

/** One paper fill to mirror. */
export interface Leg {
  /** Index of the fill in the run's fill sequence. */
  readonly fill: number;
  readonly trade: number;
  readonly leg: 'open' | 'close';
  /** Client order id: run key, trade, leg (at most 36 characters of [A-Za-z0-9-]). */
  readonly id: string;
  readonly asset: string;
  readonly side: 'SELL' | 'BUY';
  readonly paperPrice: number;
  readonly paperQty: number;
  readonly paperFee: number;
  readonly tsEvent: bigint;
}

/** What the journal says about one leg. */
export interface LegOutcome {
  status: 'sent' | 'filled' | 'partial' | 'rejected' | 'skipped';
  attempts: number;
  firstSentAtMs: number;
  orderId: string | null;
  avgPrice: number;
  qty: number;
  fee: number;
  /** Latency of the POST that answered (NaN when the order was found by a query). */
  latencyMs: number;
  reason: RejectReason | null;
}

/** The run key in client order ids: 12 hex digits of sha256(runId:nonce). */
export function runKey(runId: string, nonce: string): string {
  return createHash('sha256').update(`${runId}:${nonce}`).digest('hex').slice(0, 12);
}

/** Client order id of a leg: `d<runKey>-<trade>-o|c` (Binance: <= 36 chars of [.A-Z:/a-z0-9_-]). */
export function clientOrderId(key: string, trade: number, leg: 'open' | 'close'): string {
  return `d${key}-${trade}-${leg === 'open' ? 'o' : 'c'}`;
}

/** Numbers paper fills into trades: each SELL opens the next trade, a BUY closes the asset's open one. */
export class LegNumbering {
  private fills = 0;
  private opens = 0;
  private readonly openTrade = new Map<string, number>();

  constructor(private readonly key: string) {}

  /** The legs of the next fills, in order. */
  next(fills: readonly Fill[]): Leg[] {
    const out: Leg[] = [];
    for (const f of fills) {
      const fill = this.fills++;
      let trade: number;
      if (f.side === 'SELL') {
        trade = ++this.opens;
        this.openTrade.set(f.asset, trade);
      } else {
        trade = this.openTrade.get(f.asset) ?? 0;
        this.openTrade.delete(f.asset);
      }
      const leg = f.side === 'SELL' ? 'open' : 'close';
      out.push({ fill, trade, leg, id: clientOrderId(this.key, trade, leg), asset: f.asset, side: f.side, paperPrice: f.price, paperQty: f.qty, paperFee: f.fee, tsEvent: f.tsEvent });
    }
    return out;
  }
}

/** Folds execution records into each leg's outcome, by client order id. */
export class LegOutcomes {
  readonly byId = new Map<string, LegOutcome>();
  retries = 0;

  apply(r: ExecutionRecord): void {
    if (r.ev === 'start' || r.ev === 'reconcile') return;
    if (r.ev === 'retry') {
      this.retries++;
      return;
    }
    let o = this.byId.get(r.id);
    if (o === undefined) {
      o = { status: 'sent', attempts: 0, firstSentAtMs: r.atMs, orderId: null, avgPrice: NaN, qty: 0, fee: NaN, latencyMs: NaN, reason: null };
      this.byId.set(r.id, o);
    }
    switch (r.ev) {
      case 'sent':
        o.attempts++;
        break;
      case 'ack':
        o.orderId = r.orderId;
        if (r.via === 'post') o.latencyMs = r.latencyMs;
        break;
      case 'filled':
        o.status = r.partial ? 'partial' : 'filled';
        o.avgPrice = r.avgPrice;
        o.qty = r.qty;
        o.fee = r.fee;
        break;
      case 'rejected':
        o.status = 'rejected';
        o.reason = r.reason;
        if (r.latencyMs !== null && Number.isNaN(o.latencyMs)) o.latencyMs = r.latencyMs;
        break;
      case 'skipped':
        o.status = 'skipped';
        break;
    }
  }

  /** True when the leg needs nothing more (filled, rejected or skipped). */
  settled(id: string): boolean {
    const s = this.byId.get(id)?.status;
    return s !== undefined && s !== 'sent';
  }

  /** Venue quantity filled for a leg (0 when none). */
  filledQty(id: string): number {
    const o = this.byId.get(id);
    return o !== undefined && (o.status === 'filled' || o.status === 'partial') ? o.qty : 0;
  }

  /** The leg as the execution statistics take it. */
  mirrored(l: Leg): MirroredLeg {
    const o = this.byId.get(l.id);
    const status = o === undefined || o.status === 'sent' ? 'pending' : o.status;
    return {
      trade: l.trade,
      leg: l.leg,
      asset: l.asset,
      side: l.side,
      paperPrice: l.paperPrice,
      paperQty: l.paperQty,
      paperFee: l.paperFee,
      status,
      venuePrice: o?.avgPrice ?? NaN,
      venueQty: o?.qty ?? 0,
      venueFee: o?.fee ?? NaN,
      latencyMs: o?.latencyMs ?? NaN,
      rejectReason: o?.reason ?? null,
    };
  }
}
