/**
 * `dolphin dashboard` end to end: the real CLI in a real terminal (tmux) against the test member, with a
 * real live paper run fed real scans. Invariants: the screen shows the run with the equity and open
 * positions its published state holds; a resize redraws within the new width; the run stopping (SIGINT)
 * shows it stopped with its final report; q quits the dashboard (exit 0); nothing is written to the
 * cluster (the maps hold only what the run and the test wrote). When stdout is not a terminal, plain
 * frames are printed, and an unreachable member is shown as gone (not an error exit).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fmtMoney } from '../../src/app/watch/watch-frame.js';
import { CLI, dolphin, spawnDolphin, TEST_CACHE_HOME } from '../support/cli.js';
import { describeHazelcast, ensureMember } from '../support/hazelcast.js';
import { ScanPutter, uniqueMaps, waitFor, waitForSettledState } from '../support/live-driver.js';
import { synthScans } from '../support/synthetic-scans.js';

const SETS = ['warmupBars=5', 'volWindow=10', 'alignWindow=10', 'minAlignment=0', 'maxHoldBars=20', 'volThreshold=0'].flatMap((s) => ['--set', s]);
const TMUX = spawnSync('tmux', ['-V']).status === 0;
if (!TMUX && process.env['CI'] === 'true') throw new Error('the dashboard end-to-end test needs tmux in CI (.ci/run installs it)');
if (!TMUX) console.warn('dashboard tmux test skipped: no tmux (apt-get install -y tmux)');
const SOCKET = `dolphin-dash-test-${process.pid}`;
const tmux = (...args: string[]): { code: number | null; out: string } => {
  const r = spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout };
};
const screen = (): string => tmux('capture-pane', '-p', '-t', 'dash').out;

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-dashboard-cli-'));
});
afterAll(() => {
  if (TMUX) tmux('kill-server');
  rmSync(root, { recursive: true, force: true });
});

describeHazelcast('dolphin dashboard (tmux, real member, real live run)', () => {
  it.skipIf(!TMUX)('shows the live run, its positions and equity, follows a resize, shows it stopped with its report, quits on q', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const scannerMap = `${maps.stateMap}_scanners`;
    const journal = join(root, 'journal');
    const hz = ['--hz', member.address, '--cluster', member.cluster, '--features-map', maps.featuresMap, '--state-map', maps.stateMap];
    const put = await ScanPutter.connect(member.address, member.cluster, maps.featuresMap);
    const stateMap = await put.client.getMap<string, string>(maps.stateMap);
    const live = spawnDolphin(['live', '--paper', ...hz, '--journal', journal, '--run-id', 'dash-e2e', '--poll', '300', ...SETS]);
    try {
      await waitFor(() => live.err().includes('listening on'), 30_000, `live to start: ${live.err()}`);
      const all = synthScans({ n: 96, seed: 41, cadenceSec: 5 });
      const scans = all.slice(0, 90);
      for (const s of scans) await put.put(s);
      const state = await waitForSettledState(stateMap, 'dash-e2e', scans[scans.length - 1]!.timestampNs, scans.length);

      const cmd = [process.execPath, CLI, 'dashboard', ...hz, '--scanner-map', scannerMap].map((a) => `'${a}'`).join(' ');
      expect(tmux('new-session', '-d', '-s', 'dash', '-x', '130', '-y', '50', `XDG_CACHE_HOME=${TEST_CACHE_HOME} ${cmd}; echo EXITED $?; sleep 30`).code).toBe(0);
      // CI=true is set for the whole suite in CI: the dashboard must still draw (ink's CI mode draws nothing until exit)
      await waitFor(() => screen().includes('dash-e2e'), 30_000, `the run on screen:\n${screen()}`);
      const s1 = screen();
      expect(s1).toContain('Scanner feed');
      expect(s1).toMatch(/latest scan #\d+/);
      expect(s1).toMatch(/>\s+dash-e2e\s+running/);
      expect(s1).toContain(fmtMoney(state.equity));
      if (state.positions.length === 0) expect(s1).toContain('no open positions');
      for (const p of state.positions) expect(s1).toMatch(new RegExp(`${p.asset}\\s+[\\d.]+\\s+[\\d.]+\\s+[\\d.]+\\s+[+-][\\d,.]+\\s+\\d+`));
      expect(s1).toMatch(/cadence 5 s/);

      // it refreshes by itself: new scans move the scan number and grow the equity sparkline
      for (const s of all.slice(90)) {
        await put.put(s);
        await new Promise((r) => setTimeout(r, 350));
      }
      await waitFor(() => screen().includes('latest scan #96'), 30_000, `scan #96 on screen:\n${screen()}`);
      await waitFor(() => /equity [\d,.]+ \([^)]*\)\s+[▁▂▃▄▅▆▇█]{2,}/.test(screen()), 30_000, `a sparkline of several points:\n${screen()}`);

      // resize: every line fits the new width
      tmux('resize-window', '-t', 'dash', '-x', '80', '-y', '50');
      await waitFor(() => screen().split('\n').every((l) => [...l.trimEnd()].length <= 80) && screen().includes('╭─'), 20_000, `a redraw at 80 columns:\n${screen()}`);

      live.proc.kill('SIGINT');
      expect(await live.exited, live.err()).toBe(0);
      expect(existsSync(join(journal, 'report.md'))).toBe(true);
      tmux('resize-window', '-t', 'dash', '-x', '200', '-y', '50');
      await waitFor(() => /dash-e2e\s+stopped/.test(screen()) && screen().includes(`final report: ${join(journal, 'report.md')}`), 30_000, `the run stopped:\n${screen()}`);

      tmux('send-keys', '-t', 'dash', 'q');
      await waitFor(() => screen().includes('EXITED 0'), 20_000, `the dashboard to quit:\n${screen()}`);
      // read-only: the features map holds only what the putter wrote, no key was added to the scanner map
      const features = await put.client.getMap<string, string>(maps.featuresMap);
      expect((await features.keySet()).map(String)).toEqual(['latest_eigen_scan']);
      expect(await (await put.client.getMap(scannerMap)).size()).toBe(0);
    } finally {
      live.proc.kill('SIGKILL');
      await put.close();
    }
  }, 240_000);

  it('prints plain frames when not a terminal and says when the member is gone', async () => {
    const d = spawnDolphin(['dashboard', '--hz', '127.0.0.1:1', '--cluster', 'nobody', '--interval', '0.2', '--connect-timeout', '200']);
    await waitFor(() => (d.out().match(/DOLPHIN dashboard/g) ?? []).length >= 2, 15_000, `two frames: ${d.out()} ${d.err()}`);
    d.proc.kill('SIGINT');
    expect(await d.exited).toBe(0);
    expect(d.out()).toMatch(/DOLPHIN dashboard {2}MEMBER GONE( for [\d.]+ s)?: cannot reach Hazelcast cluster 'nobody' at 127\.0\.0\.1:1; retrying every sample/);
    expect(d.out()).not.toContain('\u001b['); // plain text, no terminal control
  }, 30_000);
});

describe('dashboard and serve: usage errors exit 2', () => {
  it('bad flags, a missing RUNS_DIR and a port in use are exit 2 with a message saying what to do', async () => {
    const bad = dolphin(['dashboard', '--interval', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--interval must be');
    const missing = dolphin(['serve', join(root, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/RUNS_DIR .*nope is not a folder/);
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (busy.address() as AddressInfo).port;
      const taken = dolphin(['serve', root, '--port', String(port)]);
      expect(taken.code).toBe(2);
      expect(taken.stderr).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE); pass another --port`);
    } finally {
      busy.close();
    }
  });
});
