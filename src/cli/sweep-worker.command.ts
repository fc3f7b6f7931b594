/** `dolphin sweep-worker --hz HOST:PORT --cluster NAME --data DIR ...`: run distributed sweep chunks until Ctrl-C. */
import type { Argv } from 'yargs';
import { clusterOptions } from './shared-options.js';
import { SweepWorker } from '../app/distributed/sweep-worker.js';
import { describeFingerprint } from '../app/distributed/dataset-fingerprint.js';
import { loadReplayInput, type ReplayData } from '../app/replay-input.js';
import { checkOutputDir, requireDataDir } from '../feeds/fs/path-checks.js';
import { connectHazelcast } from '../feeds/live/hazelcast-connection.js';
import { defaultCacheRoot } from '../feeds/replay/day-cache.js';
import { defaultWorkers, WorkerPool } from '../workers/pool.js';
import { checkFlags, FLAG_BOUNDS } from './flag-bounds.js';
import { UsageError } from '../core/errors.js';

interface Args {
  hz: string;
  cluster: string;
  workers: number;
  data: string[];
  cache: string;
  poll: number;
  verbose: boolean;
}

export function sweepWorkerCommand(y: Argv): Argv {
  return y.command<Args>(
    'sweep-worker',
    'Work on distributed sweeps (dolphin sweep --distributed) over the data folders given, until Ctrl-C',
    (a) =>
      clusterOptions(a)
        .option('workers', { type: 'number', default: defaultWorkers(), describe: `worker threads, one chunk each (at least 1, at most ${FLAG_BOUNDS.workers.max})` })
        .option('data', { type: 'string', array: true, demandOption: true, describe: 'data folder(s) of Arrow scans; a job runs here only when one of them has its dataset fingerprint' })
        .option('cache', { type: 'string', default: defaultCacheRoot(), describe: 'day cache folder (--no-cache to bypass)' })
        .option('poll', { type: 'number', default: 200, describe: 'milliseconds between looks at the job queues when idle' })
        .option('verbose', { type: 'boolean', default: false, describe: 'a line per chunk started and finished' })
        .example('$0 sweep-worker --hz 10.0.0.5:5701 --cluster dolphin --data /data/scans', 'one worker process using every core') as Argv<Args>,
    async (args) => {
      checkFlags(args, ['workers', 'poll'], [args.workers < 1 ? `--workers must be at least 1 for a sweep worker, was ${args.workers}` : null]);
      for (const d of args.data) requireDataDir(d);
      const cacheRoot = (args.cache as unknown) === false ? undefined : args.cache;
      if (cacheRoot !== undefined) checkOutputDir(cacheRoot, '--cache');
      const log = (m: string): void => void process.stderr.write(`sweep-worker: ${m}\n`);
      const pool = new WorkerPool(args.workers);
      let client: Awaited<ReturnType<typeof connectHazelcast>> | undefined;
      try {
        const data: ReplayData[] = [];
        for (const d of args.data) data.push(await loadReplayInput(d, { pool, cacheRoot, onWarning: (m) => log(`warning: ${m}`) }));
        if (data.length === 0) throw new UsageError('--data: name at least one data folder');
        client = await connectHazelcast({
          address: args.hz,
          cluster: args.cluster,
          reconnect: true,
          instanceName: `dolphin-sweep-worker-${process.pid}`,
          onLifecycle: (s) => (s === 'DISCONNECTED' || s === 'CONNECTED' ? log(`cluster ${s.toLowerCase()}`) : undefined),
        });
        const worker = new SweepWorker({ client, pool, data, pollMs: args.poll, log, verbose: args.verbose });
        for (const f of worker.datasets()) log(`data ${describeFingerprint(f)}`);
        const onSignal = (): void => {
          log('stopping after the chunks in hand');
          worker.stop();
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        log(`worker ${worker.id} ready: ${pool.size} thread(s), cluster '${args.cluster}' at ${args.hz}`);
        try {
          await worker.run();
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
        log(`stopped: ${worker.counters.chunksDone} chunk(s), ${worker.counters.configsDone} config(s) run`);
      } finally {
        await client?.shutdown().catch(() => undefined);
        await pool.destroy();
      }
    },
  );
}
