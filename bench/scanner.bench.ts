/**
 * Scanner bench (issue 11): (1) CPU per scan of the feature stage `dolphin scan` runs at every boundary
 * (PriceFeatureStream.push: log returns + rolling correlations + warm-started top eigenpairs, 50 assets x
 * 4 windows, all windows full), one core, side by side with writing the scan's Arrow file; (2) on the
 * emulated Binance USDT-M venue over loopback, one process, one clock (performance.now): stream event
 * sent -> price in the scanner's book (ccxt parse included), and cadence boundary -> scan written /
 * published to a real Hazelcast member (when Java is available). Setup (price path, warm-up, member
 * start) is outside the timed regions.
 *
 *   node dist/bench/scanner.bench.js [--quick] [--json]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PriceFeatureStream } from '../src/core/eigen/price-feature-stream.js';
import { FEATURE_COUNT, SCHEMA_VERSION, type ScanRecord } from '../src/core/scan.js';
import { startBinanceEmulator } from '../src/emulator/binance-usdm/binance-emulator.js';
import { ExchangeScanner } from '../src/feeds/exchange/exchange-scanner.js';
import { ScanPublisher } from '../src/feeds/exchange/scan-publisher.js';
import { ScanFileWriter } from '../src/feeds/scan-folder/scan-file-writer.js';
import { MarketModel } from '../src/generator/market-model.js';
import { universe } from '../src/generator/universe.js';
import { repoRoot } from './support/datasets.js';
import { below, median, quantile, standalone, type BenchOptions, type CaseResult, type Figure } from './support/result.js';

const PORT = 5703;
const CLUSTER = 'bench-scanner';

/** Prices of `count` scans of 50 assets (5 s steps of the generator's market model). */
function pricePath(count: number): Float64Array[] {
  const specs = universe(50);
  const m = new MarketModel(specs, 3, 5000, () => false);
  const ret = new Float64Array(50);
  const out: Float64Array[] = [];
  for (let k = 0; k < count; k++) {
    m.step(ret);
    out.push(Float64Array.from(m.prices));
  }
  return out;
}

function cpuPerScan(o: BenchOptions): { figures: Figure[]; meanUs: number; details: Record<string, unknown> } {
  const warm = 1000; // > 750: every window full before timing
  const timed = o.quick ? 1500 : 6000;
  const path = pricePath(warm + timed);
  const symbols = universe(50).map((s) => s.symbol);
  const stream = new PriceFeatureStream(symbols);
  const feats = new Float64Array(FEATURE_COUNT);
  for (let k = 0; k < warm; k++) stream.push(path[k], feats);
  const us: number[] = new Array<number>(timed);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 0; k < timed; k++) {
    const s = performance.now();
    stream.push(path[warm + k], feats);
    us[k] = (performance.now() - s) * 1000;
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const meanUs = us.reduce((a, b) => a + b, 0) / timed;
  // side by side: the whole scan as dolphin scan --out does it (features + record + Arrow encode + atomic write)
  const dir = mkdtempSync(join(tmpdir(), 'dolphin-bench-scan-'));
  const w = new ScanFileWriter(dir);
  const n = o.quick ? 300 : 1000;
  const wus: number[] = [];
  try {
    for (let k = 0; k < n; k++) {
      const s = performance.now();
      const velDiv = stream.push(path[warm + (k % timed)], feats);
      const ms = 1_767_225_600_000 + k * 5000;
      const scan: ScanRecord = { scanNumber: k + 1, timestampNs: BigInt(ms) * 1_000_000n, timestampIso: new Date(ms).toISOString(), schemaVersion: SCHEMA_VERSION, features: Float64Array.from(feats), velDiv, assets: symbols, prices: path[warm + (k % timed)] };
      w.write(scan);
      wus.push((performance.now() - s) * 1000);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    meanUs,
    figures: [
      { name: 'features per scan (50 x 4 windows), mean', value: meanUs, unit: 'us', note: `(${timed} scans after ${warm} warm-up; ${(1e6 / meanUs).toFixed(0)} scans/s on one core; CPU ${(((cpu.user + cpu.system) / 1000) / wallMs * 100).toFixed(0)} % of wall)` },
      { name: 'features per scan, p50', value: median(us), unit: 'us' },
      { name: 'features per scan, p99', value: quantile(us, 0.99), unit: 'us' },
      { name: 'share of one core at a 5 s cadence', value: (meanUs / 5e6) * 100, unit: '%' },
      { name: 'scan + Arrow file written (side by side), mean', value: wus.reduce((a, b) => a + b, 0) / n, unit: 'us', note: `(${n} scans: features, record, encode, temp file + rename)` },
      { name: 'scan + Arrow file written, p99', value: quantile(wus, 0.99), unit: 'us' },
    ],
    details: { warm, timed, steps: stream.pushes },
  };
}

function hz(cmd: 'start' | 'stop'): boolean {
  const r = spawnSync('bash', [join(repoRoot(), 'scripts', 'hz.sh'), cmd, '--port', String(PORT), ...(cmd === 'start' ? ['--cluster', CLUSTER, '--timeout', '120'] : [])], { encoding: 'utf8' });
  return r.status === 0;
}

async function venueLatency(o: BenchOptions): Promise<{ figures: Figure[]; p99: number; note: string; details: Record<string, unknown> }> {
  const cadenceMs = 500;
  const scans = o.quick ? 20 : 120;
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const withHz = !java.error && java.status === 0 && hz('start');
  const emu = await startBinanceEmulator({ tickMs: 100, assets: 50 });
  const dir = mkdtempSync(join(tmpdir(), 'dolphin-bench-scanout-'));
  const eventMs: number[] = [];
  const writtenMs: number[] = [];
  const takenMs: number[] = [];
  const processMs: number[] = [];
  const publishedMs: number[] = [];
  const boundaryPerf = new Map<bigint, number>();
  let lastTickSeen = 0;
  let publisher: ScanPublisher | undefined;
  try {
    if (withHz) {
      publisher = await ScanPublisher.connect({ address: `127.0.0.1:${PORT}`, cluster: CLUSTER, scannerId: 'bench', featuresMap: 'BENCH_FEATURES', stateMap: 'BENCH_SCANNER_STATE', log: () => undefined });
      publisher.onScanPublished = (scan, at) => {
        const b = boundaryPerf.get(scan.timestampNs);
        if (b !== undefined) publishedMs.push(at - b);
      };
    }
    const scanner = new ExchangeScanner({
      exchange: 'binanceusdm',
      universe: { kind: 'top', n: 50 },
      cadenceMs,
      staleAfterCadences: 6,
      priceSource: 'last',
      restUrl: emu.url,
      out: dir,
      ...(publisher ? { publisher } : {}),
      maxScans: scans,
      log: () => undefined,
      onPrice: () => {
        // the first price of each tick: event sent -> in the book
        const tick = emu.hub.lastPushAt;
        if (tick !== lastTickSeen) {
          lastTickSeen = tick;
          eventMs.push(performance.now() - tick);
        }
      },
      onScan: (scan, t) => {
        const b = t.boundaryMs - performance.timeOrigin; // the boundary on the performance clock
        boundaryPerf.set(scan.timestampNs, b);
        writtenMs.push(t.writtenAt - b);
        takenMs.push(t.takenAt - b);
        processMs.push(t.writtenAt - t.takenAt);
      },
    });
    await scanner.start();
    await scanner.done;
    await publisher?.close();
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
    if (withHz) hz('stop');
  }
  const skip = 5; // the first scans pay JIT warm-up
  const w = writtenMs.slice(skip);
  const p = publishedMs.slice(skip);
  const e = eventMs.slice(20);
  const tk = takenMs.slice(skip);
  const pr = processMs.slice(skip);
  const figures: Figure[] = [
    { name: 'event sent -> price in book, p50', value: median(e), unit: 'ms', note: `(${e.length} ticks of 50 miniTicker messages over loopback, ccxt parse included)` },
    { name: 'event sent -> price in book, p99', value: quantile(e, 0.99), unit: 'ms' },
    { name: 'boundary -> timer fired (scan taken), p50', value: median(tk), unit: 'ms', note: '(event-loop timer lag)' },
    { name: 'boundary -> timer fired, p99', value: quantile(tk, 0.99), unit: 'ms' },
    { name: 'timer fired -> scan written (features, put issued, Arrow file), p50', value: median(pr), unit: 'ms' },
    { name: 'timer fired -> scan written, p99', value: quantile(pr, 0.99), unit: 'ms' },
    { name: 'boundary -> scan written, p50', value: median(w), unit: 'ms', note: `(${w.length} scans at a ${cadenceMs} ms cadence; timer lag + features + Arrow file)` },
    { name: 'boundary -> scan written, p99', value: quantile(w, 0.99), unit: 'ms' },
  ];
  if (p.length) {
    figures.push({ name: 'boundary -> scan published (Hazelcast put acked), p50', value: median(p), unit: 'ms', note: `(${p.length} scans)` });
    figures.push({ name: 'boundary -> scan published, p99', value: quantile(p, 0.99), unit: 'ms' });
  }
  const bound = quantile(e, 0.99) + (p.length ? quantile(p, 0.99) : quantile(w, 0.99));
  figures.push({ name: `event -> scan ${p.length ? 'published' : 'written'}, p99 bound (sum of the two p99)`, value: bound, unit: 'ms', note: '(a scan is taken at the boundary after the event: the wait for the boundary is the cadence, not latency)' });
  return { figures, p99: bound, note: withHz ? `Hazelcast member 127.0.0.1:${PORT}` : 'no Java: published figures skipped', details: { scans, cadenceMs, written: writtenMs.length, published: publishedMs.length } };
}

/** The scanner case. */
export async function runScannerBench(o: BenchOptions): Promise<CaseResult> {
  o.log('scanner: CPU per scan (50 assets x 4 windows)');
  const cpu = cpuPerScan(o);
  o.log('scanner: latency on the emulated venue');
  const lat = await venueLatency(o);
  return {
    case: 'scanner',
    measures: 'dolphin scan: feature CPU per scan (PriceFeatureStream.push) and event/boundary -> scan written/published latency on the emulated Binance USDT-M venue (bench/scanner.bench.ts)',
    setup: `generator market path (50 assets), warm-up outside timing; emulator in process (100 ms ticks, 50 symbols), scanner with --out on tmp, ${lat.note}`,
    figures: [...cpu.figures, ...lat.figures],
    targets: [below('scanner CPU per scan, mean (50 x 4 windows)', cpu.meanUs / 1000, 1, 'ms'), below('event -> scan written/published, p99', lat.p99, 5, 'ms')],
    details: { ...cpu.details, ...lat.details },
  };
}

await standalone(import.meta.url, runScannerBench);
