/**
 * The scan stream's two ends against a member of its own, restarted (it comes back empty). Invariants:
 * the writer notices the reset before its next append and republishes, in order, what it had appended,
 * then the new scan; the reader, told the connection was lost, finds its last entry gone, reads the new
 * stream from its head (calling onReset first) and so sees every entry; a saved position is used only
 * when the entry at that sequence still holds that timestamp.
 */
import { afterAll, expect, it } from 'vitest';
import { connectHazelcast, type HazelcastClient } from '../../../src/feeds/live/hazelcast-connection.js';
import { parseScanJson, scanToJson } from '../../../src/feeds/live/scan-json.js';
import { ScanStreamReader } from '../../../src/feeds/live/scan-stream-reader.js';
import { ScanStreamWriter } from '../../../src/feeds/live/scan-stream-writer.js';
import { describeHazelcast, restartMember, startMember, stopMember } from '../../support/hazelcast.js';
import { waitFor } from '../../support/live-driver.js';
import { synthScans } from '../../support/synthetic-scans.js';

const PORT = 5794;
afterAll(async () => {
  await stopMember(PORT);
});

const scans = synthScans({ n: 120, seed: 12 });
const texts = scans.map(scanToJson);
const tsOf = (t: string): bigint | null => {
  try {
    return parseScanJson(t).timestampNs;
  } catch {
    return null;
  }
};

describeHazelcast('scan stream across a member restart', () => {
  it('the writer republishes what the restarted member lost; the reader reads the new stream from its head', async () => {
    const member = await startMember(PORT, 'dolphin-stream');
    let client: HazelcastClient | undefined;
    let lost = 0;
    const logs: string[] = [];
    // a window of 50: the new stream's sequences do not line up with the old one's (with the whole
    // stream republished they would, and reading on from the old position would then be right as well)
    const writer = new ScanStreamWriter({ client: () => client, name: 'dolphin_scan_stream_t', window: 50, reload: (r: { ts: bigint; i: number }) => texts[r.i] ?? null, log: (_l, m) => logs.push(m) });
    client = await connectHazelcast({ address: member.address, cluster: member.cluster, reconnect: true, onLifecycle: (s) => s === 'DISCONNECTED' && (lost++, writer.markSuspect(), reader.markSuspect()) });
    let resets = 0;
    const reader = new ScanStreamReader({ client, name: 'dolphin_scan_stream_t', tsOf, onReset: () => resets++ });
    const seen: string[] = [];
    const handle = (t: string): void => void seen.push(t);
    try {
      expect(await reader.position(null, false)).toBe('newest');
      for (let i = 0; i < 100; i++) await writer.append(texts[i]!, { ts: scans[i]!.timestampNs, i });
      await reader.drain(handle, true);
      expect(seen).toEqual(texts.slice(0, 100));
      expect(reader.lastSeq).toBe(99);

      await restartMember(member, 500);
      await waitFor(() => lost > 0, 30_000, 'the disconnect');
      // the next append finds the stream reset and republishes first (it may take a few tries while the client reconnects)
      await waitFor(async () => writer.append(texts[100]!, { ts: scans[100]!.timestampNs, i: 100 }).then(() => true, () => false), 30_000, 'an append after the restart');
      for (let i = 101; i < 120; i++) await writer.append(texts[i]!, { ts: scans[i]!.timestampNs, i });
      expect(writer.stats()).toEqual({ appended: 170, resets: 1, republished: 50 });
      expect(logs.join('\n')).toMatch(/was reset \(tail -1, we had appended up to 99: a member restart\?\); republishing the last 50 scan\(s\)/);
      const rb = await client.getRingbuffer<string>('dolphin_scan_stream_t');
      expect([...(await rb.readMany(0, 0, 1000))]).toEqual(texts.slice(50));

      const r = await reader.drain(handle, true);
      expect(r.reset).toBe(true);
      expect(resets).toBe(1);
      expect(seen.slice(100)).toEqual(texts.slice(50)); // all of the new stream, from its head
      expect(r.lost).toBe(0);

      // a saved position is verified: right sequence and timestamp -> used; anything else -> the head
      const again = new ScanStreamReader({ client, name: 'dolphin_scan_stream_t', tsOf });
      expect(await again.position({ seq: 60, ts: scans[110]!.timestampNs }, true)).toBe('saved');
      const tail: string[] = [];
      await again.drain((t) => void tail.push(t), false);
      expect(tail).toEqual(texts.slice(111));
      const wrong = new ScanStreamReader({ client, name: 'dolphin_scan_stream_t', tsOf });
      expect(await wrong.position({ seq: 60, ts: scans[3]!.timestampNs }, true)).toBe('head');
      await rb.destroy();
    } finally {
      await client.shutdown();
    }
  }, 120_000);
});
