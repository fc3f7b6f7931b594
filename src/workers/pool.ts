/** The process's piscina pool: sized by --workers, created on first use, destroyed at exit. */
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { TransferListItem } from 'node:worker_threads';

/** Path of the compiled worker entry (tests run from src/*.ts, workers always from dist/). */
export function workerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return join(dirname(here), '..', '..', 'dist', 'src', 'workers', 'worker.js');
  return join(dirname(here), 'worker.js');
}

/** Default worker count: the machine's cores. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** Node flag turning off require() of ES modules (Node >= 20.19 turns it on by default). */
const NO_REQUIRE_ESM = '--no-experimental-require-module';

/**
 * Worker threads' Node flags: the parent's, plus no require(esm). Why: piscina loads the entry with
 * require() first and falls back to import(); a worker terminated (pool.destroy(), process exit) while
 * require() is instantiating our ES module graph aborts the whole process with
 * `FATAL ERROR: v8::Module::IsGraphAsync` (exit 134), losing the real error. That happened in about 15 %
 * of the runs failing while the pool started. With require(esm) off, require() fails at once and the
 * entry loads through import(), whose termination is safe.
 */
export function workerExecArgv(): string[] {
  const flags = process.execArgv.filter((f) => f !== '--experimental-require-module');
  return process.allowedNodeEnvironmentFlags.has(NO_REQUIRE_ESM) ? [...flags, NO_REQUIRE_ESM] : flags;
}

/** A fixed-size pool of worker threads running src/workers/worker.ts tasks. */
export class WorkerPool {
  readonly size: number;
  private readonly piscina: Piscina;

  constructor(size = defaultWorkers()) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`--workers must be an integer >= 1, was ${size}`);
    this.size = size;
    this.piscina = new Piscina({ filename: workerEntry(), minThreads: size, maxThreads: size, idleTimeout: 60_000, execArgv: workerExecArgv() });
  }

  /** Runs the named task of the worker entry. */
  run<T>(name: 'decodeFiles' | 'featureRange' | 'readColumns' | 'sweepConfigs' | 'walkForwardSegments' | 'shadowHost', task: unknown, transferList?: readonly TransferListItem[]): Promise<T> {
    return this.piscina.run(task, { name, transferList: transferList as never }) as Promise<T>;
  }

  async destroy(): Promise<void> {
    await this.piscina.destroy();
  }
}
