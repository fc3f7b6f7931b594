/** `dolphin jobs list|show|delete` and the jobs part of `dolphin status`: distributed sweeps in the cluster. */
import { UsageError } from '../../core/errors.js';
import type { HazelcastClient } from '../../feeds/live/hazelcast-connection.js';
import { jobStructures, JOBS_MAP, parseJob, parseWorker, WORKERS_MAP, type SweepJob, type WorkerRecord } from './sweep-job.js';

/** A job with its progress as the cluster holds it. */
export interface JobSummary {
  readonly id: string;
  readonly title: string;
  readonly state: SweepJob['state'];
  readonly total: number;
  /** Configs with a stored result. */
  readonly done: number;
  /** Chunks waiting in the queue and chunks under a lease. */
  readonly queued: number;
  readonly running: number;
  readonly chunks: number;
  /** 'sweep' or 'batch' ('?' when unreadable). */
  readonly kind: string;
  /** Hashes of the job's dataset fingerprints. */
  readonly datasets: readonly string[];
  readonly createdAt: number;
  /** Live workers that accepted / refused the job. */
  readonly workers: readonly string[];
  readonly refusedBy: readonly string[];
  /** Set when the description cannot be read (deletable). */
  readonly problem?: string;
}

/** Live workers (their records have a TTL, so a stopped one disappears within seconds). */
export async function listWorkers(client: HazelcastClient): Promise<WorkerRecord[]> {
  const map = await client.getMap<string, string>(WORKERS_MAP);
  return (await map.values()).toArray().map(parseWorker).filter((w): w is WorkerRecord => w !== null).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Every job in the cluster, newest first. */
export async function listJobs(client: HazelcastClient): Promise<JobSummary[]> {
  const jobs = await client.getMap<string, string>(JOBS_MAP);
  const workers = await listWorkers(client);
  const out: JobSummary[] = [];
  for (const [id, text] of await jobs.entrySet()) {
    let job: SweepJob;
    try {
      job = parseJob(id, text);
    } catch (e) {
      out.push({ id, title: '?', state: 'running', total: 0, done: 0, queued: 0, running: 0, chunks: 0, kind: '?', datasets: [], createdAt: 0, workers: [], refusedBy: [], problem: (e as Error).message });
      continue;
    }
    out.push(await summarize(client, job, workers));
  }
  return out.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
}

/** One job's summary and description. */
export async function showJob(client: HazelcastClient, id: string): Promise<{ summary: JobSummary; job: SweepJob; workers: WorkerRecord[] }> {
  const jobs = await client.getMap<string, string>(JOBS_MAP);
  const text = await jobs.get(id);
  if (text == null) throw new UsageError(`no job ${id} in cluster map ${JOBS_MAP}; dolphin jobs list shows the jobs there`);
  const job = parseJob(id, text);
  const workers = await listWorkers(client);
  return { summary: await summarize(client, job, workers), job, workers: workers.filter((w) => w.accepted.includes(id) || w.refused.includes(id)) };
}

/** Removes a job: its description, queue, leases, results and requeue claims. */
export async function deleteJob(client: HazelcastClient, id: string): Promise<void> {
  const jobs = await client.getMap<string, string>(JOBS_MAP);
  if ((await jobs.get(id)) == null) throw new UsageError(`no job ${id} in cluster map ${JOBS_MAP}; dolphin jobs list shows the jobs there`);
  await jobs.delete(id);
  const s = jobStructures(id);
  await (await client.getQueue(s.queue)).destroy();
  for (const m of [s.leases, s.results, s.requeued]) await (await client.getMap(m)).destroy();
}

async function summarize(client: HazelcastClient, job: SweepJob, workers: readonly WorkerRecord[]): Promise<JobSummary> {
  const s = jobStructures(job.id);
  const [results, leases, queue] = await Promise.all([client.getMap(s.results), client.getMap(s.leases), client.getQueue(s.queue)]);
  const [done, running, queued] = await Promise.all([results.size(), leases.size(), queue.size()]);
  return {
    id: job.id,
    title: job.title,
    state: job.state,
    total: job.total,
    done,
    queued,
    running,
    chunks: job.chunks,
    kind: job.work.kind,
    datasets: job.datasets.map((d) => d.hash),
    createdAt: job.createdAt,
    workers: workers.filter((w) => w.accepted.includes(job.id)).map((w) => w.id),
    refusedBy: workers.filter((w) => w.refused.includes(job.id)).map((w) => w.id),
  };
}

/** One line per job for terminals. */
export function formatJobLine(j: JobSummary): string {
  if (j.problem) return `${j.id}  unreadable: ${j.problem}`;
  const pct = j.total > 0 ? ((100 * j.done) / j.total).toFixed(0) : '100';
  const refused = j.refusedBy.length ? `, refused by ${j.refusedBy.length}` : '';
  return `${j.id}  ${j.state.padEnd(7)}  ${j.done}/${j.total} ${j.kind === 'batch' ? 'backtests' : 'configs'} (${pct}%), ${j.running} chunk(s) running, ${j.queued} queued, ${j.workers.length} worker(s)${refused}  ${j.title}`;
}
