/**
 * The EMULATED venue's trading account (USDT-M, one-way mode): signed endpoints in Binance's documented
 * formats for what ccxt's binanceusdm calls when the order mirror trades (POST/GET /fapi/v1/order,
 * GET /fapi/v1/userTrades, GET /fapi/v2|v3/positionRisk, GET /fapi/v2|v3/balance), an HMAC-SHA256
 * signature and API-key check against a test key, market fills at the emulated last price, and
 * injectable order faults (a timeout after the order was accepted, HTTP 5xx before or after accepting,
 * rejections -2019/-1111/-4164, partial fills). It is not Binance.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { errorBody } from './binance-payloads.js';
import type { EmulatorMarket } from './emulator-market.js';

/** Signed endpoints the account serves. */
export const ACCOUNT_PATHS = ['/fapi/v1/order', '/fapi/v1/userTrades', '/fapi/v2/positionRisk', '/fapi/v3/positionRisk', '/fapi/v2/balance', '/fapi/v3/balance'] as const;

/** The test key pair the emulator accepts by default (never a real key). */
export const EMULATOR_API_KEY = 'emulator-test-key-0000000000000000000000000000000000000000000000';
export const EMULATOR_API_SECRET = 'emulator-test-secret-00000000000000000000000000000000000000000000';

/** A fault applied to the next order POST. */
export type OrderFault =
  /** The order is accepted and filled, but no answer comes for `holdMs` (then the connection is dropped). */
  | { readonly kind: 'timeout'; readonly holdMs: number }
  /** HTTP `status` with code -1001; `accepted`: the order was taken first (outcome unknown to the client). */
  | { readonly kind: '5xx'; readonly status?: number; readonly accepted?: boolean }
  /** HTTP 429 with Retry-After: `retryAfterS` (code -1003); the order is not taken. */
  | { readonly kind: 'rate-limit'; readonly retryAfterS: number }
  /** A rejection with the venue's code: -2019 margin, -1111 precision, -4164 minimum notional. */
  | { readonly kind: 'reject'; readonly code: -2019 | -1111 | -4164 }
  /** Only `fraction` of the quantity fills; the rest expires (status EXPIRED). */
  | { readonly kind: 'partial'; readonly fraction: number };

const REJECT_MSG: Readonly<Record<number, string>> = {
  [-2019]: 'Margin is insufficient.',
  [-1111]: 'Precision is over the maximum defined for this asset.',
  [-4164]: "Order's notional must be no smaller than 100 (unless you choose reduce only).",
};

/** Options of the account. */
export interface EmulatorAccountOptions {
  readonly apiKey?: string;
  readonly apiSecret?: string;
  /** Wallet balance in USDT (default 100,000). */
  readonly balance?: number;
  /** Leverage for the margin check (default 20). */
  readonly leverage?: number;
  /** Fill price worse than the last price by this many bps (default 2). */
  readonly fillSlipBps?: number;
  /** Taker fee rate (default 0.0005). */
  readonly takerFee?: number;
}

/** An order as stored. */
export interface EmulatedOrder {
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly origQty: number;
  readonly executedQty: number;
  readonly avgPrice: number;
  readonly status: 'FILLED' | 'EXPIRED';
  readonly reduceOnly: boolean;
  readonly fee: number;
  readonly time: number;
}

/** One HTTP answer. */
export interface AccountReply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
  /** Do not answer: drop the connection after this many ms (a timeout after acceptance). */
  readonly holdMs?: number;
}

/** Counters of the account (in the emulator's stats). */
export interface AccountStats {
  readonly orderPosts: number;
  /** POSTs per client order id (a value above 1 is a re-send). */
  readonly postsByClientId: Readonly<Record<string, number>>;
  readonly accepted: number;
  readonly badSignatures: number;
  readonly badKeys: number;
}

const STEP = 0.001;
const fmt = (x: number, d: number): string => x.toFixed(d);

/** The emulated account. */
export class EmulatorAccount {
  readonly orders = new Map<string, EmulatedOrder>();
  /** Signed position amount by symbol (negative: short). */
  readonly positions = new Map<string, { amt: number; entry: number }>();
  private readonly faults: OrderFault[] = [];
  private nextId = 1_000_001;
  private readonly key: string;
  private readonly secret: string;
  private readonly balance: number;
  private readonly leverage: number;
  private readonly slip: number;
  private readonly fee: number;
  private posts = 0;
  private readonly byClient: Record<string, number> = {};
  private badSig = 0;
  private badKey = 0;

  constructor(
    private readonly market: EmulatorMarket,
    o: EmulatorAccountOptions = {},
  ) {
    this.key = o.apiKey ?? EMULATOR_API_KEY;
    this.secret = o.apiSecret ?? EMULATOR_API_SECRET;
    this.balance = o.balance ?? 100_000;
    this.leverage = o.leverage ?? 20;
    this.slip = (o.fillSlipBps ?? 2) / 1e4;
    this.fee = o.takerFee ?? 0.0005;
  }

  /** Queues faults for the next order POSTs, in order. */
  inject(...faults: OrderFault[]): void {
    this.faults.push(...faults);
  }

  stats(): AccountStats {
    return { orderPosts: this.posts, postsByClientId: { ...this.byClient }, accepted: this.orders.size, badSignatures: this.badSig, badKeys: this.badKey };
  }

  /** Handles a signed request: `params` is the query (GET) or the form body (POST), as sent. */
  handle(method: string, path: string, params: string, apiKey: string | undefined, venueNow: number): AccountReply {
    if (apiKey === undefined || apiKey !== this.key) {
      this.badKey++;
      return { status: 401, body: errorBody(-2015, 'Invalid API-key, IP, or permissions for action.') };
    }
    const at = params.lastIndexOf('&signature=');
    const signed = at < 0 ? params : params.slice(0, at);
    const sig = at < 0 ? '' : params.slice(at + '&signature='.length);
    const want = createHmac('sha256', this.secret).update(signed).digest('hex');
    if (sig.length !== want.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(want))) {
      this.badSig++;
      return { status: 400, body: errorBody(-1022, 'Signature for this request is not valid.') };
    }
    const q = new URLSearchParams(signed);
    const ts = Number(q.get('timestamp'));
    const window = Number(q.get('recvWindow') ?? 5000);
    if (!(ts > 0) || ts > venueNow + 1000 || venueNow - ts > window) return { status: 400, body: errorBody(-1021, "Timestamp for this request is outside of the recvWindow.") };
    if (path === '/fapi/v1/order') return method === 'POST' ? this.post(q, venueNow) : this.get(q);
    if (path === '/fapi/v1/userTrades') return this.userTrades(q);
    if (path.endsWith('/positionRisk')) return this.positionRisk(q, venueNow);
    return this.balances(venueNow);
  }

  private post(q: URLSearchParams, now: number): AccountReply {
    this.posts++;
    const cid = q.get('newClientOrderId') ?? `emu-${this.nextId}`;
    this.byClient[cid] = (this.byClient[cid] ?? 0) + 1;
    const fault = this.faults.shift();
    if (fault?.kind === 'rate-limit') return { status: 429, body: errorBody(-1003, 'Too many requests; current limit of IP(127.0.0.1) is 2400 requests per minute.'), headers: { 'Retry-After': String(fault.retryAfterS) } };
    if (fault?.kind === '5xx' && !fault.accepted) return { status: fault.status ?? 503, body: errorBody(-1001, 'Internal error; unable to process your request. Please try again.') };
    if (fault?.kind === 'reject') return { status: 400, body: errorBody(fault.code, REJECT_MSG[fault.code] as string) };
    if (!/^[.A-Z:/a-z0-9_-]{1,36}$/.test(cid)) return { status: 400, body: errorBody(-1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.") };
    if (this.orders.has(cid)) return { status: 400, body: errorBody(-4116, 'ClientOrderId is duplicated.') };
    const symbol = q.get('symbol') ?? '';
    const c = this.market.bySymbol.get(symbol);
    if (c === undefined || c.status !== 'TRADING') return { status: 400, body: errorBody(-1121, 'Invalid symbol.') };
    if (q.get('type') !== 'MARKET') return { status: 400, body: errorBody(-1116, 'Invalid orderType.') };
    const side = q.get('side') === 'BUY' ? 'BUY' : 'SELL';
    const qty = Number(q.get('quantity'));
    const steps = qty / STEP;
    if (!(qty > 0) || Math.abs(steps - Math.round(steps)) > 1e-6) return { status: 400, body: errorBody(-1111, REJECT_MSG[-1111] as string) };
    const reduceOnly = q.get('reduceOnly') === 'true';
    const pos = this.positions.get(symbol) ?? { amt: 0, entry: 0 };
    if (reduceOnly && (side === 'BUY' ? -pos.amt : pos.amt) < qty - 1e-9) return { status: 400, body: errorBody(-2022, 'ReduceOnly Order is rejected.') };
    if (!reduceOnly && qty * c.last < 100) return { status: 400, body: errorBody(-4164, REJECT_MSG[-4164] as string) };
    if (!reduceOnly && (this.usedMargin() + (qty * c.last) / this.leverage > this.balance)) return { status: 400, body: errorBody(-2019, REJECT_MSG[-2019] as string) };
    const filled = fault?.kind === 'partial' ? Math.floor((qty * fault.fraction) / STEP + 1e-9) * STEP : qty;
    const price = Number(fmt(side === 'SELL' ? c.last * (1 - this.slip) : c.last * (1 + this.slip), c.pricePrecision));
    const o: EmulatedOrder = {
      orderId: this.nextId++,
      clientOrderId: cid,
      symbol,
      side,
      origQty: qty,
      executedQty: Number(fmt(filled, 3)),
      avgPrice: price,
      status: filled < qty ? 'EXPIRED' : 'FILLED',
      reduceOnly,
      fee: filled * price * this.fee,
      time: now,
    };
    this.orders.set(cid, o);
    const signedQty = side === 'SELL' ? -o.executedQty : o.executedQty;
    const amt = pos.amt + signedQty;
    const entry = Math.abs(amt) < 1e-12 ? 0 : Math.sign(amt) === Math.sign(pos.amt) && Math.abs(amt) < Math.abs(pos.amt) ? pos.entry : (Math.abs(pos.amt) * pos.entry + o.executedQty * price) / Math.abs(amt);
    this.positions.set(symbol, { amt: Number(fmt(amt, 3)), entry });
    const body = JSON.stringify(this.orderJson(o, c.pricePrecision));
    if (fault?.kind === 'timeout') return { status: 200, body, holdMs: fault.holdMs };
    if (fault?.kind === '5xx') return { status: fault.status ?? 503, body: errorBody(-1001, 'Internal error; unable to process your request. Please try again.') };
    return { status: 200, body };
  }

  private get(q: URLSearchParams): AccountReply {
    const cid = q.get('origClientOrderId');
    const id = q.get('orderId');
    const o = cid !== null ? this.orders.get(cid) : [...this.orders.values()].find((x) => String(x.orderId) === id);
    if (o === undefined || o.symbol !== q.get('symbol')) return { status: 400, body: errorBody(-2013, 'Order does not exist.') };
    return { status: 200, body: JSON.stringify(this.orderJson(o, this.market.bySymbol.get(o.symbol)?.pricePrecision ?? 4)) };
  }

  private userTrades(q: URLSearchParams): AccountReply {
    const symbol = q.get('symbol');
    const id = q.get('orderId');
    const rows = [...this.orders.values()]
      .filter((o) => o.symbol === symbol && (id === null || String(o.orderId) === id) && o.executedQty > 0)
      .map((o) => ({
        buyer: o.side === 'BUY',
        commission: fmt(o.fee, 8),
        commissionAsset: 'USDT',
        id: o.orderId * 10,
        maker: false,
        orderId: o.orderId,
        price: String(o.avgPrice),
        qty: fmt(o.executedQty, 3),
        quoteQty: fmt(o.executedQty * o.avgPrice, 8),
        realizedPnl: '0',
        side: o.side,
        positionSide: 'BOTH',
        symbol: o.symbol,
        time: o.time,
      }));
    return { status: 200, body: JSON.stringify(rows) };
  }

  private positionRisk(q: URLSearchParams, now: number): AccountReply {
    const only = q.get('symbol');
    const rows = [...this.positions.entries()]
      .filter(([s, p]) => (only === null || s === only) && p.amt !== 0)
      .map(([s, p]) => {
        const c = this.market.bySymbol.get(s);
        const mark = c?.mark ?? p.entry;
        return { symbol: s, positionSide: 'BOTH', positionAmt: fmt(p.amt, 3), entryPrice: String(p.entry), breakEvenPrice: String(p.entry), markPrice: String(mark), unRealizedProfit: fmt(p.amt * (mark - p.entry), 8), liquidationPrice: '0', isolatedMargin: '0', notional: fmt(p.amt * mark, 8), marginAsset: 'USDT', isolatedWallet: '0', initialMargin: fmt((Math.abs(p.amt) * mark) / this.leverage, 8), maintMargin: '0', positionInitialMargin: '0', openOrderInitialMargin: '0', adl: 0, bidNotional: '0', askNotional: '0', updateTime: now };
      });
    return { status: 200, body: JSON.stringify(rows) };
  }

  private balances(now: number): AccountReply {
    const used = this.usedMargin();
    return { status: 200, body: JSON.stringify([{ accountAlias: 'emulator', asset: 'USDT', balance: fmt(this.balance, 8), crossWalletBalance: fmt(this.balance, 8), crossUnPnl: '0', availableBalance: fmt(this.balance - used, 8), maxWithdrawAmount: fmt(this.balance - used, 8), marginAvailable: true, updateTime: now }]) };
  }

  private usedMargin(): number {
    let m = 0;
    for (const [s, p] of this.positions) m += (Math.abs(p.amt) * (this.market.bySymbol.get(s)?.last ?? p.entry)) / this.leverage;
    return m;
  }

  private orderJson(o: EmulatedOrder, d: number): unknown {
    return {
      orderId: o.orderId,
      symbol: o.symbol,
      status: o.status,
      clientOrderId: o.clientOrderId,
      price: '0',
      avgPrice: fmt(o.avgPrice, d),
      origQty: fmt(o.origQty, 3),
      executedQty: fmt(o.executedQty, 3),
      cumQuote: fmt(o.executedQty * o.avgPrice, 8),
      timeInForce: 'GTC',
      type: 'MARKET',
      reduceOnly: o.reduceOnly,
      closePosition: false,
      side: o.side,
      positionSide: 'BOTH',
      stopPrice: '0',
      workingType: 'CONTRACT_PRICE',
      priceProtect: false,
      origType: 'MARKET',
      priceMatch: 'NONE',
      selfTradePreventionMode: 'EXPIRE_MAKER',
      goodTillDate: 0,
      time: o.time,
      updateTime: o.time,
    };
  }
}
