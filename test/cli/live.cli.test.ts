/**
 * `dolphin live --paper` as a real process: SIGKILL and restart resumes from the journal with identical
 * positions and cash and loses no accepted scan; SIGINT stops cleanly with the report; the journal replays
 * to the same trades and metrics.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dolphin, spawnDolphin } from '../support/cli.js';
import { describeHazelcast, ensureMember } from '../support/hazelcast.js';
import { ScanPutter, uniqueMaps, waitFor, waitForSettledState } from '../support/live-driver.js';
import { synthScans } from '../support/synthetic-scans.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-live-cli-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SETS = ['warmupBars=5', 'volWindow=10', 'alignWindow=10', 'minAlignment=0', 'maxHoldBars=20', 'volThreshold=0'].flatMap((s) => ['--set', s]);
const scans = synthScans({ n: 300, seed: 41, cadenceSec: 5 });


const journalScans = (dir: string): number => (existsSync(join(dir, '2026-01-05')) ? readdirSync(join(dir, '2026-01-05')).filter((f) => f.endsWith('.arrow')).length : 0);

describeHazelcast('dolphin live --paper (process)', () => {
  it('resumes after SIGKILL with identical positions and cash, then stops cleanly on SIGINT', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const journal = join(root, 'journal');
    const args = ['live', '--paper', '--hz', member.address, '--cluster', member.cluster, '--journal', journal, '--run-id', 'kill-test', '--features-map', maps.featuresMap, '--state-map', maps.stateMap, '--poll', '300', ...SETS];
    const put = await ScanPutter.connect(member.address, member.cluster, maps.featuresMap);
    const stateMap = await put.client.getMap<string, string>(maps.stateMap);
    const state = async () => JSON.parse((await stateMap.get('kill-test')) ?? 'null');
    try {
      const p1 = spawnDolphin(args);
      await waitFor(() => p1.err().includes('listening on'), 30_000, `live to start: ${p1.err()}`);
      for (let i = 0; i < 150; i++) await put.put(scans[i]);
      await waitFor(() => journalScans(journal) === 150, 30_000, 'journal of 150 scans');
      const before = await waitForSettledState(stateMap, 'kill-test', scans[149].timestampNs, 150);
      p1.proc.kill('SIGKILL');
      expect(await p1.exited).toBe(null);

      const p2 = spawnDolphin(args);
      await waitFor(() => p2.err().includes('listening on'), 30_000, `restart: ${p2.err()}`);
      expect(p2.err()).toMatch(/resumed from journal .*: 150 scans replayed .*no accepted scan lost/);
      const after = await state();
      expect(after.cash).toBe(before.cash);
      expect(after.equity).toBe(before.equity);
      expect(after.positions).toEqual(before.positions);
      expect(after.trades).toBe(before.trades);
      for (let i = 150; i < 300; i++) await put.put(scans[i]);
      await waitFor(() => journalScans(journal) === 300, 30_000, 'journal of 300 scans');
      await waitFor(async () => (await state())?.lastScanTs === scans[299].timestampNs.toString(), 30_000, 'state of scan 299');
      p2.proc.kill('SIGINT');
      expect(await p2.exited, p2.err()).toBe(0);
      expect(p2.out()).toContain('Live paper run kill-test');
      const live = JSON.parse(readFileSync(join(journal, 'report.json'), 'utf8'));
      expect(live.fingerprint.scans).toBe(300);
      const bt = dolphin(['backtest', journal, '--json', '--quiet', '--out', join(root, 'bt')]);
      expect(bt.code).toBe(0);
      const replay = JSON.parse(bt.stdout);
      expect(replay.trades).toEqual(live.trades);
      expect(replay.metrics).toEqual(live.metrics);
      // fills.ndjson and trades.ndjson agree with the report after the crash.
      const trades = readFileSync(join(journal, 'trades.ndjson'), 'utf8').trim().split('\n').filter(Boolean);
      expect(trades).toHaveLength(live.trades.length);
    } finally {
      await put.close();
    }
  }, 120_000);

  it('requires --paper and exits 2 without it', () => {
    const r = dolphin(['live', '--journal', join(root, 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--paper');
  });
});
