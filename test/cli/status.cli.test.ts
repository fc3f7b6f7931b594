/**
 * `dolphin status` as a real process against the real test member, each test in maps of its own
 * (hidden --features-map / --state-map). Invariants: exit 0 only when healthy; exit 1 naming why when
 * stale, malformed or down (down answers within a few seconds and names the address); --json prints
 * the ClusterStatus; --watch on a pipe appends one frame per sample, shows progression between
 * samples and exits on SIGINT with the last sample's health; bad flags exit 2.
 */

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { IMap } from 'hazelcast-client';
import type { ClusterStatus } from '../../src/feeds/live/cluster-status.js';
import { connectHazelcast } from '../../src/feeds/live/hazelcast-connection.js';
import type { HazelcastClient } from '../../src/feeds/live/hazelcast-connection.js';
import { EXF_KEY, SCAN_KEY } from '../../src/feeds/live/paper-state.js';
import type { PaperState } from '../../src/feeds/live/paper-state.js';
import { STATUS_CONNECT_TIMEOUT_MS } from '../../src/cli/status.command.js';
import { CLI, dolphin, TEST_CACHE_HOME } from '../support/cli.js';
import { describeHazelcast, ensureMember } from '../support/hazelcast.js';
import type { TestMember } from '../support/hazelcast.js';

/** A Python-style latest_eigen_scan (bare 19-digit timestamp, NaN token). */
function scanPayload(tsMs: number, scanNumber: number): string {
  return `{"scan_number": ${scanNumber}, "timestamp_ns": ${BigInt(tsMs) * 1_000_000n}, "assets": ["BTCUSDT", "ETHUSDT"], "asset_prices": [97000.5, NaN]}`;
}

function paperState(runId: string, heartbeatMs: number, over: Partial<PaperState> = {}): PaperState {
  return {
    runId,
    mode: 'paper',
    heartbeatMs,
    startedAtMs: heartbeatMs - 600_000,
    feedStatus: 'CONNECTED',
    lastScanTs: (BigInt(heartbeatMs) * 1_000_000n).toString(),
    lastScanNumber: 12,
    equity: 9_876.54,
    cash: 9_876.54,
    initialCapital: 10_000,
    realizedPnl: -123.46,
    trades: 3,
    acbCut: 0,
    positions: [],
    counters: { scansAccepted: 12, malformedMessages: 0, outOfBounds: 0, badTimestamps: 0, lateOrDuplicate: 0, scannerRestarts: 0, invalidPrices: 1, reconnects: 0, scansMissed: 0, fromStream: 12, fromKey: 0 },
    shadows: [],
    validation: null,
    journal: '/tmp/j',
    stopped: false,
    ...over,
  };
}

describeHazelcast('dolphin status (real member)', () => {
  let member: TestMember;
  let client: HazelcastClient;
  const maps: IMap<string, string>[] = [];

  beforeAll(async () => {
    member = await ensureMember();
    client = await connectHazelcast({ address: member.address, cluster: member.cluster });
  });
  afterAll(async () => {
    for (const m of maps) await m.destroy().catch(() => undefined);
    await client?.shutdown();
  });

  /** Fresh maps holding the entries; returns the CLI arguments pointing at them. */
  async function setup(features: Record<string, string>, states: Record<string, string | PaperState>): Promise<{ args: string[]; features: IMap<string, string> }> {
    const id = randomUUID();
    const f = await client.getMap<string, string>(`test-status-cli-features-${id}`);
    const s = await client.getMap<string, string>(`test-status-cli-state-${id}`);
    maps.push(f, s);
    for (const [k, v] of Object.entries(features)) await f.set(k, v);
    for (const [k, v] of Object.entries(states)) await s.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    // scanners in a map of their own too: a scanner record elsewhere on the member never leaks in
    const args = ['status', '--hz', member.address, '--cluster', member.cluster, '--features-map', f.getName(), '--state-map', s.getName(), '--scanner-map', `test-status-cli-scanners-${id}`];
    return { args, features: f };
  }

  it('exits 0 when healthy and lists the run with its PnL', async () => {
    const now = Date.now();
    const { args } = await setup(
      { [SCAN_KEY]: scanPayload(now, 812), [EXF_KEY]: '{"date":"2026-01-01","fng":40}' },
      { 'paper-1': paperState('paper-1', now) },
    );
    const r = dolphin(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('DOLPHIN status: OK');
    expect(r.stdout).toContain(`'${member.cluster}' at ${member.address}: 1 member(s)`);
    expect(r.stdout).toMatch(/scan {6}#812 at .*, 2 assets/);
    expect(r.stdout).toContain('exf       2026-01-01');
    expect(r.stdout).toMatch(/paper-1\s+running\s+[\d.]+ s\s+CONNECTED\s+[\d.]+ s\s+9,876\.54\s+-123\.46\s+-1\.23%\s+3\s+0\s+0\.00\s+-/);
  });

  it('--json prints the ClusterStatus', async () => {
    const now = Date.now();
    const { args } = await setup({ [SCAN_KEY]: scanPayload(now, 7) }, { 'paper-2': paperState('paper-2', now) });
    const r = dolphin([...args, '--json']);
    expect(r.code).toBe(0);
    const st = JSON.parse(r.stdout) as ClusterStatus;
    expect(st).toMatchObject({ health: 'OK', reasons: [], scan: { state: 'OK', scanNumber: 7, assets: 2 }, exf: { state: 'MISSING' } });
    expect(st.runs[0]).toMatchObject({ runId: 'paper-2', trades: 3, initialCapital: 10_000 });
    expect(st.runs[0]!.pnl).toBeCloseTo(-123.46, 9);
  });

  it('exits 1 naming why when the latest scan is 2 minutes old', async () => {
    const { args } = await setup({ [SCAN_KEY]: scanPayload(Date.now() - 120_000, 9) }, {});
    const r = dolphin(args);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('DOLPHIN status: STALE');
    expect(r.stdout).toMatch(/- latest scan is 2 min \d+ s old \(stale after 30 s\)/);
    // a looser threshold makes the same data healthy
    expect(dolphin([...args, '--stale-after', '600']).code).toBe(0);
  });

  it('exits 1 naming the run whose heartbeat is old', async () => {
    const now = Date.now();
    const { args } = await setup({ [SCAN_KEY]: scanPayload(now, 10) }, { hung: paperState('hung', now - 60_000), ok: paperState('ok', now) });
    const r = dolphin(args);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/hung\s+STALE/);
    expect(r.stdout).toMatch(/- run hung: heartbeat is 1 min \d+ s old \(limit 15 s\)/);
    expect(r.stdout).not.toMatch(/- run ok:/);
  });

  it('reports malformed JSON in the maps without crashing', async () => {
    const now = Date.now();
    const { args } = await setup(
      { [SCAN_KEY]: '{"scan_number": 1, "timestamp_ns": NaN, "assets": []}', [EXF_KEY]: 'not json' },
      { broken: '{"runId": "broken",', fine: paperState('fine', now) },
    );
    const r = dolphin(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('scan      MALFORMED: latest_eigen_scan: field timestamp_ns is a number (NaN)');
    expect(r.stdout).toContain('exf       MALFORMED: exf_latest: not valid JSON');
    expect(r.stdout).toMatch(/Malformed state entries \(1\)\n {2}broken: not valid JSON/);
    expect(r.stdout).toMatch(/fine\s+running/);
  });

  it('--watch on a pipe appends a frame per sample, shows a scanner restart, stops on SIGINT', async () => {
    const now = Date.now();
    const { args, features } = await setup({ [SCAN_KEY]: scanPayload(now, 500) }, {});
    const child = spawn(process.execPath, [CLI, ...args, '--watch', '0.5'], {
      env: { ...process.env, XDG_CACHE_HOME: TEST_CACHE_HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const waitFor = async (re: RegExp, what: string): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await waitFor(/scan {6}#500/, 'the first frame');
      await features.set(SCAN_KEY, scanPayload(Date.now(), 3)); // scanner restarted
      await waitFor(/SCANNER RESTART since previous sample \(#500 -> #3\)/, 'the restart');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    expect(out).not.toContain('\x1b['); // no redraw codes on a pipe
    expect(out.match(/^DOLPHIN status: OK/gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(out).toContain('scanner restart: scan_number went from 500 to 3 since the previous sample');
  });
});

/** A local port nobody listens on (5790-5798 may hold other tests' private members). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

it('exits 1 fast naming the address when no member listens there', async () => {
  const port = await closedPort();
  const addr = `127.0.0.1:${port}`;
  // "fast": its connect timeout plus the CLI's own start-up, measured here (slow on a loaded machine)
  const bootAt = Date.now();
  expect(dolphin(['status', '--stale-after', '0', '--hz', addr]).code).toBe(2); // starts, refuses before connecting
  const bootMs = Date.now() - bootAt;
  const started = Date.now();
  const r = dolphin(['status', '--hz', addr, '--cluster', 'dolphin']);
  expect(Date.now() - started).toBeLessThan(Math.max(8_000, STATUS_CONNECT_TIMEOUT_MS + 2 * bootMs + 2_000));
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(new RegExp(`^dolphin: Hazelcast cluster 'dolphin' at 127\\.0\\.0\\.1:${port} is not reachable after \\d+ ms: connection refused`));
  expect(r.stderr).toContain('npm run hz:start or pass --hz host:port --cluster NAME');
  const j = dolphin(['status', '--hz', addr, '--json']);
  expect(j.code).toBe(1);
  expect(JSON.parse(j.stdout)).toMatchObject({ health: 'DOWN', cluster: { address: addr, reachable: false } });
});

it('exits 2 on a bad --stale-after or --watch', () => {
  const r = dolphin(['status', '--stale-after', '0', '--watch', 'soon', '--hz', '127.0.0.1:5797']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--stale-after must be a number in (0, 86400] (seconds), was 0');
  expect(r.stderr).toContain('--watch must be a number in [0.5, 86400] (seconds), was "soon"');
});
