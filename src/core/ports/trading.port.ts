/** TradingPort: where the engine's orders go (paper fills here; an exchange adapter later). */
import type { Fill } from '../trade.js';

/** A market order for one asset at the scan's price. */
export interface MarketOrder {
  readonly asset: string;
  readonly side: 'SELL' | 'BUY';
  /** Quantity for a closing BUY; ignored for an opening SELL (sized by notional). */
  readonly qty: number;
  /** Notional in USDT for an opening SELL. */
  readonly notional: number;
  /** The scan's price of the asset. */
  readonly price: number;
  readonly scanIndex: number;
  readonly tsEvent: bigint;
  /** Maker liquidity requested (an opening SELL with entryLiquidity "maker"). */
  readonly maker: boolean;
}

/** Executes market orders and returns the fill synchronously (paper) — deterministic by contract. */
export interface TradingPort {
  execute(order: MarketOrder): Fill;
}
