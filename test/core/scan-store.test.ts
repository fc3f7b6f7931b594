/**
 * ScanStore symbol interning (issue 8, class 3). Invariants:
 * - `order` lists symbol ids by ascending symbol after any sequence of appends and from columns;
 * - interning costs the scan's size plus the universe, not a sort per new symbol: 25 scans of 4,000
 *   new symbols each (100,000 symbols) and a 20,000-symbol store finish well inside the test timeout
 *   (they took minutes when every insert re-sorted); the timing itself is a benchmark matter.
 */
import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT, type ScanRecord } from '../../src/core/scan.js';
import { ScanStore } from '../../src/core/scan-store.js';
import { rng } from '../support/synthetic-scans.js';

function scan(t: number, assets: string[]): ScanRecord {
  return {
    scanNumber: t,
    timestampNs: 1_767_571_200_000_000_000n + BigInt(t) * 5_000_000_000n,
    timestampIso: '',
    schemaVersion: '5.0.0',
    features: new Float64Array(FEATURE_COUNT),
    velDiv: 0,
    assets,
    prices: Float64Array.from(assets, (_, i) => i + 1),
  };
}

/** Distinct random symbols (shuffled, so ids and alphabetical order disagree). */
function symbols(count: number, seed: number): string[] {
  const r = rng(seed);
  const out = new Set<string>();
  while (out.size < count) out.add(`${Math.floor(r() * 1e9).toString(36).toUpperCase()}USDT`);
  return [...out];
}

const ascending = (s: ScanStore): boolean => {
  for (let i = 1; i < s.order.length; i++) if (!(s.symbols[s.order[i - 1]] < s.symbols[s.order[i]])) return false;
  return s.order.length === s.symbols.length;
};

describe('ScanStore symbol order', () => {
  it('keeps order ascending over appends that add, repeat and mix symbols', () => {
    const s = new ScanStore(4, 2);
    const pool = symbols(300, 1);
    const r = rng(2);
    for (let t = 0; t < 60; t++) {
      const listed = [...new Set(Array.from({ length: 1 + Math.floor(r() * 40) }, () => pool[Math.floor(r() * pool.length)]))];
      s.append(scan(t, listed));
      expect(ascending(s)).toBe(true);
      for (const [i, a] of listed.entries()) expect(s.price(t, s.idOf(a))).toBe(i + 1);
    }
    expect(new Set(s.symbols).size).toBe(s.symbols.length);
  });

  it('interns 25 scans of 4,000 new symbols each (100,000 symbols) in linear time', () => {
    const all = symbols(100_000, 3);
    const s = new ScanStore(32, 64);
    for (let t = 0; t < 25; t++) s.append(scan(t, all.slice(4000 * t, 4000 * (t + 1))));
    expect(s.symbols.length).toBe(100_000);
    expect(ascending(s)).toBe(true);
    expect(s.price(24, s.idOf(all[99_999]))).toBe(4000);
  });

  it('4,000 assets repeated over 2,000 scans intern once', () => {
    const assets = symbols(4000, 4);
    const s = new ScanStore(16, 4096);
    for (let t = 0; t < 2000; t++) s.append(scan(t, assets));
    expect(s.symbols.length).toBe(4000);
    expect(s.n).toBe(2000);
    expect(ascending(s)).toBe(true);
  });

  it('builds the order of a 20,000-symbol store from columns at once', () => {
    const syms = symbols(20_000, 5).sort();
    const n = 2;
    const s = ScanStore.fromColumns({
      n,
      symbols: syms,
      ts: BigInt64Array.of(1n, 2n),
      scanNumber: new Float64Array(n),
      velDiv: new Float64Array(n),
      features: Array.from({ length: FEATURE_COUNT }, () => new Float64Array(n)),
      prices: new Float64Array(n * syms.length),
      nAssets: new Int32Array(n),
    });
    expect(ascending(s)).toBe(true);
    expect(s.idOf(syms[12_345])).toBe(12_345);
  });
});
