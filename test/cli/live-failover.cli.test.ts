/**
 * Failover, all real processes: a 2-member cluster (ringbuffer and maps with one synchronous backup),
 * `dolphin bridge --backfill` and `dolphin live --paper` both pointed at the first member, which is
 * killed (SIGKILL) mid-run. Invariants: live keeps going through the other member with no scan lost,
 * and its report is IDENTICAL (`dolphin compare`) to a backtest of the bridge's source folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/hazelcast-member.js';
import { dolphin, spawnDolphin } from '../support/cli.js';
import { describeHazelcast, stopMember } from '../support/hazelcast.js';
import { waitFor } from '../support/live-driver.js';
import { synthScans, writeScannerLayout } from '../support/synthetic-scans.js';

const PORTS = [5820, 5821] as const;
const CLUSTER = 'dolphin-pair';
const MEMBERS = PORTS.map((p) => `127.0.0.1:${p}`).join(',');
const N = 1500;

let root: string;
const hz = (...args: string[]): { code: number | null; out: string } => {
  const r = spawnSync('bash', [join(PROJECT_ROOT, 'scripts', 'hz.sh'), ...args], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-failover-'));
  writeScannerLayout(join(root, 'scanner'), synthScans({ n: N, seed: 93, cadenceSec: 5 }));
});
afterAll(async () => {
  for (const p of PORTS) await stopMember(p);
  rmSync(root, { recursive: true, force: true });
});

const SETS = ['warmupBars=5', 'volWindow=10', 'alignWindow=10', 'minAlignment=0', 'maxHoldBars=20', 'volThreshold=0'].flatMap((s) => ['--set', s]);
const journaled = (dir: string): number =>
  existsSync(dir) ? readdirSync(dir).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).reduce((n, d) => n + readdirSync(join(dir, d)).filter((f) => f.endsWith('.arrow')).length, 0) : 0;

describeHazelcast('live on a 2-member cluster when one member dies', () => {
  it('keeps going through the other member with no scan lost', async () => {
    for (const p of PORTS) {
      const r = hz('start', '--port', String(p), '--cluster', CLUSTER, '--members', MEMBERS);
      expect(r.code, r.out).toBe(0);
    }
    const hzArgs = ['--hz', `127.0.0.1:${PORTS[0]}`, '--cluster', CLUSTER];
    const st = dolphin(['status', ...hzArgs, '--json']);
    expect(JSON.parse(st.stdout).cluster.members).toBe(2);
    const journal = join(root, 'journal');
    const live = spawnDolphin(['live', '--paper', ...hzArgs, '--journal', journal, '--run-id', 'failover', ...SETS]);
    await waitFor(() => live.err().includes('listening on'), 30_000, `live to start: ${live.err()}`);
    const bridge = spawnDolphin(['bridge', join(root, 'scanner'), ...hzArgs, '--backfill', '--once', '--speed', '60', '--json']);
    try {
      await waitFor(() => journaled(journal) >= 400, 60_000, 'the first 400 scans');
      const killed = hz('kill', '--port', String(PORTS[0]));
      expect(killed.out).toMatch(/killed/);
      const atKill = journaled(journal);
      expect(await bridge.exited, bridge.err()).toBe(0);
      expect(JSON.parse(bridge.out().trim().split('\n').pop()!).published).toBe(N);
      await waitFor(() => journaled(journal) === N, 60_000, `the journal to hold ${N} scans (has ${journaled(journal)})`).catch(() => undefined);
      console.log(`member ${PORTS[0]} killed after ${atKill} scans; live journaled ${journaled(journal)} of ${N}`);
      expect(journaled(journal)).toBe(N);
      // the published state follows within a heartbeat or so (later on a loaded machine)
      let run: { feedStatus: string; counters: { scansMissed: number } } | undefined;
      await waitFor(() => {
        const after = dolphin(['status', '--hz', `127.0.0.1:${PORTS[1]}`, '--cluster', CLUSTER, '--json']);
        run = (JSON.parse(after.stdout) as { runs: { runId: string; feedStatus: string; counters: { scansMissed: number } }[] }).runs.find((r) => r.runId === 'failover');
        return run?.feedStatus === 'CONNECTED';
      }, 30_000, 'the run CONNECTED in its published state');
      expect(run!.counters.scansMissed).toBe(0);
      live.proc.kill('SIGINT');
      expect(await live.exited, live.err()).toBe(0);
      const report = JSON.parse(readFileSync(join(journal, 'report.json'), 'utf8'));
      expect(report.fingerprint.scans).toBe(N);
      expect(report.dataQuality.liveFeed.scansMissed).toBe(0);
      const bt = dolphin(['backtest', join(root, 'scanner'), '--quiet', '--out', join(root, 'bt'), ...SETS, '--set', 'closeAtEnd=false']);
      expect(bt.code, bt.stderr).toBe(0);
      const cmp = dolphin(['compare', join(journal, 'report.json'), join(root, 'bt', 'report.json')]);
      expect(cmp.code, cmp.stdout + cmp.stderr).toBe(0);
      expect(cmp.stdout).toMatch(/IDENTICAL/);
    } finally {
      if (bridge.proc.exitCode === null) bridge.proc.kill('SIGKILL');
      if (live.proc.exitCode === null) live.proc.kill('SIGKILL');
    }
  }, 300_000);
});
