/** Runs the built dolphin CLI (dist/) as a real process. `npm test` builds first. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Tests never write the user's cache: the CLI gets its own XDG_CACHE_HOME. */
export const TEST_CACHE_HOME = join(tmpdir(), `dolphin-test-cache-${process.pid}`);

export const CLI = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');

/** Result of one CLI run. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `dolphin ...args` synchronously. */
export function dolphin(args: readonly string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): CliResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm test does it)`);
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? process.cwd(),
    env: { ...process.env, XDG_CACHE_HOME: TEST_CACHE_HOME, ...opts.env },
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A CLI process running in the background (live, bridge, sweep): its output so far and its exit. */
export interface CliProcess {
  readonly proc: ChildProcess;
  out(): string;
  err(): string;
  readonly exited: Promise<number | null>;
}

/** Starts `dolphin ...args` in the background with the test cache home (and `env` added). */
export function spawnDolphin(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const proc = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, XDG_CACHE_HOME: TEST_CACHE_HOME, ...env } });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return { proc, out: () => out, err: () => err, exited };
}
