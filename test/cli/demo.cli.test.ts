/** The README's demo on the shipped sample: >= 20 trades, and the same command twice gives identical reports. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dolphin } from '../support/cli.js';

describe('npm run demo (sample dataset)', () => {
  it('generates the sample on first use and backtests it with >= 20 trades, deterministically', () => {
    const r = spawnSync(process.execPath, ['scripts/demo.mjs', '--quiet'], { encoding: 'utf8', timeout: 170_000 });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join('runs', 'demo', 'report.json'), 'utf8'));
    expect(report.metrics.trades).toBeGreaterThanOrEqual(20);
    expect(report.fingerprint.scans).toBeGreaterThan(3 * 17000);
    const a = dolphin(['backtest', 'data/sample', '--json', '--quiet', '--out', join('runs', 'test-demo-a')]);
    const b = dolphin(['backtest', 'data/sample', '--json', '--quiet', '--out', join('runs', 'test-demo-b')]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toBe(readFileSync(join('runs', 'demo', 'report.json'), 'utf8'));
  }, 180_000);
});
