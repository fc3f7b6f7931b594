/**
 * The submitter of a distributed sweep or batch: puts the job and its chunks into the cluster (or finds the
 * job it started before), then streams the results into sweep.ndjson and sweep.md as a local sweep writes
 * them, until every config has its line. Stopping and starting it again loses nothing: the job and its results
 * stay in the cluster until `dolphin jobs delete`.
 */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { UsageError } from '../../core/errors.js';
import { writeFileAtomic } from '../../feeds/fs/atomic-write.js';
import type { HazelcastClient } from '../../feeds/live/hazelcast-connection.js';
import type { Metrics } from '../../report/metrics.js';
import type { ReplayData } from '../replay-input.js';
import { completedKeys, parseSweepText, readSweep, sweepMarkdown } from '../sweep.js';
import { retrying } from './cluster-retry.js';
import { datasetFingerprint } from './dataset-fingerprint.js';
import { watchLeases } from './lease-watch.js';
import { chunkKeysOf, jobIdOf, jobItems, jobStructures, JOB_FORMAT, JOBS_MAP, parseJob, parseWorker, WORKERS_MAP, type JobWork, type SweepJob } from './sweep-job.js';

/** Progress of a distributed sweep as the submitter sees it. */
export interface JobProgress {
  readonly done: number;
  readonly total: number;
  /** Chunks held under a lease now. */
  readonly running: number;
  /** Result lines with an error. */
  readonly failed: number;
  /** Workers that have accepted the job since this submitter started (and those that refused it). */
  readonly workersSeen: number;
  readonly workersRefused: number;
}

/** Options of runDistributedSweep. */
export interface DistributedSweepOptions {
  readonly client: HazelcastClient;
  /** The job's datasets, loaded (one for a sweep, one per data folder for a batch). */
  readonly replays: readonly ReplayData[];
  /** What the job computes; its items are derived from it (jobItems), as the workers derive them. */
  readonly work: JobWork;
  readonly ndjsonPath: string;
  /** sweep.md, rewritten as results arrive (at most every 2 s) and at the end. */
  readonly md: { readonly path: string; readonly rank: keyof Metrics; readonly top: number; readonly title: string };
  /** Parameter sets per chunk (work item). */
  readonly chunkSize: number;
  /** Lease timeout of a chunk (ms). */
  readonly leaseMs: number;
  /** How often the submitter looks for lost chunks and missed results (ms; default the lease timeout). */
  readonly reconcileMs?: number;
  readonly onProgress?: (p: JobProgress) => void;
  readonly onWarning?: (message: string) => void;
  /** Called once the job is in the cluster (new or found). */
  readonly onJob?: (job: SweepJob, resumed: boolean) => void;
}

/** What a submitter run did. */
export interface DistributedSweepResult {
  readonly job: SweepJob;
  /** The job was already in the cluster (a restarted submitter). */
  readonly resumed: boolean;
  /** Lines this run appended to sweep.ndjson, and those it found there. */
  readonly written: number;
  readonly skipped: number;
  /** Chunks this run put back on the queue (lost in flight, expired leases it saw). */
  readonly requeued: number;
}

/** Submits (or resumes) the job and waits for all of its results. */
export async function runDistributedSweep(o: DistributedSweepOptions): Promise<DistributedSweepResult> {
  if (!Number.isInteger(o.chunkSize) || o.chunkSize < 1) throw new UsageError(`--chunk (parameter sets per work item) must be an integer >= 1, was ${o.chunkSize}`);
  const { client } = o;
  const datasets = o.replays.map(datasetFingerprint);
  const { items } = jobItems({ work: o.work, datasets });
  const keys = items.map((i) => i.key);
  const chunkKeys = chunkKeysOf(items, o.chunkSize);
  const id = jobIdOf(datasets, keys, o.chunkSize);
  const s = jobStructures(id);
  const [jobs, queue, leases, results, workers] = await Promise.all([
    client.getMap<string, string>(JOBS_MAP),
    client.getQueue<string>(s.queue),
    client.getMap<string, string>(s.leases),
    client.getMap<string, string>(s.results),
    client.getMap<string, string>(WORKERS_MAP),
  ]);
  const fresh: SweepJob = {
    format: JOB_FORMAT,
    id,
    title: o.md.title,
    datasets,
    work: o.work,
    total: keys.length,
    chunkSize: o.chunkSize,
    chunks: chunkKeys.length,
    leaseMs: o.leaseMs,
    createdAt: Date.now(),
    state: 'running',
  };
  const before = await retrying(() => jobs.putIfAbsent(id, JSON.stringify(fresh)));
  const resumed = before != null;
  let job = resumed ? parseJob(id, before) : fresh;
  if (resumed && job.state === 'done') {
    job = { ...job, state: 'running' }; // the results are all there; this run only writes them out
  } else if (!resumed) {
    await retrying(() => queue.addAll(Array.from({ length: fresh.chunks }, (_, c) => String(c))));
  }
  o.onJob?.(job, resumed);

  // the file as a local sweep leaves it: a torn line cut, bad lines set aside
  const written = completedKeys(o.ndjsonPath, o.onWarning);
  if (!existsSync(o.ndjsonPath)) writeFileSync(o.ndjsonPath, '');
  const want = new Set(keys);
  for (const k of written) if (!want.has(k)) o.onWarning?.(`${o.ndjsonPath} holds config ${k}, which is not in this sweep's grid`);
  const skipped = [...written].filter((k) => want.has(k)).length;
  let done = skipped;
  let failed = 0;
  let appended = 0;
  let dirty = false;
  const accept = (key: string, text: string | null | undefined): void => {
    if (text == null || written.has(key) || !want.has(key)) return;
    const { lines, bad } = parseSweepText(text);
    if (bad.length > 0 || lines.length !== 1 || lines[0].key !== key) {
      o.onWarning?.(`result ${key} of job ${id} is not a sweep line (${bad[0]?.reason ?? 'wrong key'}); removed, its config runs again`);
      void results.remove(key, text).catch(() => undefined);
      return;
    }
    appendFileSync(o.ndjsonPath, text.endsWith('\n') ? text : `${text}\n`);
    written.add(key);
    done++;
    appended++;
    if (lines[0].error) failed++;
    dirty = true;
    if (done === keys.length) wake?.(); // the last result ends the wait at once
  };
  let wake: (() => void) | undefined;
  const listener = await results.addEntryListener({ added: (e) => accept(e.key, e.value) }, undefined, true);
  let requeued = 0;
  const unwatch = await watchLeases(client, job, chunkKeys, () => requeued++);

  const seen = new Set<string>();
  const refusedBy = new Set<string>();
  let lastMd = 0;
  let idleLooks = 0;
  let lastReconcile = Date.now();
  const reconcileMs = o.reconcileMs ?? Math.max(500, o.leaseMs);
  try {
    await resync();
    while (done < keys.length) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, 250);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
      if (done >= keys.length) break;
      const [running] = await Promise.all([retrying(() => leases.size()), lookAtWorkers()]);
      o.onProgress?.({ done, total: keys.length, running, failed, workersSeen: seen.size, workersRefused: refusedBy.size });
      if (dirty && Date.now() - lastMd > 2_000) writeMd();
      if (Date.now() - lastReconcile >= reconcileMs) {
        lastReconcile = Date.now();
        await resync();
        // nothing queued, nothing leased, results missing, twice in a row: chunks were lost in flight
        // (a worker killed between taking a chunk and leasing it, an answer lost in a failover)
        const idle = done < keys.length && (await retrying(() => queue.size())) === 0 && running === 0;
        idleLooks = idle ? idleLooks + 1 : 0;
        if (idleLooks >= 2) {
          idleLooks = 0;
          for (let c = 0; c < job.chunks; c++) {
            if (chunkKeys[c].some((k) => !written.has(k))) {
              await retrying(() => queue.offer(String(c)));
              requeued++;
            }
          }
        }
      }
    }
    writeMd();
    await lookAtWorkers().catch(() => undefined); // a job done within the first look still names its workers
    o.onProgress?.({ done, total: keys.length, running: 0, failed, workersSeen: seen.size, workersRefused: refusedBy.size });
    job = { ...job, state: 'done' };
    await retrying(() => jobs.set(id, JSON.stringify(job)));
  } finally {
    await results.removeEntryListener(listener).catch(() => undefined);
    await unwatch();
  }
  return { job, resumed, written: appended, skipped, requeued };

  /** Counts the workers that accepted (or refused) the job, from their records. */
  async function lookAtWorkers(): Promise<void> {
    for (const text of (await retrying(() => workers.values())).toArray()) {
      const w = parseWorker(text);
      if (w?.accepted.includes(id)) seen.add(w.id);
      if (w?.refused.includes(id)) refusedBy.add(w.id);
    }
  }

  /** Takes the results an event did not bring (missed during a reconnect, or in before the listener). */
  async function resync(): Promise<void> {
    const missing = keys.filter((k) => !written.has(k));
    for (let i = 0; i < missing.length; i += 500) {
      for (const [k, v] of await retrying(() => results.getAll(missing.slice(i, i + 500)))) accept(k, v);
    }
  }

  function writeMd(): void {
    lastMd = Date.now();
    dirty = false;
    writeFileAtomic(o.md.path, sweepMarkdown(readSweep(o.ndjsonPath), o.md.rank, o.md.top, o.md.title), '--out');
  }
}
