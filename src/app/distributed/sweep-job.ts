/**
 * A distributed job as it lives in the cluster (a sweep over one dataset, or a batch of plain backtests over
 * several): its description, the names of its Hazelcast structures and how its work items (chunks of
 * parameter sets on one dataset) are derived from the description.
 */
import { createHash } from 'node:crypto';
import type { StrategyConfig } from '../../core/config.js';
import { UsageError } from '../../core/errors.js';
import { batchItems, type BatchRun, type JobItem } from '../batch.js';
import { sweepItems, type GridAxis } from '../sweep.js';
import type { DatasetFingerprint } from './dataset-fingerprint.js';

/** IMap of job descriptions (job id -> JSON of SweepJob); kept until `dolphin jobs delete`. */
export const JOBS_MAP = 'dolphin_sweep_jobs';
/** IMap of live workers (worker id -> JSON of WorkerRecord), each entry with a TTL renewed by its heartbeat. */
export const WORKERS_MAP = 'dolphin_sweep_workers';

/** Format version of the job description; a worker refuses another. */
export const JOB_FORMAT = 2;

/** A sweep: every combination of the grid on top of the resolved base config, over datasets[0]. */
export interface SweepWork {
  readonly kind: 'sweep';
  /** The resolved base config; each item is `resolveConfig(base, combination)`. */
  readonly base: StrategyConfig;
  readonly grid: readonly GridAxis[];
}

/** A batch of plain backtests: each run is one resolved config over one of the datasets. */
export interface BatchWork {
  readonly kind: 'batch';
  readonly runs: readonly BatchRun[];
}

/** What a job computes. */
export type JobWork = SweepWork | BatchWork;

/** The description of a distributed job (a sweep or a batch). */
export interface SweepJob {
  readonly format: number;
  readonly id: string;
  readonly title: string;
  /**
   * What the results are computed from: a worker runs the job only when it holds data with every one of
   * these fingerprints (a sweep has one; a batch one per data folder, its runs name them by index).
   */
  readonly datasets: readonly DatasetFingerprint[];
  readonly work: JobWork;
  /** Parameter sets (distinct runs) and chunks of at most `chunkSize` of them, each on one dataset. */
  readonly total: number;
  readonly chunkSize: number;
  readonly chunks: number;
  /** A chunk whose lease is not renewed for this long goes back to the queue. */
  readonly leaseMs: number;
  /** Wall-clock ms of the first submission. */
  readonly createdAt: number;
  /** 'running' until the submitter has every result, then 'done'. */
  readonly state: 'running' | 'done';
}

/** A worker process as it announces itself in WORKERS_MAP. */
export interface WorkerRecord {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly threads: number;
  /** Fingerprint hashes of the data folders it holds. */
  readonly datasets: readonly string[];
  /** Jobs it accepted and refused (by id). */
  readonly accepted: readonly string[];
  readonly refused: readonly string[];
  /** Chunks it holds now and has finished since it started. */
  readonly running: number;
  readonly chunksDone: number;
  readonly configsDone: number;
  /** Wall ms of its finished chunks spent computing and in cluster calls (coordination overhead). */
  readonly computeMs: number;
  readonly coordinationMs: number;
  /** Wall-clock ms of its last heartbeat. */
  readonly heartbeat: number;
}

/** Hazelcast structure names of one job. */
export interface JobStructures {
  /** IQueue of chunk numbers (as text) waiting for a worker. */
  readonly queue: string;
  /** IMap chunk number -> JSON lease {worker, lease, since}; the entry's TTL is the lease timeout. */
  readonly leases: string;
  /** IMap config key -> sweep.ndjson line; written with putIfAbsent, so a config computed twice is stored once. */
  readonly results: string;
  /** IMap lease id -> 1: whoever puts it first requeues that expired lease's chunk (once). */
  readonly requeued: string;
}

/** The structure names of job `id`. */
export function jobStructures(id: string): JobStructures {
  return {
    queue: `dolphin_sweep_queue_${id}`,
    leases: `dolphin_sweep_leases_${id}`,
    results: `dolphin_sweep_results_${id}`,
    requeued: `dolphin_sweep_requeued_${id}`,
  };
}

/** A lease value in the leases map. */
export interface ChunkLease {
  readonly worker: string;
  readonly lease: string;
  readonly since: number;
}

/**
 * Job id: a hash of the datasets, the item keys and the chunk size, so submitting the same job again
 * (a restarted submitter) finds the job it started instead of starting another.
 */
export function jobIdOf(datasets: readonly DatasetFingerprint[], keys: readonly string[], chunkSize: number): string {
  return createHash('sha256').update(`${datasets.map((d) => d.hash).join(',')}\n${chunkSize}\n${keys.join(',')}`).digest('hex').slice(0, 12);
}

/** The job's parameter sets in order and their overrides (the same derivation as a local sweep or batch). */
export function jobItems(job: Pick<SweepJob, 'work' | 'datasets'>): { items: JobItem[]; overrides: Map<string, Record<string, unknown>> } {
  if (job.work.kind === 'batch') return batchItems(job.datasets, job.work.runs);
  const { items, overrides } = sweepItems(job.work.base, job.work.grid);
  return { items: items.map((i) => ({ ...i, part: 0 })), overrides };
}

/**
 * The chunks of a job's items as [start, end) index ranges, in order: at most `chunkSize` items each, and
 * a new chunk wherever the dataset changes (a chunk runs over one dataset's columns).
 */
export function jobChunks(items: readonly { readonly part: number }[], chunkSize: number): (readonly [number, number])[] {
  const out: (readonly [number, number])[] = [];
  let start = 0;
  for (let i = 1; i <= items.length; i++) {
    if (i === items.length || i - start === chunkSize || items[i].part !== items[start].part) {
      out.push([start, i]);
      start = i;
    }
  }
  return out;
}

/** The item keys of each chunk (see jobChunks). */
export function chunkKeysOf(items: readonly JobItem[], chunkSize: number): string[][] {
  return jobChunks(items, chunkSize).map(([a, b]) => items.slice(a, b).map((i) => i.key));
}

/** Parses a job description read from the cluster; a wrong one is named by its id. */
export function parseJob(id: string, text: string): SweepJob {
  let v: SweepJob;
  try {
    v = JSON.parse(text) as SweepJob;
  } catch (e) {
    throw new UsageError(`job ${id} in ${JOBS_MAP} is not JSON (${(e as Error).message}); delete it with dolphin jobs delete ${id}`);
  }
  const work = v.work as JobWork | undefined;
  const kindOk = (work?.kind === 'sweep' && Array.isArray(work.grid)) || (work?.kind === 'batch' && Array.isArray(work.runs));
  if (v.format !== JOB_FORMAT || typeof v.id !== 'string' || !Array.isArray(v.datasets) || v.datasets.length === 0 || !kindOk) {
    throw new UsageError(`job ${id} in ${JOBS_MAP} is not a sweep or batch job of format ${JOB_FORMAT} (format ${String(v.format)}); delete it with dolphin jobs delete ${id}`);
  }
  return v;
}

/** Parses a worker record; null for anything else. */
export function parseWorker(text: string): WorkerRecord | null {
  try {
    const v = JSON.parse(text) as WorkerRecord;
    return typeof v.id === 'string' && Array.isArray(v.accepted) ? v : null;
  } catch {
    return null;
  }
}
