/**
 * The real CLI on data folders with bad scanner files (issue 8, classes 1 and 2). Invariants:
 * - a 4 KB file apache-arrow would loop on, among good files, never stops a backtest: it is skipped by
 *   name with or without workers, cached or not, and --strict stops with exit 1 naming it;
 * - a scanner file with a null scan_number gives the same report on the default (cached) path, with
 *   --no-cache and from a cache built by `dolphin cache build`.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Int64, Table, makeData, makeVector, tableFromIPC, tableToIPC, type Vector } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeScans } from '../../src/feeds/replay/arrow-scan.codec.js';
import { batchBlockOnDictionary, batchBlockOnSchema } from '../support/arrow-mutants.js';
import { dolphin } from '../support/cli.js';
import { synthScans, writeFactors, writeScannerLayout } from '../support/synthetic-scans.js';

const SETS = ['--set', 'warmupBars=5', '--set', 'volWindow=10', '--set', 'alignWindow=10', '--set', 'minAlignment=0', '--set', 'calibrationDays=1'];
/** A run that hangs fails here instead of holding the suite (spawnSync kills it: code -1). */
const TIMEOUT = { timeoutMs: 90_000 };

let root: string;
const scans = synthScans({ n: 400, seed: 12, cadenceSec: 300 });

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-input-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A scanner file of `scan` whose scan_number is null, written by apache-arrow itself. */
function nullScanNumberFile(scanIndex: number): Uint8Array {
  const t = tableFromIPC(encodeScans([scans[scanIndex]]));
  const cols: Record<string, Vector> = {};
  for (const f of t.schema.fields) cols[f.name] = t.getChild(f.name)!;
  cols.scan_number = makeVector(makeData({ type: new Int64(), length: 1, nullCount: 1, nullBitmap: Uint8Array.of(0), data: new BigInt64Array(1) }));
  return tableToIPC(new Table(cols), 'file');
}

const skipped = (out: string): string[] => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).dataQuality.skippedFiles.map((f: { source: string }) => f.source);

describe('bad scanner files through the CLI', () => {
  it('a file apache-arrow loops on is skipped by name with and without workers, cached or not; --strict stops on it', () => {
    const data = join(root, 'hang');
    writeScannerLayout(data, scans);
    const loops = batchBlockOnDictionary(scans[10]);
    expect(loops.length).toBeLessThan(4096);
    writeFileSync(join(data, '2026-01-05', 'scan_loops.arrow'), loops);
    writeFileSync(join(data, '2026-01-05', 'scan_spins.arrow'), batchBlockOnSchema(scans[11]));
    writeFactors(data, '2026-01-05', { dvol_btc: 60 });
    const want = ['2026-01-05/scan_loops.arrow', '2026-01-05/scan_spins.arrow'];
    const reports: string[] = [];
    for (const [i, extra] of [['--workers', '0', '--no-cache'], ['--workers', '2', '--no-cache'], ['--workers', '0', '--cache', join(root, 'c1')], ['--workers', '2', '--cache', join(root, 'c1')]].entries()) {
      const out = join(root, `hang-${i}`);
      const r = dolphin(['backtest', data, '--out', out, '--quiet', ...SETS, ...extra], TIMEOUT);
      expect(r.code, `${extra.join(' ')}: ${r.stderr}`).toBe(0);
      expect(skipped(out)).toEqual(want);
      reports.push(readFileSync(join(out, 'report.json'), 'utf8'));
    }
    for (const rep of reports) expect(rep).toBe(reports[0]);
    expect(JSON.parse(reports[0]).fingerprint.scans).toBe(scans.length);
    for (const workers of ['0', '2']) {
      const r = dolphin(['backtest', data, '--out', join(root, `strict-${workers}`), '--quiet', '--strict', '--no-cache', '--workers', workers, ...SETS], TIMEOUT);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/2026-01-05\/scan_(loops|spins)\.arrow: corrupt or unsupported Arrow file: record batch 0/);
    }
  });

  it('a null scan_number gives the same report on the default cached path, with --no-cache and after cache build', () => {
    const data = join(root, 'null-sn');
    writeScannerLayout(data, scans);
    writeFileSync(join(data, '2026-01-05', 'scan_000003.arrow'), nullScanNumberFile(3));
    writeFileSync(join(data, '2026-01-06', 'scan_000300.arrow'), nullScanNumberFile(300));
    writeFactors(data, '2026-01-05', { dvol_btc: 60 });
    const cache = join(root, 'c2');
    const run = (name: string, extra: string[]): string => {
      const out = join(root, name);
      const r = dolphin(['backtest', data, '--out', out, '--quiet', ...SETS, ...extra], TIMEOUT);
      expect(r.code, r.stderr).toBe(0);
      return readFileSync(join(out, 'report.json'), 'utf8');
    };
    const uncached = run('sn-nocache', ['--no-cache']);
    expect(JSON.parse(uncached).fingerprint.scans).toBe(scans.length);
    expect(JSON.parse(uncached).dataQuality.skippedFiles).toEqual([]);
    expect(run('sn-default', ['--cache', cache])).toBe(uncached); // builds the cache
    expect(run('sn-cached', ['--cache', cache])).toBe(uncached); // reads it
    const cache3 = join(root, 'c3');
    const built = dolphin(['cache', 'build', data, '--cache', cache3, '--quiet'], TIMEOUT);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/2026-01-05\s+built/);
    expect(statSync(cache3).isDirectory()).toBe(true);
    expect(run('sn-after-build', ['--cache', cache3])).toBe(uncached);
  });
});
