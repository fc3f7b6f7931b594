/**
 * The emulated venue speaks Binance USDT-M's documented forms. Invariants: REST payloads have the
 * documented fields (strings for numbers, ms times); combined streams wrap events as {stream, data};
 * raw streams answer SUBSCRIBE / LIST_SUBSCRIPTIONS; faults behave as documented (429 then 418 for an
 * early retry, delisted contracts leave the price lists); private paths are refused and counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBinanceEmulator, type BinanceEmulator } from '../../src/emulator/binance-usdm/binance-emulator.js';

let emu: BinanceEmulator;
beforeAll(async () => {
  emu = await startBinanceEmulator({ tickMs: 100, assets: 6, skewMs: 2500 });
});
afterAll(async () => {
  await emu.close();
});

const get = async (path: string): Promise<{ status: number; body: unknown; headers: Headers }> => {
  const r = await fetch(`${emu.url}${path}`);
  return { status: r.status, body: JSON.parse(await r.text()) as unknown, headers: r.headers };
};

function messages(url: string, count: number, send?: unknown): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const got: unknown[] = [];
    ws.on('open', () => send !== undefined && ws.send(JSON.stringify(send)));
    ws.on('message', (d) => {
      got.push(JSON.parse(d.toString()));
      if (got.length >= count) {
        ws.close();
        resolve(got);
      }
    });
    ws.on('error', reject);
  });
}

describe('binance emulator', () => {
  it('serves REST market data in the documented shapes, on a skewed clock', async () => {
    // the venue's time lies between the local clock before the request and after the answer, 2.5 s ahead
    const asked = Date.now();
    const t = await get('/fapi/v1/time');
    const answered = Date.now();
    const serverTime = (t.body as { serverTime: number }).serverTime;
    expect(serverTime).toBeGreaterThanOrEqual(asked + 2500);
    expect(serverTime).toBeLessThanOrEqual(answered + 2500);
    const info = (await get('/fapi/v1/exchangeInfo')).body as { symbols: { symbol: string; status: string; contractType: string; quoteAsset: string; filters: { filterType: string }[] }[] };
    expect(info.symbols.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT', 'DOGEUSDT', 'BTCUSDC', 'BTCUSDT_260626', 'OLDUSDT']);
    expect(info.symbols[0].filters.map((f) => f.filterType)).toContain('PRICE_FILTER');
    const price = (await get('/fapi/v2/ticker/price?symbol=ETHUSDT')).body as { symbol: string; price: string; time: number };
    expect(price.symbol).toBe('ETHUSDT');
    expect(typeof price.price).toBe('string');
    expect(Number(price.price)).toBeGreaterThan(0);
    const t24 = (await get('/fapi/v1/ticker/24hr')).body as { symbol: string; quoteVolume: string }[];
    expect(t24.some((x) => x.symbol === 'OLDUSDT')).toBe(false); // not trading
    const pi = (await get('/fapi/v1/premiumIndex?symbol=BTCUSDT')).body as { markPrice: string; nextFundingTime: number };
    expect(Number(pi.markPrice)).toBeGreaterThan(1000);
    expect((await get('/fapi/v1/ticker/price?symbol=NOPE')).status).toBe(400);
    const before = emu.stats().privateRequests;
    expect((await get('/fapi/v2/account')).status).toBe(401);
    expect(emu.stats().privateRequests).toBe(before + 1);
  });

  it('streams combined and raw forms', async () => {
    const subscribed = Date.now();
    const combined = await messages(`${emu.url.replace('http', 'ws')}/stream?streams=btcusdt@miniTicker/ethusdt@markPrice@1s`, 4);
    const streams = new Set(combined.map((m) => (m as { stream: string }).stream));
    expect([...streams].every((s) => s === 'btcusdt@miniTicker' || s === 'ethusdt@markPrice@1s')).toBe(true);
    const mini = combined.find((m) => (m as { stream: string }).stream === 'btcusdt@miniTicker') as { data: { e: string; s: string; c: string; E: number } };
    expect(mini.data.e).toBe('24hrMiniTicker');
    expect(mini.data.s).toBe('BTCUSDT');
    // event time on the venue's clock (2.5 s ahead), stamped between the subscription and now
    expect(mini.data.E).toBeGreaterThanOrEqual(subscribed + 2500);
    expect(mini.data.E).toBeLessThanOrEqual(Date.now() + 2500);
    const raw = await messages(`${emu.wsUrl}`, 3, { method: 'SUBSCRIBE', params: ['!miniTicker@arr'], id: 7 });
    expect(raw[0]).toEqual({ result: null, id: 7 });
    expect(Array.isArray(raw[1])).toBe(true);
    expect((raw[1] as { e: string }[])[0].e).toBe('24hrMiniTicker');
  });

  it('rate limits with Retry-After; an early retry is banned (418); delisting leaves the lists', async () => {
    emu.rateLimit(429, 1, 1);
    const a = await get('/fapi/v2/ticker/price');
    expect(a.status).toBe(429);
    expect(a.headers.get('retry-after')).toBe('1');
    const b = await get('/fapi/v2/ticker/price');
    expect(b.status).toBe(418);
    expect(emu.stats().retryAfterViolations).toBe(1);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await get('/fapi/v2/ticker/price')).status).toBe(200);
    emu.delist('SOLUSDT');
    const list = (await get('/fapi/v2/ticker/price')).body as { symbol: string }[];
    expect(list.some((x) => x.symbol === 'SOLUSDT')).toBe(false);
    const info = (await get('/fapi/v1/exchangeInfo')).body as { symbols: { symbol: string; status: string }[] };
    expect(info.symbols.find((s) => s.symbol === 'SOLUSDT')?.status).toBe('SETTLING');
  });
});
