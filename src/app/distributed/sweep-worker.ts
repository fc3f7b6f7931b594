/**
 * A sweep worker process: finds running jobs (sweeps and batches) in the cluster, refuses those whose
 * dataset fingerprints its data does not all have, takes their chunks from the job's queue under a
 * heartbeat lease and runs them on its pool with the local sweep's task (`sweepConfigs`), storing each
 * config's line by key (putIfAbsent).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { HazelcastClient } from '../../feeds/live/hazelcast-connection.js';
import type { WorkerPool } from '../../workers/pool.js';
import { type CalibratedSweepItem, type SweepResult, type SweepTask } from '../../workers/sweep.task.js';
import type { JobItem } from '../batch.js';
import type { ReplayData } from '../replay-input.js';
import { calibrateOnce, sweepColumns, sweepResultLine } from '../sweep.js';
import { retrying } from './cluster-retry.js';
import { datasetFingerprint, describeFingerprint, type DatasetFingerprint } from './dataset-fingerprint.js';
import { watchLeases } from './lease-watch.js';
import { chunkKeysOf, jobChunks, jobItems, jobStructures, JOB_FORMAT, JOBS_MAP, parseJob, WORKERS_MAP, type ChunkLease, type SweepJob, type WorkerRecord } from './sweep-job.js';

/** Options of SweepWorker. */
export interface SweepWorkerOptions {
  readonly client: HazelcastClient;
  readonly pool: WorkerPool;
  /** The data folders this worker holds, loaded. */
  readonly data: readonly ReplayData[];
  /** Chunks run at once (default: the pool's size). */
  readonly slots?: number;
  /** Idle wait between looks at the queues (ms). */
  readonly pollMs?: number;
  /** How often the job list is read again (ms). */
  readonly refreshMs?: number;
  /** One line per event (accepted, refused, requeued, failures). */
  readonly log?: (message: string) => void;
  /** Also a line per chunk started and finished. */
  readonly verbose?: boolean;
}

/** An accepted job with what this worker prepared for it. */
interface JobContext {
  readonly job: SweepJob;
  /** This worker's data for each of the job's datasets (same index). */
  readonly replays: readonly ReplayData[];
  readonly items: readonly JobItem[];
  /** [start, end) of each chunk in items. */
  readonly chunks: readonly (readonly [number, number])[];
  readonly overrides: ReadonlyMap<string, Record<string, unknown>>;
  /** Per dataset: its shared columns, computed once. */
  readonly columns: Map<number, Promise<Omit<SweepTask, 'items'>>>;
  /** Per dataset: its items with their volThreshold chosen, once per job (calibration is per key, not per chunk). */
  readonly calibrated: Map<number, ReadonlyMap<string, CalibratedSweepItem>>;
  unwatch?: () => Promise<void>;
}

/** Counters of a worker, as in its WorkerRecord. */
export interface SweepWorkerCounters {
  running: number;
  chunksDone: number;
  configsDone: number;
  /** Wall ms of the finished chunks spent computing (calibration and the pool task) ... */
  computeMs: number;
  /** ... and in cluster calls for them (the poll that took the chunk, lease, result lookups and writes, release). */
  coordinationMs: number;
}

/** One worker process's part of every distributed sweep it can run. */
export class SweepWorker {
  readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 4)}`;
  readonly counters: SweepWorkerCounters = { running: 0, chunksDone: 0, configsDone: 0, computeMs: 0, coordinationMs: 0 };
  private readonly fingerprints: DatasetFingerprint[];
  private readonly accepted = new Map<string, JobContext>();
  private readonly refused = new Set<string>();
  private stopped = false;
  private refreshing = false;
  private again = false;
  private wake: (() => void) | undefined;
  private readonly log: (message: string) => void;

  constructor(private readonly o: SweepWorkerOptions) {
    this.fingerprints = o.data.map(datasetFingerprint);
    this.log = o.log ?? (() => undefined);
  }

  /** The fingerprints of this worker's data folders. */
  datasets(): readonly DatasetFingerprint[] {
    return this.fingerprints;
  }

  /** Runs until stop(): heartbeat, job list, `slots` chunk loops. */
  async run(): Promise<void> {
    const slots = this.o.slots ?? this.o.pool.size;
    await this.refresh();
    await this.heartbeat();
    // a job submitted (or deleted) is seen at once through the jobs map's listener; the timer is the safety net
    const jobs = await this.o.client.getMap<string, string>(JOBS_MAP);
    const onJob = (): void => void this.refresh().catch(() => undefined);
    const listener = await jobs.addEntryListener({ added: onJob, updated: onJob, removed: onJob }, undefined, false);
    const beat = setInterval(() => void this.heartbeat().catch(() => undefined), 1_000);
    const look = setInterval(() => void this.refresh().catch((e: unknown) => this.log(`job list: ${(e as Error).message}`)), this.o.refreshMs ?? 1_000);
    try {
      await Promise.all(Array.from({ length: slots }, (_, i) => this.loop(i)));
    } finally {
      clearInterval(beat);
      clearInterval(look);
      await jobs.removeEntryListener(listener).catch(() => undefined);
      for (const c of this.accepted.values()) await c.unwatch?.();
      const workers = await this.o.client.getMap<string, string>(WORKERS_MAP);
      await workers.delete(this.id).catch(() => undefined);
    }
  }

  /** Ends run() after the chunks in hand are done. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Reads the job list: accepts or refuses new running jobs, forgets finished or deleted ones. */
  private async refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true; // a look is running: one more after it (a job added meanwhile is not missed)
      return;
    }
    this.refreshing = true;
    try {
      do {
        this.again = false;
        await this.look();
      } while (this.again);
    } finally {
      this.refreshing = false;
    }
  }

  private async look(): Promise<void> {
    const jobs = await this.o.client.getMap<string, string>(JOBS_MAP);
    const entries = await retrying(() => jobs.entrySet());
    const running = new Set<string>();
    for (const [id, text] of entries) {
      if (this.refused.has(id)) continue;
      let job: SweepJob;
      try {
        job = parseJob(id, text);
      } catch (e) {
        this.refuse(id, (e as Error).message);
        continue;
      }
      if (job.state !== 'running') continue;
      running.add(id);
      if (!this.accepted.has(id)) await this.consider(job);
    }
    for (const [id, c] of this.accepted) {
      if (running.has(id)) continue;
      this.accepted.delete(id);
      await c.unwatch?.();
    }
  }

  /** Accepts a job when the data folders have every one of its fingerprints; otherwise refuses it, naming them. */
  private async consider(job: SweepJob): Promise<void> {
    if (job.format !== JOB_FORMAT) return this.refuse(job.id, `format ${job.format}, this worker reads ${JOB_FORMAT}`);
    const at = job.datasets.map((d) => this.fingerprints.findIndex((f) => f.hash === d.hash));
    const missing = job.datasets.filter((_, k) => at[k] < 0);
    if (missing.length > 0) {
      const what = missing.length === 1 ? `its dataset fingerprint is ${describeFingerprint(missing[0])}` : `its dataset fingerprints are ${missing.map(describeFingerprint).join(', ')}`;
      return this.refuse(
        job.id,
        `${what} on the submitter, but this worker's data is ${this.fingerprints.map(describeFingerprint).join(', ') || '(none)'}; start the worker with --data pointing at the same scans`,
      );
    }
    let derived: ReturnType<typeof jobItems>;
    try {
      derived = jobItems(job);
    } catch (e) {
      return this.refuse(job.id, `its grid does not resolve here: ${(e as Error).message}`);
    }
    if (derived.items.length !== job.total) return this.refuse(job.id, `its grid gives ${derived.items.length} configs here, ${job.total} on the submitter (another version?)`);
    const chunks = jobChunks(derived.items, job.chunkSize);
    if (chunks.length !== job.chunks) return this.refuse(job.id, `its items give ${chunks.length} chunks here, ${job.chunks} on the submitter (another version?)`);
    const ctx: JobContext = { job, replays: at.map((k) => this.o.data[k]), items: derived.items, chunks, overrides: derived.overrides, columns: new Map(), calibrated: new Map() };
    this.accepted.set(job.id, ctx);
    ctx.unwatch = await watchLeases(this.o.client, job, chunkKeysOf(derived.items, job.chunkSize), (chunk, lease) => this.log(`job ${job.id}: chunk ${chunk} of worker ${lease.worker} requeued (lease expired)`));
    this.log(`job ${job.id}: accepted (${job.total} configs in ${job.chunks} chunks, data ${at.map((k) => this.fingerprints[k].dir).join(', ')})`);
    await this.heartbeat().catch(() => undefined); // the submitter counts its workers from these records
    this.wake?.();
  }

  private refuse(id: string, why: string): void {
    this.refused.add(id);
    this.log(`refusing job ${id}: ${why}`);
    void this.heartbeat().catch(() => undefined);
  }

  private async heartbeat(): Promise<void> {
    const rec: WorkerRecord = {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      threads: this.o.pool.size,
      datasets: this.fingerprints.map((f) => f.hash),
      accepted: [...this.accepted.keys()],
      refused: [...this.refused],
      ...this.counters,
      heartbeat: Date.now(),
    };
    const workers = await this.o.client.getMap<string, string>(WORKERS_MAP);
    await workers.set(this.id, JSON.stringify(rec), 5_000);
  }

  /** One slot: take a chunk of any accepted job, run it, repeat; idle waits pollMs. */
  private async loop(slot: number): Promise<void> {
    let turn = slot;
    while (!this.stopped) {
      const jobs = [...this.accepted.values()];
      let took = false;
      for (let k = 0; k < jobs.length && !this.stopped; k++) {
        const ctx = jobs[(turn + k) % jobs.length];
        const queue = await this.o.client.getQueue<string>(jobStructures(ctx.job.id).queue);
        let text: string | null;
        const polled = performance.now();
        try {
          text = await queue.poll();
        } catch {
          continue; // member restart: look again later (a chunk lost in flight is requeued by the submitter)
        }
        if (text == null) continue;
        turn++;
        took = true;
        try {
          await this.runChunk(ctx, Number(text), performance.now() - polled);
        } catch (e) {
          // its lease expires and the chunk goes back to the queue
          this.log(`job ${ctx.job.id}: chunk ${text} failed here: ${(e as Error).message}`);
        }
        break;
      }
      if (!took && !this.stopped) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, (this.o.pollMs ?? 200) * (0.75 + Math.random() / 2));
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    }
  }

  /** Runs one chunk under a lease renewed every third of the lease timeout. */
  private async runChunk(ctx: JobContext, chunk: number, pollMs: number): Promise<void> {
    const { job } = ctx;
    if (!ctx.chunks[chunk]) throw new Error(`the queue gave chunk ${chunk}, which is not one of the job's ${ctx.chunks.length} chunks (0 to ${ctx.chunks.length - 1}); skipped`);
    const t0 = performance.now();
    let computeMs = 0;
    const s = jobStructures(job.id);
    const client = this.o.client;
    const [leases, results] = await Promise.all([client.getMap<string, string>(s.leases), client.getMap<string, string>(s.results)]);
    const key = String(chunk);
    const lease: ChunkLease = { worker: this.id, lease: randomUUID(), since: Date.now() };
    const leaseText = JSON.stringify(lease);
    await retrying(() => leases.set(key, leaseText, job.leaseMs));
    const renew = setInterval(() => void leases.setTtl(key, job.leaseMs).catch(() => undefined), Math.max(100, job.leaseMs / 3));
    this.counters.running++;
    if (this.o.verbose) this.log(`job ${job.id}: chunk ${chunk} started`);
    try {
      const [start, end] = ctx.chunks[chunk];
      const items = ctx.items.slice(start, end);
      const part = items[0].part;
      const have = new Set((await retrying(() => results.getAll(items.map((i) => i.key)))).map(([k]) => k));
      const c0 = performance.now();
      const calibrated = this.calibratedOf(ctx, part);
      const todo = items.filter((i) => !have.has(i.key)).map((i) => calibrated.get(i.key)!);
      if (todo.length > 0) {
        const base = await this.columnsOf(ctx, part);
        const rs = await this.o.pool.run<SweepResult[]>('sweepConfigs', { ...base, items: todo } satisfies SweepTask);
        computeMs = performance.now() - c0;
        // a job deleted meanwhile (seen through the jobs listener) is not brought back by late writes
        if (!this.accepted.has(job.id)) return;
        await Promise.all(rs.map((r) => retrying(() => results.putIfAbsent(r.key, sweepResultLine(r, ctx.overrides.get(r.key) ?? {})))));
      }
      this.counters.chunksDone++;
      this.counters.configsDone += todo.length;
      if (this.o.verbose) this.log(`job ${job.id}: chunk ${chunk} done (${todo.length} run, ${items.length - todo.length} already stored)`);
    } finally {
      clearInterval(renew);
      this.counters.running--;
    }
    // only our own lease: after an expiry another worker may hold this chunk now
    await retrying(() => leases.remove(key, leaseText)).catch(() => undefined);
    this.counters.computeMs += computeMs;
    this.counters.coordinationMs += pollMs + performance.now() - t0 - computeMs;
  }

  /** The items of dataset `part` with their volThreshold chosen, calibrated once per job and dataset. */
  private calibratedOf(ctx: JobContext, part: number): ReadonlyMap<string, CalibratedSweepItem> {
    let m = ctx.calibrated.get(part);
    if (!m) {
      m = new Map(calibrateOnce(ctx.replays[part], ctx.items.filter((i) => i.part === part)).map((i) => [i.key, i]));
      ctx.calibrated.set(part, m);
    }
    return m;
  }

  /** The shared columns of dataset `part`, computed once per job on the pool (as a local sweep does). */
  private columnsOf(ctx: JobContext, part: number): Promise<Omit<SweepTask, 'items'>> {
    let c = ctx.columns.get(part);
    if (!c) {
      c = sweepColumns(ctx.replays[part], ctx.items.find((i) => i.part === part)!.config, this.o.pool);
      ctx.columns.set(part, c);
    }
    return c;
  }
}
