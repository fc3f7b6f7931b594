/**
 * `dolphin bridge` as a real process against a real member and real files.
 * Invariants: `--backfill --once --speed 0` exits 0 with the counts (published, rejected, stale) and
 * leaves the newest scan and factors in the map; no member reachable exits 1 naming the address; a
 * missing folder exits 1 naming it; SIGINT while watching exits 0 with the counts; a member restart
 * while watching is logged and publishing resumes.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dayOf, dayToIso, type ScanRecord } from '../../src/core/scan.js';
import { encodeScans } from '../../src/feeds/replay/arrow-scan.codec.js';
import { connectHazelcast } from '../../src/feeds/live/hazelcast-connection.js';
import type { HazelcastClient } from '../../src/feeds/live/hazelcast-connection.js';
import { EXF_KEY, SCAN_KEY, scanStreamName } from '../../src/feeds/live/paper-state.js';
import { parseFactorsJson, parseScanJson } from '../../src/feeds/live/scan-json.js';
import { dolphin, spawnDolphin } from '../support/cli.js';
import { waitFor } from '../support/live-driver.js';
import { describeHazelcast, ensureMember, restartMember, startMember, stopMember } from '../support/hazelcast.js';
import { synthScans } from '../support/synthetic-scans.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-bridge-cli-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeScan(dir: string, s: ScanRecord, name: string): string {
  const d = join(dir, dayToIso(dayOf(s.timestampNs)));
  mkdirSync(d, { recursive: true });
  const p = join(d, name);
  writeFileSync(p, encodeScans([s]));
  return p;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}



it('exits 2 naming the folder when it does not exist (a usage error, before connecting)', () => {
  const missing = join(root, 'nope');
  const r = dolphin(['bridge', missing, '--hz', '127.0.0.1:1', '--connect-timeout', '60000'], { timeoutMs: 20_000 });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(missing);
});

it('exits 2 on a bad --from or --speed (before connecting)', () => {
  const dir = join(root, 'usage');
  mkdirSync(dir, { recursive: true });
  const a = dolphin(['bridge', dir, '--hz', '127.0.0.1:1', '--from', '2026-13-01'], { timeoutMs: 20_000 });
  expect(a.code).toBe(2);
  expect(a.stderr).toContain('2026-13-01');
  const b = dolphin(['bridge', dir, '--hz', '127.0.0.1:1', '--backfill', '--speed', '-1'], { timeoutMs: 20_000 });
  expect(b.code).toBe(2);
  expect(b.stderr).toContain('--speed');
});

it('exits 1 with a message naming the address when no member is reachable', async () => {
  const port = await closedPort();
  const dir = join(root, 'unreachable');
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const r = dolphin(['bridge', dir, '--hz', `127.0.0.1:${port}`, '--cluster', 'dolphin', '--connect-timeout', '1000'], { timeoutMs: 30_000 });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`127.0.0.1:${port}`);
  expect(r.stderr).toMatch(/not reachable/);
  expect(Date.now() - started).toBeLessThan(15_000);
});

describeHazelcast('dolphin bridge (process, real member)', () => {
  let client: HazelcastClient;
  beforeAll(async () => {
    const member = await ensureMember();
    client = await connectHazelcast({ address: member.address, cluster: member.cluster });
  });
  afterAll(async () => {
    await client?.shutdown();
  });

  it('bridge --backfill --once --speed 0 exits 0 with counts and leaves the newest scan and factors', async () => {
    const member = await ensureMember();
    const mapName = `DOLPHIN_FEATURES_test_${randomUUID()}`;
    const dir = join(root, 'backfill');
    const s = synthScans({ n: 25, seed: 21, cadenceSec: 4 * 3600 });
    // names in reverse time order
    const paths = [...s].reverse().map((x, k) => writeScan(dir, x, `scan_${String(k).padStart(6, '0')}.arrow`));
    // a copy of one scan under another name: the same timestamp again is stale
    copyFileSync(paths[3], join(dir, dayToIso(dayOf(s[21].timestampNs)), 'copy.arrow'));
    // a broken file nobody has touched for a minute: rejected straight away
    const bad = join(dir, dayToIso(dayOf(s[0].timestampNs)), 'broken.arrow');
    writeFileSync(bad, 'ARROW1 but then nothing');
    const old = Date.now() / 1000 - 60;
    utimesSync(bad, old, old);
    mkdirSync(join(dir, 'external_factors'));
    const days = [...new Set(s.map((x) => dayToIso(dayOf(x.timestampNs))))];
    for (const d of days) writeFileSync(join(dir, 'external_factors', `${d}.json`), JSON.stringify({ fng: 40, taker_ratio: 1.05 }));

    const base = ['bridge', dir, '--hz', member.address, '--cluster', member.cluster, '--features-map', mapName, '--backfill', '--once', '--speed', '0'];
    const r = dolphin([...base, '--json'], { timeoutMs: 60_000 });
    expect(r.stderr).toContain('rejected');
    expect(r.stderr).toContain('broken.arrow');
    expect(r.code).toBe(0);
    const counts = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(counts).toEqual({
      published: 25,
      rejected: 1,
      stale: 1,
      lastTs: s[24].timestampNs.toString(),
      factorsPublished: days.length,
      lastFactorsDate: days.at(-1),
      stream: { appended: 25, resets: 0, republished: 0 },
    });
    const map = await client.getMap<string, string>(mapName);
    expect(parseScanJson((await map.get(SCAN_KEY)) ?? '').timestampNs).toBe(s[24].timestampNs);
    // the scan stream of the map holds every published scan, in timestamp order, as the key's JSON
    const rb = await client.getRingbuffer<string>(scanStreamName(mapName));
    const entries = [...(await rb.readMany(0, 0, 100))];
    const ts = entries.map((e) => parseScanJson(e).timestampNs);
    expect(ts).toHaveLength(25);
    for (let i = 1; i < ts.length; i++) expect(ts[i]! > ts[i - 1]!).toBe(true);
    expect(entries[24]).toBe(await map.get(SCAN_KEY));
    expect(parseFactorsJson((await map.get(EXF_KEY)) ?? '').date).toBe(days.at(-1));

    // human output: the same counts in words (a new process starts from nothing: a replay again)
    const h = dolphin(base, { timeoutMs: 60_000 });
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/published 25 scan\(s\) \(last timestamp_ns \d{19}\), 1 rejected, 1 stale, \d factor record.*; scan stream: 25 appended, 0 reset\(s\), 0 republished/);
    await map.destroy();
    await rb.destroy();
  });

  it('watches until SIGINT, then exits 0 with the counts', async () => {
    const member = await ensureMember();
    const mapName = `DOLPHIN_FEATURES_test_${randomUUID()}`;
    const dir = join(root, 'watch');
    const s = synthScans({ n: 3, seed: 23 });
    writeScan(dir, s[0], 'scan_000001.arrow');
    const p = spawnDolphin(['bridge', dir, '--hz', member.address, '--cluster', member.cluster, '--features-map', mapName, '--poll', '200', '--json']);
    const map = await client.getMap<string, string>(mapName);
    const latest = async (): Promise<bigint | undefined> => {
      const v = await map.get(SCAN_KEY);
      return v === null || v === undefined ? undefined : parseScanJson(v).timestampNs;
    };
    try {
      await waitFor(() => p.err().includes('watching'), 30_000, `the bridge to start: ${p.err()}`);
      expect(await latest()).toBe(s[0].timestampNs);
      writeScan(dir, s[2], 'scan_000002.arrow');
      await waitFor(async () => (await latest()) === s[2].timestampNs, 30_000, 'the new scan');
      p.proc.kill('SIGINT');
      expect(await p.exited).toBe(0);
      expect(JSON.parse(p.out())).toMatchObject({ published: 2, rejected: 0, stale: 0, lastTs: s[2].timestampNs.toString() });
    } finally {
      p.proc.kill('SIGKILL');
      await map.destroy();
    }
  });

  it('logs a lost member and resumes publishing once it is back', async () => {
    const port = 5794;
    const member = await startMember(port, 'dolphin-bridge-restart');
    const dir = join(root, 'restart');
    const s = synthScans({ n: 3, seed: 29 });
    writeScan(dir, s[0], 'scan_000001.arrow');
    const p = spawnDolphin(['bridge', dir, '--hz', member.address, '--cluster', member.cluster, '--poll', '200', '--json']);
    try {
      await waitFor(() => p.err().includes('watching'), 30_000, `the bridge to start: ${p.err()}`);
      await restartMember(member, 1500);
      writeScan(dir, s[1], 'scan_000002.arrow');
      await waitFor(() => p.err().includes('reconnected'), 60_000, `reconnect: ${p.err()}`);
      const c = await connectHazelcast({ address: member.address, cluster: member.cluster });
      try {
        const map = await c.getMap<string, string>('DOLPHIN_FEATURES');
        await waitFor(async () => {
          const v = await map.get(SCAN_KEY);
          return v !== null && v !== undefined && parseScanJson(v).timestampNs === s[1].timestampNs;
        }, 30_000, 'the scan written while the member was down');
      } finally {
        await c.shutdown();
      }
      expect(p.err()).toContain('lost Hazelcast');
      p.proc.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      expect(JSON.parse(p.out())).toMatchObject({ published: 2, rejected: 0 });
    } finally {
      p.proc.kill('SIGKILL');
      await stopMember(port);
    }
  }, 180_000);
});
