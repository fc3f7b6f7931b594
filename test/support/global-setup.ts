/** vitest globalSetup: one Hazelcast member (127.0.0.1:5799, cluster dolphin-test) for the whole run. */

import type { TestProject } from 'vitest/node';
import {
  checkHazelcastAvailability,
  memberAt,
  portOpen,
  startMember,
  stopMember,
  TEST_HZ_CLUSTER,
  TEST_HZ_PORT,
} from './hazelcast-member.js';

/**
 * Provides `hzTestAddr` / `hzTestCluster` (also as HZ_TEST_ADDR / HZ_TEST_CLUSTER in process.env) or
 * `hzSkipReason`. Uses HZ_TEST_ADDR when already set (an external member), reuses a member already
 * listening on 5799, else starts one and stops it at teardown. Without Java it provides a skip reason,
 * except under CI=true, where it fails the run.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env['HZ_TEST_ADDR'];
  if (external !== undefined && external !== '') {
    const cluster = process.env['HZ_TEST_CLUSTER'] ?? TEST_HZ_CLUSTER;
    project.provide('hzTestAddr', external);
    project.provide('hzTestCluster', cluster);
    return undefined;
  }
  const availability = checkHazelcastAvailability();
  if (!availability.ok) {
    const reason = availability.reason ?? 'unknown reason';
    if (process.env['CI'] === 'true') throw new Error(`Hazelcast integration tests cannot run in CI: ${reason}`);
    console.warn(`Hazelcast integration tests will be skipped: ${reason}`);
    project.provide('hzSkipReason', reason);
    return undefined;
  }
  const alreadyUp = await portOpen('127.0.0.1', TEST_HZ_PORT);
  const started = Date.now();
  // a member already listening there (left running, or started by hand) is reused as it is
  const member = alreadyUp ? memberAt(TEST_HZ_PORT, TEST_HZ_CLUSTER) : await startMember(TEST_HZ_PORT, TEST_HZ_CLUSTER);
  if (!alreadyUp) console.log(`Hazelcast test member ${member.address} (${member.cluster}) ready in ${Date.now() - started} ms`);
  process.env['HZ_TEST_ADDR'] = member.address;
  process.env['HZ_TEST_CLUSTER'] = member.cluster;
  project.provide('hzTestAddr', member.address);
  project.provide('hzTestCluster', member.cluster);
  return async () => {
    if (!alreadyUp) await stopMember(TEST_HZ_PORT);
  };
}
