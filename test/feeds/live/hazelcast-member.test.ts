/**
 * Integration tests against a real Hazelcast member (scripts/hz.sh, started by test/support/global-setup.ts).
 * Invariants: a put is read back; an entry listener sees every put; an unreachable address or wrong
 * cluster name fails fast with FeedUnavailableError naming the address and cluster; a reconnecting
 * client survives a member restart by itself.
 */

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EntryEvent } from 'hazelcast-client';
import { FeedUnavailableError } from '../../../src/core/errors.js';
import { connectHazelcast } from '../../../src/feeds/live/hazelcast-connection.js';
import type { HazelcastClient, HazelcastLifecycleState } from '../../../src/feeds/live/hazelcast-connection.js';
import { describeHazelcast, ensureMember, restartMember, startMember, stopMember } from '../../support/hazelcast.js';
import type { TestMember } from '../../support/hazelcast.js';

/** A local port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Resolves when predicate() holds, polling; rejects after timeoutMs. */
async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeHazelcast('Hazelcast member (real)', () => {
  let member: TestMember;
  let client: HazelcastClient;

  beforeAll(async () => {
    member = await ensureMember();
    client = await connectHazelcast({ address: member.address, cluster: member.cluster });
  });
  afterAll(async () => {
    await client?.shutdown();
  });

  it('reads back a map entry', async () => {
    const map = await client.getMap<string, string>(`test-put-${randomUUID()}`);
    await map.put('latest_eigen_scan', '{"scan_number":1}');
    expect(await map.get('latest_eigen_scan')).toBe('{"scan_number":1}');
    await map.destroy();
  });

  it('fires an entry listener on put and update', async () => {
    const map = await client.getMap<string, string>(`test-listener-${randomUUID()}`);
    const seen: string[] = [];
    const record =
      (kind: string) =>
      (e: EntryEvent<string, string>): void => {
        seen.push(`${kind}:${e.key}=${e.value ?? ''}`);
      };
    const id = await map.addEntryListener({ added: record('added'), updated: record('updated') }, undefined, true);
    await map.put('latest_eigen_scan', 'a');
    await map.put('latest_eigen_scan', 'b');
    await until(() => seen.length >= 2, 10_000, 'two entry events');
    expect(seen).toEqual(['added:latest_eigen_scan=a', 'updated:latest_eigen_scan=b']);
    await map.removeEntryListener(id);
    await map.destroy();
  });

  it('fails fast with FeedUnavailableError when nothing listens at the address', async () => {
    const port = await closedPort();
    const started = Date.now();
    const err = await connectHazelcast({ address: `127.0.0.1:${port}`, cluster: 'dolphin', connectTimeoutMs: 1_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(FeedUnavailableError);
    const e = err as FeedUnavailableError;
    expect(e.code).toBe('FEED_UNAVAILABLE');
    expect(e.message).toContain(`127.0.0.1:${port}`);
    expect(e.message).toContain(`'dolphin'`);
    expect(e.message).toContain('connection refused');
    expect(e.message).toContain('npm run hz:start');
  });

  it('names a wrong cluster name', async () => {
    const err = await connectHazelcast({ address: member.address, cluster: 'not-this-one', connectTimeoutMs: 1_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FeedUnavailableError);
    expect((err as Error).message).toMatch(/rejected cluster name 'not-this-one'/);
  });

  it('fails fast in reconnect mode too when the first connection never comes', async () => {
    const port = await closedPort();
    const started = Date.now();
    await expect(
      connectHazelcast({ address: `127.0.0.1:${port}`, cluster: 'dolphin', reconnect: true, connectTimeoutMs: 1_000 }),
    ).rejects.toBeInstanceOf(FeedUnavailableError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describeHazelcast('Hazelcast member restart (private member)', () => {
  // its own member, so restarting it does not disturb other test files using the shared one
  const PORT = 5798;
  const CLUSTER = 'dolphin-restart-test';
  let member: TestMember;

  beforeAll(async () => {
    member = await startMember(PORT, CLUSTER);
  });
  afterAll(async () => {
    await stopMember(PORT);
  });

  it('a reconnecting client comes back by itself after the member restarts', async () => {
    const states: HazelcastLifecycleState[] = [];
    const client = await connectHazelcast({
      address: member.address,
      cluster: member.cluster,
      reconnect: true,
      onLifecycle: (s) => states.push(s),
    });
    try {
      expect(states).toContain('CONNECTED');
      await restartMember(member, 500);
      await until(() => states.lastIndexOf('CONNECTED') > states.indexOf('DISCONNECTED') && states.includes('DISCONNECTED'), 30_000, 'reconnect');
      const map = await client.getMap<string, string>('after-restart');
      await map.put('k', 'v');
      expect(await map.get('k')).toBe('v');
    } finally {
      await client.shutdown();
    }
  });
});
