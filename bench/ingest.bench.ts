/**
 * Ingest bench: one-scan Arrow files (the scanner layout) read and decoded per second on one thread,
 * readFileSync + decodeScans (apache-arrow) vs readFileSync + TemplateDecoder (template fast path).
 *
 *   node dist/bench/ingest.bench.js [--files 17280] [--assets 50] [--rounds 3] [--json]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FEATURE_COUNT, SCHEMA_VERSION, type ScanRecord } from '../src/core/scan.js';
import { decodeScans, encodeScans } from '../src/feeds/replay/arrow-scan.codec.js';
import type { ScanBatch } from '../src/feeds/replay/scan-batch.js';
import { TemplateDecoder } from '../src/feeds/replay/template-decoder.js';

/** Options of runIngestBench. */
export interface IngestBenchOptions {
  /** Files written and decoded per round (default 17,280: one day at 5 s). */
  readonly files: number;
  /** Assets per scan (default 50). */
  readonly assets: number;
  /** Timed rounds per variant; the best round is reported (default 3). */
  readonly rounds: number;
}

/** One measured variant. */
export interface VariantResult {
  readonly name: string;
  readonly filesPerSec: number;
  readonly usPerFile: number;
}

/** Machine-readable result (--json). */
export interface IngestBenchResult {
  readonly bench: 'ingest';
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly files: number;
  readonly assets: number;
  readonly avgFileBytes: number;
  readonly variants: readonly VariantResult[];
  /** Template path files/s over apache-arrow path files/s (both including readFileSync). */
  readonly ratio: number;
  /** Files the template path handed to decodeScans (0 expected). */
  readonly templateFallbacks: number;
}

/** Deterministic scans with symbols of varied lengths (e.g. BTCUSDT, 1000PEPEUSDT). */
function makeScans(files: number, assets: number): ScanRecord[] {
  let seed = 12345;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  const symbols = Array.from({ length: assets }, (_, i) => (i === 0 ? 'BTCUSDT' : `${i % 7 === 0 ? '1000' : ''}C${i}X${'Y'.repeat(i % 4)}USDT`));
  const prices = symbols.map((_, i) => 10 + i);
  const t0 = 1_767_571_200_000_000_000n; // 2026-01-05T00:00:00Z
  const out: ScanRecord[] = [];
  for (let t = 0; t < files; t++) {
    for (let i = 0; i < assets; i++) prices[i] *= 1 + (rnd() - 0.5) * 0.002;
    const features = new Float64Array(FEATURE_COUNT);
    for (let f = 0; f < FEATURE_COUNT; f++) features[f] = rnd();
    out.push({
      scanNumber: t + 1,
      timestampNs: t0 + BigInt(t) * 5_000_000_000n,
      timestampIso: new Date(Number((t0 + BigInt(t) * 5_000_000_000n) / 1_000_000n)).toISOString(),
      schemaVersion: SCHEMA_VERSION,
      features,
      velDiv: rnd() * 0.1 - 0.05,
      assets: symbols,
      prices: Float64Array.from(prices),
    });
  }
  return out;
}

/** Times `decode` over all paths `rounds` times after a warm-up; best round wins (least disturbed). */
function measure(name: string, paths: readonly string[], rounds: number, decode: (bytes: Uint8Array, path: string) => ScanBatch): VariantResult {
  let sink = 0;
  const warm = Math.min(paths.length, 2000);
  for (let i = 0; i < warm; i++) sink += decode(readFileSync(paths[i]), paths[i]).n;
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < paths.length; i++) sink += decode(readFileSync(paths[i]), paths[i]).n;
    const sec = Number(process.hrtime.bigint() - t0) / 1e9;
    if (sec < best) best = sec;
  }
  if (sink !== (warm + rounds * paths.length)) throw new Error(`${name}: decoded ${sink} rows, expected ${warm + rounds * paths.length}`);
  return { name, filesPerSec: paths.length / best, usPerFile: (best / paths.length) * 1e6 };
}

/** Writes the files to a temp dir, measures both paths, removes the files. */
export function runIngestBench(o: IngestBenchOptions): IngestBenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'dolphin-ingest-'));
  try {
    const scans = makeScans(o.files, o.assets);
    let bytes = 0;
    const paths = scans.map((s, i) => {
      const p = join(dir, `scan_${String(i).padStart(6, '0')}.arrow`);
      const b = encodeScans([s]);
      bytes += b.length;
      writeFileSync(p, b);
      return p;
    });
    const decoder = new TemplateDecoder();
    let templateFallbacks = 0;
    const read = measure('readFileSync only', paths, o.rounds, (b) => ({ n: b.length > 0 ? 1 : 0 }) as ScanBatch);
    const arrow = measure('readFileSync + decodeScans (apache-arrow)', paths, o.rounds, (b, p) => decodeScans(b, p));
    const template = measure('readFileSync + TemplateDecoder', paths, o.rounds, (b, p) => {
      const batch = decoder.decode(b, p);
      if (batch) return batch;
      templateFallbacks++;
      return decodeScans(b, p);
    });
    return {
      bench: 'ingest',
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      files: o.files,
      assets: o.assets,
      avgFileBytes: Math.round(bytes / o.files),
      variants: [read, arrow, template],
      ratio: template.filesPerSec / arrow.filesPerSec,
      templateFallbacks,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function flag(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer, was ${args[i + 1]}`);
  return v;
}

function main(args: readonly string[]): void {
  const options: IngestBenchOptions = { files: flag(args, '--files', 17_280), assets: flag(args, '--assets', 50), rounds: flag(args, '--rounds', 3) };
  const r = runIngestBench(options);
  if (args.includes('--json')) {
    console.log(JSON.stringify(r, null, 2));
    return;
  }
  console.log(`ingest bench: ${r.files} one-scan files of ${r.assets} assets (${r.avgFileBytes} bytes avg), one thread, best of ${options.rounds}`);
  console.log(`node ${r.node} | ${r.cpu} | ${r.cores} cores`);
  for (const v of r.variants) console.log(`  ${v.name.padEnd(44)} ${Math.round(v.filesPerSec).toLocaleString('en-US').padStart(9)} files/s  ${v.usPerFile.toFixed(1).padStart(7)} us/file`);
  console.log(`  template / apache-arrow: x${r.ratio.toFixed(2)}; template fallbacks: ${r.templateFallbacks}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
