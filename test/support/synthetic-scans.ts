/** Small, fast synthetic scans for feed and CLI tests (the full generator lives in src/generator). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAY_NS, FEATURE_COUNT, dayOf, dayToIso, isoToDay, type ScanRecord } from '../../src/core/scan.js';
import { encodeScans } from '../../src/feeds/replay/arrow-scan.codec.js';

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of synthScans. */
export interface SynthOptions {
  readonly n: number;
  readonly seed?: number;
  readonly assets?: number;
  readonly start?: string;
  readonly cadenceSec?: number;
}

/** Random-walk scans: BTC-led one-factor market, vel_div column random with ~30 % <= -0.02. */
export function synthScans(o: SynthOptions): ScanRecord[] {
  const r = rng(o.seed ?? 1);
  const A = o.assets ?? 8;
  const assets = ['BTCUSDT', ...Array.from({ length: A - 1 }, (_, i) => `A${String(i).padStart(2, '0')}USDT`)];
  const prices = assets.map((_, i) => 100 * (i + 1));
  const t0 = BigInt(isoToDay(o.start ?? '2026-01-05')) * DAY_NS;
  const step = BigInt(Math.round((o.cadenceSec ?? 5) * 1e9));
  const out: ScanRecord[] = [];
  const gauss = (): number => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  for (let t = 0; t < o.n; t++) {
    const mkt = gauss() * 0.001 - 0.00002;
    for (let i = 0; i < A; i++) prices[i] *= Math.exp(mkt * (0.5 + i / A) + gauss() * 0.0008);
    const features = new Float64Array(FEATURE_COUNT);
    for (let f = 0; f < FEATURE_COUNT; f++) features[f] = r();
    out.push({
      scanNumber: t + 1,
      timestampNs: t0 + BigInt(t) * step,
      timestampIso: `iso-${t}`,
      schemaVersion: '5.0.0',
      features,
      velDiv: r() * 0.1 - 0.05,
      assets,
      prices: Float64Array.from(prices),
    });
  }
  return out;
}

/** Writes scans in the scanner layout (one file per scan under YYYY-MM-DD/); returns file paths. */
export function writeScannerLayout(dir: string, scans: readonly ScanRecord[], name = (s: ScanRecord, i: number) => `scan_${String(i).padStart(6, '0')}.arrow`): string[] {
  const paths: string[] = [];
  scans.forEach((s, i) => {
    const d = join(dir, dayToIso(dayOf(s.timestampNs)));
    mkdirSync(d, { recursive: true });
    const p = join(d, name(s, i));
    writeFileSync(p, encodeScans([s]));
    paths.push(p);
  });
  return paths;
}

/** Writes scans as one daily file per UTC day (dictionary-encoded symbols). */
export function writeDailyLayout(dir: string, scans: readonly ScanRecord[]): void {
  mkdirSync(dir, { recursive: true });
  const byDay = new Map<number, ScanRecord[]>();
  for (const s of scans) {
    const d = dayOf(s.timestampNs);
    if (!byDay.has(d)) byDay.set(d, []);
    byDay.get(d)!.push(s);
  }
  for (const [d, list] of byDay) writeFileSync(join(dir, `${dayToIso(d)}.arrow`), encodeScans(list, { dictionary: true }));
}

/** Writes external_factors/D.json. */
export function writeFactors(dir: string, date: string, factors: Record<string, number>): void {
  mkdirSync(join(dir, 'external_factors'), { recursive: true });
  writeFileSync(join(dir, 'external_factors', `${date}.json`), JSON.stringify(factors));
}
