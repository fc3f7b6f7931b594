/**
 * Mutation fuzzer of the readers of untrusted input: Arrow scan files (file check + apache-arrow, and
 * the template fast path) and the scanner's JSON payload (parseScanJson). Inputs are mutants of valid
 * seeds (test/support/fuzz-mutate.ts), judged by the oracles in test/support/fuzz-*-oracle.ts; input i
 * of a run is a pure function of (--seed, i), so any failure is reproduced from its index.
 *
 *   node dist/bench/fuzz.js [--arrow 1000000] [--json 200000] [--workers 2] [--seed 1]
 *                           [--hang-ms 10000] [--heap-mb 512] [--out DIR] [--json-out FILE] [--results]
 *
 * --results writes the figures as the "## Fuzzing" section of bench/RESULTS.md (kept by `npm run bench`).
 *
 * Worker threads run the inputs; the main thread watches a heartbeat per worker: an input that runs
 * longer than --hang-ms is a hang, a worker that dies (out of its --heap-mb heap, or a crash) is a crash;
 * either way the input is saved to --out and the run goes on with the next input.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ARROW_FAILURES, ArrowOracle, arrowSeeds } from '../test/support/fuzz-arrow-oracle.js';
import { JSON_FAILURES, jsonSeeds, judgeJson } from '../test/support/fuzz-json-oracle.js';
import { inputRandom, mutateBytes, mutateText } from '../test/support/fuzz-mutate.js';
import { decodeScans } from '../src/feeds/replay/arrow-scan.codec.js';
import { repoRoot } from './support/datasets.js';
import { machineInfo, machineLine, type MachineInfo } from './support/machine.js';

type Kind = 'arrow' | 'json';

/** One input: the mutant of a seed and a label naming how it was made. */
interface Input {
  readonly seed: number;
  readonly data: Uint8Array | string;
  readonly ops: string;
}

/** The input of index i (same in every thread). */
function makeInput(kind: Kind, runSeed: number, i: number, arrow: readonly Uint8Array[], json: readonly string[]): Input {
  const r = inputRandom(runSeed + (kind === 'json' ? 0x5bd1e995 : 0), i);
  if (kind === 'arrow') {
    const seed = Math.floor(r() * arrow.length);
    const m = mutateBytes(arrow[seed], r, arrow);
    return { seed, data: m.bytes, ops: m.ops.join('+') };
  }
  const seed = Math.floor(r() * json.length);
  const m = mutateText(json[seed], r, json);
  return { seed, data: m.text, ops: m.ops.join('+') };
}

function jsonFixtures(): string[] {
  const dir = join(repoRoot(), 'test', 'support', 'fixtures');
  return jsonSeeds(['scanner-payload.json', 'scanner-payload-indented.json'].map((f) => readFileSync(join(dir, f), 'utf8')));
}

/** What a worker reports for a chunk. */
interface ChunkResult {
  readonly kind: Kind;
  readonly counts: Record<string, number>;
  readonly failures: { index: number; outcome: string; detail: string; ops: string }[];
  readonly maxMs: number;
  readonly maxIndex: number;
  /** Slowest decodeScans (file check + apache-arrow) alone, Arrow inputs only. */
  readonly maxDecodeMs: number;
  readonly maxDecodeIndex: number;
  readonly totalMs: number;
  readonly done: number;
}

// ------------------------------------------------------------------------------------------------
// Worker: runs [from, to) of one kind, publishing the index it is on in a shared heartbeat.
// ------------------------------------------------------------------------------------------------

function workerMain(): void {
  const { runSeed, heartbeat } = workerData as { runSeed: number; heartbeat: SharedArrayBuffer };
  const beat = new Int32Array(heartbeat);
  const arrowSeedBytes = arrowSeeds().map((s) => s.bytes);
  const json = jsonFixtures();
  let arrowOracle: ArrowOracle | null = null;
  parentPort!.on('message', ({ kind, from, to }: { kind: Kind; from: number; to: number }) => {
    const oracle = kind === 'arrow' ? (arrowOracle ??= new ArrowOracle()) : null;
    const counts: Record<string, number> = {};
    const failures: ChunkResult['failures'] = [];
    let maxMs = 0;
    let maxIndex = from;
    let maxDecodeMs = 0;
    let maxDecodeIndex = from;
    let totalMs = 0;
    for (let i = from; i < to; i++) {
      Atomics.store(beat, 0, i);
      Atomics.add(beat, 1, 1);
      const input = makeInput(kind, runSeed, i, arrowSeedBytes, json);
      const t0 = performance.now();
      const v = oracle ? oracle.judge(input.data as Uint8Array, input.seed) : judgeJson(input.data as string);
      const ms = performance.now() - t0;
      totalMs += ms;
      if (ms > maxMs) {
        maxMs = ms;
        maxIndex = i;
      }
      if (oracle && oracle.lastDecodeMs > maxDecodeMs) {
        maxDecodeMs = oracle.lastDecodeMs;
        maxDecodeIndex = i;
      }
      counts[v.outcome] = (counts[v.outcome] ?? 0) + 1;
      const failed = (oracle ? (ARROW_FAILURES as readonly string[]) : (JSON_FAILURES as readonly string[])).includes(v.outcome);
      if (failed) failures.push({ index: i, outcome: v.outcome, detail: v.detail ?? '', ops: input.ops });
    }
    parentPort!.postMessage({ kind, counts, failures, maxMs, maxIndex, maxDecodeMs, maxDecodeIndex, totalMs, done: to - from } satisfies ChunkResult);
  });
}

// ------------------------------------------------------------------------------------------------
// Main: a queue of chunks, W workers, a watchdog.
// ------------------------------------------------------------------------------------------------

interface Options {
  arrow: number;
  json: number;
  workers: number;
  seed: number;
  hangMs: number;
  heapMb: number;
  out: string;
  jsonOut: string | null;
  results: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { arrow: 1_000_000, json: 200_000, workers: Math.max(1, Math.min(2, availableParallelism())), seed: 1, hangMs: 10_000, heapMb: 512, out: '', jsonOut: null, results: false };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--arrow': o.arrow = Number(v); i++; break;
      case '--json': o.json = Number(v); i++; break;
      case '--workers': o.workers = Number(v); i++; break;
      case '--seed': o.seed = Number(v); i++; break;
      case '--hang-ms': o.hangMs = Number(v); i++; break;
      case '--heap-mb': o.heapMb = Number(v); i++; break;
      case '--out': o.out = v; i++; break;
      case '--json-out': o.jsonOut = v; i++; break;
      case '--results': o.results = true; break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  for (const k of ['arrow', 'json', 'workers', 'seed', 'hangMs', 'heapMb'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < (k === 'workers' || k === 'hangMs' || k === 'heapMb' ? 1 : 0)) throw new Error(`--${k} must be a whole number, was ${o[k]}`);
  }
  if (!o.out) o.out = join(tmpdir(), `dolphin-fuzz-${o.seed}`);
  return o;
}

/** Figures of one kind of input. */
interface KindFigures {
  inputs: number;
  counts: Record<string, number>;
  hangs: number;
  crashes: number;
  failures: { index: number; outcome: string; detail: string; ops: string; file: string }[];
  maxMs: number;
  maxIndex: number;
  maxDecodeMs: number;
  maxDecodeIndex: number;
  /** The slowest decode's input timed again alone, best of 5 (Arrow only). */
  slowestDecodeAloneMs?: number;
  meanUs: number;
}

/** The machine-readable result of a run. */
export interface FuzzRun {
  readonly command: string;
  readonly machine: MachineInfo;
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly arrow: KindFigures;
  readonly json: KindFigures;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  mkdirSync(o.out, { recursive: true });
  const arrowSeedBytes = arrowSeeds().map((s) => s.bytes);
  const json = jsonFixtures();
  const CHUNK = 2000;
  const queue: { kind: Kind; from: number; to: number }[] = [];
  for (const [kind, n] of [['arrow', o.arrow], ['json', o.json]] as const) for (let f = 0; f < n; f += CHUNK) queue.push({ kind, from: f, to: Math.min(n, f + CHUNK) });
  const fig = (inputs: number): KindFigures => ({ inputs, counts: {}, hangs: 0, crashes: 0, failures: [], maxMs: 0, maxIndex: 0, maxDecodeMs: 0, maxDecodeIndex: 0, meanUs: 0 });
  const figures: Record<Kind, KindFigures & { totalMs: number }> = { arrow: { ...fig(o.arrow), totalMs: 0 }, json: { ...fig(o.json), totalMs: 0 } };
  const save = (kind: Kind, index: number, outcome: string, detail: string, ops: string): void => {
    const input = makeInput(kind, o.seed, index, arrowSeedBytes, json);
    const file = join(o.out, `${kind}-${outcome}-${index}.${kind === 'arrow' ? 'arrow' : 'json'}`);
    writeFileSync(file, input.data);
    figures[kind].failures.push({ index, outcome, detail, ops: ops || input.ops, file });
    if (outcome === 'hang') figures[kind].hangs++;
    if (outcome === 'crash' || outcome === 'worker-died') figures[kind].crashes++;
    figures[kind].counts[outcome] = (figures[kind].counts[outcome] ?? 0) + (outcome === 'hang' || outcome === 'worker-died' ? 1 : 0);
    process.stderr.write(`  ${kind} #${index}: ${outcome} ${detail} (${ops || input.ops}) -> ${file}\n`);
  };
  const started = Date.now();
  let done = 0;
  const total = o.arrow + o.json;
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 1000);

  /** Runs chunks on one worker until the queue is empty; replaces the worker after a hang or its death. */
  const slot = async (): Promise<void> => {
    let w: Worker | null = null;
    let beat: Int32Array<ArrayBufferLike> = new Int32Array(0);
    for (;;) {
      const job = queue.shift();
      if (!job) break;
      if (!w) {
        const heartbeat = new SharedArrayBuffer(8);
        beat = new Int32Array(heartbeat);
        w = new Worker(new URL(import.meta.url), { workerData: { fuzzWorker: true, runSeed: o.seed, heartbeat }, resourceLimits: { maxOldGenerationSizeMb: o.heapMb } });
      }
      const worker = w;
      const b = beat;
      const result = await new Promise<ChunkResult | { died: string } | { hung: true }>((resolve) => {
        let last = Atomics.load(b, 1);
        let since = Date.now();
        const finish = (r: ChunkResult | { died: string } | { hung: true }): void => {
          clearInterval(watch);
          worker.off('message', onMessage);
          worker.off('error', onError);
          resolve(r);
        };
        const onMessage = (m: ChunkResult): void => finish(m);
        const onError = (e: Error): void => finish({ died: e.message });
        const watch = setInterval(() => {
          const ticks = Atomics.load(b, 1);
          if (ticks !== last) {
            last = ticks;
            since = Date.now();
          } else if (Date.now() - since > o.hangMs + 30_000 * Number(ticks === 0)) finish({ hung: true });
        }, 200);
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.postMessage(job);
      });
      if ('hung' in result || 'died' in result) {
        const at = Atomics.load(b, 0);
        await worker.terminate();
        w = null;
        save(job.kind, at, 'hung' in result ? 'hang' : 'worker-died', 'died' in result ? result.died : `no progress for ${o.hangMs} ms`, '');
        // The chunk's inputs before `at` are run again (their counts were lost with the worker).
        queue.unshift({ kind: job.kind, from: job.from, to: at }, { kind: job.kind, from: at + 1, to: job.to });
        done += 1;
        continue;
      }
      const f = figures[result.kind];
      for (const [k, v] of Object.entries(result.counts)) f.counts[k] = (f.counts[k] ?? 0) + v;
      for (const x of result.failures) save(result.kind, x.index, x.outcome, x.detail, x.ops);
      f.totalMs += result.totalMs;
      if (result.maxMs > f.maxMs) {
        f.maxMs = result.maxMs;
        f.maxIndex = result.maxIndex;
      }
      if (result.maxDecodeMs > f.maxDecodeMs) {
        f.maxDecodeMs = result.maxDecodeMs;
        f.maxDecodeIndex = result.maxDecodeIndex;
      }
      done += result.done;
      if (Math.floor((done - result.done) / 50_000) !== Math.floor(done / 50_000)) {
        process.stderr.write(`  ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} inputs, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
      }
    }
    if (w) await w.terminate();
  };
  await Promise.all(Array.from({ length: o.workers }, () => slot()));
  clearInterval(sampler);
  const seconds = (Date.now() - started) / 1000;
  for (const k of ['arrow', 'json'] as const) {
    const f = figures[k];
    f.meanUs = f.inputs ? (f.totalMs * 1000) / f.inputs : 0;
  }
  // The slowest decode ran next to other work; timed again alone (best of 5) it shows its own cost.
  if (o.arrow > 0) {
    const input = makeInput('arrow', o.seed, figures.arrow.maxDecodeIndex, arrowSeedBytes, json);
    let best = Infinity;
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      try {
        decodeScans(input.data as Uint8Array, 'again.arrow');
      } catch {
        // refused: the time is what matters here
      }
      best = Math.min(best, performance.now() - t0);
    }
    figures.arrow.slowestDecodeAloneMs = best;
  }
  const strip = ({ totalMs: _t, ...rest }: KindFigures & { totalMs: number }): KindFigures => rest;
  const run: FuzzRun = {
    command: `node dist/bench/fuzz.js ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machineInfo(),
    seconds,
    peakRssMiB: Math.round(peakRss / 2 ** 20),
    arrow: strip(figures.arrow),
    json: strip(figures.json),
  };
  const line = (k: Kind): string => {
    const f = run[k];
    const bad = (k === 'arrow' ? ARROW_FAILURES : JSON_FAILURES).map((x) => `${x} ${f.counts[x] ?? 0}`).join(', ');
    return `${k}: ${f.inputs.toLocaleString('en-US')} inputs, hangs ${f.hangs}, crashes ${f.crashes}, ${bad} | ${JSON.stringify(f.counts)} | slowest input ${f.maxMs.toFixed(1)} ms (#${f.maxIndex})${k === 'arrow' ? `, slowest decodeScans ${f.maxDecodeMs.toFixed(1)} ms (#${f.maxDecodeIndex}; ${(f.slowestDecodeAloneMs ?? 0).toFixed(2)} ms alone)` : ''}, mean ${f.meanUs.toFixed(0)} us per input`;
  };
  process.stdout.write(`${machineLine(run.machine)}\n${run.command}: ${seconds.toFixed(0)} s, peak RSS ${run.peakRssMiB} MiB\n${line('arrow')}\n${line('json')}\n`);
  if (o.jsonOut) writeFileSync(o.jsonOut, `${JSON.stringify(run, null, 1)}\n`);
  if (o.results) {
    const path = join(repoRoot(), 'bench', 'RESULTS.md');
    const text = readFileSync(path, 'utf8');
    const at = text.indexOf(FUZZ_HEADING);
    writeFileSync(path, `${(at < 0 ? text : text.slice(0, at)).trimEnd()}\n\n${fuzzMarkdown(run, o)}`);
    process.stdout.write(`wrote the fuzzing section of ${path}\n`);
  }
  const failed = run.arrow.failures.length + run.json.failures.length;
  if (failed) process.stdout.write(`${failed} failing input(s) saved under ${o.out}\n`);
  process.exitCode = failed ? 1 : 0;
}

/** Heading of the RESULTS.md section this run writes (bench/run.ts keeps it when it rewrites the file). */
export const FUZZ_HEADING = '## Fuzzing';

/** The RESULTS.md section of a run. */
function fuzzMarkdown(run: FuzzRun, o: Options): string {
  const a = run.arrow;
  const j = run.json;
  const n = (x: number | undefined): string => (x ?? 0).toLocaleString('en-US');
  const c = (f: KindFigures, k: string): number => f.counts[k] ?? 0;
  return [
    FUZZ_HEADING,
    '',
    `Latest run: \`${run.command}\` under \`nice -n 19\`, ${run.machine.date}, ${run.seconds.toFixed(0)} s wall, peak RSS ${run.peakRssMiB} MiB (main thread + ${o.workers} workers, each with a ${o.heapMb} MiB heap cap; an input running over ${o.hangMs / 1000} s counts as a hang).`,
    `Machine: ${machineLine(run.machine)}.`,
    '',
    'Inputs are mutants of valid seeds (bench/fuzz.ts, test/support/fuzz-mutate.ts): 1 to 4 of bit flips, byte sets, inserts and deletes of',
    '1-16 bytes, truncation, giant 32/64-bit values and small nudges written over lengths and offsets, splices and duplicated chunks.',
    'Arrow seeds: one-scan files (plain, the scanner\'s leading-schema layout, dictionary symbols, a null scan_number), a three-scan',
    'file, a daily dictionary file, a two-batch file. JSON seeds: the recorded scanner payloads and our own rendering of scans.',
    '',
    'The strict reader each input is compared against (test/support/fuzz-arrow-oracle.ts, fuzz-json-oracle.ts):',
    '- Arrow: the template fast path and apache-arrow (behind the file check) accept the same files and decode them to the same',
    '  batch; an accepted mutant either yields the original rows, or differs from the original only in value bytes (the original',
    '  with just those bytes decodes the same), or is the canonical file apache-arrow\'s writer gives back from what was read',
    '  (same schema and batch metadata, byte-identical bodies). Anything else is a silent alteration.',
    '- JSON: parseScanJson may refuse more than JSON.parse, but what it accepts must be JSON once its documented leniency (bare NaN,',
    '  Infinity, -Infinity; a leading BOM) is undone, with every field equal to what JSON.parse reads.',
    '',
    '| reader | inputs | hangs | crashes | accepted that the strict reader rejects | template/fallback disagree | refused | accepted |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| Arrow (decodeScans + template) | ${n(a.inputs)} | ${a.hangs} | ${a.crashes + c(a, 'crash')} | ${c(a, 'altered') + c(a, 'arrow-error')} | ${c(a, 'disagree')} | ${n(c(a, 'rejected-file'))} files, ${n(c(a, 'rejected-rows'))} with every row malformed | ${n(c(a, 'accepted-same') + c(a, 'accepted-value-change') + c(a, 'accepted-canonical'))} (${n(c(a, 'accepted-same'))} same rows, ${n(c(a, 'accepted-value-change'))} value bytes changed, ${n(c(a, 'accepted-canonical'))} canonical) |`,
    `| scanner JSON (parseScanJson) | ${n(j.inputs)} | ${j.hangs} | ${j.crashes + c(j, 'crash')} | ${c(j, 'beyond-strict') + c(j, 'mismatch')} | - | ${n(c(j, 'rejected'))} | ${n(c(j, 'accepted-strict') + c(j, 'accepted-lenient'))} (${n(c(j, 'accepted-lenient'))} with NaN/Infinity tokens) |`,
    '',
    `Time per input (judge included: both decoders, re-encoding, comparisons): Arrow mean ${a.meanUs.toFixed(0)} us, slowest ${a.maxMs.toFixed(0)} ms; JSON mean ${j.meanUs.toFixed(0)} us, slowest ${j.maxMs.toFixed(0)} ms.`,
    `Slowest decodeScans (file check + apache-arrow) in the run: ${a.maxDecodeMs.toFixed(0)} ms on a loaded machine, ${(a.slowestDecodeAloneMs ?? 0).toFixed(2)} ms timed again alone.`,
    `Failing inputs: ${a.failures.length + j.failures.length}${a.failures.length + j.failures.length ? ` (${[...a.failures, ...j.failures].map((f) => `${f.outcome} #${f.index}`).join(', ')})` : ''}.`,
    '',
  ].join('\n');
}

if (!isMainThread) {
  if ((workerData as { fuzzWorker?: boolean } | null)?.fuzzWorker) workerMain();
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  });
}
