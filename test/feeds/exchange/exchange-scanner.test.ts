/**
 * The exchange scanner against the emulated Binance USDT-M venue (ccxt's real client, only the venue is
 * emulated). Invariants: scans land on every UTC-aligned boundary with the last price at that instant;
 * a dropped socket switches to REST polling (prices stay valid), is counted and resubscribed; a silent
 * symbol goes stale after N cadences and a delisted one invalid, both counted and logged; HTTP 429/418
 * Retry-After is waited out (the venue sees no early retry); a skewed venue clock is measured and does
 * not make prices stale; malformed stream messages are counted and ignored; only public endpoints are
 * called, without an API key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rescan } from '../../../src/app/rescan.js';
import type { ScanRecord } from '../../../src/core/scan.js';
import { readOrderedScans } from '../../../src/feeds/scan-folder/scan-folder-reader.js';
import { startBinanceEmulator, type BinanceEmulator } from '../../../src/emulator/binance-usdm/binance-emulator.js';
import { ExchangeScanner, type ExchangeScannerOptions } from '../../../src/feeds/exchange/exchange-scanner.js';
import type { ScannerStatus } from '../../../src/feeds/exchange/scanner-status.js';
import { waitFor } from '../../support/live-driver.js';

const CADENCE = 500;

interface Run {
  readonly scanner: ExchangeScanner;
  readonly scans: ScanRecord[];
  readonly logs: string[];
  /** The log lines with the wall clock they were logged at. */
  readonly logAt: { readonly line: string; readonly atMs: number }[];
  status(): ScannerStatus;
}

let emu: BinanceEmulator;
let root: string;
const running: ExchangeScanner[] = [];

async function run(extra: Partial<ExchangeScannerOptions> = {}, venue = emu): Promise<Run> {
  const scans: ScanRecord[] = [];
  const logs: string[] = [];
  const logAt: { line: string; atMs: number }[] = [];
  const scanner = new ExchangeScanner({
    exchange: 'binanceusdm',
    universe: { kind: 'top', n: 10 },
    cadenceMs: CADENCE,
    staleAfterCadences: 3,
    priceSource: 'last',
    restUrl: venue.url,
    pollMs: 200,
    startAttempts: 2,
    log: (level, m) => {
      logs.push(`${level}: ${m}`);
      logAt.push({ line: `${level}: ${m}`, atMs: Date.now() });
    },
    onScan: (s) => scans.push(s),
    ...extra,
  });
  running.push(scanner);
  await scanner.start();
  return { scanner, scans, logs, logAt, status: () => scanner.status() };
}

const validCount = (s: ScanRecord): number => Array.from(s.prices).filter((p) => p > 0).length;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-exscan-'));
});
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
  await emu?.close();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('exchange scanner on the emulated venue', () => {
  it('scans every UTC-aligned boundary from the stream, calling only public endpoints', async () => {
    emu = await startBinanceEmulator({ tickMs: 100, assets: 20, volumes: { BTCUSDT: 1 } });
    // test-side record of the venue's BTC price after each tick (wall clock of the tick)
    const steps: { t: number; p: number }[] = [];
    const step = emu.market.step.bind(emu.market);
    emu.market.step = (v: number) => {
      const changed = step(v);
      steps.push({ t: Date.now(), p: emu.market.bySymbol.get('BTCUSDT')!.last });
      return changed;
    };
    const r = await run({ maxScans: 6 });
    await r.scanner.done;
    expect(r.scans.length).toBe(6);
    const u = r.scans[0].assets;
    expect(u.length).toBe(10);
    expect(u[0]).toBe('BTCUSDT'); // ranked last by volume, still in
    expect(u).not.toContain('BTCUSDC');
    expect(u).not.toContain('OLDUSDT');
    for (let k = 0; k < r.scans.length; k++) {
      const s = r.scans[k];
      expect(s.timestampNs % BigInt(CADENCE * 1e6)).toBe(0n);
      if (k > 0) expect(s.timestampNs - r.scans[k - 1].timestampNs).toBe(BigInt(CADENCE * 1e6));
      expect(validCount(s)).toBe(10);
      expect(s.scanNumber).toBe(k + 1);
    }
    // the price at a boundary is the one the venue had then: ticks fall on 100 ms multiples, so the tick
    // sent at the boundary itself arrives after it and belongs to the next scan
    for (const s of r.scans) {
      const b = Number(s.timestampNs / 1_000_000n);
      const before = steps.filter((x) => x.t < b);
      // a tick sent shortly before the boundary may arrive after it on a loaded machine (then an earlier
      // one counts): the price must be one the venue had within 250 ms before the boundary, never a later one
      const recent = before.filter((x) => x.t > b - 250).map((x) => x.p);
      const ok = [...recent, before[before.length - recent.length - 1].p];
      expect(ok).toContain(s.prices[0]);
    }
    const st = r.status();
    expect(st.connection).toBe('STOPPED');
    expect(st.counters.socketDrops).toBe(0);
    const es = emu.stats();
    expect(es.privateRequests).toBe(0);
    expect(Object.keys(es.requests).every((p) => p.startsWith('/fapi/'))).toBe(true);
    expect(es.ws.subscribeRequests).toBeGreaterThanOrEqual(1);
  });

  it('falls back to REST while the socket is down, counts the gap and resubscribes', async () => {
    emu = await startBinanceEmulator({ tickMs: 100, assets: 12 });
    const r = await run();
    await waitFor(() => r.status().connection === 'WEBSOCKET' && r.scans.length >= 2, 10_000, 'stream up');
    emu.dropSockets(2500);
    await waitFor(() => r.status().connection === 'REST_FALLBACK', 15_000, 'REST fallback');
    const restBefore = emu.stats().requests['/fapi/v2/ticker/price'] ?? 0;
    await waitFor(() => r.status().connection === 'WEBSOCKET', 15_000, 'stream back');
    const n = r.scans.length;
    await waitFor(() => r.scans.length >= n + 2, 15_000, 'scans after resubscribe');
    const st = r.status();
    expect(st.counters.socketDrops).toBe(1);
    expect(st.counters.resubscribes).toBe(1);
    expect(st.counters.scansWithoutStream).toBeGreaterThanOrEqual(3);
    expect((emu.stats().requests['/fapi/v2/ticker/price'] ?? 0) - restBefore).toBeGreaterThanOrEqual(3);
    expect(emu.stats().ws.refusedUpgrades).toBeGreaterThanOrEqual(1);
    // REST kept every price valid through the outage: no scan lost a price
    for (const s of r.scans) expect(validCount(s)).toBe(10);
    expect(r.logs.some((l) => l.includes('price stream dropped'))).toBe(true);
  });

  it('a silent symbol goes stale after N cadences; a delisted one is invalid from the markets reload on', async () => {
    emu = await startBinanceEmulator({ tickMs: 100, assets: 12 });
    const r = await run({ marketsRefreshMs: 400 });
    await waitFor(() => r.scans.length >= 2, 10_000, 'first scans');
    const ui = (id: string): number => r.scans[0].assets.indexOf(id);
    emu.silence('ETHUSDT');
    emu.delist('SOLUSDT');
    await waitFor(() => r.status().delistedSymbols.includes('SOLUSDT') && r.status().staleSymbols.includes('ETHUSDT'), 10_000, 'stale and delisted');
    const last = r.scans[r.scans.length - 1];
    expect(Number.isNaN(last.prices[ui('ETHUSDT')])).toBe(true);
    expect(Number.isNaN(last.prices[ui('SOLUSDT')])).toBe(true);
    expect(validCount(last)).toBe(8);
    expect(last.assets.length).toBe(10); // the universe is fixed for the session
    const st = r.status();
    expect(st.counters.delisted).toBe(1);
    expect(st.counters.invalidPrices).toBeGreaterThanOrEqual(2);
    expect(r.logs.some((l) => l.includes('SOLUSDT is not trading any more'))).toBe(true);
    expect(r.logs.some((l) => /without an update for more than 3 cadences.*ETHUSDT/.test(l))).toBe(true);
  });

  it('waits out Retry-After of HTTP 429 and 418 (no early retry reaches the venue)', async () => {
    emu = await startBinanceEmulator({ tickMs: 100, assets: 12 });
    emu.rateLimit(429, 1, 1); // the very first request (exchangeInfo) is refused
    const r = await run();
    expect(r.logs.some((l) => l.includes('HTTP 429') && l.includes('Retry-After'))).toBe(true);
    await waitFor(() => r.status().connection === 'WEBSOCKET', 10_000, 'stream up');
    emu.dropSockets(6000);
    await waitFor(() => r.status().connection === 'REST_FALLBACK', 15_000, 'REST fallback');
    emu.rateLimit(418, 2, 1);
    await waitFor(() => r.status().counters.rateLimited >= 2, 10_000, 'the 418');
    // timed from the scanner's own log of the 418 (when it set its wait), not from when this loop noticed
    const t = r.logAt.find((l) => l.line.includes('HTTP 418'))!.atMs;
    const before = emu.stats().requests['/fapi/v2/ticker/price'] ?? 0;
    await waitFor(() => (emu.stats().requests['/fapi/v2/ticker/price'] ?? 0) > before, 10_000, 'a poll after the wait');
    expect(Date.now() - t).toBeGreaterThanOrEqual(1500);
    expect(emu.stats().retryAfterViolations).toBe(0);
    expect(emu.stats().rateLimited).toBe(2);
  });

  it('measures a skewed venue clock and keeps prices fresh (arrival-timed)', async () => {
    emu = await startBinanceEmulator({ tickMs: 100, assets: 12, skewMs: -7000 });
    const r = await run();
    await waitFor(() => r.scans.length >= 5, 10_000, 'scans');
    const st = r.status();
    expect(st.clockOffsetMs).not.toBeNull();
    // the midpoint of a round trip is off by at most half of it: a slow answer on a loaded machine widens it
    expect(Math.abs(st.clockOffsetMs! + 7000)).toBeLessThan(Math.max(300, st.clockRttMs! / 2 + 5));
    const warned = r.logs.map((l) => /clock is (\d+) ms behind this machine \(rtt (\d+) ms\)/.exec(l)).find((m) => m !== null);
    expect(warned, 'a clock-skew warning').toBeDefined();
    expect(Math.abs(Number(warned![1]) - 7000)).toBeLessThan(Math.max(300, Number(warned![2]) / 2 + 5));
    for (const s of r.scans) expect(validCount(s)).toBe(10);
    expect(st.staleSymbols).toEqual([]);
  });

  it('counts and ignores malformed stream messages', async () => {
    emu = await startBinanceEmulator({ tickMs: 100, assets: 12 });
    const r = await run();
    await waitFor(() => r.status().connection === 'WEBSOCKET' && r.scans.length >= 1, 10_000, 'stream up');
    emu.malformed(12);
    await waitFor(() => emu.stats().ws.malformedSent >= 12, 10_000, 'malformed sent');
    const n = r.scans.length;
    await waitFor(() => r.scans.length >= n + 3, 15_000, 'scans after');
    const st = r.status();
    expect(st.counters.malformedMessages).toBeGreaterThanOrEqual(6);
    expect(st.connection).toBe('WEBSOCKET');
    for (const s of r.scans.slice(n)) expect(validCount(s)).toBe(10);
  });

  it('--price mark scans the mark price stream', async () => {
    emu = await startBinanceEmulator({ tickMs: 100, assets: 12 });
    const r = await run({ priceSource: 'mark', maxScans: 6 });
    await r.scanner.done;
    expect(r.logs.some((l) => l.includes('price stream up: markPrice@1s'))).toBe(true);
    const last = r.scans[r.scans.length - 1];
    expect(validCount(last)).toBe(10);
    // mark prices carry one more decimal than the contract's last price
    const i = last.assets.indexOf('ETHUSDT');
    const c = emu.market.bySymbol.get('ETHUSDT')!;
    expect(Math.abs(last.prices[i] - c.mark) / c.mark).toBeLessThan(0.01);
    expect(emu.stats().requests['/fapi/v1/premiumIndex']).toBeGreaterThanOrEqual(1);
  });

  it('a restart restores the windows (also for a narrower list), and the folder rescans to itself', async () => {
    emu = await startBinanceEmulator({ tickMs: 100, assets: 12 });
    const out = join(root, 'restart');
    const symbols = { kind: 'symbols' as const, symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT'], flag: '--symbols' };
    const a = await run({ universe: symbols, out, maxScans: 12 });
    await a.scanner.done;
    const b = await run({ out, maxScans: 3 , universe: { ...symbols, symbols: ['BTCUSDT', 'ETHUSDT', 'XRPUSDT'] } });
    await b.scanner.done;
    expect(b.logs.some((l) => l.includes('continuing its feature windows from 12 scans'))).toBe(true);
    expect(b.status().restoredScans).toBe(12);
    expect(Number.isFinite(b.scans[0].features[0])).toBe(true); // windows came back: features at once
    expect(b.scans[0].assets).toEqual(['BTCUSDT', 'ETHUSDT', 'XRPUSDT']);
    const c = await run({ out, maxScans: 2, universe: { kind: 'top', n: 10 } });
    await c.scanner.done;
    expect(c.logs.some((l) => l.includes('restored the universe (4 symbols)'))).toBe(true);
    const re = join(root, 'restart-rescan');
    rescan({ dir: out, out: re });
    const w = readOrderedScans(out);
    const x = readOrderedScans(re);
    expect(x.count).toBe(17);
    for (let i = 0; i < w.count; i++) {
      const p = w.record(i);
      const q = x.record(i);
      expect(Buffer.from(q.features.buffer).equals(Buffer.from(p.features.buffer)), `scan ${i}`).toBe(true);
      expect(Object.is(q.velDiv, p.velDiv)).toBe(true);
    }
  });

  it('stops with FeedUnavailableError naming the host when the venue is unreachable', async () => {
    emu = await startBinanceEmulator({ tickMs: 100, assets: 12 });
    const url = emu.url;
    await emu.close();
    const s = new ExchangeScanner({ exchange: 'binanceusdm', universe: { kind: 'top', n: 5 }, cadenceMs: CADENCE, staleAfterCadences: 3, priceSource: 'last', restUrl: url, startAttempts: 2, log: () => undefined });
    await expect(s.start()).rejects.toThrow(new RegExp(`not reachable.*${url.replace('http://', '')}|${url.replace('http://', '')}.*not reachable`));
    emu = await startBinanceEmulator({ tickMs: 100, assets: 4 }); // for afterEach
  });
});
