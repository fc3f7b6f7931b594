/** `dolphin report RUN/report.json`: render a saved report as Markdown (stdout), HTML and/or CSV files. */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { writeFileAtomic } from '../feeds/fs/atomic-write.js';
import { ensureOutputDir, requireRegularFile } from '../feeds/fs/path-checks.js';
import { ReportError } from '../core/errors.js';
import type { Report } from '../report/report.js';
import { reportToCsv } from '../report/report-csv.js';
import { reportToHtml } from '../report/report-html.js';
import { parseReport } from '../report/report-json.js';
import { reportToMarkdown } from '../report/report-markdown.js';

interface Args {
  report: string;
  md: boolean;
  html?: string;
  csv?: string;
  title?: string;
}

/** Reads and parses a report file (a run folder means its report.json); a missing or bad file is a ReportError. */
export function readReportFile(path: string): { report: Report; file: string } {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'report.json');
  } catch {
    // reported below by readFileSync, naming the file
  }
  const hint = 'pass the report.json a backtest or live run wrote, or its run folder';
  // a FIFO, device or kernel file would block the read forever
  requireRegularFile(file, 'report', (m) => new ReportError(`${m}; ${hint}`));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ReportError(`cannot read report ${file} (${code ?? (e as Error).message}); ${hint}`);
  }
  return { report: parseReport(text, file), file };
}

export function reportCommand(y: Argv): Argv {
  return y.command<Args>(
    'report <report>',
    'Render a saved report.json as Markdown (stdout), a self-contained HTML page and/or CSV files',
    (a) =>
      a
        .positional('report', { type: 'string', describe: 'a report.json, or the run folder holding it', demandOption: true })
        .option('md', { type: 'boolean', default: false, describe: 'print Markdown on stdout (the default when neither --html nor --csv is given)' })
        .option('html', { type: 'string', describe: 'write a self-contained HTML report (charts, tables; opens offline) to this file' })
        .option('csv', { type: 'string', describe: 'write trades.csv and daily.csv (RFC 4180) into this folder' })
        .option('title', { type: 'string', describe: 'HTML page title' })
        .example('$0 report runs/demo/report.json --html runs/demo/report.html', 'an HTML page to open in a browser')
        .example('$0 report runs/demo --csv runs/demo/csv', 'trades.csv and daily.csv for a spreadsheet') as Argv<Args>,
    (args) => {
      const { report, file } = readReportFile(args.report);
      const md = args.md || (args.html === undefined && args.csv === undefined);
      // With Markdown on stdout, the "wrote ..." lines go to stderr so stdout stays a clean document.
      const log = (s: string): void => void (md ? process.stderr : process.stdout).write(`${s}\n`);
      if (args.html !== undefined) {
        const out = resolve(args.html);
        ensureOutputDir(dirname(out), '--html');
        writeFileAtomic(out, reportToHtml(report, { title: args.title }), '--html');
        log(`HTML report of ${file} written to ${out}`);
      }
      if (args.csv !== undefined) {
        const dir = ensureOutputDir(resolve(args.csv), '--csv');
        const csv = reportToCsv(report);
        writeFileAtomic(join(dir, 'trades.csv'), csv.trades, '--csv');
        writeFileAtomic(join(dir, 'daily.csv'), csv.daily, '--csv');
        log(`CSV of ${file} written to ${join(dir, 'trades.csv')} and ${join(dir, 'daily.csv')}`);
      }
      if (md) process.stdout.write(reportToMarkdown(report));
    },
  );
}
