/**
 * The scan stream against a real member. Invariants: a run restarted on its journal resumes from its
 * saved stream position and journals every scan published while it was down, in order, none twice; a
 * gap the stream cannot fill (entries overwritten while the run was down) is named with its range and
 * count in the state, `dolphin status` and the report; with the key alone (a publisher that does not
 * write the stream, like the external scanner) scans are accepted from the key and the ones it never
 * showed are counted from the scan_number jumps, never silently; a scan appended to the stream is taken
 * without the key being written or the poll coming round (the read parked on the member).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLive } from '../../src/app/live.js';
import { collectStatus } from '../../src/feeds/live/cluster-status.js';
import { formatStatus } from '../../src/feeds/live/cluster-status-format.js';
import { JOURNAL_FILES } from '../../src/feeds/live/journal.js';
import { journalScanFiles } from '../../src/feeds/live/journal-repair.js';
import { scanStreamName } from '../../src/feeds/live/paper-state.js';
import { scanToJson } from '../../src/feeds/live/scan-json.js';
import { reportToMarkdown } from '../../src/report/report-markdown.js';
import { describeHazelcast, ensureMember } from '../support/hazelcast.js';
import { LIVE_TEST_CONFIG, ScanPutter, uniqueMaps, waitFor } from '../support/live-driver.js';
import { synthScans } from '../support/synthetic-scans.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-live-stream-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tsList = (dir: string): string[] => journalScanFiles(dir).map((f) => f.ts.toString());

describeHazelcast('live on the scan stream', () => {
  it('resumes from its saved position after its own restart: everything published meanwhile is journaled', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const scans = synthScans({ n: 300, seed: 5 });
    const journalDir = join(root, 'restart');
    const opts = { config: LIVE_TEST_CONFIG, address: member.address, cluster: member.cluster, journalDir, runId: 'stream-restart', ...maps, pollMs: 300 };
    const put = await ScanPutter.connect(member.address, member.cluster, maps.featuresMap);
    try {
      const first = await startLive(opts);
      for (let i = 0; i < 100; i++) await put.put(scans[i]);
      await waitFor(() => first.state().lastScanTs === scans[99].timestampNs.toString(), 40_000, 'scan 99');
      await first.stop();
      expect(JSON.parse(readFileSync(join(journalDir, JOURNAL_FILES.position), 'utf8'))).toEqual({ stream: scanStreamName(maps.featuresMap), seq: 99, ts: scans[99].timestampNs.toString() });
      // published while the run is down: the latest key only shows the last of them
      for (let i = 100; i < 300; i++) await put.put(scans[i]);
      const logs: string[] = [];
      const second = await startLive({ ...opts, log: (m) => logs.push(m) });
      await waitFor(() => second.state().lastScanTs === scans[299].timestampNs.toString(), 40_000, 'scan 299');
      const st = second.state();
      expect(st.counters.scansMissed).toBe(0);
      expect(st.counters.fromStream).toBe(200);
      expect(st.counters.lateOrDuplicate).toBe(0);
      const report = await second.stop();
      expect(tsList(journalDir)).toEqual(scans.map((s) => s.timestampNs.toString()));
      expect(report.fingerprint.scans).toBe(300);
      expect(report.dataQuality.liveFeed).toMatchObject({ scansMissed: 0, fromStream: 200, fromKey: 0 });
      expect(logs.join('\n')).not.toMatch(/reading it from its head/);
    } finally {
      await put.close();
    }
  }, 60_000);

  it('names a gap the stream cannot fill (entries overwritten while the run was down): state, status, report', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const scans = synthScans({ n: 10_150, seed: 6 });
    const journalDir = join(root, 'overwritten');
    const opts = { config: LIVE_TEST_CONFIG, address: member.address, cluster: member.cluster, journalDir, runId: 'stream-gap', ...maps, pollMs: 300 };
    const put = await ScanPutter.connect(member.address, member.cluster, maps.featuresMap);
    try {
      const first = await startLive(opts);
      for (let i = 0; i < 100; i++) await put.put(scans[i]);
      await waitFor(() => first.state().lastScanTs === scans[99].timestampNs.toString(), 40_000, 'scan 99');
      await first.stop();
      // 10,050 more while it is down: the stream (capacity 10,000) overwrites scans 100..149
      const rb = await put.client.getRingbuffer<string>(scanStreamName(maps.featuresMap));
      for (let i = 100; i < scans.length; i += 1000) await rb.addAll(scans.slice(i, i + 1000).map(scanToJson));
      await (await put.client.getMap<string, string>(maps.featuresMap)).set('latest_eigen_scan', scanToJson(scans[scans.length - 1]));
      const logs: string[] = [];
      const second = await startLive({ ...opts, log: (m) => logs.push(m) });
      await waitFor(() => second.state().lastScanTs === scans[scans.length - 1].timestampNs.toString(), 120_000, 'the last scan');
      const st = second.state();
      expect(st.counters.scansMissed).toBe(50);
      expect(st.missed).toEqual([{ fromTs: scans[99].timestampNs.toString(), toTs: scans[150].timestampNs.toString(), scans: 50, via: 'stream' }]);
      expect(logs.join('\n')).toMatch(/missed 50 scan\(s\) between \d+ and \d+ \(scan_number 100 -> 151; the scan stream lost them\)/);
      await waitFor(async () => JSON.parse((await (await put.client.getMap<string, string>(maps.stateMap)).get('stream-gap')) ?? '{}').counters?.scansMissed === 50, 20_000, 'the published state');
      const status = await collectStatus(put.client, { now: Date.now(), staleAfterMs: 3_600_000_000, ...maps });
      expect(status.notes.join('\n')).toMatch(/run stream-gap missed 50 scan\(s\) in 1 gap\(s\) it could not fill; last: 50 between 2026-01-05T00:08:15\.000Z and 2026-01-05T00:12:30\.000Z \(the scan stream lost them\)/);
      expect(formatStatus(status)).toMatch(/missed 50 \(from stream 10000, key only 0\)/);
      expect(formatStatus(status)).toContain(`stream    ${scanStreamName(maps.featuresMap)}: 10000 of 10000 scans (sequences 150..10149)`);
      const report = await second.stop();
      expect(report.dataQuality.liveFeed?.scansMissed).toBe(50);
      expect(reportToMarkdown(report)).toMatch(/live scans missed \| 50 in 1 gap\(s\), last 50 from .* to .* \(stream\)/);
      expect(report.fingerprint.scans).toBe(scans.length - 50);
      await rb.destroy();
    } finally {
      await put.close();
    }
  }, 200_000); // 10,150 scans: about 40 s on a shared 2-core machine, well over a minute under load

  it('with the key alone (no stream entries) accepts from the key and counts the scans it never showed', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const scans = synthScans({ n: 120, seed: 8 });
    const journalDir = join(root, 'key-only');
    const session = await startLive({ config: LIVE_TEST_CONFIG, address: member.address, cluster: member.cluster, journalDir, runId: 'key-only', ...maps, pollMs: 300 });
    const put = await ScanPutter.connect(member.address, member.cluster, maps.featuresMap, { keyOnly: true });
    try {
      for (let i = 0; i < 120; i++) {
        if (i >= 40 && i < 43) continue; // the scanner published them while... nobody saw them
        if (i >= 80 && i < 90) continue;
        await put.put(scans[i]);
      }
      await waitFor(() => session.state().lastScanTs === scans[119].timestampNs.toString(), 40_000, 'the last scan');
      const st = session.state();
      expect(st.counters.fromKey).toBe(107);
      expect(st.counters.fromStream).toBe(0);
      expect(st.counters.scansMissed).toBe(13);
      expect(st.missed).toEqual([
        { fromTs: scans[39].timestampNs.toString(), toTs: scans[43].timestampNs.toString(), scans: 3, via: 'key' },
        { fromTs: scans[79].timestampNs.toString(), toTs: scans[90].timestampNs.toString(), scans: 10, via: 'key' },
      ]);
      const report = await session.stop();
      expect(report.dataQuality.liveFeed).toMatchObject({ fromKey: 107, scansMissed: 13 });
    } finally {
      await put.close();
    }
  }, 60_000);

  it('takes a scan appended to the stream without waiting for the key or the poll (a read parked on the member)', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const scans = synthScans({ n: 30, seed: 9 });
    const journalDir = join(root, 'follow');
    // the poll (the only other way a stream-only append is seen) is far longer than the wait below
    const session = await startLive({ config: LIVE_TEST_CONFIG, address: member.address, cluster: member.cluster, journalDir, runId: 'follow', ...maps, pollMs: 600_000 });
    const client = (await ScanPutter.connect(member.address, member.cluster, maps.featuresMap)).client;
    try {
      const rb = await client.getRingbuffer<string>(scanStreamName(maps.featuresMap));
      for (let i = 0; i < scans.length; i++) {
        await rb.add(scanToJson(scans[i]));
        // one at a time: each is taken before the next is appended, from the stream alone
        await waitFor(() => session.state().lastScanTs === scans[i].timestampNs.toString(), 5_000, `scan ${i} from the stream alone`);
      }
      const st = session.state();
      expect(st.counters.fromStream).toBe(scans.length);
      expect(st.counters.fromKey).toBe(0);
      expect(st.counters.lateOrDuplicate).toBe(0);
      await session.stop();
      expect(tsList(journalDir)).toEqual(scans.map((s) => s.timestampNs.toString()));
    } finally {
      await session.stop().catch(() => undefined);
      await client.shutdown();
    }
  }, 60_000);
});
