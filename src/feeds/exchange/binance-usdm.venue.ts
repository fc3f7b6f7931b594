/**
 * Binance USDT-M public market data through ccxt (REST and ccxt.pro WebSocket): markets, 24 h volumes,
 * server time, last or mark prices. No API key is read or sent; only public endpoints are called.
 */
import ccxt from 'ccxt';
import type { Ticker } from 'ccxt';

/** Which price a scan lists: the last trade price (24hrMiniTicker `c`) or the mark price. */
export type PriceSource = 'last' | 'mark';

/** A listed contract as the scanner needs it. */
export interface VenueMarket {
  /** Exchange id, e.g. `BTCUSDT` (the scan format's symbol). */
  readonly id: string;
  /** ccxt unified symbol, e.g. `BTC/USDT:USDT`. */
  readonly symbol: string;
  /** TRADING on the venue. */
  readonly active: boolean;
  /** A linear perpetual settled in USDT. */
  readonly usdtPerpetual: boolean;
}

/** One price update. */
export interface VenuePrice {
  readonly id: string;
  readonly price: number;
  /** Venue timestamp of the price (event or trade time), ms; NaN when absent. */
  readonly venueMs: number;
}

/** Where a REST call was refused for rate limiting, and for how long. */
export class VenueRateLimited extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number,
    readonly detail: string,
  ) {
    super(`HTTP ${status}: ${detail}`);
  }
}

/** Options of the venue adapter. */
export interface VenueOptions {
  /** REST root replacing https://fapi.binance.com (the emulator: http://127.0.0.1:PORT). */
  readonly restUrl?: string;
  /** Stream root replacing wss://fstream.binance.com/ws (default: restUrl with ws:// and /ws). */
  readonly wsUrl?: string;
  /** Per-request timeout, ms (default 5000). */
  readonly timeoutMs?: number;
  /** Called with every price update a stream delivers, as ccxt parses it (synchronously, on arrival). */
  readonly onStreamPrice?: (p: VenuePrice) => void;
  /** Called for a stream message ccxt could not use (not JSON, no symbol, no price). */
  readonly onMalformed?: (detail: string) => void;
  /** ccxt's own diagnostics (e.g. a JSON parse failure), one line each. */
  readonly onDiagnostic?: (line: string) => void;
}

/** Default Retry-After when a 429/418 carries none (Binance asks for at least a minute then). */
export const DEFAULT_RETRY_AFTER_MS = 60_000;

const REAL_REST = 'https://fapi.binance.com';

/** ccxt's binanceusdm with a tap on its WebSocket ticker parser (ccxt still parses; we only listen). */
class ObservedBinanceUsdm extends ccxt.pro.binanceusdm {
  tap: ((t: Ticker, raw: unknown) => void) | undefined;
  diag: ((line: string) => void) | undefined;

  override parseWsTicker(message: unknown, marketType: unknown): Ticker {
    const t = super.parseWsTicker(message, marketType);
    this.tap?.(t, message);
    return t;
  }

  /** Send and receive times (Date.now()) of the last GET .../time, measured around the HTTP call itself. */
  timeCall: { sent: number; received: number } = { sent: NaN, received: NaN };

  // ccxt's own rate limiter may hold a request back before it is sent: time the HTTP call itself
  override async fetch(url: string, method?: string, headers?: unknown, body?: unknown): Promise<any> {
    const isTime = /\/time(\?|$)/.test(url);
    const sent = Date.now();
    const r = await super.fetch(url, method, headers, body);
    if (isTime) this.timeCall = { sent, received: Date.now() };
    return r;
  }

  // ccxt logs stream problems (e.g. JSON.parse failures) with console.log; route them to our log.
  override log(...args: unknown[]): void {
    this.diag?.(args.map((a) => (a instanceof Date ? '' : a instanceof Error ? a.message : String(a))).join(' ').trim());
  }
}

/** Public Binance USDT-M market data for the scanner. */
export class BinanceUsdmVenue {
  /** host[:port] of the REST root, for messages. */
  readonly host: string;
  readonly restRoot: string;
  private readonly ex: ObservedBinanceUsdm;
  private readonly byId = new Map<string, string>();
  private readonly bySymbol = new Map<string, string>();

  constructor(o: VenueOptions = {}) {
    this.ex = new ObservedBinanceUsdm({ enableRateLimit: true, timeout: o.timeoutMs ?? 5000, options: { defaultType: 'swap' } });
    this.restRoot = (o.restUrl ?? REAL_REST).replace(/\/+$/, '');
    this.host = new URL(this.restRoot).host;
    if (o.restUrl !== undefined) {
      const api = this.ex.urls['api'] as Record<string, unknown>;
      for (const [k, v] of Object.entries(api)) if (typeof v === 'string' && v.startsWith(REAL_REST)) api[k] = this.restRoot + v.slice(REAL_REST.length);
      const ws = api['ws'] as Record<string, unknown>;
      ws['future'] = o.wsUrl ?? `${this.restRoot.replace(/^http/, 'ws')}/ws`;
    } else if (o.wsUrl !== undefined) {
      ((this.ex.urls['api'] as Record<string, unknown>)['ws'] as Record<string, unknown>)['future'] = o.wsUrl;
    }
    this.ex.diag = o.onDiagnostic;
    this.ex.tap = (t, raw) => {
      const id = t.symbol === undefined ? undefined : this.bySymbol.get(t.symbol);
      const price = this.source === 'mark' ? Number(t.markPrice ?? NaN) : Number(t.last ?? NaN);
      if (id === undefined || !(price > 0 && price < Infinity)) {
        o.onMalformed?.(`stream message without a known symbol and a positive price: ${JSON.stringify(raw).slice(0, 120)}`);
        return;
      }
      o.onStreamPrice?.({ id, price, venueMs: typeof t.timestamp === 'number' ? t.timestamp : NaN });
    };
  }

  private source: PriceSource = 'last';
  private loaded = false;

  /** Loads (or reloads) the markets: GET /fapi/v1/exchangeInfo. */
  async markets(reload = false): Promise<VenueMarket[]> {
    // ws:// (the emulator) needs ccxt's http agent; a no-op cost for wss://
    await this.ex.loadHttpProxyAgent();
    // after a failed load ccxt keeps the rejected promise: force a fresh request
    const ms = await this.rest(() => this.ex.loadMarkets(reload || !this.loaded));
    this.loaded = true;
    const out: VenueMarket[] = [];
    for (const m of Object.values(ms)) {
      if (m === undefined || m.id === undefined || m.symbol === undefined) continue;
      this.byId.set(m.id, m.symbol);
      this.bySymbol.set(m.symbol, m.id);
      out.push({ id: m.id, symbol: m.symbol, active: m.active === true, usdtPerpetual: m.swap === true && m.linear === true && m.quote === 'USDT' && m.settle === 'USDT' });
    }
    return out;
  }

  /** 24 h quote volume by id: GET /fapi/v1/ticker/24hr. */
  async quoteVolumes(): Promise<Map<string, number>> {
    const ts = await this.rest(() => this.ex.fetchTickers());
    const out = new Map<string, number>();
    for (const t of Object.values(ts)) {
      const id = t.symbol === undefined ? undefined : this.bySymbol.get(t.symbol);
      if (id !== undefined) out.set(id, Number(t.quoteVolume ?? NaN));
    }
    return out;
  }

  /** Venue time and the local send/receive times of the request, ms: GET /fapi/v1/time. */
  async serverTime(): Promise<{ readonly serverMs: number; readonly sentMs: number; readonly receivedMs: number }> {
    const t = await this.rest(() => this.ex.fetchTime());
    return { serverMs: Number(t), sentMs: this.ex.timeCall.sent, receivedMs: this.ex.timeCall.received };
  }

  /** Prices of every listed contract in one call: GET /fapi/v2/ticker/price (last) or /fapi/v1/premiumIndex (mark). */
  async prices(source: PriceSource): Promise<VenuePrice[]> {
    const out: VenuePrice[] = [];
    if (source === 'mark') {
      const r = await this.rest(() => this.ex.fetchMarkPrices());
      for (const t of Object.values(r)) {
        const id = t.symbol === undefined ? undefined : this.bySymbol.get(t.symbol);
        if (id !== undefined) out.push({ id, price: Number(t.markPrice ?? NaN), venueMs: Number(t.timestamp ?? NaN) });
      }
    } else {
      const r = await this.rest(() => this.ex.fetchLastPrices());
      for (const t of Object.values(r)) {
        const id = t.symbol === undefined ? undefined : this.bySymbol.get(t.symbol);
        if (id !== undefined) out.push({ id, price: Number(t.price ?? NaN), venueMs: Number(t.timestamp ?? NaN) });
      }
    }
    return out;
  }

  /**
   * Subscribes (or re-subscribes) to the price stream of `ids` and resolves at the next update; rejects
   * when the connection fails or drops. Updates reach `onStreamPrice` as they arrive, whoever awaits.
   */
  async watch(ids: readonly string[], source: PriceSource): Promise<void> {
    this.source = source;
    const symbols = ids.map((id) => this.byId.get(id)).filter((s): s is string => s !== undefined);
    if (source === 'mark') await this.ex.watchMarkPrices(symbols);
    else await this.ex.watchTickers(symbols);
  }

  /** Runs a REST call; a 429/418 becomes VenueRateLimited carrying the Retry-After it asked for. */
  private async rest<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (e instanceof ccxt.DDoSProtection) {
        const h = this.ex.last_response_headers ?? {};
        const ra = Number(h['Retry-After'] ?? h['retry-after'] ?? NaN);
        const status = /\b418\b/.test(e.message) ? 418 : 429;
        throw new VenueRateLimited(status, ra >= 0 ? ra * 1000 : DEFAULT_RETRY_AFTER_MS, e.message.slice(0, 200));
      }
      throw e;
    }
  }

  /** Closes the streams. */
  async close(): Promise<void> {
    await this.ex.close().catch(() => undefined);
  }
}

/** True for ccxt errors that mean "could not reach the venue" (retry later), as opposed to a bad reply. */
export function isNetworkError(e: unknown): boolean {
  return e instanceof ccxt.NetworkError;
}
