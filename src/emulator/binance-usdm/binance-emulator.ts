/**
 * An EMULATED Binance USDT-M venue on 127.0.0.1 for tests, benches and demos without the internet:
 * public REST and WebSocket market data in the exchange's documented formats, prices from the
 * generator's market model, and injectable faults (socket drops, silent or delisted symbols, HTTP
 * 429/418 with Retry-After, a skewed clock, malformed stream payloads); a signed trading account for the
 * order mirror (emulator-account.ts: orders, positions, fees, order faults). It is not Binance.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorBody, exchangeInfo, premiumIndex, ticker24hr, tickerPrice } from './binance-payloads.js';
import { ACCOUNT_PATHS, EmulatorAccount, type AccountReply, type AccountStats, type EmulatorAccountOptions, type OrderFault } from './emulator-account.js';
import { EmulatorMarket, type EmulatorMarketOptions } from './emulator-market.js';
import { WsHub, type WsHubStats } from './ws-hub.js';

/** Public market-data endpoints the emulator serves (everything else answers 404 or 401). */
export const PUBLIC_PATHS = [
  '/fapi/v1/ping',
  '/fapi/v1/time',
  '/fapi/v1/exchangeInfo',
  '/fapi/v1/ticker/24hr',
  '/fapi/v1/ticker/price',
  '/fapi/v2/ticker/price',
  '/fapi/v1/premiumIndex',
] as const;

/** Options of the emulator. */
export interface BinanceEmulatorOptions extends EmulatorMarketOptions {
  /** Port on 127.0.0.1 (0: any free port). */
  readonly port?: number;
  /** Venue clock offset in ms (serverTime and event times), e.g. 7000 for a clock 7 s ahead. */
  readonly skewMs?: number;
  /** The trading account behind the signed order endpoints (test key pair by default). */
  readonly account?: EmulatorAccountOptions;
}

/** Counters of the emulator (GET /__emulator/stats). */
export interface EmulatorStats {
  readonly ticks: number;
  readonly requests: Readonly<Record<string, number>>;
  /** Requests outside the public market-data endpoints, or carrying an API key or a signature. */
  readonly privateRequests: number;
  readonly rateLimited: number;
  /** Requests that arrived while a Retry-After was still running (answered 418). */
  readonly retryAfterViolations: number;
  readonly ws: WsHubStats;
  readonly account: AccountStats;
}

/** A running emulator. */
export interface BinanceEmulator {
  /** http://127.0.0.1:PORT (REST root; pass as `dolphin scan --venue-url`). */
  readonly url: string;
  /** ws://127.0.0.1:PORT/ws (stream root). */
  readonly wsUrl: string;
  readonly port: number;
  readonly market: EmulatorMarket;
  readonly hub: WsHub;
  /** The emulated trading account (orders, positions). */
  readonly account: EmulatorAccount;
  stats(): EmulatorStats;
  /** Faults for the next order POSTs, in order (see OrderFault). */
  orderFault(...faults: OrderFault[]): void;
  /** Drops every stream connection now and refuses new ones for `refuseMs`. */
  dropSockets(refuseMs?: number): void;
  /** The symbol stops updating (streams and REST keep its last price). */
  silence(symbol: string): void;
  /** The symbol is delisted: status SETTLING, no more updates, gone from ticker lists. */
  delist(symbol: string): void;
  /** The next `count` REST requests answer `status` (429 or 418) with Retry-After: `retryAfterS`. */
  rateLimit(status: 429 | 418, retryAfterS: number, count?: number): void;
  /** Sets the venue clock offset in ms. */
  skew(ms: number): void;
  /** The next `count` stream messages are malformed. */
  malformed(count: number): void;
  close(): Promise<void>;
}

/** Starts the emulator; ticks are aligned to multiples of tickMs on the local clock. */
export async function startBinanceEmulator(o: BinanceEmulatorOptions = {}): Promise<BinanceEmulator> {
  const market = new EmulatorMarket(o);
  const hub = new WsHub(market);
  const account = new EmulatorAccount(market, o.account);
  let skewMs = o.skewMs ?? 0;
  const venueNow = (): number => Date.now() + skewMs;
  const requests: Record<string, number> = {};
  let privateRequests = 0;
  let rateLimited = 0;
  let violations = 0;
  let limitPending = 0;
  let limitStatus: 429 | 418 = 429;
  let limitRetryS = 1;
  let bannedUntil = 0;

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };

  const control = (url: URL, res: ServerResponse): void => {
    const q = url.searchParams;
    const sym = q.get('symbol') ?? '';
    switch (url.pathname) {
      case '/__emulator/stats':
        return send(res, 200, JSON.stringify(api.stats()));
      case '/__emulator/drop-sockets':
        api.dropSockets(Number(q.get('refuseMs') ?? 0));
        break;
      case '/__emulator/silence':
        api.silence(sym);
        break;
      case '/__emulator/delist':
        api.delist(sym);
        break;
      case '/__emulator/rate-limit':
        api.rateLimit(q.get('status') === '418' ? 418 : 429, Number(q.get('retryAfter') ?? 1), Number(q.get('count') ?? 1));
        break;
      case '/__emulator/skew':
        api.skew(Number(q.get('ms') ?? 0));
        break;
      case '/__emulator/malformed':
        api.malformed(Number(q.get('count') ?? 1));
        break;
      case '/__emulator/order-fault': {
        const kind = q.get('kind');
        const f: OrderFault | null =
          kind === 'timeout' ? { kind, holdMs: Number(q.get('holdMs') ?? 15000) }
          : kind === '5xx' ? { kind, status: Number(q.get('status') ?? 503), accepted: q.get('accepted') === 'true' }
          : kind === 'rate-limit' ? { kind, retryAfterS: Number(q.get('retryAfter') ?? 1) }
          : kind === 'reject' ? { kind, code: Number(q.get('code')) as -2019 }
          : kind === 'partial' ? { kind, fraction: Number(q.get('fraction') ?? 0.5) }
          : null;
        if (f === null) return send(res, 400, JSON.stringify({ error: 'kind must be timeout, 5xx, rate-limit, reject or partial' }));
        for (let i = Number(q.get('count') ?? 1); i > 0; i--) api.orderFault(f);
        break;
      }
      case '/__emulator/price':
        if (!market.setPrice(sym, Number(q.get('price')))) return send(res, 400, JSON.stringify({ error: 'unknown symbol or bad price' }));
        break;
      default:
        return send(res, 404, JSON.stringify({ error: `unknown control ${url.pathname}` }));
    }
    send(res, 200, '{"ok":true}');
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/__emulator/')) return control(url, res);
    const path = url.pathname;
    requests[path] = (requests[path] ?? 0) + 1;
    const isPublic = (PUBLIC_PATHS as readonly string[]).includes(path);
    if (!isPublic || req.headers['x-mbx-apikey'] !== undefined || url.searchParams.has('signature')) privateRequests++;
    const now = Date.now();
    if (now < bannedUntil) {
      violations++;
      const left = Math.ceil((bannedUntil - now) / 1000);
      bannedUntil = now + left * 1000; // a request during the wait extends the ban, as the venue does
      return send(res, 418, errorBody(-1003, `Way too many requests; IP(127.0.0.1) banned until ${venueNow() + left * 1000}. Please use the websocket for live updates to avoid bans.`), { 'Retry-After': String(left) });
    }
    if (limitPending > 0) {
      limitPending--;
      rateLimited++;
      bannedUntil = now + limitRetryS * 1000;
      const msg = limitStatus === 429 ? 'Too many requests; current limit of IP(127.0.0.1) is 2400 requests per minute. Please use the websocket for live updates to avoid polling the API.' : `Way too many requests; IP(127.0.0.1) banned until ${venueNow() + limitRetryS * 1000}. Please use the websocket for live updates to avoid bans.`;
      return send(res, limitStatus, errorBody(-1003, msg), { 'Retry-After': String(limitRetryS) });
    }
    if ((ACCOUNT_PATHS as readonly string[]).includes(path)) return void signed(req, res, url, path);
    if (!isPublic) return send(res, path.startsWith('/fapi/') ? 401 : 404, errorBody(path.startsWith('/fapi/') ? -2014 : -1000, path.startsWith('/fapi/') ? 'API-key format invalid. (emulator: public market data only)' : `emulator: unknown path ${path}`));
    const vnow = venueNow();
    const symbol = url.searchParams.get('symbol');
    const listed = market.contracts.filter((c) => c.status === 'TRADING');
    const pick = <T>(f: (c: (typeof listed)[number]) => T): string => {
      if (symbol !== null) {
        const c = listed.find((x) => x.symbol === symbol);
        return c === undefined ? '' : JSON.stringify(f(c));
      }
      return JSON.stringify(listed.map(f));
    };
    let body: string;
    switch (path) {
      case '/fapi/v1/ping':
        body = '{}';
        break;
      case '/fapi/v1/time':
        body = JSON.stringify({ serverTime: vnow });
        break;
      case '/fapi/v1/exchangeInfo':
        body = JSON.stringify(exchangeInfo(market.contracts, vnow));
        break;
      case '/fapi/v1/ticker/24hr':
        body = pick((c) => ticker24hr(c, vnow));
        break;
      case '/fapi/v1/premiumIndex':
        body = pick((c) => premiumIndex(c, vnow));
        break;
      default:
        body = pick((c) => tickerPrice(c));
    }
    if (body === '') return send(res, 400, errorBody(-1121, 'Invalid symbol.'));
    send(res, 200, body);
  };

  /** A signed account request: the form body (POST) or the query (GET) is checked and handled. */
  const signed = async (req: IncomingMessage, res: ServerResponse, url: URL, path: string): Promise<void> => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const params = req.method === 'POST' ? body : url.search.replace(/^\?/, '');
    const key = req.headers['x-mbx-apikey'];
    const r: AccountReply = account.handle(req.method ?? 'GET', path, params, typeof key === 'string' ? key : undefined, venueNow());
    if (r.status === 429) {
      rateLimited++;
      bannedUntil = Date.now() + Number(r.headers?.['Retry-After'] ?? 1) * 1000;
    }
    if (r.holdMs !== undefined) {
      const t = setTimeout(() => req.socket.destroy(), r.holdMs);
      req.socket.once('close', () => clearTimeout(t));
      return;
    }
    send(res, r.status, r.body, r.headers);
  };

  const server: Server = createServer(handle);
  server.on('upgrade', (req, socket, head) => {
    if (!hub.upgrade(req, socket, head, Date.now())) socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  // Ticks on multiples of tickMs (local clock), so a tick never straddles a scanner boundary.
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const schedule = (): void => {
    if (closed) return;
    const t = market.tickMs;
    timer = setTimeout(tick, t - (Date.now() % t));
  };
  const tick = (): void => {
    const vnow = venueNow();
    const changed = market.step(vnow);
    const sec = Math.floor(Date.now() / 1000);
    const markDue = sec !== lastMarkSec;
    if (markDue) lastMarkSec = sec;
    hub.publish(changed, vnow, markDue, markDue && sec % 3 === 0);
    schedule();
  };
  let lastMarkSec = 0;
  schedule();

  const api: BinanceEmulator = {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    market,
    hub,
    account,
    stats: () => ({ ticks: market.ticks, requests: { ...requests }, privateRequests, rateLimited, retryAfterViolations: violations, ws: hub.stats(), account: account.stats() }),
    orderFault: (...faults) => account.inject(...faults),
    dropSockets: (refuseMs = 0) => hub.dropAll(Date.now(), refuseMs),
    silence: (symbol) => {
      const c = market.bySymbol.get(symbol);
      if (c) c.silent = true;
    },
    delist: (symbol) => {
      const c = market.bySymbol.get(symbol);
      if (c) c.status = 'SETTLING';
    },
    rateLimit: (status, retryAfterS, count = 1) => {
      limitStatus = status;
      limitRetryS = retryAfterS;
      limitPending += count;
    },
    skew: (ms) => {
      skewMs = ms;
    },
    malformed: (count) => hub.injectMalformed(count),
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}
