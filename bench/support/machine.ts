/** Machine info printed and recorded with every bench figure (numbers only compare on the same machine). */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem, platform, release } from 'node:os';

/** What a figure was measured on. */
export interface MachineInfo {
  readonly node: string;
  readonly v8: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memGiB: number;
  readonly os: string;
  readonly git: string;
  readonly date: string;
  /** 1-minute load average when collected: above the core count, other processes share the CPU and rates drop. */
  readonly load1: number;
}

/** Collects the machine info (git commit marked "+dirty" when the tree has changes). */
export function machineInfo(): MachineInfo {
  let git = 'unknown';
  try {
    git = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dirty) git += '+dirty';
  } catch {
    // not a git checkout
  }
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()}`,
    git,
    date: new Date().toISOString(),
    load1: Math.round(loadavg()[0] * 100) / 100,
  };
}

/** One line: node, CPU, cores, memory, OS, commit. */
export function machineLine(m: MachineInfo): string {
  return `node ${m.node} (V8 ${m.v8}) | ${m.cpu} | ${m.cores} cores | ${m.memGiB} GiB | ${m.os} | commit ${m.git} | load ${m.load1}`;
}

/** Current 1-minute load average (recorded per case: a busy machine explains low figures). */
export function load1(): number {
  return Math.round(loadavg()[0] * 100) / 100;
}

/**
 * Effective parallel cores: the same busy loop on 1 thread, then on `cores` threads at once;
 * cores x t1 / tN. A VM or cgroup that exposes 2 CPUs but grants one core's time gives ~1.0, and
 * then no 1 -> 2 worker scaling is possible on this machine.
 */
export async function parallelCapacity(cores = availableParallelism(), iterations = 1e8): Promise<{ effectiveCores: number; oneThreadMs: number; allThreadsMs: number }> {
  const { Worker } = await import('node:worker_threads');
  const code = `let s = 0; for (let i = 0; i < ${iterations}; i++) s += i * 0.5; require('node:worker_threads').parentPort.postMessage(s);`;
  const run = async (n: number): Promise<number> => {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: n }, () => new Promise((r) => new Worker(code, { eval: true }).once('message', r))));
    return performance.now() - t0;
  };
  const oneThreadMs = await run(1);
  const allThreadsMs = await run(cores);
  return { effectiveCores: Math.round(((cores * oneThreadMs) / allThreadsMs) * 100) / 100, oneThreadMs, allThreadsMs };
}
