/**
 * Memory bench: peak RSS of a one-month backtest replay in a fresh child process (2 pool workers,
 * daily layout, no cache), and whether it grows with the days replayed (7 vs 30 days; 1 vs 3 with
 * --quick). Peak = process.resourceUsage().maxRSS of the child, worker threads included.
 *
 *   node dist/bench/memory.bench.js [--quick] [--json]
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { dailySubset, MONTH_DAYS } from './support/datasets.js';
import { below, type BenchOptions, type CaseResult, type Figure, standalone } from './support/result.js';
import type { ChildReport } from './support/replay-child.js';

/** Target of the issue: peak RSS of a one-month replay, bytes. */
export const RSS_TARGET_BYTES = 1.5 * 2 ** 30;
const MiB = 2 ** 20;

async function child(dir: string, workers: number): Promise<ChildReport> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'support', 'replay-child.js');
  const { stdout } = await promisify(execFile)(process.execPath, [script, dir, String(workers)], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as ChildReport;
}

/** Runs the case. */
export async function runMemoryBench(o: BenchOptions): Promise<CaseResult> {
  const [small, big] = o.quick ? [1, 3] : [7, MONTH_DAYS];
  const workers = 2;
  const figures: Figure[] = [];
  const runs: Record<string, ChildReport> = {};
  for (const days of [small, big]) {
    const dir = dailySubset(days, o.log);
    o.log(`memory: backtest of ${days} days in a child process, ${workers} workers...`);
    const r = await child(dir, workers);
    runs[`${days}d`] = r;
    figures.push({
      name: `peak RSS, ${days} days (${r.scans.toLocaleString('en-US')} scans)`,
      value: r.maxRssBytes / MiB,
      unit: 'MiB',
      note: `(${r.seconds.toFixed(1)} s; after the run: RSS ${(r.rssAfterBytes / MiB).toFixed(0)} MiB, heap ${(r.heapUsedAfterBytes / MiB).toFixed(0)} MiB, array buffers ${(r.arrayBuffersAfterBytes / MiB).toFixed(0)} MiB)`,
    });
  }
  const a = runs[`${small}d`];
  const b = runs[`${big}d`];
  const perDay = (b.maxRssBytes - a.maxRssBytes) / (big - small) / MiB;
  const fixed = a.maxRssBytes / MiB - perDay * small;
  figures.push({ name: 'growth of peak RSS per replayed day', value: perDay, unit: 'MiB/day', note: `(linear fit through both runs: ~${fixed.toFixed(0)} MiB fixed + ${perDay.toFixed(1)} MiB x days)` });
  return {
    case: 'memory',
    measures: 'peak RSS (maxRSS, worker threads included) of backtest(dir) in a fresh child process, 2 pool workers',
    setup: `${small} and ${big} generated days x 50 assets, daily layout, no day cache; one child process per run`,
    figures,
    targets: [below(`${big}-day replay peak RSS`, b.maxRssBytes / MiB, RSS_TARGET_BYTES / MiB, 'MiB')],
    details: { workers, runs, perDayMiB: perDay, fixedMiB: fixed },
  };
}

await standalone(import.meta.url, runMemoryBench);
