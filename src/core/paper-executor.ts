/** Paper fill model (STRATEGY.md 5): market fills at the scan price with slippage and fees. */
import type { StrategyConfig } from './config.js';
import type { ClockPort } from './ports/clock.port.js';
import type { MarketOrder, TradingPort } from './ports/trading.port.js';
import type { Fill } from './trade.js';

/** Fills every order at once, deterministically; a live order never leaves the process. */
export class PaperExecutor implements TradingPort {
  private readonly slip: number;
  private readonly takerFee: number;
  private readonly makerFee: number;
  private readonly clock: ClockPort | undefined;

  /** `clock` stamps tsInit in live runs; without it tsInit = tsEvent (replays). */
  constructor(config: StrategyConfig, clock?: ClockPort) {
    this.slip = config.slippageBps / 1e4;
    this.takerFee = config.takerFee;
    this.makerFee = config.makerFee;
    this.clock = clock;
  }

  execute(o: MarketOrder): Fill {
    const maker = o.side === 'SELL' && o.maker;
    const price = maker ? o.price : o.side === 'SELL' ? o.price * (1 - this.slip) : o.price * (1 + this.slip);
    const qty = o.side === 'SELL' ? o.notional / price : o.qty;
    const fee = qty * price * (maker ? this.makerFee : this.takerFee);
    return {
      tsEvent: o.tsEvent,
      tsInit: this.clock ? this.clock.nowNs() : o.tsEvent,
      asset: o.asset,
      side: o.side,
      qty,
      price,
      fee,
      liquidity: maker ? 'maker' : 'taker',
      scanIndex: o.scanIndex,
    };
  }
}
