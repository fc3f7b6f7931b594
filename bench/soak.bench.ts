/**
 * Soak of the live path, all real processes: a scanner stand-in writes one-scan Arrow files (50 assets)
 * into date folders at `rate` scans/s (10 x the scanner's 0.2/s by default), `dolphin bridge` watches
 * the folder and publishes each scan (scan stream + key), `dolphin live --paper` journals and trades
 * them. Sampled every few seconds: the live process's RSS (and peak, VmHWM), the bridge's RSS, scans
 * journaled, and the run's decision latency (p50/p99 over its last 600 scans, from its published
 * state). At the end: scans dropped (written - journaled), missed as the run names them, RSS growth
 * after warm-up, p99 after warm-up vs at the end, and file written -> journaled latency (journal file
 * mtimes). Scan generation and member start are outside the measured run.
 *
 *   node dist/bench/soak.bench.js [--quick]        (1 h; --quick: 2 min; DOLPHIN_SOAK_SECONDS overrides)
 *   BENCH_HZ_PORT=5702 (default) member port; started and stopped here when none runs there.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dayOf, dayToIso, type ScanRecord } from '../src/core/scan.js';
import { connectHazelcast, type HazelcastClient } from '../src/feeds/live/hazelcast-connection.js';
import { STATE_MAP, FEATURES_MAP, type PaperState } from '../src/feeds/live/paper-state.js';
import { encodeScans } from '../src/feeds/replay/arrow-scan.codec.js';
import { generateScans } from '../src/generator/market.js';
import { MARKET, repoRoot, scratchDir, SCANS_PER_DAY } from './support/datasets.js';
import { median, quantile, type BenchOptions, type CaseResult, type Figure, standalone } from './support/result.js';

/** Options of runSoak. */
export interface SoakOptions {
  readonly durationS: number;
  /** Scans written per second. */
  readonly rate: number;
  /** Member to use (`host:port`, cluster); started by the caller. */
  readonly address: string;
  readonly cluster: string;
  /** RSS and latency are compared after this many seconds (JIT, caches, pools filled). */
  readonly warmupS: number;
  readonly sampleEveryS: number;
  /** Scratch folder (scanner folder, journal, logs); removed by the caller. */
  readonly workDir: string;
  /** Map names (tests sharing a member use their own); default the contract's. */
  readonly featuresMap?: string;
  readonly stateMap?: string;
  readonly log: (message: string) => void;
}

/** One sample of the running soak. */
export interface SoakSample {
  readonly tS: number;
  readonly written: number;
  readonly journaled: number;
  readonly liveRssMb: number;
  readonly liveHwmMb: number;
  readonly bridgeRssMb: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly feedStatus: string | null;
}

/** What a soak measured. */
export interface SoakResult {
  readonly seconds: number;
  readonly written: number;
  readonly journaled: number;
  /** written - journaled after the drain. */
  readonly dropped: number;
  /** Scans the run itself names as missed (state counters). */
  readonly scansMissed: number;
  readonly lateOrDuplicate: number;
  readonly samples: readonly SoakSample[];
  /** Median live RSS over the first and the last tenth of the post-warm-up samples, and the growth. */
  readonly rssWarmMb: number;
  readonly rssEndMb: number;
  readonly rssGrowthMb: number;
  readonly peakRssMb: number;
  readonly bridgeRssEndMb: number;
  /** p99 decision latency (last 600 scans) at the first sample after warm-up and at the end. */
  readonly p99WarmMs: number;
  readonly p99EndMs: number;
  /** File written -> journal file renamed into place (journal mtimes, ms resolution). */
  readonly e2eP50Ms: number;
  readonly e2eP99Ms: number;
  readonly liveCpuS: number;
  /** Seconds from the last scan written to the journal holding every scan (a backlog shows here). */
  readonly drainS: number;
  readonly liveExit: number | null;
  readonly reportScans: number;
}

const CLI = (): string => join(repoRoot(), 'dist', 'src', 'cli', 'main.js');

/** VmRSS and VmHWM of a process in MB (NaN when gone). */
function procMem(pid: number | undefined): { rss: number; hwm: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

/** CPU seconds (user + system) of a process so far. */
function procCpuS(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

function journalFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const d of readdirSync(dir)) if (/^\d{4}-\d{2}-\d{2}$/.test(d)) for (const f of readdirSync(join(dir, d))) if (f.endsWith('.arrow')) out.push(join(dir, d, f));
  return out;
}

function spawnCli(args: readonly string[], logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  const p = spawn(process.execPath, [CLI(), ...args], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return p;
}

const exited = (p: ChildProcess): Promise<number | null> => (p.exitCode !== null ? Promise.resolve(p.exitCode) : new Promise((r) => p.once('exit', (c) => r(c))));

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** Runs one soak. */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const total = Math.ceil(o.durationS * o.rate);
  const scans: ScanRecord[] = [];
  for (const s of generateScans({ ...MARKET, days: Math.max(1, Math.ceil(total / SCANS_PER_DAY)) })) {
    scans.push(s);
    if (scans.length === total) break;
  }
  const scanner = join(o.workDir, 'scanner');
  const journal = join(o.workDir, 'journal');
  mkdirSync(scanner, { recursive: true });
  const featuresMap = o.featuresMap ?? FEATURES_MAP;
  const stateMap = o.stateMap ?? STATE_MAP;
  const runId = `soak-${process.pid}`;
  const hz = ['--hz', o.address, '--cluster', o.cluster, '--features-map', featuresMap];
  const bridge = spawnCli(['bridge', scanner, ...hz, '--poll', '250'], join(o.workDir, 'bridge.log'));
  const live = spawnCli(['live', '--paper', ...hz, '--state-map', stateMap, '--journal', journal, '--run-id', runId, '--set', 'volThreshold=0', '--stale-after', '60'], join(o.workDir, 'live.log'));
  let client: HazelcastClient | null = null;
  const writtenAt = new Map<string, number>();
  try {
    if (!(await until(() => readFileSync(join(o.workDir, 'live.log'), 'utf8').includes('listening on'), 60_000))) throw new Error(`live did not start: ${readFileSync(join(o.workDir, 'live.log'), 'utf8')}`);
    client = await connectHazelcast({ address: o.address, cluster: o.cluster });
    const stateMapProxy = await client.getMap<string, string>(stateMap);
    const readState = async (): Promise<PaperState | null> => {
      const v = await stateMapProxy.get(runId).catch(() => null);
      return v ? (JSON.parse(v) as PaperState) : null;
    };
    o.log(`soak: ${total} scans at ${o.rate}/s for ${o.durationS} s (live pid ${live.pid}, bridge pid ${bridge.pid})`);
    const samples: SoakSample[] = [];
    const t0 = performance.now();
    let written = 0;
    let nextSample = 0;
    const sample = async (): Promise<void> => {
      const lm = procMem(live.pid);
      const bm = procMem(bridge.pid);
      const st = await readState();
      const s: SoakSample = {
        tS: (performance.now() - t0) / 1000,
        written,
        journaled: journalFiles(journal).length,
        liveRssMb: lm.rss,
        liveHwmMb: lm.hwm,
        bridgeRssMb: bm.rss,
        p50Ms: st?.latency?.p50Ms ?? null,
        p99Ms: st?.latency?.p99Ms ?? null,
        feedStatus: st?.feedStatus ?? null,
      };
      samples.push(s);
      if (samples.length % Math.max(1, Math.round(60 / o.sampleEveryS)) === 0) {
        o.log(`soak: ${s.tS.toFixed(0)} s, ${s.written} written, ${s.journaled} journaled, live RSS ${s.liveRssMb.toFixed(1)} MB (peak ${s.liveHwmMb.toFixed(1)}), bridge ${s.bridgeRssMb.toFixed(1)} MB, p99 ${s.p99Ms ?? '-'} ms`);
      }
    };
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / o.rate;
      for (;;) {
        const now = performance.now();
        if (now >= nextSample + t0) {
          nextSample += o.sampleEveryS * 1000;
          await sample();
          continue;
        }
        if (now >= due) break;
        await new Promise((r) => setTimeout(r, Math.min(due, nextSample + t0) - now));
      }
      const s = scans[i] as ScanRecord;
      const dir = join(scanner, dayToIso(dayOf(s.timestampNs)));
      mkdirSync(dir, { recursive: true });
      const name = `scan_${String(i).padStart(7, '0')}.arrow`;
      writeFileSync(join(dir, `.${name}.tmp`), encodeScans([s]));
      renameSync(join(dir, `.${name}.tmp`), join(dir, name));
      writtenAt.set(`scan_${s.timestampNs}.arrow`, Date.now());
      written++;
    }
    const lastWrite = performance.now();
    await until(() => journalFiles(journal).length >= written, 120_000);
    const drainS = (performance.now() - lastWrite) / 1000;
    await sample();
    const finalState = await readState();
    const liveCpuS = procCpuS(live.pid);
    const seconds = (performance.now() - t0) / 1000;
    live.kill('SIGINT');
    const liveExit = await exited(live);
    bridge.kill('SIGINT');
    await exited(bridge);
    const files = journalFiles(journal);
    const e2e: number[] = [];
    for (const f of files) {
      const w = writtenAt.get(f.slice(f.lastIndexOf('/') + 1));
      if (w !== undefined) e2e.push(statSync(f).mtimeMs - w);
    }
    const after = samples.filter((s) => s.tS >= o.warmupS && Number.isFinite(s.liveRssMb));
    const tenth = Math.max(1, Math.floor(after.length / 10));
    const rssWarmMb = median(after.slice(0, tenth).map((s) => s.liveRssMb));
    const rssEndMb = median(after.slice(-tenth).map((s) => s.liveRssMb));
    const withLat = after.filter((s) => s.p99Ms !== null);
    const reportPath = join(journal, 'report.json');
    const reportScans = existsSync(reportPath) ? (JSON.parse(readFileSync(reportPath, 'utf8')) as { fingerprint: { scans: number } }).fingerprint.scans : -1;
    return {
      seconds,
      written,
      journaled: files.length,
      dropped: written - files.length,
      scansMissed: finalState?.counters.scansMissed ?? -1,
      lateOrDuplicate: finalState?.counters.lateOrDuplicate ?? -1,
      samples,
      rssWarmMb,
      rssEndMb,
      rssGrowthMb: rssEndMb - rssWarmMb,
      peakRssMb: Math.max(...samples.map((s) => s.liveHwmMb).filter(Number.isFinite)),
      bridgeRssEndMb: samples[samples.length - 1]?.bridgeRssMb ?? NaN,
      p99WarmMs: withLat[0]?.p99Ms ?? NaN,
      p99EndMs: withLat[withLat.length - 1]?.p99Ms ?? NaN,
      e2eP50Ms: median(e2e),
      e2eP99Ms: quantile(e2e, 0.99),
      liveCpuS,
      drainS,
      liveExit,
      reportScans,
    };
  } finally {
    if (live.exitCode === null) live.kill('SIGKILL');
    if (bridge.exitCode === null) bridge.kill('SIGKILL');
    await client?.shutdown().catch(() => undefined);
  }
}

function hz(cmd: 'start' | 'stop' | 'status', port: number, cluster: string): { ok: boolean; out: string } {
  const r = spawnSync('bash', [join(repoRoot(), 'scripts', 'hz.sh'), cmd, '--port', String(port), ...(cmd === 'start' ? ['--cluster', cluster, '--timeout', '120'] : [])], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

/** The bench case: 1 h (--quick: 2 min) at 2 scans/s. */
export async function runSoakBench(o: BenchOptions): Promise<CaseResult> {
  const durationS = Number(process.env['DOLPHIN_SOAK_SECONDS'] ?? (o.quick ? 120 : 3600));
  const rate = 2;
  const port = Number(process.env['BENCH_HZ_PORT'] ?? 5702);
  const cluster = 'bench';
  const base = { case: 'soak', measures: `scanner files -> dolphin bridge -> Hazelcast (stream + key) -> dolphin live --paper with its journal, ${rate} scans/s for ${durationS} s: drops, RSS, latency over time`, figures: [], targets: [] };
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) return { ...base, setup: 'needs Java 17+ for a Hazelcast member', skipped: 'java is not available on PATH' };
  const startedHere = !hz('status', port, cluster).ok;
  if (startedHere && !hz('start', port, cluster).ok) return { ...base, setup: `member on 127.0.0.1:${port}`, skipped: 'could not start a Hazelcast member' };
  const workDir = scratchDir('soak');
  try {
    const r = await runSoak({ durationS, rate, address: `127.0.0.1:${port}`, cluster, warmupS: Math.min(300, durationS / 4), sampleEveryS: durationS > 600 ? 10 : 2, workDir, log: o.log });
    const figures: Figure[] = [
      { name: 'scans written', value: r.written, unit: 'scans', note: `(${(r.written / r.seconds).toFixed(2)}/s over ${r.seconds.toFixed(0)} s)` },
      { name: 'scans dropped (written - journaled)', value: r.dropped, unit: 'scans' },
      { name: 'scans the run names missed', value: r.scansMissed, unit: 'scans', note: `(late/duplicate ${r.lateOrDuplicate}; report holds ${r.reportScans})` },
      { name: 'live RSS after warm-up (median, first tenth)', value: r.rssWarmMb, unit: 'MB' },
      { name: 'live RSS at the end (median, last tenth)', value: r.rssEndMb, unit: 'MB' },
      { name: 'live RSS growth after warm-up', value: r.rssGrowthMb, unit: 'MB', note: `(${((r.rssGrowthMb / Math.max(1, r.seconds - Math.min(300, durationS / 4))) * 3600).toFixed(1)} MB/h)` },
      { name: 'live peak RSS (VmHWM)', value: r.peakRssMb, unit: 'MB' },
      { name: 'bridge RSS at the end', value: r.bridgeRssEndMb, unit: 'MB' },
      { name: 'decision latency p99 (last 600 scans), after warm-up', value: r.p99WarmMs, unit: 'ms' },
      { name: 'decision latency p99 (last 600 scans), at the end', value: r.p99EndMs, unit: 'ms' },
      { name: 'file written -> journaled, median', value: r.e2eP50Ms, unit: 'ms', note: '(bridge settle 75 ms + poll/events, stream, live, fsync)' },
      { name: 'file written -> journaled, p99', value: r.e2eP99Ms, unit: 'ms' },
      { name: 'last scan written -> all journaled', value: r.drainS, unit: 's', note: '(no backlog: about one bridge poll)' },
      { name: 'live process CPU', value: (100 * r.liveCpuS) / r.seconds, unit: '% of one core', note: `(${r.liveCpuS.toFixed(1)} s)` },
    ];
    return {
      ...base,
      setup: `member 127.0.0.1:${port} (${startedHere ? 'started by the bench' : 'already running'}); ${r.written} generated scans x 50 assets written as one-scan files (temp + rename) into date folders; bridge --poll 250; live DEFAULT_CONFIG with volThreshold 0; sampled every ${durationS > 600 ? 10 : 2} s`,
      figures,
      targets: [],
      details: { ...r, samples: r.samples.length },
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
    if (startedHere) hz('stop', port, cluster);
  }
}

await standalone(import.meta.url, runSoakBench);
