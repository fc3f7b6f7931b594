/** `dolphin batch DIR... [--config F ...]`: one plain backtest per data folder x config file, as one job; ranked. */
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { batchItems, runBatch, type BatchRun } from '../app/batch.js';
import { loadConfig } from '../app/config-files.js';
import { datasetFingerprint } from '../app/distributed/dataset-fingerprint.js';
import { loadReplayInput, type ReplayData } from '../app/replay-input.js';
import { readSweep, sweepMarkdown } from '../app/sweep.js';
import { writeFileAtomic } from '../feeds/fs/atomic-write.js';
import { checkOutputDir, ensureOutputDir, requireDataDir, requireRegularFile } from '../feeds/fs/path-checks.js';
import type { Metrics } from '../report/metrics.js';
import { WorkerPool } from '../workers/pool.js';
import { checkFlags } from './flag-bounds.js';
import { Progress } from './progress.js';
import { runDirPath } from './run-dir.js';
import { rankedRunOptions, type RankedRunArgs } from './shared-options.js';
import { distributedOptions, submitDistributedSweep, type DistributedArgs } from './sweep-distributed.js';

interface Args extends DistributedArgs, RankedRunArgs {
  dirs: string[];
  config?: string[];
  set?: string[];
}

export function batchCommand(y: Argv): Argv {
  return y.command<Args>(
    'batch <dirs..>',
    'Backtest every --config file over every data folder as one job (here on the worker pool, or --distributed on the cluster); writes sweep.ndjson and a ranked sweep.md',
    (a) =>
      rankedRunOptions(distributedOptions(a), { what: 'backtests', outPrefix: 'batch-', json: '{ran, skipped, backtests, seconds, out}' })
        .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'data folders of Arrow scans' })
        .option('config', { type: 'string', array: true, describe: 'strategy config JSON file (repeatable); without one, each folder runs its own dolphin.config.json or the defaults' })
        .option('set', { type: 'string', array: true, describe: 'override one key in every config: key=value, value parsed as JSON when valid' })
        .example('$0 batch data/jan data/feb --config a.json --config b.json', 'four backtests, ranked in sweep.md')
        .example('$0 batch data/jan data/feb --config a.json --distributed --hz 10.0.0.5:5701 --cluster dolphin', 'the same as one job on every `dolphin sweep-worker --data data/jan --data data/feb`') as Argv<Args>,
    async (args) => {
      checkFlags(args, ['workers', 'chunk', 'top', ...(args.distributed ? (['lease'] as const) : [])]);
      for (const d of args.dirs) requireDataDir(d);
      for (const f of args.config ?? []) requireRegularFile(f, '--config');
      const cacheRoot = (args.cache as unknown) === false ? undefined : args.cache;
      if (cacheRoot !== undefined) checkOutputDir(cacheRoot, '--cache');
      // every config resolved (and every problem reported) before anything is loaded
      const runs: BatchRun[] = [];
      args.dirs.forEach((dir, part) => {
        for (const file of args.config?.length ? args.config : [undefined]) {
          const { config, from } = loadConfig({ file, sets: args.set, dataDir: dir });
          runs.push({ part, label: from.filter((f) => f !== 'defaults' && f !== '--set').join(' ') || 'defaults', config });
        }
      });
      const outDir = ensureOutputDir(runDirPath(args.out, 'batch-'), '--out');
      const title = `Batch of ${runs.length} backtests`;
      const pool = args.workers > 0 ? new WorkerPool(args.workers) : undefined;
      const t0 = performance.now();
      try {
        const replays: ReplayData[] = [];
        for (const dir of args.dirs) {
          const load = new Progress(`loading ${dir}`, 'files', args.quiet);
          replays.push(await loadReplayInput(dir, { pool, cacheRoot, onProgress: (d, t) => load.update(d, t), onWarning: (m) => process.stderr.write(`warning: ${m}\n`) }));
        }
        if (args.distributed) return await submitDistributedSweep(args, { replays, work: { kind: 'batch', runs }, title, outDir, t0 });
        const { items, overrides } = batchItems(replays.map(datasetFingerprint), runs);
        const progress = new Progress('backtesting', 'backtests', args.quiet);
        const ndjson = join(outDir, 'sweep.ndjson');
        const r = await runBatch({ replays, items, overrides, ndjsonPath: ndjson, pool, chunk: args.chunk, onProgress: (d, t) => progress.update(d, t), onWarning: (m) => process.stderr.write(`warning: ${m}\n`) });
        writeFileAtomic(join(outDir, 'sweep.md'), sweepMarkdown(readSweep(ndjson), args.rank as keyof Metrics, args.top, title), '--out');
        const secs = (performance.now() - t0) / 1000;
        const summary = { ran: r.ran, skipped: r.skipped, backtests: items.length, seconds: +secs.toFixed(2), out: outDir };
        if (args.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        else process.stdout.write(`batch: ${r.ran} backtest(s) run, ${r.skipped} already done (resumed), ${items.length} in all, ${secs.toFixed(1)} s\n  ${ndjson}\n  ${join(outDir, 'sweep.md')}\n`);
      } finally {
        await pool?.destroy();
      }
    },
  );
}
