/** `dolphin jobs list|show ID|delete ID`: distributed sweeps kept in the cluster. */
import type { Argv } from 'yargs';
import { clusterOptions } from './shared-options.js';
import { deleteJob, formatJobLine, listJobs, listWorkers, showJob } from '../app/distributed/jobs-admin.js';
import { connectHazelcast } from '../feeds/live/hazelcast-connection.js';
import { UsageError } from '../core/errors.js';

interface Args {
  action: string;
  id?: string;
  hz: string;
  cluster: string;
  json: boolean;
}

export function jobsCommand(y: Argv): Argv {
  return y.command<Args>(
    'jobs <action> [id]',
    'List, show or delete the distributed sweeps kept in the cluster (their results stay there until deleted)',
    (a) =>
      clusterOptions(a)
        .positional('action', { type: 'string', choices: ['list', 'show', 'delete'], demandOption: true })
        .positional('id', { type: 'string', describe: 'job id (show, delete)' })
        .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
        .example('$0 jobs list --hz 10.0.0.5:5701', 'every job with its progress')
        .example('$0 jobs delete 3f2a9c01b7e4', 'remove a job and its results from the cluster') as Argv<Args>,
    async (args) => {
      if (args.action !== 'list' && !args.id) throw new UsageError(`dolphin jobs ${args.action} needs a job id (dolphin jobs list shows them)`);
      const client = await connectHazelcast({ address: args.hz, cluster: args.cluster });
      try {
        const out = (s: string): void => void process.stdout.write(`${s}\n`);
        if (args.action === 'list') {
          const jobs = await listJobs(client);
          const workers = await listWorkers(client);
          if (args.json) return out(JSON.stringify({ jobs, workers }));
          out(jobs.length ? jobs.map(formatJobLine).join('\n') : 'no jobs');
          out(`${workers.length} worker(s) alive${workers.map((w) => `\n  ${w.id}  ${w.threads} thread(s), ${w.running} chunk(s) running, ${w.configsDone} config(s) done`).join('')}`);
        } else if (args.action === 'show') {
          const r = await showJob(client, args.id!);
          if (args.json) return out(JSON.stringify(r));
          out(formatJobLine(r.summary));
          for (const d of r.job.datasets) out(`dataset ${d.hash} (${d.scans} scans, ${d.dir} on the submitter)`);
          out(`${r.job.chunks} chunks of up to ${r.job.chunkSize}, lease ${r.job.leaseMs / 1000} s`);
          const w = r.job.work;
          if (w.kind === 'sweep') out(`grid: ${w.grid.map((g) => `${g.key}=${JSON.stringify(g.values)}`).join(' ')}`);
          else out(`batch: ${w.runs.map((x) => `${r.job.datasets[x.part]?.dir ?? '?'} x ${x.label}`).join(', ')}`);
          for (const w of r.workers) out(`  worker ${w.id}: ${w.accepted.includes(r.job.id) ? 'working' : 'refused'}, ${w.running} chunk(s) running, ${w.configsDone} config(s) done`);
        } else {
          await deleteJob(client, args.id!);
          out(`job ${args.id} deleted`);
        }
      } finally {
        await client.shutdown().catch(() => undefined);
      }
    },
  );
}
