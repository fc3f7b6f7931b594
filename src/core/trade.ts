/** Control-plane records the engine emits: fills and closed trades. */

/** Why a position closed (STRATEGY.md 3). */
export type ExitReason = 'LIQ_STOP' | 'STOP' | 'TP' | 'MAX_HOLD' | 'END';

/** All exit reasons in rule order. */
export const EXIT_REASONS: readonly ExitReason[] = ['LIQ_STOP', 'STOP', 'TP', 'MAX_HOLD', 'END'];

/** A paper fill. `tsEvent` is the scan's timestamp, `tsInit` when the engine created the record (same in paper). */
export interface Fill {
  readonly tsEvent: bigint;
  readonly tsInit: bigint;
  readonly asset: string;
  /** SELL opens a short, BUY closes it. */
  readonly side: 'SELL' | 'BUY';
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  readonly liquidity: 'maker' | 'taker';
  /** Index of the scan in the accepted sequence. */
  readonly scanIndex: number;
}

/** A closed SHORT trade (STRATEGY.md 5). */
export interface Trade {
  readonly asset: string;
  readonly entryTs: bigint;
  readonly exitTs: bigint;
  readonly entryIndex: number;
  readonly exitIndex: number;
  /** Entry fill after slippage. */
  readonly entryPrice: number;
  /** Exit fill after slippage. */
  readonly exitPrice: number;
  readonly qty: number;
  readonly entryFee: number;
  readonly exitFee: number;
  /** entryFee + exitFee. */
  readonly fees: number;
  /** qty * (entryPrice - exitPrice) - fees. */
  readonly pnl: number;
  readonly reason: ExitReason;
  /** ACB cut applied to the entry's size. */
  readonly acbCut: number;
}

/** External factors for one UTC date (STRATEGY.md 1); absent fields are undefined. */
export interface FactorRecord {
  /** UTC day number the factors belong to. */
  readonly day: number;
  /** Timestamp from which the record is in effect (start of day in replays, first accepted scan live). */
  readonly effectiveFromNs: bigint;
  readonly fundingBtc?: number;
  readonly dvolBtc?: number;
  readonly fng?: number;
  readonly takerRatio?: number;
}
