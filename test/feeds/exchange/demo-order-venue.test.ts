/**
 * The demo order venue (ccxt's real binanceusdm in demo mode) against the emulated venue's signed
 * account: orders by client id, lookup by client id, fees, positions, the venue's rejection codes and
 * transient failures classified, and the origin guard (loopback override only; any other origin refused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBinanceEmulator, type BinanceEmulator } from '../../../src/emulator/binance-usdm/binance-emulator.js';
import { EMULATOR_API_KEY, EMULATOR_API_SECRET } from '../../../src/emulator/binance-usdm/emulator-account.js';
import { DEMO_FAPI_ORIGIN, DemoOrderVenue, demoOrigin } from '../../../src/feeds/exchange/demo-order-venue.js';

let emu: BinanceEmulator;
let venue: DemoOrderVenue;
beforeAll(async () => {
  emu = await startBinanceEmulator({ assets: 4, extra: [{ symbol: 'A00USDT', price: 100 }], account: { fillSlipBps: 2 } });
  // the client timeout must outlast a normal order on a loaded machine (the venue runs in this process):
  // only the held answer of the timeout fault may run into it
  venue = new DemoOrderVenue({ apiKey: EMULATOR_API_KEY, secret: EMULATOR_API_SECRET, overrideUrl: emu.url, timeoutMs: 2000 });
  await venue.load();
});
afterAll(async () => emu?.close());

describe('DemoOrderVenue against the emulated account', () => {
  it('sends a market order by client id, finds it by that id, and reads its fee and the position', async () => {
    expect(venue.lists('A00USDT')).toBe(true);
    const s = venue.sendable('A00USDT', 3.14159, 100, false);
    expect(s).toEqual({ qty: '3.141' });
    const o = await venue.marketOrder('A00USDT', 'SELL', '3.141', 'dtest-1-o', false);
    expect(o).toMatchObject({ clientId: 'dtest-1-o', status: 'FILLED', executedQty: 3.141, avgPrice: 99.98 });
    expect(await venue.findOrder('A00USDT', 'dtest-1-o')).toEqual(o);
    expect(await venue.findOrder('A00USDT', 'dtest-404-o')).toBeNull();
    const fee = await venue.orderFee('A00USDT', o.orderId);
    expect(fee.fee).toBeCloseTo(3.141 * 99.98 * 0.0005, 8);
    expect(fee.asset).toBe('USDT');
    expect((await venue.shorts(['A00USDT', 'BTCUSDT'])).get('A00USDT')).toBeCloseTo(3.141, 9);
    const c = await venue.marketOrder('A00USDT', 'BUY', '3.141', 'dtest-1-c', true);
    expect(c.status).toBe('FILLED');
    expect((await venue.shorts(['A00USDT'])).get('A00USDT')).toBe(0);
    expect(emu.stats().account.badSignatures).toBe(0);
  });

  it('refuses locally what the market limits forbid (step, minimum notional)', () => {
    expect(venue.sendable('A00USDT', 0.0004, 100, false)).toMatchObject({ reason: 'precision' });
    expect(venue.sendable('A00USDT', 0.5, 100, false)).toMatchObject({ reason: 'min-notional' });
    expect(venue.sendable('A00USDT', 0.5, 100, true)).toEqual({ qty: '0.5' });
  });

  it('classifies the venue rejections, 5xx, 429 with Retry-After, a duplicate id and a timeout', async () => {
    const fail = async (id: string): Promise<ReturnType<DemoOrderVenue['classify']>> => {
      try {
        await venue.marketOrder('A00USDT', 'SELL', '2', id, false);
      } catch (e) {
        return venue.classify(e);
      }
      throw new Error('the order did not fail');
    };
    emu.orderFault({ kind: 'reject', code: -2019 }, { kind: 'reject', code: -1111 }, { kind: 'reject', code: -4164 }, { kind: '5xx' }, { kind: 'rate-limit', retryAfterS: 1 });
    expect(await fail('dtest-2-o')).toMatchObject({ kind: 'rejected', reason: 'margin', code: -2019 });
    expect(await fail('dtest-3-o')).toMatchObject({ kind: 'rejected', reason: 'precision', code: -1111 });
    expect(await fail('dtest-4-o')).toMatchObject({ kind: 'rejected', reason: 'min-notional', code: -4164 });
    expect(await fail('dtest-5-o')).toMatchObject({ kind: 'transient' });
    expect(await fail('dtest-6-o')).toMatchObject({ kind: 'rate-limit', retryAfterMs: 1000 });
    await new Promise((r) => setTimeout(r, 1100));
    await venue.marketOrder('A00USDT', 'SELL', '2', 'dtest-7-o', false);
    expect(await fail('dtest-7-o')).toMatchObject({ kind: 'duplicate' });
    emu.orderFault({ kind: 'timeout', holdMs: 30_000 });
    const t = await fail('dtest-8-o');
    expect(t).toMatchObject({ kind: 'transient' });
    // the venue took it although the client timed out: found by its client id
    expect(await venue.findOrder('A00USDT', 'dtest-8-o')).toMatchObject({ status: 'FILLED', executedQty: 2 });
  });

  it("follows the venue's clock: a request outside its time window is transient and the retry is signed right", async () => {
    emu.skew(-3000); // the venue 3 s behind: requests signed with this clock come "from the future"
    let first: ReturnType<DemoOrderVenue['classify']> | null = null;
    try {
      await venue.marketOrder('A00USDT', 'SELL', '2', 'dtest-10-o', false);
    } catch (e) {
      first = venue.classify(e);
    }
    expect(first).toMatchObject({ kind: 'transient' });
    expect(first?.message).toContain('-1021');
    expect(await venue.marketOrder('A00USDT', 'SELL', '2', 'dtest-11-o', false)).toMatchObject({ status: 'FILLED' });
    emu.skew(0);
  });

  it('talks only to the demo venue or a loopback override, and keeps keys out of messages', async () => {
    expect(demoOrigin()).toBe(DEMO_FAPI_ORIGIN);
    expect(demoOrigin('http://localhost:8090')).toBe('http://localhost:8090');
    for (const bad of ['https://fapi.binance.com', 'http://10.0.0.1:80', 'http://127.0.0.1.example.com', 'ftp://127.0.0.1', 'nonsense', 'http://127.0.0.1:1/fapi']) {
      expect(() => demoOrigin(bad), bad).toThrow(/DOLPHIN_BINANCE_DEMO_URL/);
    }
    const wrong = new DemoOrderVenue({ apiKey: 'k-SECRETKEYVALUE', secret: 's-SECRETSECRETVALUE', overrideUrl: emu.url, timeoutMs: 2000 });
    await wrong.load();
    let msg = '';
    try {
      await wrong.marketOrder('A00USDT', 'SELL', '2', 'dtest-9-o', false);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('-2015');
    expect(msg).not.toContain('SECRETKEYVALUE');
    expect(msg).not.toContain('SECRETSECRETVALUE');
  });
});
