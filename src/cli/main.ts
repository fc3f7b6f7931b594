#!/usr/bin/env node
/** The dolphin CLI: parses arguments (yargs) and calls library functions; maps errors to exit codes. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DolphinError } from '../core/errors.js';
import { backtestCommand } from './backtest.command.js';
import { bridgeCommand } from './bridge.command.js';
import { cacheCommand } from './cache.command.js';
import { compareCommand } from './compare.command.js';
import { calibrateCommand } from './calibrate.command.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { generateCommand } from './generate.command.js';
import { liveCommand } from './live.command.js';
import { sweepCommand } from './sweep.command.js';
import { reportCommand } from './report.command.js';
import { rescanCommand } from './rescan.command.js';
import { scanCommand } from './scan.command.js';
import { compareScansCommand } from './compare-scans.command.js';
import { statusCommand } from './status.command.js';

async function main(): Promise<void> {
  let y = yargs(hideBin(process.argv))
    .scriptName('dolphin')
    .usage('$0 <command> [options]\n\nDeterministic SHORT-strategy simulator and paper trader for DOLPHIN eigenvalue scans.')
    .strict()
    .demandCommand(1, 'name a command; see dolphin --help')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .epilog('Exit codes: 0 done, 1 run failed (data or feed), 2 usage or config error. Docs: README.md, docs/.')
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`dolphin: ${msg}\nRun dolphin --help for usage.\n`);
      process.exit(EXIT.USAGE);
    });
  for (const add of [backtestCommand, calibrateCommand, generateCommand, cacheCommand, liveCommand, sweepCommand, reportCommand, statusCommand, bridgeCommand, compareCommand]) y = add(y);
  y = rescanCommand(y);
  y = scanCommand(y);
  y = compareScansCommand(y);
  await y.parseAsync();
}

main().catch((e: unknown) => {
  const msg = e instanceof DolphinError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
  process.stderr.write(`dolphin: ${msg}\n`);
  process.exitCode = exitCodeFor(e);
});
