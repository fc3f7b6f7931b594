/**
 * Headless Debian chromium through playwright-core for browser tests. Without a chromium binary the
 * tests skip with a reason, except under CI=true, where a missing browser fails the run.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Places a chromium binary is looked for (CHROMIUM_PATH first). */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** Flags that work in containers without a GPU, a sandbox or network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The chromium binary to use, or a skip reason. */
export function findChromium(): { path: string } | { reason: string } {
  const env = process.env['CHROMIUM_PATH'];
  if (env) return existsSync(env) ? { path: env } : { reason: `CHROMIUM_PATH=${env} does not exist` };
  const found = CANDIDATES.find((p) => existsSync(p));
  return found ? { path: found } : { reason: `no chromium found (looked in ${CANDIDATES.join(', ')}); install it with apt-get install -y chromium or set CHROMIUM_PATH` };
}

/** Skip reason for browser tests, or null when they can run; throws under CI=true when chromium is missing. */
export function browserSkipReason(): string | null {
  const c = findChromium();
  if ('path' in c) return null;
  if (process.env['CI'] === 'true') throw new Error(`browser tests cannot run in CI: ${c.reason}`);
  console.warn(`browser tests skipped: ${c.reason}`);
  return c.reason;
}

/** A launched browser with its own fresh profile; close() removes the profile. */
export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches headless chromium with a fresh user data dir. playwright-core refuses a --user-data-dir
 * argument to launch(), so the fresh profile goes through launchPersistentContext instead. Offline by
 * default (report files need no network); `offline: false` for pages served from 127.0.0.1.
 */
export async function launchChromium(viewport = { width: 1280, height: 900 }, opts: { offline?: boolean } = {}): Promise<TestBrowser> {
  const c = findChromium();
  if (!('path' in c)) throw new Error(c.reason);
  const profile = mkdtempSync(join(tmpdir(), 'dolphin-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: c.path, headless: true, args: CHROMIUM_ARGS, viewport, offline: opts.offline ?? true });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
