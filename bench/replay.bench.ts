/**
 * End-to-end replay bench: backtest(dir) = list files -> load (day cache or decode on the pool) ->
 * order/assemble -> features (pool) -> calibration -> engine -> report, serial vs 1 vs 2 workers.
 * Two inputs: a month through the day cache (warm cache), and one day in the scanner layout (17,280
 * one-scan files) on its first pass (cache built during the run; page cache warm). Pools are started
 * and warmed, data generated and the cache built before the timed region.
 *
 *   node dist/bench/replay.bench.js [--quick] [--json]
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { backtest, type BacktestResult } from '../src/app/backtest.js';
import { DEFAULT_CONFIG } from '../src/core/config.js';
import { listScanFiles } from '../src/feeds/replay/scan-directory.js';
import { loadReplay } from '../src/feeds/replay/load-replay.js';
import { WorkerPool } from '../src/workers/pool.js';
import { dailySubset, dataRoot, dateFolders, MONTH_DAYS, scannerDay, scratchDir } from './support/datasets.js';
import { load1 } from './support/machine.js';
import { atLeast, type BenchOptions, type CaseResult, type Figure, standalone } from './support/result.js';

/** Targets of the issue. */
/** Issue 10: cached end-to-end replay of 30 days on 2 workers. */
export const CACHE_TARGET = 1_500_000;
export const SCANNER_FILES_TARGET = 50_000;

interface Timed {
  readonly seconds: number;
  readonly loadMs: number;
  readonly runMs: number;
  readonly scans: number;
  readonly trades: number;
}

async function timedBacktest(dir: string, pool: WorkerPool | undefined, cacheRoot: () => string, stream = false): Promise<Timed> {
  const root = cacheRoot();
  const t0 = performance.now();
  const r: BacktestResult = await backtest(dir, DEFAULT_CONFIG, { pool, cacheRoot: root, stream });
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, loadMs: r.timing.loadMs, runMs: r.timing.runMs, scans: r.timing.scans, trades: r.report.trades.length };
}

/** Best of `rounds` (after one untimed warm-up run); every run must agree on scans and trades. */
async function best(rounds: number, f: () => Promise<Timed>): Promise<Timed & { all: number[] }> {
  const warm = await f();
  const all: number[] = [];
  let b = warm;
  for (let i = 0; i < rounds; i++) {
    const r = await f();
    if (r.scans !== warm.scans || r.trades !== warm.trades) throw new Error(`replay: runs disagree (${r.scans}/${r.trades} vs ${warm.scans}/${warm.trades})`);
    all.push(r.seconds);
    if (i === 0 || r.seconds < b.seconds) b = r;
  }
  return { ...b, all };
}

/** Runs the case. */
export async function runReplayBench(o: BenchOptions): Promise<CaseResult> {
  const days = o.quick ? 3 : MONTH_DAYS;
  const rounds = 3;
  const monthDir = dateFolders(days, o.log);
  const dailyDir = dailySubset(days, o.log);
  const dayDir = scannerDay(o.log);
  const cacheRoot = join(dataRoot(), 'day-cache');
  // Build (or check) the month's day cache once, outside timing.
  for (const dir of [monthDir, dailyDir]) await loadReplay(dir, { cacheRoot, onFolder: (f, s) => s === 'built' && o.log(`  replay: cached ${f}`) });
  const dayFiles = listScanFiles(dayDir);
  // Warm the page cache for the scanner files (first pass = decoded from files, not from disk).
  let bytes = 0;
  for (const f of dayFiles) bytes += readFileSync(f.path).length;

  const figures: Figure[] = [];
  const details: Record<string, unknown> = { days, rounds, scannerFiles: dayFiles.length, scannerBytes: bytes };
  const scratch: string[] = [];
  const fresh = (): string => {
    const d = scratchDir('replay-cache');
    scratch.push(d);
    return d;
  };
  const results: Record<string, Timed> = {};
  try {
    for (const workers of [0, 1, 2]) {
      const pool = workers ? new WorkerPool(workers) : undefined;
      try {
        const label = workers ? `${workers} worker${workers > 1 ? 's' : ''}` : 'serial (no pool)';
        o.log(`replay: month from day cache, ${label} (load ${load1()})`);
        const c = await best(rounds, () => timedBacktest(monthDir, pool, () => cacheRoot));
        results[`cache${workers}`] = c;
        figures.push({
          name: `day cache, ${days} days, ${label}`,
          value: c.scans / c.seconds,
          unit: 'scans/s',
          cores: Math.max(1, workers),
          note: `(${c.seconds.toFixed(2)} s: load ${(c.loadMs / 1000).toFixed(2)} s, features+engine+report ${(c.runMs / 1000).toFixed(2)} s)`,
        });
        if (workers === 2) {
          // the same month as daily files (each a cache unit), and streamed unit by unit
          for (const [key, dir, stream, name] of [['daily2', dailyDir, false, 'daily files'], ['stream2', monthDir, true, 'date folders, streamed']] as const) {
            o.log(`replay: month from day cache, ${name}, ${label} (load ${load1()})`);
            const d = await best(rounds, () => timedBacktest(dir, pool, () => cacheRoot, stream));
            results[key] = d;
            figures.push({
              name: `day cache, ${days} days, ${name}, ${label}`,
              value: d.scans / d.seconds,
              unit: 'scans/s',
              cores: workers,
              note: `(${d.seconds.toFixed(2)} s: load ${(d.loadMs / 1000).toFixed(2)} s, features+engine+report ${(d.runMs / 1000).toFixed(2)} s)`,
            });
          }
        }
        o.log(`replay: scanner layout first pass, ${label} (load ${load1()})`);
        const s = await best(rounds, () => timedBacktest(dayDir, pool, fresh));
        results[`scanner${workers}`] = s;
        figures.push({
          name: `scanner layout first pass, ${label}`,
          value: dayFiles.length / s.seconds,
          unit: 'files/s',
          cores: Math.max(1, workers),
          note: `(= ${Math.round(s.scans / s.seconds).toLocaleString('en-US')} scans/s; ${s.seconds.toFixed(2)} s: load+cache write ${(s.loadMs / 1000).toFixed(2)} s, rest ${(s.runMs / 1000).toFixed(2)} s)`,
        });
      } finally {
        await pool?.destroy();
      }
    }
  } finally {
    for (const d of scratch) rmSync(d, { recursive: true, force: true });
  }
  details.results = results;
  const c2 = results.cache2;
  const s2 = results.scanner2;
  return {
    case: 'replay',
    measures: 'backtest(dir) end to end (load + features + engine + report), serial vs 1 vs 2 pool workers',
    setup: `${days} days x 50 assets as date folders and as daily files (day cache warm, under .bench-data/day-cache) and 1 day in scanner layout (${dayFiles.length.toLocaleString('en-US')} one-scan files, ${(bytes / 2 ** 20).toFixed(0)} MiB, page cache warm, fresh cache root per run); pools started and one warm-up run before timing; best of ${rounds}`,
    figures,
    targets: [
      atLeast('replay from cache, 2 workers, end to end (date folders)', c2.scans / c2.seconds, CACHE_TARGET, 'scans/s'),
      atLeast('replay from cache, 2 workers, end to end (daily files)', results.daily2.scans / results.daily2.seconds, CACHE_TARGET, 'scans/s'),
      atLeast('scanner layout first pass, 2 workers, end to end', dayFiles.length / s2.seconds, SCANNER_FILES_TARGET, 'files/s'),
    ],
    details,
  };
}

await standalone(import.meta.url, runReplayBench);
