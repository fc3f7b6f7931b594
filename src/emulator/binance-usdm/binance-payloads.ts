/**
 * Binance USDT-M payloads as documented (developers.binance.com, derivatives / usds-margined-futures):
 * REST exchangeInfo, 24 h tickers, ticker price, premiumIndex, server time; WebSocket 24hrMiniTicker,
 * 24hrTicker and markPriceUpdate events. Numbers are decimal strings, times epoch ms, as the venue sends.
 */
import type { EmulatedContract } from './emulator-market.js';

const DAY_MS = 86_400_000;
const s = (x: number, d: number): string => x.toFixed(d);

/** GET /fapi/v1/exchangeInfo. */
export function exchangeInfo(contracts: readonly EmulatedContract[], serverTime: number): unknown {
  return {
    timezone: 'UTC',
    serverTime,
    futuresType: 'U_MARGINED',
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
      { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 },
    ],
    exchangeFilters: [],
    assets: [
      { asset: 'USDT', marginAvailable: true, autoAssetExchange: '-10000' },
      { asset: 'USDC', marginAvailable: true, autoAssetExchange: '-10000' },
    ],
    symbols: contracts.map((c) => ({
      symbol: c.symbol,
      pair: c.symbol.replace(/_\d+$/, ''),
      contractType: c.contractType,
      deliveryDate: c.deliveryDate,
      onboardDate: 1569398400000,
      status: c.status,
      maintMarginPercent: '2.5000',
      requiredMarginPercent: '5.0000',
      baseAsset: c.baseAsset,
      quoteAsset: c.quoteAsset,
      marginAsset: c.quoteAsset,
      pricePrecision: c.pricePrecision,
      quantityPrecision: 3,
      baseAssetPrecision: 8,
      quotePrecision: 8,
      underlyingType: 'COIN',
      underlyingSubType: [],
      triggerProtect: '0.0500',
      liquidationFee: '0.012500',
      marketTakeBound: '0.05',
      maxMoveOrderLimit: 10000,
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: s(Math.pow(10, -c.pricePrecision), c.pricePrecision), maxPrice: '4529764', tickSize: s(Math.pow(10, -c.pricePrecision), c.pricePrecision) },
        { filterType: 'LOT_SIZE', stepSize: '0.001', maxQty: '1000', minQty: '0.001' },
        { filterType: 'MARKET_LOT_SIZE', stepSize: '0.001', maxQty: '120', minQty: '0.001' },
        { filterType: 'MAX_NUM_ORDERS', limit: 200 },
        { filterType: 'MAX_NUM_ALGO_ORDERS', limit: 10 },
        { filterType: 'MIN_NOTIONAL', notional: '100' },
        { filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDown: '0.9500', multiplierDecimal: '4' },
      ],
      orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'],
      timeInForce: ['GTC', 'IOC', 'FOK', 'GTX', 'GTD'],
      permissionSets: ['GRID', 'COPY'],
    })),
  };
}

/** One entry of GET /fapi/v1/ticker/24hr. */
export function ticker24hr(c: EmulatedContract, now: number): unknown {
  const d = c.pricePrecision;
  return {
    symbol: c.symbol,
    priceChange: s(c.last - c.open, d),
    priceChangePercent: s((100 * (c.last - c.open)) / c.open, 3),
    weightedAvgPrice: s(c.quoteVolume / c.baseVolume, d),
    lastPrice: s(c.last, d),
    lastQty: '0.010',
    openPrice: s(c.open, d),
    highPrice: s(c.high, d),
    lowPrice: s(c.low, d),
    volume: s(c.baseVolume, 3),
    quoteVolume: s(c.quoteVolume, 2),
    openTime: now - DAY_MS,
    closeTime: c.updateMs || now,
    firstId: 1,
    lastId: 100000,
    count: 100000,
  };
}

/** One entry of GET /fapi/v1/ticker/price and /fapi/v2/ticker/price. */
export function tickerPrice(c: EmulatedContract): unknown {
  return { symbol: c.symbol, price: s(c.last, c.pricePrecision), time: c.updateMs };
}

/** One entry of GET /fapi/v1/premiumIndex. */
export function premiumIndex(c: EmulatedContract, now: number): unknown {
  const d = c.pricePrecision + 1;
  return {
    symbol: c.symbol,
    markPrice: s(c.mark, d),
    indexPrice: s(c.mark * 0.9999, d),
    estimatedSettlePrice: s(c.mark, d),
    lastFundingRate: '0.00010000',
    interestRate: '0.00010000',
    nextFundingTime: Math.ceil(now / 28_800_000) * 28_800_000,
    time: c.updateMs || now,
  };
}

/** WebSocket `<symbol>@miniTicker` / `!miniTicker@arr` event. */
export function miniTickerEvent(c: EmulatedContract, eventMs: number): Record<string, unknown> {
  const d = c.pricePrecision;
  return { e: '24hrMiniTicker', E: eventMs, s: c.symbol, c: s(c.last, d), o: s(c.open, d), h: s(c.high, d), l: s(c.low, d), v: s(c.baseVolume, 3), q: s(c.quoteVolume, 2) };
}

/** WebSocket `<symbol>@ticker` / `!ticker@arr` event. */
export function tickerEvent(c: EmulatedContract, eventMs: number): Record<string, unknown> {
  const d = c.pricePrecision;
  return {
    e: '24hrTicker',
    E: eventMs,
    s: c.symbol,
    p: s(c.last - c.open, d),
    P: s((100 * (c.last - c.open)) / c.open, 3),
    w: s(c.quoteVolume / c.baseVolume, d),
    c: s(c.last, d),
    Q: '0.010',
    o: s(c.open, d),
    h: s(c.high, d),
    l: s(c.low, d),
    v: s(c.baseVolume, 3),
    q: s(c.quoteVolume, 2),
    O: eventMs - DAY_MS,
    C: eventMs,
    F: 1,
    L: 100000,
    n: 100000,
  };
}

/** WebSocket `<symbol>@markPrice[@1s]` / `!markPrice@arr[@1s]` event. */
export function markPriceEvent(c: EmulatedContract, eventMs: number): Record<string, unknown> {
  const d = c.pricePrecision + 1;
  return { e: 'markPriceUpdate', E: eventMs, s: c.symbol, p: s(c.mark, d), i: s(c.mark * 0.9999, d), P: s(c.mark, d), r: '0.00010000', T: Math.ceil(eventMs / 28_800_000) * 28_800_000 };
}

/** The venue's error body, e.g. `{"code":-1003,"msg":"Too many requests..."}`. */
export function errorBody(code: number, msg: string): string {
  return JSON.stringify({ code, msg });
}
