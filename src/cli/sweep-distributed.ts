/** The `--distributed` branch of `dolphin sweep` and `dolphin batch`: submit the job to the cluster and stream its results. */
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { runDistributedSweep } from '../app/distributed/distributed-sweep.js';
import type { ReplayData } from '../app/replay-input.js';
import type { JobWork } from '../app/distributed/sweep-job.js';
import { connectHazelcast, DEFAULT_HZ_ADDRESS, DEFAULT_HZ_CLUSTER } from '../feeds/live/hazelcast-connection.js';
import type { Metrics } from '../report/metrics.js';
import { Progress } from './progress.js';

/** Flags of the distributed branch. */
export interface DistributedArgs {
  distributed: boolean;
  hz: string;
  cluster: string;
  lease: number;
}

/** Adds --distributed, --hz, --cluster, --lease. */
export function distributedOptions<T>(a: Argv<T>): Argv<T> {
  return a
    .option('distributed', { type: 'boolean', default: false, describe: 'put the sweep into the Hazelcast cluster; `dolphin sweep-worker` processes run it (results streamed here)' })
    .option('hz', { type: 'string', default: DEFAULT_HZ_ADDRESS, describe: 'with --distributed: Hazelcast member host:port' })
    .option('cluster', { type: 'string', default: DEFAULT_HZ_CLUSTER, describe: 'with --distributed: Hazelcast cluster name' })
    .option('lease', { type: 'number', default: 30, describe: 'with --distributed: seconds after which the chunk of a worker that stopped heart-beating goes back to the queue' }) as Argv<T>;
}

/** The loaded job the command hands over. */
export interface DistributedInput {
  readonly replays: readonly ReplayData[];
  readonly work: JobWork;
  /** sweep.md's title. */
  readonly title: string;
  readonly outDir: string;
  readonly t0: number;
}

/** Submits (or resumes) the job, writes sweep.ndjson/sweep.md as results arrive, prints the summary. */
export async function submitDistributedSweep(args: DistributedArgs & { chunk: number; rank: string; top: number; json: boolean; quiet: boolean }, input: DistributedInput): Promise<void> {
  const client = await connectHazelcast({ address: args.hz, cluster: args.cluster, reconnect: true, instanceName: `dolphin-sweep-${process.pid}` });
  const noun = input.work.kind === 'batch' ? 'backtests' : 'configs';
  const progress = new Progress(input.work.kind === 'batch' ? 'backtesting' : 'sweeping', noun, args.quiet);
  const warn = (m: string): void => void process.stderr.write(`warning: ${m}\n`);
  try {
    const ndjson = join(input.outDir, 'sweep.ndjson');
    const md = join(input.outDir, 'sweep.md');
    const r = await runDistributedSweep({
      client,
      replays: input.replays,
      work: input.work,
      ndjsonPath: ndjson,
      md: { path: md, rank: args.rank as keyof Metrics, top: args.top, title: input.title },
      chunkSize: args.chunk,
      leaseMs: Math.round(args.lease * 1000),
      onJob: (job, resumed) => {
        if (!args.quiet) process.stderr.write(`job ${job.id}: ${resumed ? 'found in' : 'submitted to'} cluster '${args.cluster}' (${job.total} ${noun} in ${job.chunks} chunks, dataset ${job.datasets.map((d) => d.hash).join(', ')})\n`);
      },
      onProgress: (p) => progress.update(p.done, p.total, `running ${p.running} chunk(s), failed ${p.failed}, workers ${p.workersSeen}${p.workersRefused ? ` (${p.workersRefused} refused)` : ''}`),
      onWarning: warn,
    });
    const secs = (performance.now() - input.t0) / 1000;
    const summary = { job: r.job.id, written: r.written, skipped: r.skipped, configs: r.job.total, requeued: r.requeued, resumed: r.resumed, seconds: +secs.toFixed(2), out: input.outDir };
    if (args.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else process.stdout.write(`${input.work.kind} (distributed job ${r.job.id}): ${r.written} result(s) received, ${r.skipped} already here, ${r.job.total} ${noun} in all, ${secs.toFixed(1)} s\n  ${ndjson}\n  ${md}\n  the job stays in the cluster until: dolphin jobs delete ${r.job.id} --hz ${args.hz} --cluster ${args.cluster}\n`);
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}
