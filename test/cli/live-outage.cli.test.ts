/**
 * The outage of issue 9, all real processes: a member of its own, `dolphin live --paper` and
 * `dolphin bridge --backfill`; the member is stopped for ~20 s mid-backfill and started again (it comes
 * back empty). Invariants: live loses no scan (the bridge republishes what the restarted member lost
 * from the scan stream and live reads it by sequence); its report is IDENTICAL (`dolphin compare`) to a
 * backtest of the bridge's source folder over the same window; the run names no missed scan.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dolphin, spawnDolphin } from '../support/cli.js';
import { describeHazelcast, startMember, stopMember } from '../support/hazelcast.js';
import { waitFor } from '../support/live-driver.js';
import { synthScans, writeScannerLayout } from '../support/synthetic-scans.js';

const PORT = 5792;
const CLUSTER = 'dolphin-outage';
const N = 2400;
const SPEED = 60;
const DOWN_MS = 20_000;

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-outage-'));
  writeScannerLayout(join(root, 'scanner'), synthScans({ n: N, seed: 91, cadenceSec: 5 }));
});
afterAll(async () => {
  await stopMember(PORT);
  rmSync(root, { recursive: true, force: true });
});

const SETS = ['warmupBars=5', 'volWindow=10', 'alignWindow=10', 'minAlignment=0', 'maxHoldBars=20', 'volThreshold=0'].flatMap((s) => ['--set', s]);
const journaled = (dir: string): number =>
  existsSync(dir) ? readdirSync(dir).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).reduce((n, d) => n + readdirSync(join(dir, d)).filter((f) => f.endsWith('.arrow')).length, 0) : 0;

describeHazelcast('live through a member outage while the bridge backfills', () => {
  it('loses no scan and compares IDENTICAL to a backtest of the source folder', async () => {
    const member = await startMember(PORT, CLUSTER);
    const hz = ['--hz', member.address, '--cluster', member.cluster];
    const journal = join(root, 'journal');
    const live = spawnDolphin(['live', '--paper', ...hz, '--journal', journal, '--run-id', 'outage', ...SETS]);
    await waitFor(() => live.err().includes('listening on'), 30_000, `live to start: ${live.err()}`);
    const bridge = spawnDolphin(['bridge', join(root, 'scanner'), ...hz, '--backfill', '--once', '--speed', String(SPEED), '--json']);
    try {
      await waitFor(() => journaled(journal) >= 400, 60_000, 'the first 400 scans');
      await stopMember(PORT);
      const downAt = Date.now();
      await new Promise((r) => setTimeout(r, DOWN_MS));
      await startMember(PORT, CLUSTER);
      const downS = (Date.now() - downAt) / 1000;
      expect(await bridge.exited, bridge.err()).toBe(0);
      const published = JSON.parse(bridge.out().trim().split('\n').pop()!) as { published: number; stream?: { resets: number; republished: number } };
      expect(published.published).toBe(N);
      // live catches up with what the stream holds; then it has everything or it never will
      await waitFor(() => journaled(journal) === N, 90_000, `the journal to hold ${N} scans (has ${journaled(journal)})`).catch(() => undefined);
      const lost = N - journaled(journal);
      console.log(`outage of ${downS.toFixed(1)} s during a backfill of ${N} scans at ${SPEED}/s: ${lost} scan(s) lost by live; bridge stream: ${JSON.stringify(published.stream ?? null)}`);
      live.proc.kill('SIGINT');
      expect(await live.exited, live.err()).toBe(0);
      expect(lost).toBe(0);
      expect(published.stream?.resets).toBeGreaterThanOrEqual(1);
      expect(live.err()).toMatch(/feed status: DISCONNECTED/);
      const report = JSON.parse(readFileSync(join(journal, 'report.json'), 'utf8'));
      console.log(`live report: ${report.fingerprint.scans} scans, data quality ${JSON.stringify({ lateOrDuplicateLive: report.dataQuality.lateOrDuplicateLive, ...report.dataQuality.liveFeed })}`);
      expect(report.fingerprint.scans).toBe(N);
      expect(report.dataQuality.liveFeed).toMatchObject({ scansMissed: 0, missed: [] });
      expect(report.dataQuality.liveFeed.fromStream).toBeGreaterThan(N - 10);

      const bt = dolphin(['backtest', join(root, 'scanner'), '--quiet', '--out', join(root, 'bt'), ...SETS, '--set', 'closeAtEnd=false']);
      expect(bt.code, bt.stderr).toBe(0);
      const cmp = dolphin(['compare', join(journal, 'report.json'), join(root, 'bt', 'report.json')]);
      expect(cmp.stdout).toMatch(/IDENTICAL/);
      expect(cmp.code, cmp.stdout + cmp.stderr).toBe(0);
    } finally {
      if (bridge.proc.exitCode === null) bridge.proc.kill('SIGKILL');
      if (live.proc.exitCode === null) live.proc.kill('SIGKILL');
    }
  }, 300_000);
});
