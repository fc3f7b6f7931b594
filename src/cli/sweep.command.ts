/** `dolphin sweep DIR --grid key=v1,v2 ...`: every combination over the same data, ranked; resumable. */
import { join } from 'node:path';
import { runWalkForward } from '../app/walk-forward.js';
import { writeWalkForwardOutputs } from '../app/walk-forward-output.js';
import { walkForwardArgs } from './walk-forward-options.js';
import type { Argv } from 'yargs';
import { writeFileAtomic } from '../feeds/fs/atomic-write.js';
import { loadConfig } from '../app/config-files.js';
import { checkOutputDir, ensureOutputDir, requireDataDir } from '../feeds/fs/path-checks.js';
import { loadReplayInput } from '../app/replay-input.js';
import { parseGrid, readSweep, runSweep, sweepItems, sweepMarkdown } from '../app/sweep.js';
import { DolphinError } from '../core/errors.js';
import type { Metrics } from '../report/metrics.js';
import { WorkerPool } from '../workers/pool.js';
import { checkFlags } from './flag-bounds.js';
import { Progress } from './progress.js';
import { runDirPath } from './run-dir.js';
import { configOptions, rankedRunOptions, type ConfigArgs, type RankedRunArgs } from './shared-options.js';
import { distributedOptions, submitDistributedSweep, type DistributedArgs } from './sweep-distributed.js';

interface Args extends ConfigArgs, DistributedArgs, RankedRunArgs {
  dir: string;
  grid: string[];
  'walk-forward'?: number;
  anchored: boolean;
  rolling: boolean;
  'train-days'?: number;
  'test-days'?: number;
  partitions: number;
  overfitting: boolean;
  heatmap?: string;
}


export function sweepCommand(y: Argv): Argv {
  return y.command<Args>(
    'sweep <dir>',
    'Run every combination of --grid values over the same data on the worker pool; writes sweep.ndjson and a ranked sweep.md',
    (a) =>
      rankedRunOptions(distributedOptions(configOptions(a)), { what: 'parameter sets', outPrefix: 'sweep-', json: '{ran, skipped, configs, scans, seconds, configScansPerSecond, out}' })
        .positional('dir', { type: 'string', demandOption: true, describe: 'data folder of Arrow scans' })
        .option('grid', { type: 'string', array: true, demandOption: true, describe: 'key=v1,v2,... (JSON scalars) or key=[json values], e.g. velDivPair=[[50,750],[50,150]] (repeatable)' })
        .option('walk-forward', { type: 'number', describe: 'K folds by UTC day: choose the best config on each training window, run it on the next test days (walk-forward.json, sweep.md, sweep.html)' })
        .option('anchored', { type: 'boolean', default: false, describe: 'walk-forward: training windows start on the first planned day (default)' })
        .option('rolling', { type: 'boolean', default: false, describe: 'walk-forward: training windows of --train-days move with the folds' })
        .option('train-days', { type: 'number', describe: 'walk-forward: training days (of the first fold when anchored); default: the days left after K test windows' })
        .option('test-days', { type: 'number', describe: 'walk-forward: test days per fold; default floor(days / (K + 1))' })
        .option('overfitting', { type: 'boolean', default: false, describe: 'PBO and deflated Sharpe without walk-forward (always on with --walk-forward)' })
        .option('partitions', { type: 'number', default: 16, describe: 'CSCV partitions S for PBO (even, 2 to 20)' })
        .option('heatmap', { type: 'string', describe: 'two grid keys for the sweep.html heat map, key1,key2 (default: the first two --grid keys)' })
        .example('$0 sweep data/sample --grid takeProfitPct=0.005,0.01 --walk-forward 3 --rolling', 'walk-forward over 3 folds with overfitting statistics')
        .example('$0 sweep data/sample --grid takeProfitPct=0.005,0.01,0.02 --grid velDivThreshold=-0.01,-0.02', 'a 3 x 2 sweep')
        .example('$0 sweep data/sample --grid takeProfitPct=0.005,0.01 --distributed --hz 10.0.0.5:5701 --cluster dolphin', 'the same on every `dolphin sweep-worker` of the cluster') as Argv<Args>,
    async (args) => {
      checkFlags(args, ['workers', 'chunk', 'top', ...(args.distributed ? (['lease'] as const) : [])]);
      requireDataDir(args.dir);
      const cacheRoot = (args.cache as unknown) === false ? undefined : args.cache;
      if (cacheRoot !== undefined) checkOutputDir(cacheRoot, '--cache');
      const { config } = loadConfig({ file: args.config, sets: args.set, dataDir: args.dir });
      const axes = args.grid.map(parseGrid);
      const wf = walkForwardArgs(args, axes.map((a) => a.key));
      if (args.distributed && (wf || args.overfitting)) throw new DolphinError('USAGE', '--walk-forward and --overfitting run on this machine only for now: run them without --distributed');
      const { items, overrides } = sweepItems(config, axes);
      if (items.length === 0) throw new DolphinError('USAGE', 'the grid has no combination');
      // created before the run: sweep.ndjson grows as configs finish (and resumes from there)
      const outDir = ensureOutputDir(runDirPath(args.out, 'sweep-'), '--out');
      const pool = args.workers > 0 ? new WorkerPool(args.workers) : undefined;
      const t0 = performance.now();
      try {
        const load = new Progress('loading', 'files', args.quiet);
        const replay = await loadReplayInput(args.dir, {
          pool,
          cacheRoot,
          onProgress: (d, t) => load.update(d, t),
          onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
        });
        const ndjson = join(outDir, 'sweep.ndjson');
        if (args.distributed) return await submitDistributedSweep(args, { replays: [replay], work: { kind: 'sweep', base: config, grid: axes }, title: `Sweep of ${args.dir}`, outDir, t0 });
        const progress = new Progress('sweeping', 'configs', args.quiet);
        const r = await runSweep({
          replay,
          items,
          overrides,
          ndjsonPath: ndjson,
          pool,
          chunk: args.chunk,
          onProgress: (d, t) => progress.update(d, t),
          onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
        });
        const lines = readSweep(ndjson);
        let md = sweepMarkdown(lines, args.rank as keyof Metrics, args.top, `Sweep of ${args.dir}`);
        let pages: string[] = [];
        if (wf) {
          const wfProgress = new Progress('walk-forward', 'runs', args.quiet);
          const result = await runWalkForward({ replay, items, overrides, rank: args.rank as keyof Metrics, folds: wf.folds, partitions: args.partitions, pool, onProgress: (d, t) => wfProgress.update(d, t) });
          const out = writeWalkForwardOutputs(outDir, result, { lines, axes, heatmap: wf.heatmap, rank: args.rank as keyof Metrics, title: `Sweep of ${args.dir}` });
          md += `\n${out.markdown}`;
          pages = out.paths;
        }
        writeFileAtomic(join(outDir, 'sweep.md'), md, '--out');
        const secs = (performance.now() - t0) / 1000;
        const configScans = r.ran * replay.store.n;
        const summary = { ran: r.ran, skipped: r.skipped, configs: items.length, scans: replay.store.n, seconds: +secs.toFixed(2), configScansPerSecond: Math.round(configScans / secs), out: outDir };
        if (args.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        else process.stdout.write(`sweep: ${r.ran} config(s) run, ${r.skipped} already done (resumed), ${items.length} in the grid, ${replay.store.n} scans each, ${secs.toFixed(1)} s (${summary.configScansPerSecond} config-scans/s)\n  ${join(outDir, 'sweep.ndjson')}\n  ${join(outDir, 'sweep.md')}\n${pages.map((p) => `  ${p}\n`).join('')}`);
      } finally {
        await pool?.destroy();
      }
    },
  );
}
