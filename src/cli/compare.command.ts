/** `dolphin compare A B`: verdict, trade alignment and attributed PnL difference of two reports. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { replayRunner } from '../app/replay-input.js';
import { writeFileAtomic } from '../feeds/fs/atomic-write.js';
import { ensureOutputDir, requireDataDir, requireRegularFile } from '../feeds/fs/path-checks.js';
import { UsageError } from '../core/errors.js';
import { compareRuns, compareSummary, compareToJson, DEFAULT_TOLERANCE } from '../report/compare/compare.js';
import { compareToHtml } from '../report/compare/compare-html.js';
import { compareToMarkdown } from '../report/compare/compare-markdown.js';
import type { Report } from '../report/report.js';
import { checkFlags, FLAG_BOUNDS } from './flag-bounds.js';
import { readReportFile } from './report.command.js';

interface Args {
  a: string;
  b: string;
  json: boolean;
  md: boolean;
  html?: string;
  tolerance: number;
  dataA?: string;
  dataB?: string;
  replay: boolean;
}

/**
 * The data folder a report came from: the flag, else run.json's dataDir beside the report (backtests),
 * else the report's own folder for a live report (it is the journal). Undefined when none exists.
 */
export function dataDirFor(report: Report, file: string, flag: string | undefined, label: string): string | undefined {
  if (flag !== undefined) {
    if (!existsSync(flag) || !statSync(flag).isDirectory()) throw new UsageError(`--data-${label} ${flag} is not a folder; pass the data folder report ${label.toUpperCase()} was computed from`);
    return requireDataDir(flag, `--data-${label}`); // kernel trees refused
  }
  const runJson = join(dirname(file), 'run.json');
  if (existsSync(runJson)) {
    try {
      requireRegularFile(runJson, 'run.json');
      const d = (JSON.parse(readFileSync(runJson, 'utf8')) as { dataDir?: unknown }).dataDir;
      if (typeof d === 'string') {
        for (const cand of isAbsolute(d) ? [d] : [resolve(d), resolve(dirname(file), d)]) if (existsSync(cand)) return cand;
      }
    } catch {
      // a broken run.json only means no data folder is known
    }
  }
  if (report.kind === 'live') return dirname(file);
  return undefined;
}

export function compareCommand(y: Argv): Argv {
  return y.command<Args>(
    'compare <a> <b>',
    'Compare two reports (e.g. live vs replay): comparability, trades aligned, first divergence and its cause, PnL split; exit 0 identical or within tolerance, 1 diverged, 2 not comparable',
    (p) =>
      p
        .positional('a', { type: 'string', describe: 'report A: a report.json or its run folder', demandOption: true })
        .positional('b', { type: 'string', describe: 'report B: a report.json or its run folder', demandOption: true })
        .option('json', { type: 'boolean', default: false, describe: 'print the structured result as JSON on stdout' })
        .option('md', { type: 'boolean', default: false, describe: 'print the comparison as Markdown on stdout' })
        .option('html', { type: 'string', describe: 'write a self-contained HTML page of the comparison to this file' })
        .option('tolerance', { type: 'number', default: DEFAULT_TOLERANCE, describe: `relative tolerance on final equity for WITHIN_TOLERANCE, in [0, ${FLAG_BOUNDS.tolerance.max}]` })
        .option('data-a', { type: 'string', describe: "A's data folder, to verify the attribution by replay (default: run.json's dataDir, or a live report's journal folder)" })
        .option('data-b', { type: 'string', describe: "B's data folder (same defaults)" })
        .option('replay', { type: 'boolean', default: true, describe: 'verify the attribution by replay when data folders are known (--no-replay to skip)' })
        .check((a) => {
          if (a.json && a.md) throw new UsageError('--json and --md both print on stdout; pick one');
          checkFlags(a, ['tolerance']);
          return true;
        })
        .example('$0 compare journal/report.json runs/replay/report.json', 'what live missed and what it cost')
        .example('$0 compare runs/a runs/b --tolerance 1e-6 --html cmp.html', 'gate a deployment, with an HTML page') as Argv<Args>,
    async (args) => {
      const A = readReportFile(args.a);
      const B = readReportFile(args.b);
      const data = { a: dataDirFor(A.report, A.file, args.dataA, 'a'), b: dataDirFor(B.report, B.file, args.dataB, 'b') };
      const r = await compareRuns({ a: A.report, b: B.report, tolerance: args.tolerance, labels: { a: A.file, b: B.file }, data, noReplay: !args.replay, replay: replayRunner });
      if (args.html !== undefined) {
        const out = resolve(args.html);
        ensureOutputDir(dirname(out), '--html');
        writeFileAtomic(out, compareToHtml(r), '--html');
      }
      if (args.json) process.stdout.write(compareToJson(r));
      else if (args.md) process.stdout.write(compareToMarkdown(r));
      else process.stdout.write(compareSummary(r));
      if (args.html !== undefined) process.stderr.write(`HTML comparison written to ${resolve(args.html)}\n`);
      process.exitCode = r.exitCode;
    },
  );
}
