/**
 * Replay feed on real Arrow files. Invariants: order comes from timestamp_ns only (names, folders and
 * mtimes do not matter); scanner and daily layouts give the same store; identical duplicates merge,
 * conflicting ones drop with their file names; bad files are skipped by name (fatal with strict).
 */
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/core/config.js';
import { DataEmptyError, ScanFormatError } from '../../../src/core/errors.js';
import { backtest } from '../../../src/app/backtest.js';
import { encodeScans } from '../../../src/feeds/replay/arrow-scan.codec.js';
import { loadScanDirectory } from '../../../src/feeds/replay/load-scan-directory.js';
import { reportToJson } from '../../../src/report/report-json.js';
import { synthScans, writeDailyLayout, writeFactors, writeScannerLayout } from '../../support/synthetic-scans.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'dolphin-replay-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// Crosses midnight so two UTC days exist; small warm-up so trades happen.
const scans = synthScans({ n: 600, seed: 3, start: '2026-01-05', cadenceSec: 300 });
const config = resolveConfig({ warmupBars: 5, volWindow: 10, alignWindow: 10, minAlignment: 0, calibrationDays: 1, maxHoldBars: 20 });

describe('replay feed', () => {
  it('gives the same store and report for scanner and daily layouts, shuffled names and mtimes', async () => {
    const a = tmp();
    const b = tmp();
    const c = tmp();
    writeScannerLayout(a, scans);
    writeDailyLayout(b, scans);
    // Names that sort opposite to time, all in one wrongly named folder, with shuffled mtimes.
    const paths = writeScannerLayout(c, scans, (_s, i) => `z${String(10_000 - i)}.arrow`);
    paths.forEach((p, i) => utimesSync(p, new Date(1e12 + ((i * 7919) % 600) * 1000), new Date(1e12 + ((i * 7919) % 600) * 1000)));
    for (const d of [a, b, c]) writeFactors(d, '2026-01-05', { dvol_btc: 60 });
    const ra = await backtest(a, config);
    const rb = await backtest(b, config);
    const rc = await backtest(c, config);
    expect(ra.report.metrics.trades).toBeGreaterThan(0);
    expect(ra.replay.store.n).toBe(600);
    const core = (r: typeof ra) => JSON.stringify({ f: r.report.fingerprint, m: r.report.metrics, t: r.report.trades, d: r.report.daily });
    expect(core(rb)).toBe(core(ra));
    expect(core(rc)).toBe(core(ra));
    expect(reportToJson(rc.report)).toBe(reportToJson(ra.report));
  });

  it('orders by timestamp_ns, not by folder: a scan filed under the wrong date folder still lands in place', () => {
    const d = tmp();
    writeScannerLayout(d, scans.slice(0, 50));
    mkdirSync(join(d, '2020-01-01'));
    writeFileSync(join(d, '2020-01-01', 'late.arrow'), encodeScans([scans[50]]));
    const r = loadScanDirectory(d);
    expect(r.store.n).toBe(51);
    expect(r.store.ts[50]).toBe(scans[50].timestampNs);
  });

  it('merges identical duplicates and drops conflicting rows, naming the files', () => {
    const d = tmp();
    writeScannerLayout(d, scans.slice(0, 100));
    writeFileSync(join(d, '2026-01-05', 'copy_of_10.arrow'), encodeScans([scans[10]]));
    const changed = { ...scans[20], prices: Float64Array.from(scans[20].prices, (p, i) => (i === 1 ? p * 1.01 : p)) };
    writeFileSync(join(d, '2026-01-05', 'conflict_20.arrow'), encodeScans([changed]));
    const r = loadScanDirectory(d);
    expect(r.dataQuality.duplicatesDropped).toBe(1);
    expect(r.dataQuality.duplicates[0].sources.some((s) => s.includes('copy_of_10.arrow'))).toBe(true);
    expect(r.dataQuality.conflictsDropped).toBe(2);
    expect(r.dataQuality.conflicts[0].sources.join(' ')).toContain('conflict_20.arrow');
    expect(r.store.n).toBe(99); // 102 rows - 1 merged copy - 2 conflicting rows
    expect([...r.store.ts.subarray(0, r.store.n)]).not.toContain(scans[20].timestampNs);
  });

  it('skips a truncated file with its name and reason; --strict makes it fatal', () => {
    const d = tmp();
    const paths = writeScannerLayout(d, scans.slice(0, 30));
    const bytes = readFileSync(paths[7]);
    writeFileSync(paths[7], bytes.subarray(0, bytes.length - 40));
    const r = loadScanDirectory(d);
    expect(r.store.n).toBe(29);
    expect(r.dataQuality.skippedFiles).toHaveLength(1);
    expect(r.dataQuality.skippedFiles[0].source).toBe('2026-01-05/scan_000007.arrow');
    expect(r.dataQuality.skippedFiles[0].reason).toMatch(/truncated|footer/);
    expect(() => loadScanDirectory(d, { strict: true })).toThrow(/scan_000007\.arrow.*(truncated|footer)/);
  });

  it('names a non-Arrow file and a file with a wrong column type', () => {
    const d = tmp();
    writeScannerLayout(d, scans.slice(0, 5));
    writeFileSync(join(d, '2026-01-05', 'notes.arrow'), 'hello, not arrow at all');
    const r = loadScanDirectory(d);
    expect(r.dataQuality.skippedFiles[0]).toMatchObject({ source: '2026-01-05/notes.arrow' });
    expect(r.dataQuality.skippedFiles[0].reason).toMatch(/not an Arrow IPC file|too short/);
  });

  it('reports NaN, zero and negative prices as invalid and never trades on them', () => {
    const d = tmp();
    const bad = scans.slice(0, 40).map((s, t) =>
      t === 30 ? { ...s, prices: Float64Array.from(s.prices, (p, i) => (i === 0 ? NaN : i === 1 ? -5 : i === 2 ? 0 : p)) } : s,
    );
    writeScannerLayout(d, bad);
    const r = loadScanDirectory(d);
    expect(r.dataQuality.invalidPrices.count).toBe(3);
    expect(r.dataQuality.invalidPrices.byAsset).toEqual({ A00USDT: 1, A01USDT: 1, BTCUSDT: 1 });
    expect(Number.isNaN(r.store.price(30, r.store.idOf('A00USDT')))).toBe(true);
  });

  it('flags malformed rows (lengths differ, symbol twice) and skips only them', () => {
    const d = tmp();
    const rows = scans.slice(0, 10).map((s, t) =>
      t === 3 ? { ...s, prices: s.prices.slice(0, 3) } : t === 4 ? { ...s, assets: [...s.assets.slice(0, -1), s.assets[0]] } : s,
    );
    writeDailyLayout(d, rows);
    const r = loadScanDirectory(d);
    expect(r.store.n).toBe(8);
    expect(r.dataQuality.malformedRows.map((m) => m.reason)).toEqual([
      expect.stringMatching(/different lengths/),
      expect.stringMatching(/listed twice/),
    ]);
  });

  it('explains an empty folder and a missing folder', () => {
    const d = tmp();
    expect(() => loadScanDirectory(d)).toThrow(DataEmptyError);
    expect(() => loadScanDirectory(d)).toThrow(/no scan files.*dolphin generate/);
    expect(() => loadScanDirectory(join(d, 'nope'))).toThrow(/does not exist/);
  });

  it('never reads names starting with a dot', () => {
    const d = tmp();
    writeScannerLayout(d, scans.slice(0, 5));
    mkdirSync(join(d, '.cache'));
    writeFileSync(join(d, '.cache', 'x.arrow'), encodeScans(scans.slice(5, 10)));
    writeFileSync(join(d, '2026-01-05', '.partial.arrow'), 'garbage');
    const r = loadScanDirectory(d);
    expect(r.store.n).toBe(5);
    expect(r.dataQuality.skippedFiles).toHaveLength(0);
  });

  it('counts a scanner restart, a gap and days without factors', () => {
    const d = tmp();
    const rows = scans.slice(0, 100).filter((_, t) => t < 40 || t >= 45).map((s, t) => (t >= 60 ? { ...s, scanNumber: t - 59 } : s));
    writeDailyLayout(d, rows);
    const r = loadScanDirectory(d);
    expect(r.dataQuality.scannerRestarts).toHaveLength(1);
    expect(r.dataQuality.gaps).toHaveLength(1);
    expect(r.dataQuality.gaps[0].seconds).toBe(1800);
    expect(r.dataQuality.daysWithoutFactors).toEqual(['2026-01-05']);
    // scan_number resets change nothing about ordering
    expect(r.store.n).toBe(95);
  });

  it('rejects a file missing a required column, naming the column', () => {
    const d = tmp();
    mkdirSync(join(d, '2026-01-05'));
    // Build a file without asset_prices by encoding then re-encoding via apache-arrow.
    return import('apache-arrow').then(({ tableFromIPC, tableToIPC, Table }) => {
      const t = tableFromIPC(encodeScans(scans.slice(0, 2)));
      const cols: Record<string, unknown> = {};
      for (const f of t.schema.fields) if (f.name !== 'asset_prices') cols[f.name] = t.getChild(f.name);
      writeFileSync(join(d, '2026-01-05', 'x.arrow'), tableToIPC(new Table(cols as never), 'file'));
      const err = (() => {
        try {
          loadScanDirectory(d, { strict: true });
        } catch (e) {
          return e as ScanFormatError;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(ScanFormatError);
      expect(err!.message).toMatch(/2026-01-05\/x\.arrow: missing required column "asset_prices"/);
    });
  });
});

describe('corrupt Arrow framing', () => {
  it('rejects a flipped framing byte with a clear message instead of handing it to apache-arrow', () => {
    const d = mkdtempSync(join(tmpdir(), 'dolphin-flip-'));
    try {
      const paths = writeScannerLayout(d, synthScans({ n: 3, seed: 1 }));
      const b = readFileSync(paths[1]);
      b[8] ^= 0xff;
      writeFileSync(paths[1], b);
      const r = loadScanDirectory(d);
      expect(r.store.n).toBe(2);
      expect(r.dataQuality.skippedFiles[0].reason).toMatch(/corrupt or unsupported Arrow file: record batch 0: the message at 8 is not a readable record batch/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
