/**
 * `dolphin live` on a journal that already holds a scan from the future (as an older version journaled
 * it): the run refuses to start (exit 1) naming the file and the flag; with --truncate-journal-at it
 * cuts the journal there (the cut scan moved aside, not deleted), resumes from the scans before and
 * accepts real scans again.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { liveEngineConfig } from '../../src/app/live.js';
import { JournalWriter } from '../../src/feeds/live/journal.js';
import { dolphin, spawnDolphin } from '../support/cli.js';
import { describeHazelcast, ensureMember } from '../support/hazelcast.js';
import { LIVE_TEST_CONFIG, ScanPutter, uniqueMaps, waitFor } from '../support/live-driver.js';
import { synthScans } from '../support/synthetic-scans.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-live-journal-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SETS = ['warmupBars=5', 'volWindow=10', 'alignWindow=10', 'minAlignment=0', 'maxHoldBars=20', 'volThreshold=0'].flatMap((s) => ['--set', s]);
const scans = synthScans({ n: 40, seed: 23, cadenceSec: 5 });
const FAR = 9_223_372_036_854_775_807n;

describeHazelcast('dolphin live on a journal holding a scan from the future', () => {
  it('refuses to resume until told where to cut, then resumes from what came before', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const journal = join(root, 'journal');
    const w = new JournalWriter(journal);
    w.writeOrCheckConfig(liveEngineConfig(LIVE_TEST_CONFIG));
    for (let i = 0; i < 20; i++) w.writeScan(scans[i]);
    w.writeScan({ ...scans[20], timestampNs: FAR });
    const args = ['live', '--paper', '--hz', member.address, '--cluster', member.cluster, '--journal', journal, '--run-id', 'future', '--features-map', maps.featuresMap, '--state-map', maps.stateMap, '--poll', '300', ...SETS];

    const refused = dolphin(args, { timeoutMs: 60_000 });
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/journal .* holds 1 scan\(s\) from the future or with an implausible time \(first: 2262-04-11\/scan_9223372036854775807\.arrow/);
    expect(refused.stderr).toMatch(/--truncate-journal-at 9223372036854775807 \(keeps the 20 scan\(s\) before, the last at 2026-01-05T00:01:35\.000Z/);
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack

    const bad = dolphin([...args, '--truncate-journal-at', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--truncate-journal-at must be epoch nanoseconds or an ISO-8601 UTC time/);

    const put = await ScanPutter.connect(member.address, member.cluster, maps.featuresMap);
    try {
      const p = spawnDolphin([...args, '--truncate-journal-at', '2262-01-01T00:00:00Z']);
      await waitFor(() => p.err().includes('listening on'), 30_000, `live to start: ${p.err()}`);
      expect(p.err()).toMatch(/truncated at 2262-01-01T00:00:00\.000Z: 1 scan\(s\) and 0 factor record\(s\) moved to .*\.truncated-.*; 20 scan\(s\) kept/);
      expect(p.err()).toMatch(/resumed from journal .*: 20 scans replayed/);
      for (let i = 20; i < 40; i++) await put.put(scans[i]);
      await waitFor(() => readdirSync(join(journal, '2026-01-05')).filter((f) => f.endsWith('.arrow')).length === 40, 20_000, 'the journal to hold 40 scans');
      p.proc.kill('SIGINT');
      expect(await p.exited, p.err()).toBe(0);
      expect(existsSync(join(journal, '2262-04-11', 'scan_9223372036854775807.arrow'))).toBe(false);
      const aside = readdirSync(journal).filter((d) => d.startsWith('.truncated-'));
      expect(aside).toHaveLength(1);
      expect(existsSync(join(journal, aside[0], '2262-04-11', 'scan_9223372036854775807.arrow'))).toBe(true);
      expect(JSON.parse(readFileSync(join(journal, 'report.json'), 'utf8')).fingerprint.scans).toBe(40);
    } finally {
      await put.close();
    }
  }, 120_000);
});
