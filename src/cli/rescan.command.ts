/** `dolphin rescan DIR --out DIR2`: recompute the eigen features of a scan folder from its prices. */
import type { Argv } from 'yargs';
import { parseWindows, rescan } from '../app/rescan.js';
import { WINDOWS } from '../core/scan.js';
import { Progress } from './progress.js';

interface Args {
  dir: string;
  out: string;
  windows: string;
  strict: boolean;
  json: boolean;
  quiet: boolean;
}

export function rescanCommand(y: Argv): Argv {
  return y.command<Args>(
    'rescan <dir>',
    'Recompute the eigen features and vel_div of a scan folder from its prices (the scanner of `dolphin scan`), into a new folder',
    (a) =>
      a
        .positional('dir', { type: 'string', demandOption: true, describe: 'scan folder: YYYY-MM-DD/ folders of scan files and/or daily .arrow files' })
        .option('out', { type: 'string', demandOption: true, describe: 'new (or empty) folder for the rescanned scans, scanner layout; external_factors/ is copied' })
        .option('windows', { type: 'string', default: WINDOWS.join(','), describe: 'four window lengths for the column slots w50,w150,w300,w750 (columns keep their names)' })
        .option('strict', { type: 'boolean', default: false, describe: 'a file that does not decode is fatal instead of skipped' })
        .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON on stdout' })
        .option('quiet', { type: 'boolean', default: false, describe: 'no progress output' })
        .example('$0 rescan runs/scan --out runs/rescan', 'recompute what the scanner wrote (bit-identical for a dolphin scan folder)')
        .example('$0 rescan /data/arrow_scans --out runs/w30 --windows 30,150,300,600', 'features with other windows, then backtest runs/w30') as Argv<Args>,
    (args) => {
      const windows = parseWindows(args.windows);
      const progress = new Progress('rescanning', 'scans', args.quiet || args.json);
      const t0 = performance.now();
      const s = rescan({ dir: args.dir, out: args.out, windows, strict: args.strict, onProgress: (d, t) => progress.update(d, t) });
      progress.update(s.scans, s.scans);
      const secs = (performance.now() - t0) / 1000;
      if (args.json) {
        process.stdout.write(
          `${JSON.stringify({
            scans: s.scans,
            segments: s.segments,
            windows: s.windows,
            skippedFiles: s.skippedFiles,
            malformedRows: s.malformedRows,
            duplicates: s.duplicates,
            conflicts: s.conflicts,
            factorFiles: s.factorFiles,
            firstTs: s.firstTs?.toString() ?? null,
            lastTs: s.lastTs?.toString() ?? null,
            seconds: Number(secs.toFixed(3)),
          })}\n`,
        );
        return;
      }
      const dropped = [
        s.skippedFiles.length ? `${s.skippedFiles.length} file(s) skipped (first: ${s.skippedFiles[0].source}: ${s.skippedFiles[0].reason})` : '',
        s.malformedRows ? `${s.malformedRows} malformed row(s)` : '',
        s.duplicates ? `${s.duplicates} duplicate(s) merged` : '',
        s.conflicts ? `${s.conflicts} conflicting row(s) dropped` : '',
      ].filter(Boolean);
      process.stdout.write(
        `rescanned ${s.scans} scans (windows ${s.windows.join(',')}, ${s.segments} universe segment(s)) from ${args.dir} to ${args.out} in ${secs.toFixed(1)} s` +
          `${s.factorFiles ? `; ${s.factorFiles} factor file(s) copied` : ''}${dropped.length ? `; ${dropped.join(', ')}` : ''}\n`,
      );
    },
  );
}
