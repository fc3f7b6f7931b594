/**
 * rescan. Invariants: a folder written by the shared price stream rescans to itself bit for bit (the
 * stream state is a function of the written prices); everything but the features is copied unchanged;
 * the recomputed features track the generator's (which saw the true returns) to rounding; other windows
 * give other features; a scan listing a new symbol starts a new universe segment; bad flags exit 2
 * naming the flag; the rescanned folder backtests.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rescan } from '../../src/app/rescan.js';
import { FEATURE_COUNT, FEATURE_NAMES, velocityIndex } from '../../src/core/scan.js';
import { readOrderedScans } from '../../src/feeds/scan-folder/scan-folder-reader.js';
import { ScanFileWriter } from '../../src/feeds/scan-folder/scan-file-writer.js';
import { writeDataset } from '../../src/generator/write-dataset.js';
import { dolphin } from '../support/cli.js';

let root: string;
let gen: string;

/** Every file under dir (relative path -> bytes). */
function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      const p = join(e.parentPath, e.name);
      out.set(p.slice(dir.length + 1), readFileSync(p));
    }
  }
  return out;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-rescan-'));
  gen = join(root, 'gen');
  // 1 day at a 60 s cadence: 1440 scans of 12 assets, with a gap and a restart
  writeDataset({ out: gen, layout: 'scanner', seed: 11, days: 1, assets: 12, startDay: '2026-02-02', cadenceMs: 60_000, imperfections: { gap: true, restart: true } });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('rescan', () => {
  it('rescans its own output bit for bit and copies everything but the features', () => {
    const a = join(root, 'a');
    const b = join(root, 'b');
    const s = rescan({ dir: gen, out: a });
    expect(s.segments).toBe(1);
    expect(s.factorFiles).toBe(1);
    rescan({ dir: a, out: b });
    const fa = files(a);
    const fb = files(b);
    expect([...fb.keys()].sort()).toEqual([...fa.keys()].sort());
    for (const [k, v] of fa) expect(fb.get(k)!.equals(v), k).toBe(true);

    const g = readOrderedScans(gen);
    const r = readOrderedScans(a);
    expect(r.count).toBe(g.count);
    expect(r.count).toBe(s.scans);
    let finite = 0;
    let maxLambdaDiff = 0;
    for (let i = 0; i < r.count; i++) {
      const x = g.record(i);
      const y = r.record(i);
      expect(y.timestampNs).toBe(x.timestampNs);
      expect(y.scanNumber).toBe(x.scanNumber);
      expect(y.timestampIso).toBe(x.timestampIso);
      expect(y.assets).toEqual(x.assets);
      expect(Buffer.from(y.prices.buffer).equals(Buffer.from(x.prices.buffer))).toBe(true);
      expect(Object.is(y.velDiv, y.features[velocityIndex(50)] - y.features[velocityIndex(750)])).toBe(true);
      if (Number.isFinite(y.velDiv)) finite++;
      // before the gap the stream saw the same returns as the generator (up to log/exp rounding)
      if (i < 500 && Number.isFinite(x.features[0])) maxLambdaDiff = Math.max(maxLambdaDiff, Math.abs(x.features[0] - y.features[0]));
    }
    expect(finite).toBeGreaterThan(r.count - 20);
    expect(maxLambdaDiff).toBeLessThan(1e-6);
    expect(Number.isNaN(r.record(0).features[0])).toBe(true); // no return at the first scan
  });

  it('computes other features with other windows, same column names', () => {
    const w = join(root, 'w');
    const s = rescan({ dir: gen, out: w, windows: [20, 60, 120, 240] });
    expect(s.windows).toEqual([20, 60, 120, 240]);
    const d = readOrderedScans(w).record(400);
    const base = readOrderedScans(join(root, 'a')).record(400);
    expect(d.features[0]).not.toBe(base.features[0]);
    expect(d.features.length).toBe(FEATURE_COUNT);
  });

  it('starts a new universe segment when a scan lists a new symbol', () => {
    const src = readOrderedScans(join(root, 'a'));
    const mixed = join(root, 'mixed');
    const w = new ScanFileWriter(mixed);
    for (let i = 0; i < 200; i++) {
      const rec = src.record(i);
      if (i < 100) w.write(rec);
      else w.write({ ...rec, assets: [...rec.assets, 'NEWUSDT'], prices: Float64Array.from([...rec.prices, 1.5]) });
    }
    const s = rescan({ dir: mixed, out: join(root, 'mixed-out') });
    expect(s.segments).toBe(2);
    const out = readOrderedScans(join(root, 'mixed-out'));
    expect(Number.isNaN(out.record(100).features[0])).toBe(true); // the new stream has no return yet
    expect(Number.isFinite(out.record(99).features[0])).toBe(true);
  });

  it('CLI: bad flags exit 2 naming the flag; the rescanned folder backtests', () => {
    const bad = dolphin(['rescan', gen, '--out', join(root, 'x'), '--windows', '50,150,300']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--windows');
    const notEmpty = dolphin(['rescan', gen, '--out', join(root, 'a')]);
    expect(notEmpty.code).toBe(2);
    expect(notEmpty.stderr).toContain('--out');
    const inside = dolphin(['rescan', gen, '--out', join(gen, 'sub')]);
    expect(inside.code).toBe(2);
    const ok = dolphin(['rescan', gen, '--out', join(root, 'cli'), '--json', '--quiet']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).scans).toBe(1430);
    const bt = dolphin(['backtest', join(root, 'cli'), '--json', '--quiet', '--out', join(root, 'bt')]);
    expect(bt.code).toBe(0);
    expect(FEATURE_NAMES.length).toBe(16);
  });
});
