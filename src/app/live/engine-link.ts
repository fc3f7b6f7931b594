/**
 * The engine step of a live run: the main thread's end of a portfolio host (the main engine in its own
 * worker thread, or the shadow portfolios in a long-lived pool task), spoken to over a MessagePort.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DolphinError, type ErrorCode } from '../../core/errors.js';
import type { ScanRecord } from '../../core/scan.js';
import type { FactorRecord } from '../../core/trade.js';
import type { HostMessage } from '../../workers/message-port.feed.js';
import type { HostInit, HostReply } from '../../workers/portfolio-host.js';
import type { WorkerPool } from '../../workers/pool.js';

/** The host's first reply: what it resumed from the journal. */
export type ReadyReply = Extract<HostReply, { type: 'ready' }>;
/** The host's reply after each scan. */
export type ScanDoneReply = Extract<HostReply, { type: 'scanDone' }>;

/** Latencies kept for the stop summary (a ring: memory stays flat over a long run). */
const LATENCY_RING = 100_000;

function engineWorkerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return join(dirname(here), '..', '..', '..', 'dist', 'src', 'workers', 'portfolio.worker.js');
  return join(dirname(here), '..', '..', 'workers', 'portfolio.worker.js');
}

/** A worker's error reply as an error of the main thread, keeping a DolphinError's code. */
function hostError(m: Extract<HostReply, { type: 'error' }>): Error {
  return m.code ? new DolphinError(m.code as ErrorCode, m.message) : new Error(m.message);
}

/** Waits for the first message of a type on a port or worker (an error reply or worker exit rejects). */
function nextReply<T extends HostReply['type']>(target: MessagePort | Worker, type: T): Promise<Extract<HostReply, { type: T }>> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      target.off('message', on);
      if (target instanceof Worker) {
        target.off('error', onError);
        target.off('exit', onExit);
      }
    };
    const on = (m: HostReply): void => {
      if (m.type === type) {
        done();
        resolve(m as Extract<HostReply, { type: T }>);
      } else if (m.type === 'error') {
        done();
        reject(hostError(m));
      }
    };
    const onError = (e: Error): void => {
      done();
      reject(e);
    };
    const onExit = (code: number): void => {
      done();
      reject(new Error(`the engine worker exited (code ${code}) before replying ${type}`));
    };
    target.on('message', on);
    if (target instanceof Worker) {
      target.on('error', onError);
      target.on('exit', onExit);
    }
  });
}

/** One portfolio host (main engine or shadows) as the live session drives it. */
export class EngineLink {
  /** Resolves with the host's failure (worker error, error reply, unexpected exit); never otherwise. */
  readonly failed: Promise<Error>;
  /** Called with each scanDone reply, in order. */
  onScanDone: ((m: ScanDoneReply, latencyMs: number) => void) | null = null;
  private failWith: (e: Error) => void = () => undefined;
  private readonly sentAt = new Map<number, number>();
  private readonly latency = new Float64Array(LATENCY_RING);
  private latencyCount = 0;
  private closed = false;
  /** stop() was sent: the host ends by itself after its reports (an exit is expected). */
  private ending = false;

  private constructor(
    readonly name: string,
    private readonly target: Worker | MessagePort,
    readonly ready: ReadyReply,
    private readonly task: Promise<unknown> | null,
  ) {
    this.failed = new Promise<Error>((r) => (this.failWith = r));
    target.on('message', (m: HostReply) => {
      if (m.type === 'scanDone') {
        const t0 = this.sentAt.get(m.seq);
        let ms = NaN;
        if (t0 !== undefined) {
          ms = performance.now() - t0;
          this.sentAt.delete(m.seq);
          this.latency[this.latencyCount++ % LATENCY_RING] = ms;
        }
        this.onScanDone?.(m, ms);
      } else if (m.type === 'error') this.failWith(hostError(m));
    });
    if (target instanceof Worker) {
      target.on('error', (e) => this.failWith(e));
      target.on('exit', (code) => {
        if (!this.closed && !this.ending) this.failWith(new Error(`the engine worker exited unexpectedly (code ${code})`));
      });
    }
  }

  /** Starts the main engine in its own worker thread; resolves once it has resumed from the journal. */
  static async worker(name: string, init: HostInit): Promise<EngineLink> {
    const worker = new Worker(engineWorkerFile());
    try {
      const ready = nextReply(worker, 'ready');
      worker.postMessage(init);
      return new EngineLink(name, worker, await ready, null);
    } catch (e) {
      await worker.terminate();
      throw e;
    }
  }

  /** Starts a long-lived pool task hosting portfolios (the shadows); resolves once it is ready. */
  static async pooled(name: string, pool: WorkerPool, init: HostInit): Promise<EngineLink> {
    const ch = new MessageChannel();
    const ready = nextReply(ch.port1, 'ready');
    const task = pool.run('shadowHost', { port: ch.port2, init }, [ch.port2]);
    const link = new EngineLink(name, ch.port1, await Promise.race([ready, task.then(() => Promise.reject(new Error(`${name} host ended before it was ready`)))]), task);
    task.catch((e: unknown) => link.failWith(e instanceof Error ? e : new Error(String(e))));
    return link;
  }

  /** Posts one accepted scan (with the factor records taking effect from it). */
  post(seq: number, scan: ScanRecord, factors: readonly FactorRecord[]): void {
    this.sentAt.set(seq, performance.now());
    this.target.postMessage({ type: 'scan', seq, scan, factors } satisfies HostMessage);
  }

  /** The main portfolio's live report as it stands (JSON); the run goes on. */
  async snapshot(extra: Record<string, unknown>): Promise<string> {
    const r = nextReply(this.target, 'snapshot');
    this.target.postMessage({ type: 'snapshot', extra } satisfies HostMessage);
    return (await r).report;
  }

  /** Ends the portfolios' runs; resolves with each portfolio's report JSON. */
  async stop(extra: Record<string, unknown>): Promise<string[]> {
    this.ending = true;
    const r = nextReply(this.target, 'reports');
    this.target.postMessage({ type: 'stop', extra } satisfies HostMessage);
    const reports = (await r).reports;
    await this.task;
    return reports;
  }

  /** Latencies (ms, scan posted -> reply) of the most recent `max` scans (at most LATENCY_RING). */
  latenciesMs(max = LATENCY_RING): number[] {
    const n = Math.min(this.latencyCount, LATENCY_RING, max);
    const out = new Array<number>(n);
    const start = this.latencyCount - n;
    for (let i = 0; i < n; i++) out[i] = this.latency[(start + i) % LATENCY_RING] as number;
    return out;
  }

  /** Terminates the worker (or closes the port of a pooled host). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.target instanceof Worker) await this.target.terminate();
    else this.target.close();
  }
}
