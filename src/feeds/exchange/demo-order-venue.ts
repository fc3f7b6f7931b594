/**
 * Orders on Binance USDT-M DEMO trading through ccxt's real client (`binanceusdm` with
 * `enableDemoTrading(true)`: https://demo-fapi.binance.com). Every request goes through a guard that
 * refuses any origin other than the demo venue's (or, for tests and development, a loopback URL given
 * in DOLPHIN_BINANCE_DEMO_URL): no live-money endpoint can be reached. The keys are never put in a
 * message: errors are redacted before they leave this module.
 */
import ccxt from 'ccxt';
import type { RejectReason } from '../../core/execution-stats.js';
import { DEMO_FAPI_ORIGIN, demoOrigin } from './demo-venue-env.js';

export { DEMO_FAPI_ORIGIN, DEMO_KEY_ENV, DEMO_SECRET_ENV, DEMO_URL_ENV, demoOrigin } from './demo-venue-env.js';

/** Options of the demo order venue. */
export interface DemoOrderVenueOptions {
  readonly apiKey: string;
  readonly secret: string;
  /** A loopback REST root replacing the demo venue (DOLPHIN_BINANCE_DEMO_URL); anything else is refused. */
  readonly overrideUrl?: string;
  /** Per-request timeout, ms. */
  readonly timeoutMs?: number;
}

/** An order as the venue reports it. */
export interface VenueOrder {
  readonly orderId: string;
  readonly clientId: string;
  /** The venue's raw status: NEW, PARTIALLY_FILLED, FILLED, EXPIRED, CANCELED, REJECTED ... */
  readonly status: string;
  readonly avgPrice: number;
  readonly executedQty: number;
  readonly origQty: number;
}

/** What a failed request means for the mirror. */
export type VenueFailure =
  | { readonly kind: 'rejected'; readonly reason: RejectReason; readonly code: number | null; readonly message: string }
  | { readonly kind: 'rate-limit'; readonly retryAfterMs: number; readonly message: string }
  | { readonly kind: 'transient'; readonly message: string }
  | { readonly kind: 'duplicate'; readonly message: string }
  | { readonly kind: 'not-found'; readonly message: string };

/** ccxt's binanceusdm in demo mode, with every request checked against the one allowed origin. */
class GuardedBinanceUsdm extends ccxt.binanceusdm {
  allowedOrigin = DEMO_FAPI_ORIGIN;

  override async fetch(url: string, method?: string, headers?: unknown, body?: unknown): Promise<any> {
    let origin = '';
    try {
      origin = new URL(url).origin;
    } catch {
      // not a URL: refused below
    }
    if (origin !== this.allowedOrigin) throw new ccxt.PermissionDenied(`mirror: refused a request to ${origin || 'an invalid URL'} (only ${this.allowedOrigin} is allowed)`);
    return super.fetch(url, method, headers, body);
  }
}

const CODE_RE = /"code"\s*:\s*(-?\d+)/;

/** Binance error codes the mirror treats as a final rejection, by reason. */
const REJECT_CODES: Readonly<Record<string, RejectReason>> = {
  '-2019': 'margin',
  '-2018': 'margin',
  '-1111': 'precision',
  '-1013': 'precision',
  '-4003': 'precision',
  '-4005': 'precision',
  '-4164': 'min-notional',
  '-2022': 'reduce-only',
};

/** Orders, positions and fees on the demo venue. */
export class DemoOrderVenue {
  /** The REST origin used (the demo venue or the loopback override). */
  readonly origin: string;
  private readonly ex: GuardedBinanceUsdm;
  private readonly secrets: string[];
  private readonly symbolOf = new Map<string, string>();

  constructor(o: DemoOrderVenueOptions) {
    this.origin = demoOrigin(o.overrideUrl);
    this.secrets = [o.apiKey, o.secret].filter((s) => s.length >= 4);
    this.ex = new GuardedBinanceUsdm({
      apiKey: o.apiKey,
      secret: o.secret,
      enableRateLimit: true,
      timeout: o.timeoutMs ?? 10_000,
      // signed requests carry the venue's time: ccxt measures the offset when it loads the markets
      options: { defaultType: 'swap', fetchMarkets: { types: ['linear'] }, adjustForTimeDifference: true, warnOnFetchOpenOrdersWithoutSymbol: false },
    });
    this.ex.enableDemoTrading(true);
    this.ex.allowedOrigin = this.origin;
    if (this.origin !== DEMO_FAPI_ORIGIN) {
      const api = this.ex.urls['api'] as Record<string, unknown>;
      for (const [k, v] of Object.entries(api)) if (typeof v === 'string' && v.startsWith(DEMO_FAPI_ORIGIN)) api[k] = this.origin + v.slice(DEMO_FAPI_ORIGIN.length);
    }
  }

  /** host[:port] of the venue, for messages and the state. */
  get host(): string {
    return new URL(this.origin).host;
  }

  /** Loads the venue's USDT-M markets (GET /fapi/v1/exchangeInfo). */
  async load(): Promise<void> {
    if (this.origin.startsWith('http:')) await this.ex.loadHttpProxyAgent();
    const ms = await this.call(() => this.ex.loadMarkets(true));
    this.symbolOf.clear();
    for (const m of Object.values(ms)) if (m?.id !== undefined && m.symbol !== undefined && m.linear === true && m.swap === true) this.symbolOf.set(m.id, m.symbol);
  }

  /** True when the venue lists the asset (exchange id, e.g. BTCUSDT). */
  lists(asset: string): boolean {
    return this.symbolOf.has(asset);
  }

  /**
   * The quantity to send for `qty` of `asset` at about `price`, through ccxt's precision and the market's
   * limits; or the reason it cannot be sent (the order is then rejected without a request).
   */
  sendable(asset: string, qty: number, price: number, reduceOnly: boolean): { readonly qty: string } | { readonly reason: RejectReason; readonly message: string } {
    const symbol = this.symbolOf.get(asset);
    if (symbol === undefined) return { reason: 'other', message: `${asset} is not listed on the demo venue` };
    const m = this.ex.market(symbol);
    let q: string;
    try {
      q = String(this.ex.amountToPrecision(symbol, qty) ?? '');
    } catch (e) {
      return { reason: 'precision', message: `${asset}: quantity ${qty} is below the venue's step (${this.redact((e as Error).message).slice(0, 160)})` };
    }
    const minQty = m.limits?.amount?.min;
    if (!(Number(q) > 0) || (minQty !== undefined && Number(q) < minQty)) return { reason: 'precision', message: `${asset}: quantity ${q} is below the venue's minimum ${minQty ?? 'step'}` };
    const minCost = m.limits?.cost?.min;
    if (!reduceOnly && minCost !== undefined && Number(q) * price < minCost) return { reason: 'min-notional', message: `${asset}: notional ${(Number(q) * price).toFixed(2)} is below the venue's minimum ${minCost}` };
    return { qty: q };
  }

  /** Sends a market order with the given client order id (POST /fapi/v1/order, newOrderRespType RESULT). */
  async marketOrder(asset: string, side: 'SELL' | 'BUY', qty: string, clientId: string, reduceOnly: boolean): Promise<VenueOrder> {
    const symbol = this.need(asset);
    const params: Record<string, unknown> = { newClientOrderId: clientId, newOrderRespType: 'RESULT' };
    if (reduceOnly) params['reduceOnly'] = true;
    const o = await this.call(() => this.ex.createOrder(symbol, 'market', side === 'SELL' ? 'sell' : 'buy', Number(qty), undefined, params));
    return venueOrder(o.info, clientId);
  }

  /** The order with this client order id (GET /fapi/v1/order?origClientOrderId=...), or null when the venue has none. */
  async findOrder(asset: string, clientId: string): Promise<VenueOrder | null> {
    const symbol = this.need(asset);
    try {
      const o = await this.call(() => this.ex.fetchOrder('', symbol, { origClientOrderId: clientId }));
      return venueOrder(o.info, clientId);
    } catch (e) {
      const f = this.classify(e);
      if (f.kind === 'not-found') return null;
      throw e;
    }
  }

  /** Fees of an order's trades (GET /fapi/v1/userTrades?orderId=...), summed; null asset when none. */
  async orderFee(asset: string, orderId: string): Promise<{ readonly fee: number; readonly asset: string | null }> {
    const symbol = this.need(asset);
    const ts = await this.call(() => this.ex.fetchMyTrades(symbol, undefined, undefined, { orderId }));
    let fee = 0;
    let feeAsset: string | null = null;
    for (const t of ts) {
      fee += Number(t.fee?.cost ?? 0);
      feeAsset ??= t.fee?.currency ?? null;
    }
    return { fee, asset: feeAsset };
  }

  /** Open shorts by exchange id (GET /fapi/v3/positionRisk): -positionAmt, for the listed assets asked for. */
  async shorts(assets: readonly string[]): Promise<Map<string, number>> {
    const rows = (await this.call(() => (this.ex as unknown as { fapiPrivateV3GetPositionRisk(p: object): Promise<unknown> }).fapiPrivateV3GetPositionRisk({}))) as { symbol?: string; positionAmt?: string }[];
    const out = new Map<string, number>(assets.map((a) => [a, 0]));
    for (const r of Array.isArray(rows) ? rows : []) if (r.symbol !== undefined && out.has(r.symbol)) out.set(r.symbol, (out.get(r.symbol) ?? 0) - Number(r.positionAmt ?? 0));
    return out;
  }

  /** What a failed request means: a final rejection (by reason), a rate limit, an unknown outcome, or no such order. */
  classify(e: unknown): VenueFailure {
    const message = this.redact(e instanceof Error ? e.message : String(e)).slice(0, 300);
    const m = CODE_RE.exec(message);
    const code = m ? Number(m[1]) : null;
    if (e instanceof ccxt.DDoSProtection || code === -1003 || code === -1015) {
      const h = this.ex.last_response_headers ?? {};
      const ra = Number(h['Retry-After'] ?? h['retry-after'] ?? NaN);
      return { kind: 'rate-limit', retryAfterMs: ra >= 0 ? ra * 1000 : 5000, message };
    }
    if (code === -2013) return { kind: 'not-found', message };
    if (code === -4116) return { kind: 'duplicate', message };
    const reason = code === null ? undefined : REJECT_CODES[String(code)];
    if (reason !== undefined) return { kind: 'rejected', reason, code, message };
    if (e instanceof ccxt.PermissionDenied && /^mirror: refused/.test(message)) return { kind: 'rejected', reason: 'other', code: null, message };
    if (e instanceof ccxt.NetworkError || code === -1001 || code === -1000 || code === -1007 || code === -1006 || code === -1021) return { kind: 'transient', message };
    return { kind: 'rejected', reason: 'other', code, message };
  }

  /** Removes the key and the secret (and any signature) from a text. */
  redact(text: string): string {
    let t = text.replace(/signature=[0-9a-fA-F%]+/g, 'signature=<redacted>');
    for (const s of this.secrets) t = t.split(s).join('<redacted>');
    return t;
  }

  private need(asset: string): string {
    const s = this.symbolOf.get(asset);
    if (s === undefined) throw new ccxt.BadSymbol(`${asset} is not listed on the demo venue`);
    return s;
  }

  /**
   * Runs a request; the error that escapes carries a redacted message. After -1021 (the request's time
   * outside the venue's window) the clock offset is measured again, so the retry is signed right.
   */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof Error) {
        e.message = this.redact(e.message);
        if (CODE_RE.exec(e.message)?.[1] === '-1021') await this.ex.loadTimeDifference().catch(() => undefined);
      }
      throw e;
    }
  }
}

function venueOrder(info: unknown, clientId: string): VenueOrder {
  const r = (info ?? {}) as Record<string, unknown>;
  return {
    orderId: String(r['orderId'] ?? ''),
    clientId: String(r['clientOrderId'] ?? clientId),
    status: String(r['status'] ?? 'UNKNOWN'),
    avgPrice: Number(r['avgPrice'] ?? NaN),
    executedQty: Number(r['executedQty'] ?? 0),
    origQty: Number(r['origQty'] ?? NaN),
  };
}
