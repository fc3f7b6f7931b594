/**
 * Absurd flag and config values through the real CLI. Invariant: every out-of-range value is exit 2 with
 * one line naming the flag (or key), its bounds and the value; never a stack, a hang or a silent run.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAG_BOUNDS } from '../../src/cli/flag-bounds.js';
import { dolphin, type CliResult } from '../support/cli.js';
import { synthScans, writeDailyLayout } from '../support/synthetic-scans.js';

let root: string;
let data: string;
let run: string;
const SETS = ['--set', 'warmupBars=5', '--set', 'volWindow=10', '--set', 'alignWindow=10', '--set', 'minAlignment=0', '--set', 'volThreshold=0'];
const NO_HZ = ['--hz', '127.0.0.1:1', '--connect-timeout', '1000'];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-flags-'));
  data = join(root, 'data');
  writeDailyLayout(data, synthScans({ n: 400, seed: 4, cadenceSec: 300 }));
  run = join(root, 'run');
  const r = dolphin(['backtest', data, '--out', run, '--quiet', '--workers', '0', ...SETS]);
  if (r.code !== 0) throw new Error(r.stderr);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A usage error: exit 2, one message naming `what`, no stack trace. */
function expectUsage(r: CliResult, ...what: string[]): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(/^dolphin: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  for (const w of what) expect(r.stderr).toContain(w);
}

describe('--workers', () => {
  const max = FLAG_BOUNDS.workers.max;
  it.each([
    ['1.5', 'was 1.5'],
    ['-1', 'was -1'],
    ['abc', 'was not a number'],
    ['1000', 'was 1000'],
    ['1e9', 'was 1000000000'],
  ])('backtest --workers %s is exit 2 naming --workers', (value, was) => {
    expectUsage(dolphin(['backtest', data, '--quiet', '--no-cache', '--workers', value], { timeoutMs: 30_000 }), `--workers must be an integer in [0, ${max}]`, was);
  });
  it('is bounded the same in cache build, and given twice is named', () => {
    expectUsage(dolphin(['cache', 'build', data, '--workers', '1.5']), '--workers must be an integer');
    expectUsage(dolphin(['backtest', data, '--workers', '1', '--workers', '2']), '--workers', 'given 2 times');
  });
});

describe('compare --tolerance and bad reports', () => {
  it.each(['-1', 'abc', '2'])('--tolerance %s is exit 2 naming it', (value) => {
    expectUsage(dolphin(['compare', run, run, '--tolerance', value]), '--tolerance must be a number in [0, 1]');
  });
  it('a report with a bad entryTs is exit 2 naming the file and the field', () => {
    const rep = JSON.parse(readFileSync(join(run, 'report.json'), 'utf8'));
    expect(rep.trades.length).toBeGreaterThan(1);
    rep.trades[1].entryTs = 'abc';
    mkdirSync(join(root, 'badts'), { recursive: true });
    writeFileSync(join(root, 'badts', 'report.json'), JSON.stringify(rep));
    expectUsage(dolphin(['compare', run, join(root, 'badts'), '--no-replay']), join(root, 'badts', 'report.json'), 'trades[1].entryTs: "abc"');
    rep.trades[1].entryTs = '99999999999999999999';
    writeFileSync(join(root, 'badts', 'report.json'), JSON.stringify(rep));
    expectUsage(dolphin(['compare', join(root, 'badts'), run, '--no-replay']), 'outside the plausible range');
  });
});

describe('live, status and bridge options (checked before connecting)', () => {
  it('live --stale-after -1, --poll 0 and --run-id "" are all named at once', () => {
    const r = dolphin(['live', '--paper', ...NO_HZ.slice(0, 2), '--journal', join(root, 'j'), '--stale-after', '-1', '--poll', '0', '--run-id', '', ...SETS]);
    expectUsage(r, '--stale-after must be a number in (0, 86400]', 'was -1', '--poll must be a number in [50, 3.6e6]', 'was 0', '--run-id must be plain printable text', 'was ""');
  });
  it('live --run-id with a space or a newline is refused', () => {
    expectUsage(dolphin(['live', '--paper', ...NO_HZ.slice(0, 2), '--journal', join(root, 'j'), '--run-id', 'a b', ...SETS]), '--run-id', '"a b"');
  });
  it.each(['0.001', '0', 'soon'])('status --watch %s is exit 2', (value) => {
    expectUsage(dolphin(['status', ...NO_HZ.slice(0, 2), '--watch', value]), '--watch must be a number in [0.5, 86400]');
  });
  it('bridge --poll 0 and --speed -1 are exit 2 before connecting', () => {
    expectUsage(dolphin(['bridge', data, ...NO_HZ, '--poll', '0', '--speed', '-1']), '--poll must be a number in [50', '--speed must be a number in [0, 1e6]');
  });
});

describe('generate --start and friends', () => {
  it.each([
    [['--start', '9999-12-31'], '--start 9999-12-31 with --days 3'],
    [['--start', '2099-12-31', '--days', '2'], 'leave the plausible scan times [2000-01-01, 2100-01-01)'],
    [['--start', '1999-12-31'], '--start 1999-12-31'],
    [['--start', '2026-02-30'], '--start must be a YYYY-MM-DD date'],
    [['--days', '0'], '--days must be an integer in [1, 3650]'],
    [['--days', '1e9'], '--days must be an integer in [1, 3650]'],
    [['--assets', '1'], '--assets must be an integer in [2, '],
    [['--seed', '-1'], '--seed must be an integer in [0, 4294967295]'],
  ])('generate %j is exit 2 naming the flag, writing nothing', (args, message) => {
    const out = join(root, `gen-${args.join('')}`);
    expectUsage(dolphin(['generate', '--out', out, '--quiet', ...args], { timeoutMs: 20_000 }), message);
    expect(() => readFileSync(out)).toThrow(/ENOENT/);
  });
});

describe('docs', () => {
  it("README's flag table lists every bounded flag", () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const flag of Object.keys(FLAG_BOUNDS)) {
      if (flag === 'reject-after') continue; // hidden test option
      expect(readme, flag).toMatch(new RegExp(`^\\| [^|]*\`--${flag}\``, 'm'));
    }
  });
});

describe('config bounds through the CLI', () => {
  it('the issue examples are exit 2, every one named at once', () => {
    const r = dolphin(['backtest', data, '--quiet', '--set', 'slippageBps=1e6', '--set', 'leverage=1e308', '--set', 'volThreshold=-1', '--set', 'minAlignment=5', '--set', 'warmupBars=1e9']);
    expectUsage(r, 'slippageBps must be a number in [0, 1000], was 1000000', 'leverage must be a number in (0, 100]', 'volThreshold must be "auto" or a number in [0, 1], was -1', 'minAlignment must be a number in [-1, 1], was 5', 'warmupBars must be an integer in [0, 1e6], was 1000000000');
  });
  it('a yargs-level problem is a usage line, not a stack', () => {
    expectUsage(dolphin(['compare', run, run, '--json', '--md']), '--json and --md both print on stdout');
  });
});
