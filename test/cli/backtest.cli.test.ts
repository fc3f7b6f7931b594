/** The real CLI process: backtest/calibrate outputs, determinism and exit codes (0 done, 1 data, 2 usage/config). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dolphin } from '../support/cli.js';
import { synthScans, writeDailyLayout, writeFactors } from '../support/synthetic-scans.js';

let root: string;
let data: string;
const SETS = ['--set', 'warmupBars=5', '--set', 'volWindow=10', '--set', 'alignWindow=10', '--set', 'minAlignment=0', '--set', 'calibrationDays=1'];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-cli-'));
  data = join(root, 'data');
  writeDailyLayout(data, synthScans({ n: 800, seed: 5, cadenceSec: 300 }));
  writeFactors(data, '2026-01-06', { dvol_btc: 90, funding_btc: -0.001 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('dolphin backtest', () => {
  it('writes report.json, report.md and run.json and prints a summary', () => {
    const out = join(root, 'run1');
    const r = dolphin(['backtest', data, '--out', out, '--quiet', ...SETS]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Trades\s+\d+/);
    expect(r.stdout).toContain(join(out, 'report.json'));
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(rep.metrics.trades).toBeGreaterThan(0);
    expect(rep.fingerprint.scans).toBe(800);
    expect(typeof rep.trades[0].entryTs).toBe('string');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/^# DOLPHIN backtest report/);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).scans).toBe(800);
  });

  it('prints the report JSON with --json, byte-identical across runs', () => {
    const a = dolphin(['backtest', data, '--out', join(root, 'a'), '--json', '--quiet', ...SETS]);
    const b = dolphin(['backtest', data, '--out', join(root, 'b'), '--json', '--quiet', ...SETS]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(readFileSync(join(root, 'a', 'report.json'), 'utf8')).toBe(a.stdout);
    const rep = JSON.parse(a.stdout);
    expect(rep.dataQuality.daysWithoutFactors).toEqual(['2026-01-05', '2026-01-07']);
    // The stressed day's entries carry its ACB cut (dvol > 55, > 80, funding < -0.0001: 3 signals).
    const day2 = rep.trades.filter((t: { entryTs: string }) => new Date(Number(BigInt(t.entryTs) / 1000000n)).toISOString().startsWith('2026-01-06'));
    expect(day2.length).toBeGreaterThan(0);
    for (const t of day2) expect(t.acbCut).toBe(0.55);
  });

  it('exits 2 naming an unknown key and an out-of-range leverage, all at once', () => {
    const r = dolphin(['backtest', data, '--quiet', '--set', 'levrage=3', '--set', 'leverage=12']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown config key "levrage"');
    expect(r.stderr).toContain('leverage must be in (0, maxLeverage = 9], was 12');
  });

  it('exits 2 for a config file that is not JSON, naming the file', () => {
    const f = join(root, 'bad.json');
    writeFileSync(f, '{ nope');
    const r = dolphin(['backtest', data, '--quiet', '--config', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(f);
  });

  it('exits 1 for an empty folder and says what to do', () => {
    const empty = mkdtempSync(join(root, 'empty-'));
    const r = dolphin(['backtest', empty, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no scan files .* dolphin generate/);
  });

  it('exits 2 on usage errors', () => {
    expect(dolphin(['backtest']).code).toBe(2);
    expect(dolphin(['nonsense']).code).toBe(2);
    expect(dolphin(['backtest', '--help']).stdout).toContain('--set');
  });
});

describe('dolphin calibrate', () => {
  it('prints the same threshold the backtest used', () => {
    const c = dolphin(['calibrate', data, ...SETS]);
    expect(c.code).toBe(0);
    const b = JSON.parse(dolphin(['backtest', data, '--out', join(root, 'c'), '--json', '--quiet', ...SETS]).stdout);
    expect(Number(c.stdout.trim())).toBe(b.calibration.volThreshold);
    expect(b.calibration.inSampleDays).toEqual(['2026-01-05']);
  });
});
