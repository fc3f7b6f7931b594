/**
 * ExchangeFeed (DataFeedPort) driving runEngine on this thread, the own scanner against the emulated
 * venue (ccxt's real client on 127.0.0.1). Invariants: the engine trades exactly what a replay of the
 * scanner's --out folder trades (the engine cannot tell the feeds apart); every accepted scan is
 * counted; the feed goes STALE when the venue falls silent; cadence boundaries without a scan since the
 * last accepted one (a resumed run) are counted as missed by the scanner, with their range.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveEngineConfig } from '../../../src/app/live.js';
import { resolveConfig } from '../../../src/core/config.js';
import { Engine } from '../../../src/core/engine.js';
import { PaperExecutor } from '../../../src/core/paper-executor.js';
import type { FeedStatus } from '../../../src/core/ports/data-feed.port.js';
import { runEngine } from '../../../src/core/run-engine.js';
import { ScanStore } from '../../../src/core/scan-store.js';
import { startBinanceEmulator, type BinanceEmulator } from '../../../src/emulator/binance-usdm/binance-emulator.js';
import type { ExchangeScannerSettings } from '../../../src/feeds/exchange/exchange-scanner.js';
import { ExchangeFeed } from '../../../src/feeds/exchange/exchange.feed.js';
import { readOrderedScans } from '../../../src/feeds/scan-folder/scan-folder-reader.js';
import { waitFor } from '../../support/live-driver.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-exchange-feed-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CADENCE_MS = 500;
const settings = (emu: BinanceEmulator, over: Partial<ExchangeScannerSettings> = {}): ExchangeScannerSettings => ({
  exchange: 'binanceusdm',
  universe: { kind: 'top', n: 8 },
  cadenceMs: CADENCE_MS,
  staleAfterCadences: 2,
  priceSource: 'last',
  restUrl: emu.url,
  startAttempts: 2,
  ...over,
});

describe('ExchangeFeed', () => {
  let emu: BinanceEmulator;
  beforeAll(async () => {
    emu = await startBinanceEmulator({ tickMs: 100, assets: 12 });
  });
  afterAll(async () => emu.close());

  it('feeds runEngine in process; trades equal a replay of the --out folder', async () => {
    const out = join(root, 'scans');
    const config = liveEngineConfig(resolveConfig({ warmupBars: 5, volWindow: 10, alignWindow: 10, minAlignment: 0, maxHoldBars: 10, volThreshold: 0, velDivThreshold: 0 }));
    const feed = new ExchangeFeed({ scanner: settings(emu, { out }) });
    let engine: Engine | null = null;
    const statuses: FeedStatus[] = [];
    const running = runEngine(feed, config, { onEngine: (e) => (engine = e), onStatus: (s) => statuses.push(s) });
    try {
      await waitFor(() => engine !== null && engine.recorder.trades.length >= 1 && feed.store.n >= 25, 60_000, 'a trade and 25 scans');
    } finally {
      await feed.stop();
    }
    const live = await running;
    expect(statuses[0]).toBe('CONNECTED');
    expect(feed.source.counters.scansAccepted).toBe(feed.store.n);
    expect(feed.source.missedRanges).toEqual([]);
    const written = readOrderedScans(out);
    expect(written.count).toBe(feed.store.n);
    const store = new ScanStore();
    const replay = new Engine(store, config, new PaperExecutor(config));
    for (let i = 0; i < written.count; i++) replay.onScan(store.append(written.record(i)));
    expect(live.recorder.trades.length).toBeGreaterThan(0);
    expect(live.recorder.trades).toEqual(replay.recorder.trades);
    expect(live.cash).toBe(replay.cash);
  }, 90_000);
});

describe('ExchangeScanSource', () => {
  it('counts the boundaries without a scan since the last accepted one, and goes STALE when the venue falls silent', async () => {
    const emu = await startBinanceEmulator({ tickMs: 100, assets: 6 });
    const now = Date.now();
    const lastTs = BigInt(Math.floor(now / CADENCE_MS) * CADENCE_MS - 10 * CADENCE_MS) * 1_000_000n;
    const logs: string[] = [];
    const feed = new ExchangeFeed({ scanner: settings(emu, { universe: { kind: 'top', n: 4 } }), lastAcceptedTs: lastTs, lastScanNumber: 7, staleAfterMs: 1500, log: (m) => logs.push(m) });
    const statuses: FeedStatus[] = [];
    const running = feed.run({ onScan: () => undefined, onFactors: () => undefined, onStatus: (s) => statuses.push(s) });
    try {
      await waitFor(() => feed.store.n >= 2, 20_000, 'two scans');
      const gap = feed.source.missedRanges[0];
      expect(gap).toBeDefined();
      expect(gap!.via).toBe('scanner');
      expect(gap!.fromTs).toBe(lastTs.toString());
      expect(gap!.scans).toBe(Number((BigInt(gap!.toTs) - lastTs) / BigInt(CADENCE_MS * 1_000_000)) - 1);
      expect(gap!.scans).toBeGreaterThanOrEqual(10);
      expect(feed.source.counters.scansMissed).toBe(gap!.scans);
      expect(feed.source.counters.scannerRestarts).toBe(1); // scan_number 7 -> 1, as after any restart
      expect(feed.source.feedStatus).toBe('CONNECTED');
      for (const c of emu.market.contracts) emu.silence(c.symbol);
      await waitFor(() => feed.source.feedStatus === 'STALE', 10_000, 'STALE after the venue fell silent');
      expect(statuses).toEqual(['CONNECTED', 'STALE']);
      expect(logs.some((l) => /^feed status: STALE \(no scan accepted for \d+\.\d s, last price \d+\.\d s ago\)$/.test(l))).toBe(true);
      const n = feed.store.n;
      await waitFor(() => feed.store.n > n, 20_000, 'scans go on (with invalid prices)');
      expect(feed.source.counters.invalidPrices).toBeGreaterThan(0);
    } finally {
      await feed.stop();
      await running;
      await emu.close();
    }
  }, 60_000);
});
