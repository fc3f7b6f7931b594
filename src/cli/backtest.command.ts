/** `dolphin backtest DIR`: replay a folder of Arrow scans and write report.json + report.md. */
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { writeFileAtomic } from '../feeds/fs/atomic-write.js';
import { STREAM_AUTO_UNITS, backtest } from '../app/backtest.js';
import { loadConfig } from '../app/config-files.js';
import { checkOutputDir, ensureOutputDir, requireDataDir } from '../feeds/fs/path-checks.js';
import { reportToJson } from '../report/report-json.js';
import { reportToHtml } from '../report/report-html.js';
import { reportToMarkdown, summaryPairs } from '../report/report-markdown.js';
import { defaultCacheRoot } from '../feeds/replay/day-cache.js';
import { defaultWorkers, WorkerPool } from '../workers/pool.js';
import { checkFlags, FLAG_BOUNDS } from './flag-bounds.js';
import { Progress } from './progress.js';
import { runDirPath } from './run-dir.js';
import { configOptions, type ConfigArgs } from './shared-options.js';

interface Args extends ConfigArgs {
  dir: string;
  out?: string;
  json: boolean;
  strict: boolean;
  quiet: boolean;
  workers: number;
  cache: string;
  stream?: boolean;
}

export function backtestCommand(y: Argv): Argv {
  return y.command<Args>(
    'backtest <dir>',
    'Replay a folder of Arrow scans through the engine and write report.json, report.md and report.html',
    (a) =>
      configOptions(a)
        .positional('dir', { type: 'string', describe: 'data folder: YYYY-MM-DD/ folders of scan files, daily .arrow files, or a live journal', demandOption: true })
        .option('out', { type: 'string', describe: 'output folder (default ./runs/<UTC timestamp>)' })
        .option('json', { type: 'boolean', default: false, describe: 'print the report JSON on stdout (human summary goes to stderr)' })
        .option('strict', { type: 'boolean', default: false, describe: 'stop at the first unreadable or malformed file instead of skipping it' })
        .option('quiet', { type: 'boolean', default: false, describe: 'no progress output' })
        .option('cache', { type: 'string', default: defaultCacheRoot(), describe: 'day cache folder: each date folder and daily file kept as its assembled columns (--no-cache to bypass)' })
        .option('workers', { type: 'number', default: defaultWorkers(), describe: `worker threads decoding files and computing features (0 = all on the main thread; at most ${FLAG_BOUNDS.workers.max})` })
        .option('stream', { type: 'boolean', describe: `replay unit by unit (a day folder or daily file at a time) with flat memory; default: only for folders of more than ${STREAM_AUTO_UNITS} units (--no-stream loads the range at once). Same report either way` })
        .example('$0 backtest data/sample', 'backtest the shipped sample with the default strategy')
        .example('$0 backtest data/sample --set takeProfitPct=0.015 --json', 'override one key, print JSON') as Argv<Args>,
    async (args) => {
      // every usage problem before any work: bounds, data folder, where the cache and the report go
      checkFlags(args, ['workers']);
      requireDataDir(args.dir);
      const cacheRoot = (args.cache as unknown) === false ? undefined : args.cache;
      if (cacheRoot !== undefined) checkOutputDir(cacheRoot, '--cache');
      const outDir = runDirPath(args.out);
      checkOutputDir(outDir, '--out');
      const { config } = loadConfig({ file: args.config, sets: args.set, dataDir: args.dir });
      const load = new Progress('loading', 'files', args.quiet);
      let run: Progress | undefined;
      const pool = args.workers > 0 ? new WorkerPool(args.workers) : undefined;
      const res = await backtest(args.dir, config, {
        pool,
        cacheRoot,
        onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
        strict: args.strict,
        stream: args.stream ?? 'auto',
        onLoadProgress: (d, t) => load.update(d, t),
        onRunProgress: (d, t) => (run ??= new Progress('replaying', 'scans', args.quiet)).update(d, t),
      }).finally(() => pool?.destroy());
      ensureOutputDir(outDir, '--out');
      const json = reportToJson(res.report);
      writeFileAtomic(join(outDir, 'report.json'), json, '--out');
      writeFileAtomic(join(outDir, 'report.md'), reportToMarkdown(res.report), '--out');
      writeFileAtomic(join(outDir, 'report.html'), reportToHtml(res.report, { equity: { ts: res.engine.store.ts.subarray(0, res.engine.recorder.n), equity: res.engine.recorder.equity.subarray(0, res.engine.recorder.n) } }), '--out');
      const wall = {
        command: 'backtest',
        dataDir: args.dir,
        finishedAt: new Date().toISOString(),
        loadMs: Math.round(res.timing.loadMs),
        runMs: Math.round(res.timing.runMs),
        scans: res.timing.scans,
        scansPerSecond: Math.round(res.timing.scans / ((res.timing.loadMs + res.timing.runMs) / 1000)),
        node: process.version,
      };
      writeFileAtomic(join(outDir, 'run.json'), `${JSON.stringify(wall, null, 2)}\n`, '--out');
      const lines = summaryPairs(res.report).map(([k, v]) => `  ${k.padEnd(17)} ${v}`);
      const dq = res.report.dataQuality;
      const notes: string[] = [];
      if (dq.skippedFiles.length) notes.push(`${dq.skippedFiles.length} file(s) skipped (first: ${dq.skippedFiles[0].source}: ${dq.skippedFiles[0].reason})`);
      if (dq.duplicatesDropped) notes.push(`${dq.duplicatesDropped} duplicate scan(s) merged`);
      if (dq.conflictsDropped) notes.push(`${dq.conflictsDropped} conflicting row(s) dropped`);
      if (dq.malformedRows.length) notes.push(`${dq.malformedRows.length} malformed row(s) skipped`);
      if (dq.gaps.length) notes.push(`${dq.gaps.length} gap(s) longer than 3 x cadence`);
      if (dq.scannerRestarts.length) notes.push(`${dq.scannerRestarts.length} scanner restart(s)`);
      const text = [
        `Backtest of ${args.dir}`,
        ...lines,
        ...notes.map((n) => `  note: ${n}`),
        `  Wall time         ${((res.timing.loadMs + res.timing.runMs) / 1000).toFixed(2)} s (load ${(res.timing.loadMs / 1000).toFixed(2)} s, run ${(res.timing.runMs / 1000).toFixed(2)} s, ${wall.scansPerSecond} scans/s)`,
        `  Report            ${join(outDir, 'report.json')} (also report.md, report.html)`,
      ].join('\n');
      if (args.json) {
        process.stdout.write(json);
        if (!args.quiet) process.stderr.write(`${text}\n`);
      } else process.stdout.write(`${text}\n`);
    },
  );
}
