/**
 * Year bench (issue 10): a streamed backtest of 365 days (6.3 M scans, 50 assets, daily layout) in a
 * fresh child process with 2 pool workers: the first pass (decode, assemble, write the day cache), the
 * cached pass, and the uncached pass from the daily files; wall time and peak RSS (maxRSS, worker
 * threads included) of each. The dataset is the generated month tiled (bench/support/datasets.ts).
 *
 *   node dist/bench/year.bench.js [--quick] [--json]
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { dailySubset, scratchDir, yearDaily, YEAR_DAYS } from './support/datasets.js';
import { atLeast, below, type BenchOptions, type CaseResult, type Figure, type TargetCheck, standalone } from './support/result.js';
import type { ChildReport } from './support/replay-child.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

async function child(dir: string, workers: number, cacheRoot: string, stream: string): Promise<ChildReport> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'support', 'replay-child.js');
  const { stdout } = await promisify(execFile)(process.execPath, [script, dir, String(workers), cacheRoot, stream], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as ChildReport;
}

/** Runs the case. */
export async function runYearBench(o: BenchOptions): Promise<CaseResult> {
  const days = o.quick ? 7 : YEAR_DAYS;
  const dir = o.quick ? dailySubset(days, o.log) : yearDaily(o.log);
  const workers = 2;
  const cacheRoot = scratchDir('year-cache');
  const figures: Figure[] = [];
  const targets: TargetCheck[] = [];
  const runs: Record<string, ChildReport> = {};
  try {
    const line = (name: string, r: ChildReport): void => {
      runs[name] = r;
      figures.push({ name: `${name}: wall`, value: r.seconds, unit: 's', note: `(${r.scans.toLocaleString('en-US')} scans = ${Math.round(r.scans / r.seconds).toLocaleString('en-US')} scans/s, ${r.trades} trades)` });
      figures.push({ name: `${name}: peak RSS`, value: r.maxRssBytes / MiB, unit: 'MiB', note: `(after the run: RSS ${(r.rssAfterBytes / MiB).toFixed(0)} MiB, array buffers ${(r.arrayBuffersAfterBytes / MiB).toFixed(0)} MiB)` });
    };
    o.log(`year: first pass over ${days} days (decode, assemble, write the day cache), streamed...`);
    line(`${days} days, first pass (cache build), streamed`, await child(dir, workers, cacheRoot, 'stream'));
    // the cached pass three times (a fresh process each), best kept like the other cases' best of 3
    const tries: ChildReport[] = [];
    for (let i = 0; i < 3; i++) {
      o.log(`year: ${days} days from the day cache, streamed (${i + 1} of 3)...`);
      tries.push(await child(dir, workers, cacheRoot, 'stream'));
    }
    const cached = tries.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    line(`${days} days cached, streamed (best of 3: ${tries.map((t) => t.seconds.toFixed(2)).join(', ')} s)`, cached);
    o.log(`year: ${days} days uncached from daily files, streamed...`);
    const uncached = await child(dir, workers, '', 'stream');
    line(`${days} days uncached, streamed`, uncached);
    targets.push(below(`${days} days cached: wall`, cached.seconds, 6, 's'));
    targets.push(below(`${days} days cached: peak RSS`, cached.maxRssBytes / GiB, 2, 'GiB'));
    targets.push(below(`${days} days uncached: peak RSS`, uncached.maxRssBytes / GiB, 2, 'GiB'));
    targets.push(atLeast(`${days} days cached, end to end`, cached.scans / cached.seconds, 1_050_000, 'scans/s'));
  } finally {
    rmSync(cacheRoot, { recursive: true, force: true });
  }
  return {
    case: 'year',
    measures: 'streamed backtest(dir) of a long range in a child process, 2 pool workers: wall and peak RSS (maxRSS incl. worker threads)',
    setup: `${days} days x 50 assets in daily layout (${o.quick ? 'the month\'s first days' : 'the generated month tiled with shifted timestamps'}); DEFAULT_CONFIG; first pass writes a fresh day cache, then the cached pass (3 runs, best kept), then --no-cache; page cache warm after the first pass`,
    figures,
    targets,
    details: { days, workers, runs },
  };
}

await standalone(import.meta.url, runYearBench);
