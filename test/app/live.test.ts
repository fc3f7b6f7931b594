/**
 * Live paper runs against a real Hazelcast member. Invariants: the journal replays to exactly the live
 * run's trades and metrics (parity); malformed JSON, NaN prices, scan_number resets, duplicate and
 * out-of-order scans are counted, never fatal, never traded twice; a member restart mid-run is survived
 * (DISCONNECTED, then STALE, then CONNECTED) without a lost scan or a duplicate trade.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backtest } from '../../src/app/backtest.js';
import { startLive } from '../../src/app/live.js';
import { loadConfig } from '../../src/app/config-files.js';
import type { ScanRecord } from '../../src/core/scan.js';
import { connectHazelcast } from '../../src/feeds/live/hazelcast-connection.js';
import { describeHazelcast, ensureMember, restartMember, startMember, stopMember } from '../support/hazelcast.js';
import { LIVE_TEST_CONFIG, ScanPutter, uniqueMaps, waitFor } from '../support/live-driver.js';
import { synthScans } from '../support/synthetic-scans.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-live-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const scans = synthScans({ n: 400, seed: 31, cadenceSec: 5 });
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

describeHazelcast('live paper run', () => {
  it('journals every accepted scan, survives bad input, and replays to the same trades and metrics', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const journalDir = join(root, 'j1');
    const logs: string[] = [];
    const session = await startLive({ config: LIVE_TEST_CONFIG, address: member.address, cluster: member.cluster, journalDir, runId: 'test-run-1', ...maps, log: (m) => logs.push(m) });
    const put = await ScanPutter.connect(member.address, member.cluster, maps.featuresMap);
    try {
      const sent: ScanRecord[] = [];
      for (let i = 0; i < 300; i++) {
        let s = scans[i];
        if (i >= 150) s = { ...s, scanNumber: i - 149 }; // scanner restart: scan_number resets
        if (i === 120) s = { ...s, prices: Float64Array.from(s.prices, (p, k) => (k === 2 ? NaN : p)) };
        await put.put(s);
        sent.push(s);
        if (i === 50) await put.putText('{"timestamp_ns": 12, "assets": [');
        if (i === 60) await put.put(scans[60]); // duplicate
        if (i === 70) await put.put(scans[65]); // out of order
        // Newer than scan 80 but malformed (two prices for one asset): rejected, not accepted.
        if (i === 80) await put.putText(`{"timestamp_ns": ${scans[80].timestampNs + 1n}, "scan_number": 81, "assets": ["BTCUSDT"], "asset_prices": [NaN, 1]}`);
      }
      await waitFor(() => session.state().lastScanTs === sent[sent.length - 1].timestampNs.toString(), 30_000, 'the last scan to be processed');
      const st = session.state();
      expect(st.counters.scansAccepted).toBe(300);
      expect(st.counters.lateOrDuplicate).toBe(2);
      expect(st.counters.malformedMessages).toBe(2);
      expect(st.counters.scannerRestarts).toBe(1);
      expect(st.counters.invalidPrices).toBe(1);
      expect(st.feedStatus).toBe('CONNECTED');
      const stateMap = await put.client.getMap<string, string>(maps.stateMap);
      // the heartbeat goes on: a state written after this moment arrives (however late a loaded machine runs it)
      const asked = Date.now();
      await waitFor(async () => JSON.parse((await stateMap.get('test-run-1')) ?? 'null')?.heartbeatMs >= asked, 20_000, 'a heartbeat after now');
      const published = JSON.parse((await stateMap.get('test-run-1'))!);
      expect(published.runId).toBe('test-run-1');
      const live = await session.stop();
      expect(JSON.parse((await stateMap.get('test-run-1'))!).stopped).toBe(true);
      expect(readdirSync(join(journalDir, '2026-01-05')).filter((f) => f.endsWith('.arrow'))).toHaveLength(300);
      expect(live.metrics.trades).toBeGreaterThan(0);
      expect(logs.join('\n')).toMatch(/scanner restart: scan_number 150 -> 1/);
      // Parity: the journal, replayed, gives the live run's trades and metrics.
      const { config } = loadConfig({ dataDir: journalDir });
      expect(config.closeAtEnd).toBe(false);
      const replay = (await backtest(journalDir, config)).report;
      expect(same(replay.trades, live.trades)).toBe(true);
      expect(same(replay.metrics, live.metrics)).toBe(true);
      expect(same(replay.fingerprint, live.fingerprint)).toBe(true);
      expect(same(replay.openPositions, live.openPositions)).toBe(true);
    } finally {
      await put.close();
    }
  }, 90_000);

  it('survives a member restart mid-run: DISCONNECTED, STALE, CONNECTED, no duplicate trade', async () => {
    const port = 5791;
    const member = await startMember(port, 'dolphin-restart');
    const maps = uniqueMaps();
    const journalDir = join(root, 'j2');
    const statuses: string[] = [];
    const session = await startLive({ config: LIVE_TEST_CONFIG, address: member.address, cluster: member.cluster, journalDir, runId: 'restart', ...maps, staleAfterMs: 60_000, log: (m) => { if (m.startsWith('feed status')) statuses.push(m.slice(13)); } });
    let put = await ScanPutter.connect(member.address, member.cluster, maps.featuresMap);
    try {
      for (let i = 0; i < 150; i++) await put.put(scans[i]);
      await waitFor(() => session.state().lastScanTs === scans[149].timestampNs.toString(), 20_000, 'scans before the restart');
      await put.close();
      await restartMember(member, 1500);
      put = await ScanPutter.connect(member.address, member.cluster, maps.featuresMap);
      // The restarted member lost the map and the scan stream; the publisher keeps publishing newer
      // scans to the stream, which live reads by sequence: none is lost, even before its listener is back.
      for (let i = 150; i < 300; i++) {
        await put.put(scans[i]);
        await new Promise((r) => setTimeout(r, 5));
      }
      await waitFor(() => session.state().lastScanTs === scans[299].timestampNs.toString(), 60_000, 'scans after the restart');
      expect(statuses).toEqual(expect.arrayContaining(['DISCONNECTED', 'STALE', 'CONNECTED']));
      expect(statuses.indexOf('DISCONNECTED')).toBeLessThan(statuses.lastIndexOf('CONNECTED'));
      const live = await session.stop();
      expect(session.state().counters.reconnects).toBeGreaterThanOrEqual(1);
      const replay = (await backtest(journalDir, loadConfig({ dataDir: journalDir }).config)).report;
      expect(same(replay.trades, live.trades)).toBe(true);
      expect(same(replay.metrics, live.metrics)).toBe(true);
      const entries = live.trades.map((t) => `${t.asset}@${t.entryTs}`);
      expect(new Set(entries).size).toBe(entries.length);
      expect(live.fingerprint.scans).toBe(300);
      expect(session.state().counters.scansMissed).toBe(0);
      expect(live.fingerprint.lastTs).toBe(scans[299].timestampNs.toString());
    } finally {
      await put.close().catch(() => undefined);
      await stopMember(port);
    }
  }, 120_000);

  it('refuses volThreshold "auto" and a down cluster with clear messages', async () => {
    await expect(startLive({ config: { ...LIVE_TEST_CONFIG, volThreshold: 'auto' }, address: '127.0.0.1:5798', cluster: 'x', journalDir: join(root, 'j3'), runId: 'x' })).rejects.toThrow(/numeric volThreshold.*dolphin calibrate/);
    await expect(connectHazelcast({ address: '127.0.0.1:5797', cluster: 'nope', connectTimeoutMs: 1500 })).rejects.toThrow(/127\.0\.0\.1:5797/);
  });
});
