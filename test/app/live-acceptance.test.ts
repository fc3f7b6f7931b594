/**
 * Guarded acceptance in a live run against a real member. Invariants: a far-future scan, an oversize
 * message, a 100,000-asset message, a 20 MB timestamp_iso and hostile symbols are refused and counted,
 * never journaled; every real scan after them is accepted and journaled; the run's state and
 * `collectStatus` (what `dolphin status` shows) name the refusals.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLive } from '../../src/app/live.js';
import { collectStatus } from '../../src/feeds/live/cluster-status.js';
import { formatStatus } from '../../src/feeds/live/cluster-status-format.js';
import { scanToJson } from '../../src/feeds/live/scan-json.js';
import { describeHazelcast, ensureMember } from '../support/hazelcast.js';
import { LIVE_TEST_CONFIG, ScanPutter, uniqueMaps, waitFor } from '../support/live-driver.js';
import { synthScans } from '../support/synthetic-scans.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-live-acc-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const scans = synthScans({ n: 60, seed: 17, cadenceSec: 5 });
const patched = (i: number, patch: Record<string, unknown>): string => JSON.stringify({ ...JSON.parse(scanToJson(scans[i])), ...patch });

describeHazelcast('live acceptance guards', () => {
  it('refuses far-future, oversize and hostile messages, keeps accepting real scans, shows it in status', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const journalDir = join(root, 'j');
    const session = await startLive({ config: LIVE_TEST_CONFIG, address: member.address, cluster: member.cluster, journalDir, runId: 'acc', ...maps, pollMs: 300 });
    const put = await ScanPutter.connect(member.address, member.cluster, maps.featuresMap);
    try {
      for (let i = 0; i < 10; i++) await put.put(scans[i]);
      await put.putText(patched(10, { timestamp_ns: '9223372036854775807' }));
      const n = 100_000;
      await put.putText(patched(10, { assets: Array.from({ length: n }, (_, k) => `A${k}`), asset_prices: Array.from({ length: n }, () => 1) }));
      await put.putText(patched(10, { timestamp_iso: 'x'.repeat(20 * 1024 * 1024) }));
      await put.putText(patched(10, { assets: ['BTCUSDT', '\u001b[2J\u001b[31mPWNED', ...scans[10].assets.slice(2)] }));
      await put.putText(patched(10, { assets: ['BTCUSDT', 'ETH\nUSDT', ...scans[10].assets.slice(2)] }));
      for (let i = 10; i < 60; i++) await put.put(scans[i]);
      await waitFor(() => session.state().lastScanTs === scans[59].timestampNs.toString(), 30_000, 'the last real scan');
      const st = session.state();
      expect(st.counters.scansAccepted).toBe(60);
      expect(st.counters.badTimestamps).toBe(1);
      expect(st.counters.outOfBounds).toBe(4);
      expect(st.counters.lateOrDuplicate).toBe(0);
      expect(st.lastRejection?.kind).toBe('out-of-bounds');
      const folders = readdirSync(journalDir).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d));
      expect(folders).toEqual(['2026-01-05']);
      expect(readdirSync(join(journalDir, '2026-01-05')).filter((f) => f.endsWith('.arrow'))).toHaveLength(60);

      await waitFor(async () => JSON.parse((await (await put.client.getMap<string, string>(maps.stateMap)).get('acc')) ?? '{}').counters?.outOfBounds === 4, 20_000, 'the published state');
      const status = await collectStatus(put.client, { now: Date.now(), staleAfterMs: 3_600_000_000, ...maps });
      const run = status.runs.find((r) => r.runId === 'acc')!;
      expect(run.counters.badTimestamps).toBe(1);
      expect(run.counters.outOfBounds).toBe(4);
      expect(status.notes.join('\n')).toMatch(/run acc refused 5 message\(s\): 0 malformed, 4 out of bounds, 1 with a bad timestamp; last .* ago: .*holds whitespace or a control character/);
      const text = formatStatus(status);
      expect(text).toMatch(/out of bounds 4, bad timestamps 1/);
      // the hostile symbol never reaches a terminal raw
      expect(text).not.toContain('\u001b[2J');
      await session.stop();
    } finally {
      await put.close();
    }
  }, 90_000);
});
