/** `dolphin generate`: write a deterministic synthetic market in the scan file format. */
import type { Argv } from 'yargs';
import { ensureOutputDir } from '../feeds/fs/path-checks.js';
import { isoToDay } from '../core/scan.js';
import { runSpanProblem } from '../generator/factors.js';
import { writeDataset, type Layout } from '../generator/write-dataset.js';
import { checkFlags, FLAG_BOUNDS } from './flag-bounds.js';
import { Progress } from './progress.js';

interface Args {
  out: string;
  days: number;
  seed: number;
  assets: number;
  start: string;
  layout: Layout;
  restart: boolean;
  gap: boolean;
  'missing-price': boolean;
  duplicate: boolean;
  imperfect: boolean;
  edge: number;
  quiet: boolean;
}

export function generateCommand(y: Argv): Argv {
  return y.command<Args>(
    'generate',
    'Generate a regime-switching synthetic market (prices + eigen features) as Arrow scans and external factors',
    (a) =>
      a
        .option('out', { type: 'string', demandOption: true, describe: 'output folder' })
        .option('days', { type: 'number', default: 3, describe: `number of UTC days (at most ${FLAG_BOUNDS.days.max})` })
        .option('seed', { type: 'number', default: 1, describe: 'random seed, an integer in [0, 2^32 - 1] (same arguments give byte-identical files)' })
        .option('assets', { type: 'number', default: 50, describe: `number of assets, ${FLAG_BOUNDS.assets.min} to ${FLAG_BOUNDS.assets.max} (BTCUSDT first)` })
        .option('start', { type: 'string', default: '2026-01-05', describe: 'first UTC day, YYYY-MM-DD (the run must lie within [2000-01-01, 2100-01-01))' })
        .option('layout', { choices: ['scanner', 'daily'] as const, default: 'scanner' as Layout, describe: 'scanner: one file per scan in YYYY-MM-DD/ folders; daily: one file per day' })
        .option('restart', { type: 'boolean', default: false, describe: 'imperfection: a scanner restart (scan_number resets)' })
        .option('gap', { type: 'boolean', default: false, describe: 'imperfection: 10 minutes of scans missing' })
        .option('missing-price', { type: 'boolean', default: false, describe: 'imperfection: a few scans with a missing or NaN price' })
        .option('duplicate', { type: 'boolean', default: false, describe: 'imperfection (scanner layout): one scan file written twice' })
        .option('imperfect', { type: 'boolean', default: false, describe: 'all of the imperfections above' })
        .option('edge', { type: 'number', default: 0, describe: 'planted edge X in [0, 1]: after vel_div <= -0.02 the market moves -X * 0.2 % * sqrt(cadence / 1 min) on the next scan, after >= +0.02 up as much (docs/walk-forward.md); 0 = no edge' })
        .option('quiet', { type: 'boolean', default: false, describe: 'no progress output' })
        .example('$0 generate --out data/mine --days 3 --seed 7', 'three days of 50 assets, scanner layout') as Argv<Args>,
    (args) => {
      const start = typeof args.start === 'string' && Number.isFinite(isoToDay(args.start)) ? null : `--start must be a YYYY-MM-DD date, was ${JSON.stringify(args.start)}`;
      const span = runSpanProblem(String(args.start), args.days);
      checkFlags(args, ['days', 'assets', 'seed', 'edge'], [start, span === null ? null : `--start ${args.start} with --days ${args.days}: ${span}`]);
      ensureOutputDir(args.out, '--out');
      const all = args.imperfect;
      const progress = new Progress('generating', 'scans', args.quiet);
      const expected = Math.round((args.days * 86400) / 5);
      const t0 = performance.now();
      const s = writeDataset({
        out: args.out,
        days: args.days,
        seed: args.seed,
        assets: args.assets,
        startDay: args.start,
        edge: args.edge,
        layout: args.layout,
        imperfections: { restart: all || args.restart, gap: all || args.gap, missingPrice: all || args['missing-price'] },
        duplicateFile: all || args.duplicate,
        onProgress: (n) => progress.update(Math.min(n, expected), expected),
      });
      progress.update(expected, expected);
      process.stdout.write(`wrote ${s.scans} scans in ${s.files} file(s) over ${s.days.length} day(s) (${s.days[0]} .. ${s.days[s.days.length - 1]}) to ${args.out} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    },
  );
}
