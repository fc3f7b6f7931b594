/**
 * `dolphin batch` as a real process (here on the pool; the distributed run is in sweep-distributed.cli.test).
 * Invariants: one line per data folder x config file; each line's metrics are those of the plain
 * `dolphin backtest` of that folder and config; a second run resumes (runs nothing); without --config a
 * folder's own dolphin.config.json is used and named; a missing or invalid config file stops with exit 2
 * before anything runs, naming the file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dolphin } from '../support/cli.js';
import { synthScans, writeDailyLayout } from '../support/synthetic-scans.js';

interface Line {
  key: string;
  overrides: { data: string; config: string };
  metrics: Record<string, unknown>;
  error: string | null;
}

let root: string;
const lines = (dir: string): Line[] => readFileSync(join(dir, 'sweep.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-batch-'));
  writeDailyLayout(join(root, 'a'), synthScans({ n: 20_000, seed: 3, assets: 8, cadenceSec: 10 }));
  writeDailyLayout(join(root, 'b'), synthScans({ n: 12_000, seed: 4, assets: 6, cadenceSec: 10 }));
  const base = { warmupBars: 5, volWindow: 10, alignWindow: 10, minAlignment: 0, calibrationDays: 1 };
  writeFileSync(join(root, 'c1.json'), JSON.stringify({ ...base, takeProfitPct: 0.004 }));
  writeFileSync(join(root, 'c2.json'), JSON.stringify({ ...base, takeProfitPct: 0.01, maxHoldBars: 40 }));
  writeFileSync(join(root, 'b', 'dolphin.config.json'), JSON.stringify({ ...base, takeProfitPct: 0.006 }));
  writeFileSync(join(root, 'bad.json'), JSON.stringify({ ...base, takeProfitPct: -3 }));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('dolphin batch', () => {
  it('runs every folder x config, each equal to its plain backtest, and resumes', () => {
    const [a, b, c1, c2] = ['a', 'b', 'c1.json', 'c2.json'].map((f) => join(root, f));
    const out = join(root, 'out');
    const r = dolphin(['batch', a, b, '--config', c1, '--config', c2, '--out', out, '--workers', '1', '--no-cache', '--json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ran: 4, skipped: 0, backtests: 4 });
    const ls = lines(out);
    expect(ls.map((l) => `${l.overrides.data} ${l.overrides.config}`).sort()).toEqual([`${a} ${c1}`, `${a} ${c2}`, `${b} ${c1}`, `${b} ${c2}`]);
    expect(new Set(ls.map((l) => l.key)).size).toBe(4);
    expect(ls.every((l) => l.error === null)).toBe(true);
    // the b x c2 line is that backtest's metrics
    const bt = dolphin(['backtest', b, '--config', c2, '--out', join(root, 'bt'), '--no-cache']);
    expect(bt.code, bt.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(root, 'bt', 'report.json'), 'utf8')) as { metrics: Record<string, unknown> };
    expect(ls.find((l) => l.overrides.data === b && l.overrides.config === c2)!.metrics).toEqual(report.metrics);
    expect(readFileSync(join(out, 'sweep.md'), 'utf8')).toMatch(/# Batch of 4 backtests[\s\S]*\| 1 \| data=/);

    const again = dolphin(['batch', a, b, '--config', c1, '--config', c2, '--out', out, '--workers', '1', '--no-cache', '--json', '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ran: 0, skipped: 4 });
    expect(lines(out)).toEqual(ls);
  });

  it("uses a folder's own config without --config, and names a bad config file before running", () => {
    const out = join(root, 'own');
    const r = dolphin(['batch', join(root, 'a'), join(root, 'b'), '--out', out, '--workers', '0', '--no-cache', '--quiet', '--set', 'warmupBars=5', '--set', 'calibrationDays=1']);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(out).map((l) => l.overrides.config).sort()).toEqual([join(root, 'b', 'dolphin.config.json'), 'defaults']);

    const bad = dolphin(['batch', join(root, 'a'), '--config', join(root, 'bad.json'), '--out', join(root, 'bad-out'), '--quiet']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/takeProfitPct/);
    const missing = dolphin(['batch', join(root, 'a'), '--config', join(root, 'nope.json'), '--out', join(root, 'bad-out'), '--quiet']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.json');
    expect(existsSync(join(root, 'bad-out'))).toBe(false);
  });
});
