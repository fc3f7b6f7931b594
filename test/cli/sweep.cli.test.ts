/**
 * `dolphin sweep` as a real process. Invariants: one line per grid combination in sweep.ndjson; a sweep
 * killed halfway and restarted ends with the same lines as an uninterrupted one (order aside); the pool
 * and the main thread give identical results; invalid combinations are all reported, exit 2.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGrid, gridCombinations } from '../../src/app/sweep.js';
import { CLI, dolphin, TEST_CACHE_HOME } from '../support/cli.js';
import { synthScans, writeDailyLayout } from '../support/synthetic-scans.js';

let root: string;
let data: string;
const BASE = ['--set', 'warmupBars=5', '--set', 'volWindow=10', '--set', 'alignWindow=10', '--set', 'minAlignment=0', '--set', 'calibrationDays=1'];
const GRID = ['--grid', 'takeProfitPct=0.002,0.004,0.006,0.008,0.01', '--grid', 'maxHoldBars=10,20,40,80', '--grid', 'velDivThreshold=-0.01,-0.02'];
const lines = (dir: string): string[] => (existsSync(join(dir, 'sweep.ndjson')) ? readFileSync(join(dir, 'sweep.ndjson'), 'utf8').split('\n').filter(Boolean) : []);

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-sweep-'));
  data = join(root, 'data');
  writeDailyLayout(data, synthScans({ n: 30_000, seed: 9, assets: 10, cadenceSec: 10 }));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('grid parsing', () => {
  it('parses scalars, JSON arrays of values and array-valued keys', () => {
    expect(parseGrid('takeProfitPct=0.01,0.02').values).toEqual([0.01, 0.02]);
    expect(parseGrid('velDivPair=[[50,750],[50,150]]').values).toEqual([[50, 750], [50, 150]]);
    expect(parseGrid('velDivPair=[50,150]').values).toEqual([[50, 150]]);
    expect(parseGrid('takeProfitPct=[0.01,0.02]').values).toEqual([0.01, 0.02]);
    expect(parseGrid('entryLiquidity=maker,taker').values).toEqual(['maker', 'taker']);
    expect(gridCombinations([parseGrid('a=1,2'), parseGrid('b=3,4,5')])).toHaveLength(6);
  });
});

describe('dolphin sweep', () => {
  it('writes one line per combination and a ranked sweep.md; pool and main thread agree', () => {
    const a = dolphin(['sweep', data, ...BASE, ...GRID, '--out', join(root, 'full'), '--quiet', '--workers', '2']);
    expect(a.code, a.stderr).toBe(0);
    expect(lines(join(root, 'full'))).toHaveLength(40);
    const md = readFileSync(join(root, 'full', 'sweep.md'), 'utf8');
    expect(md).toMatch(/40 configs, ranked by roi/);
    const b = dolphin(['sweep', data, ...BASE, ...GRID, '--out', join(root, 'serial'), '--quiet', '--workers', '0']);
    expect(b.code).toBe(0);
    expect([...lines(join(root, 'serial'))].sort()).toEqual([...lines(join(root, 'full'))].sort());
    const first = JSON.parse(lines(join(root, 'full'))[0]);
    expect(first.metrics.trades).toBeGreaterThan(0);
    expect(Object.keys(first.overrides).sort()).toEqual(['maxHoldBars', 'takeProfitPct', 'velDivThreshold']);
  });

  it('resumes a sweep killed halfway and ends with the same lines', async () => {
    const out = join(root, 'killed');
    const proc = spawn(process.execPath, [CLI, 'sweep', data, ...BASE, ...GRID, '--out', out, '--quiet', '--workers', '1'], { env: { ...process.env, XDG_CACHE_HOME: TEST_CACHE_HOME } });
    const exited = new Promise((r) => proc.on('exit', r));
    const deadline = Date.now() + 60_000;
    while (lines(out).length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    proc.kill('SIGKILL');
    await exited;
    const partial = lines(out).length;
    expect(partial).toBeGreaterThanOrEqual(5);
    expect(partial).toBeLessThan(40);
    const r = dolphin(['sweep', data, ...BASE, ...GRID, '--out', out, '--quiet', '--workers', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${40 - partial} config\\(s\\) run, ${partial} already done`));
    expect([...lines(out)].sort()).toEqual([...lines(join(root, 'full'))].sort());
  }, 120_000);

  it('resumes past a bad middle line of sweep.ndjson: named by line number, set aside, its config run again', () => {
    const out = join(root, 'corrupt');
    cpSync(join(root, 'full'), out, { recursive: true });
    const good = lines(out);
    const text = good.map((l, i) => (i === 2 ? `${l.slice(0, 40)}#garbage` : i === 5 ? '{"key":"x"}' : l)).join('\n');
    writeFileSync(join(out, 'sweep.ndjson'), `${text}\n${good[39].slice(0, 30)}`); // and a torn last line
    const r = dolphin(['sweep', data, ...BASE, ...GRID, '--out', out, '--quiet', '--workers', '0', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${join(out, 'sweep.ndjson')} line 3 is not a sweep result (not JSON`);
    expect(r.stderr).toContain(`${join(out, 'sweep.ndjson')} line 6 is not a sweep result (no 16-hex-digit "key")`);
    expect(JSON.parse(r.stdout)).toMatchObject({ ran: 2, skipped: 38 });
    expect(readFileSync(join(out, 'sweep.ndjson.rejected'), 'utf8')).toBe(`${good[2].slice(0, 40)}#garbage\n{"key":"x"}\n`);
    expect([...lines(out)].sort()).toEqual([...good].sort());
    expect(readFileSync(join(out, 'sweep.md'), 'utf8')).toMatch(/40 configs, ranked by roi/);
  });

  it('exits 2 on --chunk 0 (it looped forever) and other out-of-range flags', () => {
    for (const [flag, value] of [['--chunk', '0'], ['--chunk', '1.5'], ['--top', '0'], ['--workers', '-1']]) {
      const r = dolphin(['sweep', data, ...GRID, '--out', join(root, 'chunk0'), '--quiet', flag, value], { timeoutMs: 20_000 });
      expect(r.code, `${flag} ${value}`).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^dolphin: ${flag} must be an integer in \\[`));
    }
  });

  it('a sweep line is the backtest of its config (same replay input, same runEngine); a config that cannot calibrate is an error line, pool or not', () => {
    const grid = ['--grid', 'volAsset=BTCUSDT,NOPEUSDT', '--grid', 'volThreshold=["auto",0.0003]'];
    const byOverrides = (dir: string): Map<string, { metrics: unknown; error: string | null; volThreshold: number | null }> =>
      new Map(lines(dir).map((l) => JSON.parse(l)).map((l) => [JSON.stringify(l.overrides), l]));
    const pooled = dolphin(['sweep', data, ...BASE, ...grid, '--out', join(root, 'cal-pool'), '--quiet', '--workers', '2', '--no-cache']);
    expect(pooled.code, pooled.stderr).toBe(0);
    const serial = dolphin(['sweep', data, ...BASE, ...grid, '--out', join(root, 'cal-serial'), '--quiet', '--workers', '0', '--no-cache']);
    expect(serial.code, serial.stderr).toBe(0);
    expect([...lines(join(root, 'cal-serial'))].sort()).toEqual([...lines(join(root, 'cal-pool'))].sort());
    const got = byOverrides(join(root, 'cal-pool'));
    expect(got.size).toBe(4);
    const bad = got.get(JSON.stringify({ volAsset: 'NOPEUSDT', volThreshold: 'auto' }))!;
    expect(bad.metrics).toBeNull();
    expect(bad.volThreshold).toBeNull();
    expect(bad.error).toMatch(/no finite btcVol \(NOPEUSDT/);
    expect(got.get(JSON.stringify({ volAsset: 'NOPEUSDT', volThreshold: 0.0003 }))!.error).toBeNull();
    for (const [volThreshold, set] of [['auto', 'volThreshold=auto'], [0.0003, 'volThreshold=0.0003']] as const) {
      const out = join(root, `cal-bt-${String(volThreshold)}`);
      const bt = dolphin(['backtest', data, ...BASE, '--set', set, '--out', out, '--quiet', '--workers', '2', '--no-cache']);
      expect(bt.code, bt.stderr).toBe(0);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      const line = got.get(JSON.stringify({ volAsset: 'BTCUSDT', volThreshold }))!;
      expect(line.metrics).toEqual(report.metrics);
      expect(line.volThreshold).toBe(report.calibration.volThreshold);
    }
  });

  it('reports every invalid combination at once and exits 2', () => {
    const r = dolphin(['sweep', data, '--grid', 'leverage=4,12', '--grid', 'takeProfitPct=0,0.01', '--out', join(root, 'bad'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('leverage must be in (0, maxLeverage = 9], was 12');
    expect(r.stderr).toContain('takeProfitPct must be a number in (0, 1], was 0');
  });
});
