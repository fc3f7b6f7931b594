/** The result shape every bench case returns, target checks, and the text table they print as. */
import { machineInfo, machineLine, type MachineInfo } from './machine.js';

/** Options every case accepts. */
export interface BenchOptions {
  /** Smaller data and fewer rounds (a smoke run, not comparable with the targets). */
  readonly quick: boolean;
  /** Progress lines (setup, variants); results are returned, not logged. */
  readonly log: (message: string) => void;
}

/** One measured figure. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  /** e.g. "scans/s", "files/s", "ops/s", "MB", "ms". */
  readonly unit: string;
  /** Threads doing the work (per core = value / cores); omitted when it is not a rate. */
  readonly cores?: number;
  readonly note?: string;
}

/** A figure compared with the issue's target. */
export interface TargetCheck {
  readonly name: string;
  readonly actual: number;
  readonly goal: number;
  readonly unit: string;
  readonly op: '>=' | '<';
  readonly pass: boolean;
  /** actual / goal for '>=', goal / actual for '<': >= 1 passes. */
  readonly ratio: number;
}

/** What a case returns (and what --json prints). */
export interface CaseResult {
  readonly case: string;
  /** The hot path measured, in one sentence. */
  readonly measures: string;
  /** The data and how it was prepared (outside the timed region). */
  readonly setup: string;
  readonly figures: readonly Figure[];
  readonly targets: readonly TargetCheck[];
  /** Set when the case could not run here (e.g. no Java for the live case). */
  readonly skipped?: string;
  readonly details?: Record<string, unknown>;
  /** Wall time of the whole case, setup included. */
  readonly seconds?: number;
}

/** target: actual >= goal. */
export function atLeast(name: string, actual: number, goal: number, unit: string): TargetCheck {
  return { name, actual, goal, unit, op: '>=', pass: actual >= goal, ratio: actual / goal };
}

/** target: actual < goal. */
export function below(name: string, actual: number, goal: number, unit: string): TargetCheck {
  return { name, actual, goal, unit, op: '<', pass: actual < goal, ratio: goal / actual };
}

/** Formats a number for tables: thousands separators, 3 significant digits below 100. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return Math.round(v).toLocaleString('en-US');
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

/** "PASS x1.23" / "MISS x0.45". */
export function verdict(t: TargetCheck): string {
  return `${t.pass ? 'PASS' : 'MISS'} x${t.ratio.toFixed(2)}`;
}

/** Text lines of a case: what it measures, its figures (with per-core rates) and its targets. */
export function caseLines(r: CaseResult): string[] {
  const out = [`== ${r.case}: ${r.measures}`, `   setup: ${r.setup}`];
  if (r.skipped) return [...out, `   SKIPPED: ${r.skipped}`];
  const w = Math.max(20, ...r.figures.map((f) => f.name.length));
  for (const f of r.figures) {
    const perCore = f.cores && f.cores > 1 ? `  (${fmt(f.value / f.cores)} ${f.unit} per core, ${f.cores} threads)` : f.cores === 1 ? '  (one core)' : '';
    out.push(`   ${f.name.padEnd(w)} ${fmt(f.value).padStart(12)} ${f.unit}${perCore}${f.note ? `  ${f.note}` : ''}`);
  }
  for (const t of r.targets) out.push(`   target ${t.name}: ${fmt(t.actual)} ${t.op} ${fmt(t.goal)} ${t.unit} -> ${verdict(t)}`);
  return out;
}

/** Runs a case as its own script: `node dist/bench/<case>.bench.js [--quick] [--json]`. */
export async function standalone(moduleUrl: string, run: (o: BenchOptions) => Promise<CaseResult>): Promise<void> {
  if (!process.argv[1] || moduleUrl !== new URL(`file://${process.argv[1]}`).href) return;
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const m: MachineInfo = machineInfo();
  const log = (s: string): void => void (json ? process.stderr : process.stdout).write(`${s}\n`);
  if (!json) log(machineLine(m));
  const t0 = performance.now();
  const r = await run({ quick: args.includes('--quick'), log });
  const result = { ...r, seconds: r.seconds ?? (performance.now() - t0) / 1000 };
  if (json) console.log(JSON.stringify({ machine: m, cases: [result] }, null, 2));
  else for (const l of caseLines(result)) log(l);
}

/** Median of a sample (sorted copy). */
export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** Quantile with linear interpolation (q in [0, 1]). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const k = (s.length - 1) * q;
  const lo = Math.floor(k);
  const hi = Math.ceil(k);
  return s[lo] + (s[hi] - s[lo]) * (k - lo);
}

/** Best (shortest) of `rounds` timed calls of `fn`, in seconds; `fn` returns a value that is checked. */
export async function bestOf<T>(rounds: number, fn: () => T | Promise<T>, check?: (v: T) => void): Promise<{ seconds: number; all: number[]; last: T }> {
  const all: number[] = [];
  let last!: T;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    last = await fn();
    all.push((performance.now() - t0) / 1000);
    check?.(last);
  }
  return { seconds: Math.min(...all), all, last };
}
