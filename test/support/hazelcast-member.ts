/** Process control for a real Hazelcast member in tests (node only, no vitest imports): wraps scripts/hz.sh. */

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Project root (this file is test/support/hazelcast-member.ts). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Member jar version pinned by scripts/hz.sh. */
export const HZ_VERSION = '5.6.0';
/** Port of the shared test member; not 5701, so a user's own member is never touched. */
export const TEST_HZ_PORT = 5799;
/** Cluster name of the shared test member. */
export const TEST_HZ_CLUSTER = 'dolphin-test';

/** Values test/support/global-setup.ts provides to test files (vitest `inject`). */
declare module 'vitest' {
  export interface ProvidedContext {
    /** `host:port` of the shared member started (or found) by test/support/global-setup.ts. */
    hzTestAddr: string;
    hzTestCluster: string;
    /** Set instead of hzTestAddr when no member can run here (not in CI). */
    hzSkipReason: string;
  }
}

/** A reachable member. */
export interface TestMember {
  readonly host: string;
  readonly port: number;
  readonly cluster: string;
  /** `host:port`, as connectHazelcast takes it. */
  readonly address: string;
}

/** Whether a member can be started here, and if not, why. */
export interface HazelcastAvailability {
  readonly ok: boolean;
  /** Why the integration tests cannot run (set when ok is false). */
  readonly reason?: string;
}

/** Builds a TestMember for 127.0.0.1:port. */
export function memberAt(port: number, cluster: string, host = '127.0.0.1'): TestMember {
  return { host, port, cluster, address: `${host}:${port}` };
}

/** Parses `host:port` (as in HZ_TEST_ADDR). */
export function parseMemberAddress(address: string, cluster: string): TestMember {
  const i = address.lastIndexOf(':');
  const port = Number(address.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port)) throw new Error(`HZ_TEST_ADDR must be host:port, was "${address}"`);
  return memberAt(port, cluster, address.slice(0, i));
}

/**
 * Checks that scripts/hz.sh can start a member: java on PATH and the pinned jar cached or Maven
 * available to fetch it. Does not decide about skipping; see test/support/hazelcast.ts.
 */
export function checkHazelcastAvailability(): HazelcastAvailability {
  const java = process.env['JAVA'] ?? 'java';
  const r = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) {
    return { ok: false, reason: `java not found (ran "${java} -version"); install a JDK 17+ to run the Hazelcast integration tests` };
  }
  const major = /version "(\d+)/.exec(r.stderr)?.[1];
  if (major !== undefined && Number(major) < 17) {
    return { ok: false, reason: `Hazelcast ${HZ_VERSION} needs Java 17+, found Java ${major}` };
  }
  const cached = join(PROJECT_ROOT, '.hazelcast', 'lib', `hazelcast-${HZ_VERSION}.jar`);
  const m2 = join(homedir(), '.m2', 'repository', 'com', 'hazelcast', 'hazelcast', HZ_VERSION, `hazelcast-${HZ_VERSION}.jar`);
  if (process.env['HZ_JAR'] === undefined && !existsSync(cached) && !existsSync(m2)) {
    const mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
    if (mvn.error !== undefined || mvn.status !== 0) {
      return { ok: false, reason: `Maven (mvn) not found and com.hazelcast:hazelcast:${HZ_VERSION} not cached; install Maven or set HZ_JAR` };
    }
  }
  return { ok: true };
}

/** True when something accepts TCP connections at host:port within timeoutMs. */
export function portOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((done) => {
    const socket = new Socket();
    const finish = (ok: boolean): void => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
    socket.connect(port, host);
  });
}

/** Runs scripts/hz.sh with args; resolves with its output, rejects with the output on failure. */
function hz(args: readonly string[]): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn('bash', [join(PROJECT_ROOT, 'scripts', 'hz.sh'), ...args], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code === 0) ok(out.trim());
      else fail(new Error(`scripts/hz.sh ${args.join(' ')} exited with ${code}:\n${out.trim()}`));
    });
  });
}

/** Starts a member on 127.0.0.1:port (no-op when hz.sh already runs one there). */
export async function startMember(port: number, cluster: string): Promise<TestMember> {
  await hz(['start', '--port', String(port), '--cluster', cluster]);
  return memberAt(port, cluster);
}

/** Stops the member hz.sh started on port (no-op when none). */
export async function stopMember(port: number): Promise<void> {
  await hz(['stop', '--port', String(port)]);
}

/** Synchronous stop, for process exit handlers. */
export function stopMemberSync(port: number): void {
  spawnSync('bash', [join(PROJECT_ROOT, 'scripts', 'hz.sh'), 'stop', '--port', String(port)], { stdio: 'ignore' });
}

/**
 * Stops the member and starts it again on the same port and cluster (its data is lost: one node).
 * `downMs` keeps it down that long in between, e.g. to let clients notice the disconnect.
 */
export async function restartMember(member: TestMember, downMs = 0): Promise<void> {
  await stopMember(member.port);
  if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
  await startMember(member.port, member.cluster);
}
