#!/usr/bin/env node
/** The dolphin CLI: parses arguments (yargs) and calls library functions; maps errors to exit codes. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { fileSystemError } from '../feeds/fs/path-checks.js';
import { DolphinError, UsageError } from '../core/errors.js';
import { backtestCommand } from './backtest.command.js';
import { bridgeCommand } from './bridge.command.js';
import { cacheCommand } from './cache.command.js';
import { compareCommand } from './compare.command.js';
import { calibrateCommand } from './calibrate.command.js';
import { exitCodeFor } from './exit-codes.js';
import { generateCommand } from './generate.command.js';
import { liveCommand } from './live.command.js';
import { sweepCommand } from './sweep.command.js';
import { reportCommand } from './report.command.js';
import { rescanCommand } from './rescan.command.js';
import { scanCommand } from './scan.command.js';
import { compareScansCommand } from './compare-scans.command.js';
import { dashboardCommand } from './dashboard.command.js';
import { serveCommand } from './serve.command.js';
import { statusCommand } from './status.command.js';
import { sweepWorkerCommand } from './sweep-worker.command.js';
import { batchCommand } from './batch.command.js';
import { jobsCommand } from './jobs.command.js';

/**
 * A reader that went away (`dolphin backtest --json | head -c0`) ends the output quietly: EPIPE on
 * stdout or stderr is not an error of the run, which finishes with its usual exit code. Commands that
 * run until interrupted (live, bridge, status --watch) stop as on Ctrl-C when stdout closes.
 */
function endQuietlyOnClosedPipe(): void {
  let stopping = false;
  const onError = (stream: 'stdout' | 'stderr') => (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    if (stream === 'stdout' && !stopping && process.listenerCount('SIGINT') > 0) {
      stopping = true;
      process.emit('SIGINT');
    }
  };
  process.stdout.on('error', onError('stdout'));
  process.stderr.on('error', onError('stderr'));
}

/**
 * The message printed for an error: a coded error's own message; a file-system error that escaped its
 * caller named by its path (or as "a file" when Node gives none, e.g. a write on a descriptor), no stack.
 */
function describe(e: unknown): { message: string; code: number } {
  const sys = e as NodeJS.ErrnoException;
  const isSys = e instanceof Error && typeof sys.code === 'string' && typeof sys.syscall === 'string';
  const coded = e instanceof DolphinError ? e : isSys ? fileSystemError(sys.path ?? 'a file', sys) : undefined;
  if (coded !== undefined) return { message: coded.message, code: exitCodeFor(coded) };
  return { message: e instanceof Error ? (e.stack ?? e.message) : String(e), code: exitCodeFor(e) };
}

async function main(): Promise<void> {
  endQuietlyOnClosedPipe();
  let y = yargs(hideBin(process.argv))
    .scriptName('dolphin')
    .usage('$0 <command> [options]\n\nDeterministic SHORT-strategy simulator and paper trader for DOLPHIN eigenvalue scans.')
    .strict()
    .demandCommand(1, 'name a command; see dolphin --help')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .epilog('Exit codes: 0 done, 1 run failed (data, feed or file I/O), 2 usage or config error. Docs: README.md, docs/.')
    .fail((msg, err) => {
      // a command's own error (msg null) keeps its code; yargs and .check() problems are usage errors
      if (err instanceof DolphinError || (err && msg === null)) throw err;
      throw new UsageError(`${msg ?? err?.message ?? 'invalid arguments'}\nRun dolphin --help for usage.`);
    });
  for (const add of [backtestCommand, calibrateCommand, generateCommand, cacheCommand, liveCommand, sweepCommand, reportCommand, statusCommand, bridgeCommand, compareCommand]) y = add(y);
  y = rescanCommand(y);
  y = scanCommand(y);
  y = compareScansCommand(y);
  y = dashboardCommand(y);
  y = serveCommand(y);
  y = sweepWorkerCommand(y);
  y = batchCommand(y);
  y = jobsCommand(y);
  await y.parseAsync();
}

main().catch((e: unknown) => {
  const { message, code } = describe(e);
  process.stderr.write(`dolphin: ${message}\n`);
  process.exitCode = code;
});
