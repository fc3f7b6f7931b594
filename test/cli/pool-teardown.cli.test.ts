/**
 * The real CLI failing while its worker pool is still starting: every run ends with the real error and
 * its exit code, never `FATAL ERROR: v8::Module::IsGraphAsync` (exit 134). Before the fix about 15 % of
 * such runs aborted, so 30 runs in a row passing by luck has a probability under 1 %.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, TEST_CACHE_HOME } from '../support/cli.js';
import { synthScans, writeScannerLayout } from '../support/synthetic-scans.js';

let root: string;
let data: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-pool-'));
  data = join(root, 'data');
  writeScannerLayout(data, synthScans({ n: 4, seed: 3 }));
  // a truncated copy of a valid scan file: --strict stops at it while the other workers still load
  const first = readdirSync(join(data, '2026-01-05')).sort()[0];
  const bytes = readFileSync(join(data, '2026-01-05', first));
  mkdirSync(join(data, '2026-01-06'), { recursive: true });
  writeFileSync(join(data, '2026-01-06', 'torn.arrow'), bytes.subarray(0, bytes.length >> 1));
  copyFileSync(join(data, '2026-01-05', first), join(data, '2026-01-06', 'whole.arrow'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(args: readonly string[]): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, XDG_CACHE_HOME: TEST_CACHE_HOME } });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('pool start-up and teardown', () => {
  it('a run failing while the pool starts exits with its own error, 30 times in a row', async () => {
    const workers = String(Math.min(8, 4 * availableParallelism()));
    const args = ['backtest', data, '--strict', '--no-cache', '--quiet', '--workers', workers, '--out', join(root, 'out')];
    const results = [];
    for (let i = 0; i < 30; i++) results.push(await run(args));
    const bad = results.filter((r) => r.code !== 1 || !r.stderr.includes('torn.arrow') || r.stderr.includes('FATAL'));
    expect(bad.map((r) => `exit ${r.code ?? r.signal}: ${r.stderr.slice(0, 200)}`)).toEqual([]);
  }, 240_000);
});
