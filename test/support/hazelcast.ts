/** Test-side helpers for Hazelcast integration tests: the shared member, skipping rules, restarts. */

import { describe, inject } from 'vitest';
import {
  checkHazelcastAvailability,
  parseMemberAddress,
  portOpen,
  restartMember as restartMemberAt,
  startMember,
  stopMemberSync,
  TEST_HZ_CLUSTER,
  TEST_HZ_PORT,
} from './hazelcast-member.js';
import type { HazelcastAvailability, TestMember } from './hazelcast-member.js';

export { portOpen, startMember, stopMember, TEST_HZ_CLUSTER, TEST_HZ_PORT } from './hazelcast-member.js';
export type { HazelcastAvailability, TestMember } from './hazelcast-member.js';

/** Values provided by the global setup, or undefined when it is not wired in. */
function provided(): { addr?: string; cluster?: string; skip?: string } {
  const get = (key: 'hzTestAddr' | 'hzTestCluster' | 'hzSkipReason'): string | undefined => {
    const v: unknown = inject(key);
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const addr = get('hzTestAddr') ?? process.env['HZ_TEST_ADDR'];
  const cluster = get('hzTestCluster') ?? process.env['HZ_TEST_CLUSTER'];
  const skip = get('hzSkipReason');
  return {
    ...(addr !== undefined ? { addr } : {}),
    ...(cluster !== undefined ? { cluster } : {}),
    ...(skip !== undefined ? { skip } : {}),
  };
}

let warned = false;

/**
 * Whether the Hazelcast integration tests can run. When they cannot (no Java, no jar and no Maven),
 * they are skipped with the reason printed, except under CI=true, where this throws: CI must run them.
 */
export function hazelcastAvailable(): HazelcastAvailability {
  const p = provided();
  let result: HazelcastAvailability;
  if (p.addr !== undefined) result = { ok: true };
  else if (p.skip !== undefined) result = { ok: false, reason: p.skip };
  else result = checkHazelcastAvailability();
  if (!result.ok) {
    if (process.env['CI'] === 'true') {
      throw new Error(`Hazelcast integration tests cannot run in CI: ${result.reason ?? 'unknown reason'}`);
    }
    if (!warned) {
      warned = true;
      console.warn(`Hazelcast integration tests skipped: ${result.reason ?? 'unknown reason'}`);
    }
  }
  return result;
}

/** `describe` that is skipped (with the reason in its name) when no member can run here. */
export function describeHazelcast(name: string, body: () => void): void {
  const hz = hazelcastAvailable();
  describe.skipIf(!hz.ok)(hz.ok ? name : `${name} (skipped: ${hz.reason ?? ''})`, body);
}

let fallback: Promise<TestMember> | undefined;

/**
 * The shared test member: the one test/support/global-setup.ts provided (or HZ_TEST_ADDR names),
 * else one started here on 127.0.0.1:5799 and stopped when this test process exits.
 */
export function ensureMember(): Promise<TestMember> {
  const p = provided();
  if (p.addr !== undefined) return Promise.resolve(parseMemberAddress(p.addr, p.cluster ?? TEST_HZ_CLUSTER));
  fallback ??= (async () => {
    // Global setup not wired in: start the member for this file. Other files running at the same
    // time would share and may lose it when this one exits; wire test/support/global-setup.ts.
    const wasOpen = await portOpen('127.0.0.1', TEST_HZ_PORT);
    const member = await startMember(TEST_HZ_PORT, TEST_HZ_CLUSTER);
    if (!wasOpen) {
      // vitest ends a fork with SIGTERM, which skips 'exit' handlers unless one is installed
      process.once('exit', () => stopMemberSync(TEST_HZ_PORT));
      process.once('SIGTERM', () => process.exit(143));
    }
    return member;
  })();
  return fallback;
}

/**
 * Restarts a member (default: the shared one). Restarting the shared member disturbs every test file
 * using it at that moment; tests about restarts should start their own with startMember(port, cluster)
 * on a port of their own (5790-5798) and restart that.
 */
export async function restartMember(member?: TestMember, downMs = 0): Promise<void> {
  await restartMemberAt(member ?? (await ensureMember()), downMs);
}
