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
import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
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

const PORT = Number(process.env.BENCH_HZ_PORT ?? 5703);
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

/** Step times of one scan (performance.now() ms; NaN when the step did not happen). */
interface ScanSteps {
  boundary: number;
  taken: number;
  features: number;
  /** Publishing started (record, JSON, stream append invoked; the bytes leave when the scan's tick ends). */
  published: number;
  written: number;
  queued: number;
  appendAt: number;
  appended: number;
  putAt: number;
  acked: number;
  /** GC pause time between the boundary and the ack, ms. */
  gcMs: number;
  /** The venue's tick pushed at the boundary: when its last price reached the book (NaN: no tick then). */
  burstEnd: number;
  /** When that tick was pushed, relative to the boundary. */
  tickOffset: number;
}

const stepsOf = (): ScanSteps => ({ boundary: NaN, taken: NaN, features: NaN, published: NaN, written: NaN, queued: NaN, appendAt: NaN, appended: NaN, putAt: NaN, acked: NaN, gcMs: 0, burstEnd: NaN, tickOffset: NaN });

/** p50 and p99 figures of one step across scans (NaN samples dropped). */
function stepFigures(name: string, xs: readonly number[], note?: string): Figure[] {
  const v = xs.filter((x) => Number.isFinite(x));
  if (v.length === 0) return [];
  return [
    { name: `${name}, p50`, value: median(v), unit: 'ms', ...(note !== undefined ? { note } : {}) },
    { name: `${name}, p99`, value: quantile(v, 0.99), unit: 'ms' },
  ];
}

/** The emulated venue, in this process or in a child process; tick push times on this process's performance clock. */
interface BenchVenue {
  readonly url: string;
  readonly where: string;
  /** Stops the venue; returns the push time of every tick (performance.now() of this process). */
  close(): Promise<number[]>;
}

async function inProcessVenue(): Promise<BenchVenue> {
  const emu = await startBinanceEmulator({ tickMs: 100, assets: 50 });
  const pushes: number[] = [];
  const publish = emu.hub.publish.bind(emu.hub);
  emu.hub.publish = (...args: Parameters<typeof publish>): void => {
    const before = emu.hub.lastPushAt;
    publish(...args);
    if (emu.hub.lastPushAt !== before) pushes.push(emu.hub.lastPushAt);
  };
  return { url: emu.url, where: 'in this process (its ticks run on the scanner event loop)', close: async () => (await emu.close(), pushes) };
}

/** The venue in a child process; its epoch clock is mapped to ours by the best of 30 IPC ping-pongs. */
async function childVenue(): Promise<BenchVenue> {
  const child = fork(join(repoRoot(), 'dist', 'bench', 'support', 'venue-child.js'), ['100', '50'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const exit = (code: number | null): void => reject(new Error(`venue child exited (${code})`));
      child.once('exit', exit);
      child.once('message', (m) => {
        child.off('exit', exit);
        resolve(m as Record<string, unknown>);
      });
    });
  const { url } = (await next()) as { url: string };
  let best = { rtt: Infinity, offset: 0 };
  for (let k = 0; k < 30; k++) {
    const t1 = performance.timeOrigin + performance.now();
    child.send({ ping: t1 });
    const { at } = (await next()) as { at: number };
    const t3 = performance.timeOrigin + performance.now();
    if (t3 - t1 < best.rtt) best = { rtt: t3 - t1, offset: at - (t1 + t3) / 2 };
  }
  const offset = best.offset;
  return {
    url,
    where: `in a child process (clock offset ${offset.toFixed(3)} ms, +-${(best.rtt / 2).toFixed(3)} ms)`,
    close: async () => {
      const done = next();
      child.send('stop');
      const { pushes } = (await done) as { pushes: number[] };
      return pushes.map((t) => t - offset - performance.timeOrigin);
    },
  };
}

async function venueLatency(o: BenchOptions): Promise<{ figures: Figure[]; p99: number; note: string; details: Record<string, unknown> }> {
  const cadenceMs = 500;
  const scans = Number(process.env.BENCH_SCANNER_SCANS ?? (o.quick ? 20 : 120));
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const withHz = !java.error && java.status === 0 && hz('start');
  const emu = process.env.BENCH_SCANNER_VENUE === 'inprocess' ? await inProcessVenue() : await childVenue();
  const dir = mkdtempSync(join(tmpdir(), 'dolphin-bench-scanout-'));
  const steps = new Map<bigint, ScanSteps>();
  const step = (ts: bigint): ScanSteps => {
    let s = steps.get(ts);
    if (s === undefined) steps.set(ts, (s = stepsOf()));
    return s;
  };
  const gcs: { start: number; end: number }[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, end: e.startTime + e.duration });
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  /** When each stream price reached the book (performance clock). */
  const priceAt: number[] = [];
  let pushes: number[] = [];
  let publisher: ScanPublisher | undefined;
  try {
    if (withHz) {
      publisher = await ScanPublisher.connect({ address: `127.0.0.1:${PORT}`, cluster: CLUSTER, scannerId: 'bench', featuresMap: 'BENCH_FEATURES', stateMap: 'BENCH_SCANNER_STATE', log: () => undefined });
      publisher.onScanPublished = (scan, at, t) => {
        const s = step(scan.timestampNs);
        s.acked = at;
        s.queued = t.queuedAt;
        s.appendAt = t.appendAt;
        s.appended = t.appendedAt;
        s.putAt = t.putAt;
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
      onPrice: () => void priceAt.push(performance.now()),
      onScan: (scan, t) => {
        const s = step(scan.timestampNs);
        s.boundary = t.boundaryMs - performance.timeOrigin; // the boundary on the performance clock
        s.taken = t.takenAt;
        s.features = t.featuresAt;
        s.published = t.publishedAt;
        s.written = t.writtenAt;
      },
    });
    await scanner.start();
    await scanner.done;
    await publisher?.close();
  } finally {
    gcObserver.disconnect();
    pushes = await emu.close();
    rmSync(dir, { recursive: true, force: true });
    if (withHz) hz('stop');
  }
  const skip = 5; // the first scans pay JIT warm-up
  // per tick: when its first and its last price reached the book (prices until the next tick's push)
  const first: number[] = [];
  const lastOf: number[] = [];
  for (let i = 0, j = 0; i < pushes.length; i++) {
    const until = i + 1 < pushes.length ? pushes[i + 1] : Infinity;
    while (j < priceAt.length && priceAt[j] < pushes[i]) j++;
    first.push(j < priceAt.length && priceAt[j] < until ? priceAt[j] : NaN);
    let last = NaN;
    while (j < priceAt.length && priceAt[j] < until) last = priceAt[j++];
    lastOf.push(last);
  }
  const all = [...steps.values()].filter((s) => Number.isFinite(s.boundary)).sort((a, b) => a.boundary - b.boundary).slice(skip);
  for (const s of all) {
    const end = Number.isFinite(s.acked) ? s.acked : s.written;
    for (const g of gcs) if (g.end > s.boundary && g.start < end) s.gcMs += Math.min(g.end, end) - Math.max(g.start, s.boundary);
    const i = pushes.findIndex((t) => t > s.boundary - 5 && t < s.boundary + 50);
    if (i >= 0) {
      s.tickOffset = pushes[i] - s.boundary;
      s.burstEnd = lastOf[i];
    }
  }
  const eventMs = pushes.map((t, i) => first[i] - t).slice(20).filter((x) => Number.isFinite(x));
  const d = (f: (s: ScanSteps) => number): number[] => all.map(f);
  const e = eventMs;
  const w = d((s) => s.written - s.boundary);
  const p = d((s) => s.acked - s.boundary).filter((x) => Number.isFinite(x));
  const figures: Figure[] = [
    ...stepFigures('event sent -> price in book', e, `(${e.length} ticks of 50 miniTicker messages over loopback, ccxt parse included)`),
    ...stepFigures('boundary -> timer fired (scan taken)', d((s) => s.taken - s.boundary), '(event-loop timer lag)'),
    ...stepFigures('  step: taken -> features computed', d((s) => s.features - s.taken)),
    ...stepFigures('  step: features -> publishing started (record, JSON, stream append invoked)', d((s) => s.published - s.features)),
    ...stepFigures('  step: publishing started -> stream append acked', d((s) => s.appended - s.published), '(ringbuffer add round trip; the bytes leave when the scan tick ends)'),
    ...stepFigures('  step: stream append acked -> latest_eigen_scan put acked', d((s) => s.acked - s.appended), '(map.set round trip)'),
    ...stepFigures('  beside: publishing started -> Arrow file written', d((s) => s.written - s.published), '(next turn of the event loop: encode, temp file + rename, while the puts travel)'),
    ...stepFigures('  GC pause inside boundary -> acked', d((s) => s.gcMs), `(${all.filter((s) => s.gcMs > 0).length} of ${all.length} scans had one)`),
    ...stepFigures('  venue tick at the boundary: boundary -> tick pushed', d((s) => s.tickOffset), `(venue ${emu.where})`),
    ...stepFigures('  venue tick at the boundary: boundary -> its last price in the book', d((s) => s.burstEnd - s.boundary), '(50 messages parsed by ccxt on the scanner event loop, beside the puts in flight)'),
    ...stepFigures('boundary -> scan written', w, `(${w.length} scans at a ${cadenceMs} ms cadence)`),
  ];
  if (p.length) figures.push(...stepFigures('boundary -> scan published (Hazelcast put acked)', p, `(${p.length} scans)`));
  const bound = quantile(e, 0.99) + (p.length ? quantile(p, 0.99) : quantile(w, 0.99));
  figures.push({ name: `event -> scan ${p.length ? 'published' : 'written'}, p99 bound (sum of the two p99)`, value: bound, unit: 'ms', note: '(a scan is taken at the boundary after the event: the wait for the boundary is the cadence, not latency)' });
  return { figures, p99: bound, note: `venue ${emu.where}; ${withHz ? `Hazelcast member 127.0.0.1:${PORT}` : 'no Java: published figures skipped'}`, details: { scans, cadenceMs, timed: all.length, published: p.length, perScan: o.quick ? undefined : all } };
}

/** The scanner case. */
export async function runScannerBench(o: BenchOptions): Promise<CaseResult> {
  o.log('scanner: CPU per scan (50 assets x 4 windows)');
  const cpu = process.env.BENCH_SCANNER_SKIP_CPU === '1' ? { figures: [], meanUs: NaN, details: {} } : cpuPerScan(o);
  o.log('scanner: latency on the emulated venue');
  const lat = await venueLatency(o);
  return {
    case: 'scanner',
    measures: 'dolphin scan: feature CPU per scan (PriceFeatureStream.push) and event/boundary -> scan written/published latency on the emulated Binance USDT-M venue (bench/scanner.bench.ts)',
    setup: `generator market path (50 assets), warm-up outside timing; emulator (100 ms ticks, 50 symbols) ${lat.note}, scanner with --out on tmp`,
    figures: [...cpu.figures, ...lat.figures],
    targets: [below('scanner CPU per scan, mean (50 x 4 windows)', cpu.meanUs / 1000, 1, 'ms'), below('event -> scan written/published, p99', lat.p99, 5, 'ms')],
    details: { ...cpu.details, ...lat.details },
  };
}

await standalone(import.meta.url, runScannerBench);
