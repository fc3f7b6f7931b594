/**
 * Child process of the memory bench: one backtest of a data folder, then prints its peak RSS
 * (process.resourceUsage().maxRSS, worker threads included) as one JSON line on stdout.
 *
 *   node dist/bench/support/replay-child.js DIR WORKERS [CACHE_ROOT] [stream|no-stream|auto]
 */
import { backtest } from '../../src/app/backtest.js';
import { DEFAULT_CONFIG } from '../../src/core/config.js';
import { WorkerPool } from '../../src/workers/pool.js';

/** What the child reports. */
export interface ChildReport {
  readonly scans: number;
  readonly trades: number;
  readonly seconds: number;
  /** Peak resident set size in bytes. */
  readonly maxRssBytes: number;
  /** RSS and heap after the run (bytes). */
  readonly rssAfterBytes: number;
  readonly heapUsedAfterBytes: number;
  readonly arrayBuffersAfterBytes: number;
}

async function main(): Promise<void> {
  const [dir, workersArg, cacheRoot, streamArg] = process.argv.slice(2);
  const stream = streamArg === 'stream' ? true : streamArg === 'no-stream' ? false : 'auto';
  const workers = Number(workersArg ?? '0');
  const pool = workers > 0 ? new WorkerPool(workers) : undefined;
  const t0 = performance.now();
  const r = await backtest(dir, DEFAULT_CONFIG, { pool, cacheRoot: cacheRoot || undefined, stream });
  const seconds = (performance.now() - t0) / 1000;
  const mem = process.memoryUsage();
  // maxRSS is in kilobytes (getrusage ru_maxrss on Linux).
  const report: ChildReport = {
    scans: r.timing.scans,
    trades: r.report.trades.length,
    seconds,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    rssAfterBytes: mem.rss,
    heapUsedAfterBytes: mem.heapUsed,
    arrayBuffersAfterBytes: mem.arrayBuffers,
  };
  await pool?.destroy();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

await main();
