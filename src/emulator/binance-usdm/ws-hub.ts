/**
 * WebSocket market streams of the emulated venue, in Binance USDT-M's two forms: raw streams
 * (`/ws`, `/market/ws[/N]`, `/ws/<stream>`; live SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS) and
 * combined streams (`/stream?streams=a/b`, payloads wrapped as `{"stream":..,"data":..}`).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { markPriceEvent, miniTickerEvent, tickerEvent } from './binance-payloads.js';
import type { EmulatedContract, EmulatorMarket } from './emulator-market.js';

interface Conn {
  readonly ws: WebSocket;
  readonly streams: Set<string>;
  readonly combined: boolean;
}

/** Malformed messages the hub can inject, in turn. */
export const MALFORMED_KINDS = ['not-json', 'price-not-a-number', 'negative-price', 'missing-symbol', 'unknown-symbol', 'bare-array'] as const;

/** Counters of the hub. */
export interface WsHubStats {
  readonly connections: number;
  readonly openConnections: number;
  readonly messagesSent: number;
  readonly subscribeRequests: number;
  readonly refusedUpgrades: number;
  readonly malformedSent: number;
  readonly drops: number;
}

const streamKey = (name: string): string => {
  const at = name.indexOf('@');
  // symbol streams are keyed by the upper-case symbol; all-market streams (!miniTicker@arr) as given
  return at < 0 || name.startsWith('!') ? name : `${name.slice(0, at).toUpperCase()}${name.slice(at)}`;
};

/** Subscriptions and pushes of the emulated market streams. */
export class WsHub {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns = new Set<Conn>();
  private connections = 0;
  private messagesSent = 0;
  private subscribeRequests = 0;
  private refusedUpgrades = 0;
  private malformedSent = 0;
  private drops = 0;
  private refuseUntilMs = 0;
  private malformedPending = 0;
  private malformedNext = 0;
  /** performance.now() when the last tick's push began (before its first send), for latency benches. */
  lastPushAt = 0;

  constructor(private readonly market: EmulatorMarket) {}

  stats(): WsHubStats {
    return {
      connections: this.connections,
      openConnections: this.conns.size,
      messagesSent: this.messagesSent,
      subscribeRequests: this.subscribeRequests,
      refusedUpgrades: this.refusedUpgrades,
      malformedSent: this.malformedSent,
      drops: this.drops,
    };
  }

  /** Handles an HTTP upgrade on a stream path; false when the path is not a stream endpoint. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, nowMs: number): boolean {
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter(Boolean);
    const wsAt = parts.indexOf('ws');
    const streamAt = parts.indexOf('stream');
    if (wsAt < 0 && streamAt < 0) return false;
    if (nowMs < this.refuseUntilMs) {
      this.refusedUpgrades++;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return true;
    }
    const combined = streamAt >= 0 && (wsAt < 0 || streamAt < wsAt);
    const initial = combined
      ? (url.searchParams.get('streams') ?? '').split('/').filter(Boolean)
      : parts.slice(wsAt + 1).filter((p) => p.includes('@') || p.startsWith('!'));
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { ws, streams: new Set(initial.map(streamKey)), combined };
      this.conns.add(conn);
      this.connections++;
      ws.on('message', (data) => this.onMessage(conn, data.toString()));
      ws.on('close', () => this.conns.delete(conn));
      ws.on('error', () => this.conns.delete(conn));
    });
    return true;
  }

  private onMessage(conn: Conn, text: string): void {
    let req: { method?: unknown; params?: unknown; id?: unknown };
    try {
      req = JSON.parse(text) as typeof req;
    } catch {
      conn.ws.send(JSON.stringify({ error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' } }));
      return;
    }
    const id = req.id ?? null;
    const params = Array.isArray(req.params) ? req.params.filter((p): p is string => typeof p === 'string') : [];
    if (req.method === 'SUBSCRIBE') {
      this.subscribeRequests++;
      for (const p of params) conn.streams.add(streamKey(p));
      conn.ws.send(JSON.stringify({ result: null, id }));
    } else if (req.method === 'UNSUBSCRIBE') {
      for (const p of params) conn.streams.delete(streamKey(p));
      conn.ws.send(JSON.stringify({ result: null, id }));
    } else if (req.method === 'LIST_SUBSCRIPTIONS') {
      conn.ws.send(JSON.stringify({ result: [...conn.streams], id }));
    } else {
      conn.ws.send(JSON.stringify({ error: { code: 2, msg: `Invalid request: unknown method ${String(req.method)}` }, id }));
    }
  }

  /** Closes every stream connection abruptly (as a network drop) and refuses new ones for `refuseMs`. */
  dropAll(nowMs: number, refuseMs = 0): void {
    this.refuseUntilMs = nowMs + refuseMs;
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
    this.drops++;
  }

  /** The next `count` pushed messages are malformed (kinds in turn, see MALFORMED_KINDS). */
  injectMalformed(count: number): void {
    this.malformedPending += count;
  }

  /** Pushes the events of one tick: tickers of the changed contracts; mark prices when due. */
  publish(changed: readonly EmulatedContract[], venueMs: number, mark1s: boolean, mark3s: boolean): void {
    if (this.conns.size === 0) return;
    this.lastPushAt = performance.now();
    const changedSet = new Set(changed.map((c) => c.symbol));
    const cache = new Map<string, string | null>();
    const live = this.market.contracts.filter((c) => this.market.live(c));
    const payload = (stream: string): string | null => {
      const hit = cache.get(stream);
      if (hit !== undefined) return hit;
      let data: unknown = null;
      const at = stream.indexOf('@');
      const sym = stream.slice(0, at);
      const kind = stream.slice(at + 1);
      if (sym === '!miniTicker' && kind === 'arr') data = changed.length ? changed.map((c) => miniTickerEvent(c, venueMs)) : null;
      else if (sym === '!ticker' && kind === 'arr') data = changed.length ? changed.map((c) => tickerEvent(c, venueMs)) : null;
      else if (sym === '!markPrice' && (kind === 'arr@1s' ? mark1s : kind === 'arr' ? mark3s : false)) data = live.map((c) => markPriceEvent(c, venueMs));
      else {
        const c = this.market.bySymbol.get(sym);
        if (c !== undefined && this.market.live(c)) {
          if (kind === 'miniTicker' && changedSet.has(sym)) data = miniTickerEvent(c, venueMs);
          else if (kind === 'ticker' && changedSet.has(sym)) data = tickerEvent(c, venueMs);
          else if ((kind === 'markPrice@1s' && mark1s) || (kind === 'markPrice' && mark3s)) data = markPriceEvent(c, venueMs);
        }
      }
      const text = data === null ? null : JSON.stringify(data);
      cache.set(stream, text);
      return text;
    };
    for (const conn of this.conns) {
      for (const stream of conn.streams) {
        const text = payload(stream);
        if (text === null) continue;
        const msg = this.malformedPending > 0 ? this.malformed(stream) : conn.combined ? `{"stream":${JSON.stringify(stream.toLowerCase().startsWith('!') ? stream : stream.replace(/^[^@]+/, (m) => m.toLowerCase()))},"data":${text}}` : text;
        conn.ws.send(msg);
        this.messagesSent++;
      }
    }
  }

  private malformed(stream: string): string {
    this.malformedPending--;
    this.malformedSent++;
    const kind = MALFORMED_KINDS[this.malformedNext++ % MALFORMED_KINDS.length];
    const sym = stream.slice(0, stream.indexOf('@'));
    const base = { e: '24hrMiniTicker', E: Date.now(), s: sym.startsWith('!') ? 'BTCUSDT' : sym, c: '1', o: '1', h: '1', l: '1', v: '1', q: '1' };
    switch (kind) {
      case 'not-json':
        return '{"e":"24hrMiniTicker","s":"BTCUSDT","c":';
      case 'price-not-a-number':
        return JSON.stringify({ ...base, c: 'abc' });
      case 'negative-price':
        return JSON.stringify({ ...base, c: '-5.0' });
      case 'missing-symbol':
        return JSON.stringify({ ...base, s: undefined });
      case 'unknown-symbol':
        return JSON.stringify({ ...base, s: 'NOPEUSDT' });
      default:
        return '[]';
    }
  }

  /** Closes every connection and the server. */
  close(): void {
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
    this.wss.close();
  }
}
