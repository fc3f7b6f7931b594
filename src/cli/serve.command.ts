/** `dolphin serve [RUNS_DIR]`: a local, read-only web view of runs, their reports, compares and live paper runs. */
import { statSync } from 'node:fs';
import type { Argv } from 'yargs';
import { UsageError } from '../core/errors.js';
import { FEATURES_MAP, STATE_MAP } from '../feeds/live/paper-state.js';
import { DEFAULT_HZ_CLUSTER } from '../feeds/live/hazelcast-connection.js';
import { startServe } from '../app/watch/serve.js';
import { EXIT } from './exit-codes.js';
import { checkFlags } from './flag-bounds.js';

interface Args {
  runs: string;
  port: number;
  host: string;
  hz?: string;
  cluster: string;
  'state-map': string;
}

export function serveCommand(y: Argv): Argv {
  return y.command<Args>(
    'serve [runs]',
    'Local web view: the runs in RUNS_DIR with headline metrics, their reports and compare pages, and live pages of running paper runs (--hz)',
    (a) =>
      a
        .positional('runs', { type: 'string', default: 'runs', describe: 'folder of run folders (backtest --out, live --journal)' })
        .option('port', { type: 'number', default: 8080, describe: 'TCP port (0 = any free port)' })
        .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to bind; loopback by default (anything else exposes your runs to the network)' })
        .option('hz', { type: 'string', describe: 'Hazelcast member host:port: live pages of the paper runs publishing there' })
        .option('cluster', { type: 'string', default: DEFAULT_HZ_CLUSTER, describe: 'Hazelcast cluster name (with --hz)' })
        .option('state-map', { type: 'string', default: STATE_MAP, hidden: true })
        .epilog(
          'Pages: / lists runs; /runs/NAME/ shows a run\'s report (report.html, or rendered from report.json); /compare?a=NAME&b=NAME ' +
            'compares two runs; /live/RUN_ID follows a running paper run (equity, positions, trades) through server-sent events ' +
            'from its published state (no file polling). A member that goes away is shown and reconnected; a stopped run links ' +
            'its final report when its journal is inside RUNS_DIR. Only files inside RUNS_DIR are served. ' +
            `Read-only: it writes nothing, to disk or to ${FEATURES_MAP}/${STATE_MAP}. Exit codes: 0 on Ctrl-C, 2 for bad flags, a missing RUNS_DIR or a port in use.`,
        )
        .example('$0 serve runs', 'http://127.0.0.1:8080 over ./runs')
        .example('$0 serve runs --hz 127.0.0.1:5701 --port 9000', 'with live pages of the paper runs on that cluster') as Argv<Args>,
    async (args) => {
      checkFlags(args, ['port']);
      let isDir = false;
      try {
        isDir = statSync(args.runs).isDirectory();
      } catch {
        // reported below
      }
      if (!isDir) throw new UsageError(`RUNS_DIR ${args.runs} is not a folder; pass the folder holding your run folders (default ./runs)`);
      let server;
      try {
        server = await startServe({
          runsDir: args.runs,
          host: args.host,
          port: args.port,
          ...(args.hz !== undefined ? { hz: { address: args.hz, cluster: args.cluster, stateMap: args['state-map'] } } : {}),
          log: (l) => process.stderr.write(`${l}\n`),
        });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
          throw new UsageError(`cannot listen on ${args.host}:${args.port} (${code}); pass another --port (0 = any free port) or --host`);
        }
        throw e;
      }
      process.stderr.write(`dolphin serve: ${server.url}/ (runs: ${args.runs}${args.hz ? `, live runs from ${args.hz}` : ''}); Ctrl-C to stop\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
      process.exitCode = EXIT.OK;
    },
  );
}
