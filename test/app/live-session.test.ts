/**
 * The live session's steps, driven and failed one by one against a real member. Invariants: shadow
 * portfolios see exactly the main run's scans (their report equals a replay of the journal with their
 * config); a failing engine fails the session with its error (no report, nothing left running, journal
 * unlocked); one live run per journal: a second one is refused naming the holder's pid and run id, a
 * lock left by a dead process is taken over.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backtest } from '../../src/app/backtest.js';
import { liveEngineConfig, startLive } from '../../src/app/live.js';
import { LiveRun } from '../../src/app/live/live-session.js';
import { resolveConfig } from '../../src/core/config.js';
import type { ScanRecord } from '../../src/core/scan.js';
import { JOURNAL_FILES } from '../../src/feeds/live/journal.js';
import { WorkerPool } from '../../src/workers/pool.js';
import { describeHazelcast, ensureMember } from '../support/hazelcast.js';
import { LIVE_TEST_CONFIG, ScanPutter, uniqueMaps, waitFor } from '../support/live-driver.js';
import { synthScans } from '../support/synthetic-scans.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-live-session-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const scans = synthScans({ n: 200, seed: 43, cadenceSec: 5 });

describeHazelcast('live session steps', () => {
  it('feeds the shadow portfolios the same scans: each shadow report equals a replay of the journal', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const journalDir = join(root, 'shadows');
    const shadowConfig = resolveConfig({ ...LIVE_TEST_CONFIG, maxHoldBars: 7, takeProfitPct: 0.2 });
    const pool = new WorkerPool(1);
    const put = await ScanPutter.connect(member.address, member.cluster, maps.featuresMap);
    try {
      const session = await startLive({ config: LIVE_TEST_CONFIG, shadows: [{ name: 'tight', config: shadowConfig }], pool, address: member.address, cluster: member.cluster, journalDir, runId: 'shadow-run', ...maps });
      for (const s of scans) await put.put(s);
      await waitFor(() => session.state().lastScanTs === scans[199].timestampNs.toString(), 30_000, 'the last scan');
      await waitFor(() => session.latenciesMs().length === 200, 30_000, 'the engine replies');
      const live = await session.stop();
      const shadow = JSON.parse(readFileSync(join(journalDir, 'report.shadow-tight.json'), 'utf8'));
      const replayShadow = (await backtest(journalDir, liveEngineConfig(shadowConfig))).report;
      expect(shadow.trades.length).toBeGreaterThan(0);
      expect(JSON.stringify(shadow.trades)).toBe(JSON.stringify(replayShadow.trades));
      expect(JSON.stringify(shadow.metrics)).toBe(JSON.stringify(replayShadow.metrics));
      expect(JSON.stringify(shadow.trades)).not.toBe(JSON.stringify(live.trades));
      expect(session.state().shadows).toEqual([expect.objectContaining({ name: 'tight', trades: shadow.trades.length })]);
    } finally {
      await put.close();
      await pool.destroy();
    }
  }, 90_000);

  it('fails the session when the engine step fails, without a report, and unlocks the journal', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const journalDir = join(root, 'engine-fault');
    const logs: string[] = [];
    const run = (await startLive({ config: LIVE_TEST_CONFIG, address: member.address, cluster: member.cluster, journalDir, runId: 'engine-fault', ...maps, log: (m) => logs.push(m) })) as LiveRun;
    // a message the engine cannot take: the worker replies with an error
    run.parts.engine!.post(1, null as unknown as ScanRecord, []);
    const e = await run.failed;
    expect(e.message).toMatch(/./);
    expect(run.canReport).toBe(false);
    await expect(run.stop()).rejects.toBe(e);
    await run.abort();
    expect(logs.join('\n')).toMatch(/live run engine-fault failed/);
    // the lock is released: a new run on the journal starts
    const again = await startLive({ config: LIVE_TEST_CONFIG, address: member.address, cluster: member.cluster, journalDir, runId: 'engine-fault-2', ...maps });
    await again.stop();
  }, 60_000);

  it('allows one live run per journal and takes over the lock of a dead process', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const journalDir = join(root, 'locked');
    const common = { config: LIVE_TEST_CONFIG, address: member.address, cluster: member.cluster, journalDir, ...maps };
    const first = await startLive({ ...common, runId: 'holder' });
    try {
      await expect(startLive({ ...common, runId: 'intruder' })).rejects.toThrow(
        new RegExp(`journal .* is in use by live run holder \\(pid ${process.pid}, since .*\\): one live run per journal; stop it first, or pass another --journal folder`),
      );
      expect(JSON.parse(readFileSync(join(journalDir, JOURNAL_FILES.lock), 'utf8'))).toMatchObject({ pid: process.pid, runId: 'holder' });
    } finally {
      await first.stop();
    }
    // a lock left by a process that no longer exists (a finished child's pid) is taken over
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(journalDir, JOURNAL_FILES.lock), JSON.stringify({ pid: Number(dead.stdout), runId: 'crashed', host: hostname(), startedAt: '2026-01-01T00:00:00Z', token: 'old' }));
    const logs: string[] = [];
    const taker = await startLive({ ...common, runId: 'taker', log: (m) => logs.push(m) });
    expect(logs.join('\n')).toMatch(/took over the lock of run crashed \(pid \d+, no longer running\)/);
    expect(JSON.parse(readFileSync(join(journalDir, JOURNAL_FILES.lock), 'utf8'))).toMatchObject({ pid: process.pid, runId: 'taker' });
    await taker.stop();
    expect(() => readFileSync(join(journalDir, JOURNAL_FILES.lock))).toThrow(/ENOENT/);
  }, 60_000);
});
