/**
 * `dolphin status` and our own scanner, all real processes: the emulated venue on 127.0.0.1, a real
 * member, `dolphin scan --hz` or `dolphin live --feed exchange --hz`, each test in maps of its own.
 * Invariants: status shows the scanner's section (connection, last tick age, scans, stale symbols,
 * clock offset) in text and --json and exits 0 while it beats; a scanner killed without stopping
 * makes status exit 1 naming its heartbeat; a live run on the exchange feed publishes its state, its
 * scans and its scanner's record, and both end as stopped entries after SIGINT.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBinanceEmulator, type BinanceEmulator } from '../../src/emulator/binance-usdm/binance-emulator.js';
import type { ClusterStatus } from '../../src/feeds/live/cluster-status.js';
import { spawnDolphin, type CliResult } from '../support/cli.js';
import { describeHazelcast, ensureMember, type TestMember } from '../support/hazelcast.js';
import { waitFor } from '../support/live-driver.js';

let emu: BinanceEmulator;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-status-scanner-'));
  emu = await startBinanceEmulator({ tickMs: 100, assets: 12 });
});
afterAll(async () => {
  await emu.close();
  rmSync(root, { recursive: true, force: true });
});

/** Runs the CLI without blocking this process, which hosts the emulated venue (it must keep ticking). */
async function dolphinAsync(args: readonly string[]): Promise<CliResult> {
  const p = spawnDolphin(args);
  const code = await p.exited;
  return { code: code ?? -1, stdout: p.out(), stderr: p.err() };
}

/** Map names of one test, and `dolphin status` pointed at them. */
function maps(member: TestMember): { hz: string[]; features: string; state: string; scanners: string; status: (extra?: string[]) => Promise<CliResult> } {
  const id = randomUUID().slice(0, 8);
  const m = { features: `test-scst-features-${id}`, state: `test-scst-state-${id}`, scanners: `test-scst-scanners-${id}` };
  const hz = ['--hz', member.address, '--cluster', member.cluster, '--features-map', m.features];
  return {
    ...m,
    hz,
    status: (extra = []) => dolphinAsync(['status', ...hz, '--state-map', m.state, '--scanner-map', m.scanners, ...extra]),
  };
}

describeHazelcast('dolphin status with our own scanner (real member, emulated venue)', () => {
  it('shows a running dolphin scan --hz; a scanner killed without stopping makes status exit 1', async () => {
    const member = await ensureMember();
    const m = maps(member);
    const scan = spawnDolphin(['scan', '--exchange', 'binanceusdm', '--venue-url', emu.url, '--universe', 'top8', '--cadence', '500ms', ...m.hz, '--state-map', m.scanners, '--scanner-id', 'emu']);
    try {
      await waitFor(async () => (await m.status()).stdout.includes('scanner emu [OK]'), 45_000, `the scanner's record: ${scan.err()}`);
      const r = await m.status();
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).toContain('Scanners (1)');
      expect(r.stdout).toMatch(new RegExp(`scanner emu \\[OK\\] binanceusdm at ${emu.url.replace('http://', '').replace(/\./g, '\\.')}, last prices every 0\\.5 s, connection WEBSOCKET; heartbeat \\d+ m?s ago`));
      expect(r.stdout).toMatch(/scans: 0 written, \d+ published, last #\d+ at .*; last tick \d+ m?s ago/);
      // (a symbol can lack a price for a moment on a loaded machine: its count is shown, not asserted)
      expect(r.stdout).toMatch(/universe 8: \d+ without a price now, 0 delisted/);
      expect(r.stdout).toMatch(/clock offset to the exchange [+-]\d+ ms \(rtt \d+ ms\)/);
      const j = await m.status(['--json']);
      expect(j.code).toBe(0);
      const st = JSON.parse(j.stdout) as ClusterStatus;
      expect(st.maps.scanners).toBe(m.scanners);
      expect(st.scanners).toHaveLength(1);
      expect(st.scanners[0]).toMatchObject({ health: 'OK', status: { scannerId: 'emu', connection: 'WEBSOCKET', universeSize: 8, delistedSymbols: [], stopped: false } });
      expect(st.scanners[0]?.status.scansPublished).toBeGreaterThan(0);
      expect(typeof st.scanners[0]?.status.clockOffsetMs).toBe('number');
      expect(typeof st.scanners[0]?.status.lastTickAgeMs).toBe('number');
      expect(st.scan.state).toBe('OK'); // the scanner publishes latest_eigen_scan too

      scan.proc.kill('SIGKILL');
      await scan.exited;
      await new Promise((r) => setTimeout(r, 4_000));
      const dead = await m.status(['--stale-after', '4']);
      expect(dead.code, dead.stdout).toBe(1);
      expect(dead.stdout).toContain('scanner emu [STALE]');
      expect(dead.stdout).toMatch(/scanner emu: heartbeat is \d+\.\d s old \(limit 3 s\): the scanner is hung or died without stopping/);
    } finally {
      if (scan.proc.exitCode === null && scan.proc.signalCode === null) scan.proc.kill('SIGKILL');
    }
  }, 120_000);

  it('live --feed exchange --hz publishes its state, scans and scanner record; both end stopped', async () => {
    const member = await ensureMember();
    const m = maps(member);
    const journal = join(root, 'journal');
    const live = spawnDolphin(['live', '--paper', '--feed', 'exchange', '--exchange', 'binanceusdm', '--venue-url', emu.url, '--universe', 'top8', '--cadence', '500ms', ...m.hz, '--state-map', m.state, '--scanner-map', m.scanners, '--journal', journal, '--run-id', 'exhz', '--set', 'volThreshold=0']);
    try {
      await waitFor(() => live.err().includes("trading its own scanner's scans"), 45_000, `live to start: ${live.err()}`);
      expect(live.err()).toContain(`state to ${member.address}`);
      await waitFor(async () => {
        const s = JSON.parse((await m.status(['--json'])).stdout) as ClusterStatus;
        return s.runs[0]?.feedStatus === 'CONNECTED' && (s.runs[0]?.lastScanNumber ?? 0) >= 3 && s.scanners[0]?.health === 'OK';
      }, 30_000, `state and scanner record: ${live.err()}`);
      const r = await m.status();
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).toMatch(/exhz\s+running\s+\S+ s\s+CONNECTED/);
      expect(r.stdout).toContain('scanner binanceusdm [OK]');
      live.proc.kill('SIGINT');
      expect(await live.exited, live.err()).toBe(0);
    } finally {
      if (live.proc.exitCode === null && live.proc.signalCode === null) live.proc.kill('SIGKILL');
    }
    const end = JSON.parse((await m.status(['--json'])).stdout) as ClusterStatus;
    expect(end.runs[0]).toMatchObject({ runId: 'exhz', stopped: true });
    expect(end.scanners[0]).toMatchObject({ health: 'STOPPED', status: { scannerId: 'binanceusdm', stopped: true, connection: 'STOPPED' } });
    const scans = end.runs[0]!.counters.scansAccepted;
    expect(end.scanners[0]!.status.scansPublished).toBe(scans);
    expect(end.scan.scanNumber).toBe(end.runs[0]!.lastScanNumber); // the newest scan traded is the one published
    expect(JSON.parse(readFileSync(join(journal, 'journal.json'), 'utf8'))).toMatchObject({ feed: 'exchange', hazelcast: member.address, cluster: member.cluster });
  }, 120_000);
});
