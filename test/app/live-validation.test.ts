/**
 * Validation during live against the scanner's own files (real member, real files): a complete live run
 * is IDENTICAL to the replay of its window; one that missed scans is DIVERGED with the missing scans as
 * the cause; the verdict is published in the run's state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLive } from '../../src/app/live.js';
import { parseDuration } from '../../src/app/live-validation.js';
import { describeHazelcast, ensureMember } from '../support/hazelcast.js';
import { LIVE_TEST_CONFIG, ScanPutter, uniqueMaps, waitFor } from '../support/live-driver.js';
import { synthScans, writeScannerLayout } from '../support/synthetic-scans.js';

let root: string;
const scans = synthScans({ n: 300, seed: 61, cadenceSec: 5 });
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-validate-'));
  writeScannerLayout(join(root, 'scanner'), scans);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('parseDuration', () => {
  it('reads seconds, units and combinations', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('soon')).toBeNaN();
  });
});

describeHazelcast('validation during live', () => {
  for (const dropEvery of [0, 25]) {
    it(dropEvery ? 'says DIVERGED and names missing scans when live missed some' : 'says IDENTICAL when live saw every scan', async () => {
      const member = await ensureMember();
      const maps = uniqueMaps();
      const session = await startLive({
        config: LIVE_TEST_CONFIG,
        address: member.address,
        cluster: member.cluster,
        journalDir: join(root, `journal-${dropEvery}`),
        runId: `validate-${dropEvery}`,
        ...maps,
        validate: { scannerDir: join(root, 'scanner'), everyMs: 3_600_000 },
      });
      const put = await ScanPutter.connect(member.address, member.cluster, maps.featuresMap);
      try {
        for (let i = 0; i < scans.length; i++) if (!dropEvery || i % dropEvery !== 7) await put.put(scans[i]);
        await waitFor(() => session.state().lastScanTs === scans[scans.length - 1].timestampNs.toString(), 30_000, 'the last scan');
        const v = await session.validateNow();
        expect(session.state().validation?.verdict).toBe(v.verdict);
        if (!dropEvery) expect(v.verdict).toBe('IDENTICAL');
        else {
          expect(v.verdict).toBe('DIVERGED');
          expect(v.summary).toMatch(/lacks the scan/);
        }
        const stateMap = await put.client.getMap<string, string>(maps.stateMap);
        await waitFor(async () => JSON.parse((await stateMap.get(`validate-${dropEvery}`)) ?? '{}').validation?.verdict === v.verdict, 20_000, 'the verdict in the published state');
      } finally {
        await session.stop();
        await put.close();
      }
    }, 90_000);
  }
});
