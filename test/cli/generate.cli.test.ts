/**
 * Generator through the real CLI. Invariants: same arguments give byte-identical files; the same market
 * in scanner and daily layouts gives identical trades, metrics and fingerprint.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dolphin } from '../support/cli.js';

let root: string;
const GEN = ['generate', '--days', '2', '--assets', '12', '--seed', '7', '--quiet'];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-gen-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('dolphin generate', () => {
  it('is deterministic: same arguments, byte-identical files', () => {
    for (const d of ['d1', 'd2']) expect(dolphin([...GEN, '--out', join(root, d), '--layout', 'daily']).code).toBe(0);
    const files = readdirSync(join(root, 'd1')).filter((f) => f.endsWith('.arrow'));
    expect(files).toEqual(['2026-01-05.arrow', '2026-01-06.arrow']);
    for (const f of [...files, 'external_factors/2026-01-06.json']) {
      expect(readFileSync(join(root, 'd2', f)).equals(readFileSync(join(root, 'd1', f)))).toBe(true);
    }
    const other = dolphin([...GEN.slice(0, -3), '--seed', '8', '--quiet', '--out', join(root, 'd3'), '--layout', 'daily']);
    expect(other.code).toBe(0);
    expect(readFileSync(join(root, 'd3', files[0])).equals(readFileSync(join(root, 'd1', files[0])))).toBe(false);
  });

  it('gives the same backtest in scanner and daily layouts (imperfections included)', () => {
    const s = join(root, 'scanner');
    const d = join(root, 'daily');
    const g1 = dolphin([...GEN, '--out', s, '--layout', 'scanner', '--restart', '--gap', '--missing-price', '--duplicate']);
    expect(g1.code).toBe(0);
    expect(dolphin([...GEN, '--out', d, '--layout', 'daily', '--restart', '--gap', '--missing-price']).code).toBe(0);
    expect(readdirSync(join(s, '2026-01-05')).length).toBeGreaterThan(17000);
    const rs = dolphin(['backtest', s, '--json', '--quiet', '--out', join(root, 'rs')]);
    const rd = dolphin(['backtest', d, '--json', '--quiet', '--out', join(root, 'rd')]);
    expect(rs.code).toBe(0);
    expect(rd.code).toBe(0);
    const a = JSON.parse(rs.stdout);
    const b = JSON.parse(rd.stdout);
    expect(a.metrics.trades).toBeGreaterThan(0);
    expect(a.trades).toEqual(b.trades);
    expect(a.metrics).toEqual(b.metrics);
    expect(a.fingerprint).toEqual(b.fingerprint);
    expect(a.dataQuality.duplicatesDropped).toBe(1);
    expect(a.dataQuality.scannerRestarts).toHaveLength(1);
    expect(a.dataQuality.gaps).toHaveLength(1);
    expect(a.dataQuality.invalidPrices.count).toBeGreaterThan(0);
  }, 180_000);
});
