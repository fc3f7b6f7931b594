/**
 * The mirror step in-process against the emulated venue: while the venue is unreachable the mirror is
 * DOWN and keeps the legs queued (the caller, the paper run, is never blocked or failed); once the venue
 * is up it sends them in order; stop() drains the queued legs before it returns; the state and the
 * execution section say what happened.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { MirrorStep } from '../../src/app/live/mirror-step.js';
import type { Fill } from '../../src/core/trade.js';
import { startBinanceEmulator, type BinanceEmulator } from '../../src/emulator/binance-usdm/binance-emulator.js';
import { EMULATOR_API_KEY, EMULATOR_API_SECRET } from '../../src/emulator/binance-usdm/emulator-account.js';
import { DemoOrderVenue } from '../../src/feeds/exchange/demo-order-venue.js';
import { waitFor } from '../support/live-driver.js';

const dir = mkdtempSync(join(tmpdir(), 'dolphin-mirror-step-'));
let emu: BinanceEmulator | null = null;
afterAll(async () => {
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

const fill = (side: 'SELL' | 'BUY', i: number): Fill => ({ tsEvent: BigInt(i) * 5_000_000_000n, tsInit: 0n, asset: 'A00USDT', side, qty: 2, price: 100, fee: 0.1, liquidity: 'taker', scanIndex: i });

it('queues while the venue is down, sends once it is up, drains at stop', async () => {
  // a port nothing listens on yet
  const probe = await startBinanceEmulator({ assets: 2 });
  const port = probe.port;
  await probe.close();
  const logs: string[] = [];
  const venue = new DemoOrderVenue({ apiKey: EMULATOR_API_KEY, secret: EMULATOR_API_SECRET, overrideUrl: `http://127.0.0.1:${port}`, timeoutMs: 2000 }); // refused while down: the timeout only bounds a slow answer
  const step = new MirrorStep({ journalDir: dir, runId: 'step-test', venue, paperPositions: () => [], reconcileEveryMs: 60_000, log: (m) => logs.push(m) });
  step.start([]);
  step.onFills([fill('SELL', 1)]);
  await waitFor(() => step.state().health === 'DOWN', 20_000, 'the mirror DOWN');
  expect(step.state().pending).toBe(1);
  expect(logs.join('\n')).toMatch(/venue 127\.0\.0\.1:\d+ unavailable/);

  emu = await startBinanceEmulator({ port, assets: 2, extra: [{ symbol: 'A00USDT', price: 100 }] });
  await waitFor(() => step.state().filled === 1, 20_000, `the queued leg filled: ${logs.join('\n')}`);
  expect(step.state().health).toBe('OK');

  step.onFills([fill('BUY', 2)]);
  await step.stop(10_000); // returns once the close is settled
  const st = step.state();
  expect([st.filled, st.pending, st.rejected]).toEqual([2, 0, 0]);
  expect(emu.account.positions.get('A00USDT')?.amt).toBe(0);
  const s = step.section().stats;
  expect(s.comparedTrades).toBe(1);
  // venue: sold at 99.98, bought at 100.02 (2 bp each way); paper at 100: both legs 2 bp worse
  expect(s.legs.map((l) => l.gapBps)).toEqual([expect.closeTo(2, 6), expect.closeTo(2, 6)]);
  const evs = readFileSync(join(dir, 'execution.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).ev as string);
  expect(evs.filter((e) => e === 'sent')).toHaveLength(2);
  expect(evs.filter((e) => e === 'filled')).toHaveLength(2);
});
