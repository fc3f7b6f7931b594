/**
 * Where the CLI reads and writes, through the real process. Invariants: a data folder that is missing,
 * a file or a kernel tree is exit 2 naming it; an output path that is a file (or under one) is exit 2;
 * a read-only folder or a full disk is exit 1 naming the path and what to do, and leaves no truncated
 * or temporary file (a report already there stays whole); nothing hangs on /proc or a FIFO; a reader
 * closing stdout ends the run quietly.
 *
 * Read-only and full-disk cases need a mount when running as root (root ignores permissions): a tmpfs
 * mounted read-only or 64 KiB small. Where mounting is not permitted they are skipped with the reason.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, dolphin, TEST_CACHE_HOME, type CliResult } from '../support/cli.js';
import { synthScans, writeDailyLayout, writeScannerLayout } from '../support/synthetic-scans.js';

let root: string;
let data: string;
let run: string;
const SETS = ['--set', 'warmupBars=5', '--set', 'volWindow=10', '--set', 'alignWindow=10', '--set', 'minAlignment=0', '--set', 'volThreshold=0'];
const FAST = ['--quiet', '--workers', '0', '--no-cache', ...SETS];
const mounts: string[] = [];
const isRoot = process.getuid?.() === 0;

/** Mounts a tmpfs at `dir` with `options`; the reason it cannot, or null. */
function mountTmpfs(dir: string, options: string): string | null {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot mount a tmpfs here (${(r.stderr || r.error?.message || `exit ${r.status}`).trim()})`;
  mounts.push(dir);
  return null;
}

/** A folder the CLI cannot write: chmod for a normal user, a read-only tmpfs for root; or a skip reason. */
function readOnlyDir(dir: string): string | null {
  if (!isRoot) {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o555);
    return null;
  }
  return mountTmpfs(dir, 'ro,size=1m');
}

function expectClean(r: CliResult, code: number, ...what: string[]): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).toMatch(/^dolphin: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  for (const w of what) expect(r.stderr).toContain(w);
}

const tmpFiles = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.tmp')) : []);

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-paths-'));
  data = join(root, 'data');
  writeDailyLayout(data, synthScans({ n: 400, seed: 6, cadenceSec: 300 }));
  run = join(root, 'run');
  const r = dolphin(['backtest', data, '--out', run, ...FAST]);
  if (r.code !== 0) throw new Error(r.stderr);
  writeFileSync(join(root, 'a-file'), 'not a folder\n');
});
afterAll(() => {
  for (const m of mounts.reverse()) spawnSync('umount', [m]);
  rmSync(root, { recursive: true, force: true });
});

describe('data folders', () => {
  it.each([
    ['backtest', []],
    ['sweep', ['--grid', 'takeProfitPct=0.01']],
    ['calibrate', []],
    ['cache', []],
  ])('%s: a missing folder and a file are usage errors (exit 2) naming them', (cmd, extra) => {
    const pre = cmd === 'cache' ? ['cache', 'build'] : [cmd];
    expectClean(dolphin([...pre, join(root, 'nope'), ...extra]), 2, `${join(root, 'nope')} does not exist`);
    expectClean(dolphin([...pre, join(root, 'a-file'), ...extra]), 2, `${join(root, 'a-file')} is not a folder`);
  });

  it('/proc, /sys and /dev trees are refused at once', () => {
    for (const dir of ['/proc', '/proc/self', '/sys', '/dev']) expectClean(dolphin(['backtest', dir, ...FAST], { timeoutMs: 20_000 }), 2, `${dir} is under`);
  });

  it('a FIFO is never read: not as a scan file, not as --config', () => {
    const dir = join(root, 'with-fifo');
    writeDailyLayout(dir, synthScans({ n: 400, seed: 6, cadenceSec: 300 }));
    expect(spawnSync('mkfifo', [join(dir, 'zz.arrow'), join(root, 'config.fifo')]).status).toBe(0);
    const r = dolphin(['backtest', dir, '--out', join(root, 'fifo-run'), ...FAST], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expectClean(dolphin(['backtest', data, '--config', join(root, 'config.fifo'), ...FAST], { timeoutMs: 20_000 }), 2, 'config file', 'not a regular file');
  });

  it('a FIFO among the external-factor files is a factor problem, not a hang', () => {
    const dir = join(root, 'fifo-factors');
    writeDailyLayout(dir, synthScans({ n: 400, seed: 6, cadenceSec: 300 }));
    mkdirSync(join(dir, 'external_factors'), { recursive: true });
    expect(spawnSync('mkfifo', [join(dir, 'external_factors', '2026-01-05.json')]).status).toBe(0);
    const out = join(root, 'fifo-factors-run');
    const r = dolphin(['backtest', dir, '--out', out, ...FAST], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    const problems = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).dataQuality.factorProblems as { source: string; reason: string }[];
    expect(problems).toContainEqual(expect.objectContaining({ source: 'external_factors/2026-01-05.json', reason: expect.stringContaining('not a regular file') }));
  });
});

describe('output paths', () => {
  it('--out that is a file, or under a file, is exit 2 before the run', () => {
    expectClean(dolphin(['backtest', data, '--out', join(root, 'a-file'), ...FAST]), 2, `--out ${join(root, 'a-file')} is a file, not a folder`);
    expectClean(dolphin(['backtest', data, '--out', join(root, 'a-file', 'run'), ...FAST]), 2, `${join(root, 'a-file')} is a file, not a folder`);
    expectClean(dolphin(['sweep', data, '--grid', 'takeProfitPct=0.01', '--out', join(root, 'a-file'), ...FAST]), 2, '--out');
    expectClean(dolphin(['generate', '--out', join(root, 'a-file', 'g'), '--days', '1', '--quiet']), 2, `${join(root, 'a-file')} is a file`);
  });

  it('--cache that is a file is exit 2; under /proc it neither hangs nor writes', () => {
    expectClean(dolphin(['backtest', data, '--cache', join(root, 'a-file'), '--quiet', '--workers', '0', ...SETS]), 2, `--cache ${join(root, 'a-file')} is a file`);
    expectClean(dolphin(['backtest', data, '--out', '/proc/dolphin-out', ...FAST], { timeoutMs: 20_000 }), 2, '--out /proc/dolphin-out is under /proc');
    expectClean(dolphin(['backtest', data, '--cache', '/proc/self/dolphin-cache', '--quiet', '--workers', '0', ...SETS], { timeoutMs: 20_000 }), 2, '--cache');
  });

  it('report --csv under a file and compare --html onto a folder are exit 2', () => {
    expectClean(dolphin(['report', run, '--csv', join(root, 'a-file', 'csv')]), 2, `${join(root, 'a-file')} is a file`);
    mkdirSync(join(root, 'html-dir'), { recursive: true });
    expectClean(dolphin(['compare', run, run, '--html', join(root, 'html-dir')]), 2, `${join(root, 'html-dir')} (--html) is a folder`);
    expectClean(dolphin(['report', join(root, 'html-dir')]), 2, 'report.json');
  });

  it('a read-only --out or --cache is exit 1 naming it, before the run', (ctx) => {
    const dir = join(root, 'read-only');
    const skip = readOnlyDir(dir);
    if (skip !== null) return ctx.skip(skip);
    const r = dolphin(['backtest', data, '--out', join(dir, 'run'), ...FAST]);
    expectClean(r, 1, `cannot write to ${dir} (--out)`, isRoot ? 'read-only (EROFS)' : 'permission denied');
    expect(r.stderr).toContain('choose a folder');
    expect(readdirSync(dir)).toEqual([]);
    expectClean(dolphin(['backtest', data, '--cache', dir, '--quiet', '--workers', '0', ...SETS]), 1, `(--cache)`);
  });

  it('a full disk is exit 1 naming the file; the report already there stays whole, no temp file left', (ctx) => {
    const disk = join(root, 'tiny-disk');
    const skip = isRoot ? mountTmpfs(disk, 'size=64k') : 'needs root to mount a small tmpfs (a full disk cannot be simulated otherwise)';
    if (skip !== null) return ctx.skip(skip);
    const out = join(disk, 'run');
    mkdirSync(out);
    const old = '{"an earlier":"report"}\n';
    writeFileSync(join(out, 'report.json'), old);
    // fill what is left, so the new report.json (larger than the space left) cannot be written
    const filler = Buffer.alloc(4096, 1);
    for (let i = 0; ; i++) {
      try {
        writeFileSync(join(disk, `fill-${i}`), filler);
      } catch {
        break;
      }
    }
    const r = dolphin(['backtest', data, '--out', out, ...FAST]);
    expectClean(r, 1, `cannot write ${join(out, 'report.json')} (--out): no space left on the device (ENOSPC)`);
    expect(readFileSync(join(out, 'report.json'), 'utf8')).toBe(old);
    expect(tmpFiles(out)).toEqual([]);
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
    // the day cache filling the disk mid-run: the replay does not need the cache, so the run goes on with
    // a warning naming the cache file; nothing half-written stays in the cache folder
    const cache = join(disk, 'cache');
    mkdirSync(cache);
    rmSync(join(disk, 'fill-0'));
    const scanner = join(root, 'scanner-layout');
    writeScannerLayout(scanner, synthScans({ n: 400, seed: 6, cadenceSec: 60 }));
    const uncached = dolphin(['backtest', scanner, '--no-cache', '--out', join(root, 'cache-none-run'), '--quiet', '--workers', '0', ...SETS]);
    expect(uncached.code, uncached.stderr).toBe(0);
    const full = dolphin(['backtest', scanner, '--cache', cache, '--out', join(root, 'cache-full-run'), '--quiet', '--workers', '0', ...SETS]);
    expect(full.code, full.stderr).toBe(0);
    expect(full.stderr).toMatch(/^warning: cache for .*no space left on the device \(ENOSPC\).*this day is not cached/m);
    expect(full.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(join(root, 'cache-full-run', 'report.json'), 'utf8')).toBe(readFileSync(join(root, 'cache-none-run', 'report.json'), 'utf8'));
    const leftovers = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tmp') || f.endsWith('.cols'));
    expect(leftovers(cache)).toEqual([]);
  });
});

describe('a closed stdout', () => {
  const pipeToHead = (args: readonly string[]): { status: string; stderr: string } => {
    const cmd = `"${process.execPath}" "${CLI}" ${args.map((a) => `'${a}'`).join(' ')} | head -c0; echo "\${PIPESTATUS[0]}"`;
    const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: TEST_CACHE_HOME }, timeout: 60_000 });
    return { status: r.stdout.trim(), stderr: r.stderr };
  };
  it.each([
    ['backtest --json', ['backtest', '<data>', '--json', '--out', '<root>/epipe', ...FAST]],
    ['report --md', ['report', '<run>', '--md']],
    ['compare --json', ['compare', '<run>', '<run>', '--json', '--no-replay']],
  ])('dolphin %s | head -c0 ends quietly with the usual exit code', (_name, args) => {
    const r = pipeToHead(args.map((a) => a.replace('<data>', data).replace('<run>', run).replace('<root>', root)));
    expect(r.stderr).toBe('');
    expect(r.status).toBe('0');
  });
});
