/** The emulated venue's market: listed contracts and their prices, driven by the generator's market model. */
import { MarketModel } from '../../generator/market-model.js';
import { universe } from '../../generator/universe.js';

/** Contract status values of Binance USDT-M exchangeInfo (`status`). */
export type ContractStatus = 'TRADING' | 'PENDING_TRADING' | 'SETTLING' | 'CLOSE';

/** One listed contract. */
export interface EmulatedContract {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly contractType: 'PERPETUAL' | 'CURRENT_QUARTER';
  readonly deliveryDate: number;
  status: ContractStatus;
  /** Decimals of prices (pricePrecision); prices are rounded to 10^-pricePrecision. */
  readonly pricePrecision: number;
  /** Index into the market model (-1: a listed contract outside the model, priced from its base). */
  readonly modelIndex: number;
  /** 24 h quote volume at start (ranking for top-N universes). */
  quoteVolume0: number;
  last: number;
  open: number;
  high: number;
  low: number;
  baseVolume: number;
  quoteVolume: number;
  mark: number;
  /** Venue time (skew included) of the last price change, ms. */
  updateMs: number;
  /** Stops updating (no stream events, REST keeps the old price). */
  silent: boolean;
}

/** Options of the emulated market. */
export interface EmulatorMarketOptions {
  /** Random seed of the price model (same seed, same price path per tick). */
  readonly seed?: number;
  /** Number of modelled USDT perpetuals (a prefix of the generator's universe, BTCUSDT first; at most 60). */
  readonly assets?: number;
  /** Tick length in ms: prices move once per tick (vols scaled by sqrt(tick / 5 s)). */
  readonly tickMs?: number;
  /** 24 h quote volume overrides by symbol (e.g. to rank BTCUSDT low). */
  readonly volumes?: Readonly<Record<string, number>>;
  /** Further USDT perpetuals at a fixed price (moved only by setPrice), e.g. the symbols of test scans. */
  readonly extra?: readonly { readonly symbol: string; readonly price: number }[];
}

/** Decimals for a price of this size (about 5 significant digits, 1-7 decimals). */
function precisionFor(p: number): number {
  return Math.max(1, Math.min(7, 5 - Math.floor(Math.log10(p))));
}

const round = (x: number, d: number): number => Number(x.toFixed(d));

/**
 * The contracts the emulator lists: `assets` USDT perpetuals priced by the generator's regime-switching
 * {@link MarketModel}, plus three contracts a USDT-M scanner must leave out of its universe (a USDC
 * perpetual, a quarterly future, a settling perpetual). `step(nowMs)` advances one tick.
 */
export class EmulatorMarket {
  readonly contracts: EmulatedContract[] = [];
  readonly bySymbol = new Map<string, EmulatedContract>();
  readonly tickMs: number;
  private readonly model: MarketModel;
  private readonly ret: Float64Array;
  ticks = 0;

  constructor(o: EmulatorMarketOptions = {}) {
    const specs = universe(o.assets ?? 50);
    this.tickMs = o.tickMs ?? 500;
    this.model = new MarketModel(specs, o.seed ?? 1, this.tickMs, () => false);
    this.ret = new Float64Array(specs.length);
    specs.forEach((s, i) => {
      const p = this.model.prices[i];
      // deterministic, not monotone in universe order: rank by a size-like decay with a twist
      const vol = o.volumes?.[s.symbol] ?? Math.round(4e9 / Math.pow(i + 1, 1.1) * (1 + 0.45 * Math.sin(3.7 * i)));
      this.add(s.symbol, s.symbol.replace(/USDT$/, ''), 'USDT', 'PERPETUAL', 'TRADING', precisionFor(p), i, vol, p);
    });
    const btc = this.model.prices[0];
    this.add('BTCUSDC', 'BTC', 'USDC', 'PERPETUAL', 'TRADING', 1, -1, 9e8, btc);
    this.add('BTCUSDT_260626', 'BTC', 'USDT', 'CURRENT_QUARTER', 'TRADING', 1, -1, 3e8, btc * 1.01);
    this.add('OLDUSDT', 'OLD', 'USDT', 'PERPETUAL', 'SETTLING', 4, -1, 8e9, 1.2345);
    for (const x of o.extra ?? []) if (!this.bySymbol.has(x.symbol)) this.add(x.symbol, x.symbol.replace(/USDT$/, ''), 'USDT', 'PERPETUAL', 'TRADING', precisionFor(x.price), -1, 1e6, x.price);
  }

  /** Sets a contract's last and mark price (fills follow it); false for an unknown symbol. */
  setPrice(symbol: string, price: number): boolean {
    const c = this.bySymbol.get(symbol);
    if (c === undefined || !(price > 0)) return false;
    c.last = round(price, c.pricePrecision);
    c.mark = c.last;
    return true;
  }

  private add(symbol: string, base: string, quote: string, contractType: EmulatedContract['contractType'], status: ContractStatus, pricePrecision: number, modelIndex: number, vol: number, price: number): void {
    const p = round(price, pricePrecision);
    const c: EmulatedContract = {
      symbol,
      baseAsset: base,
      quoteAsset: quote,
      contractType,
      deliveryDate: contractType === 'PERPETUAL' ? 4133404800000 : 1782460800000,
      status,
      pricePrecision,
      modelIndex,
      quoteVolume0: vol,
      last: p,
      open: p,
      high: p,
      low: p,
      baseVolume: vol / p,
      quoteVolume: vol,
      mark: p,
      updateMs: 0,
      silent: false,
    };
    this.contracts.push(c);
    this.bySymbol.set(symbol, c);
  }

  /** Modelled (streamed) contracts: TRADING, not silent. */
  live(c: EmulatedContract): boolean {
    return c.status === 'TRADING' && !c.silent;
  }

  /** Advances one tick at venue time `venueMs`; returns the contracts whose price changed. */
  step(venueMs: number): EmulatedContract[] {
    this.ticks++;
    this.model.step(this.ret);
    const btc = this.model.prices[0];
    const changed: EmulatedContract[] = [];
    for (const c of this.contracts) {
      if (!this.live(c)) continue;
      const raw = c.modelIndex >= 0 ? this.model.prices[c.modelIndex] : c.symbol.startsWith('BTC') ? btc * (c.contractType === 'PERPETUAL' ? 1.0002 : 1.01) : c.last;
      const p = round(raw, c.pricePrecision);
      // a mark price is a smoothed fair price: here the last price pulled 30 % towards the previous mark
      c.mark = round(0.7 * p + 0.3 * c.mark, c.pricePrecision + 1);
      c.last = p;
      if (p > c.high) c.high = p;
      if (p < c.low) c.low = p;
      c.baseVolume += 1;
      c.quoteVolume += p;
      c.updateMs = venueMs;
      changed.push(c);
    }
    return changed;
  }
}
