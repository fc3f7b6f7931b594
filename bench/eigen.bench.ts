/**
 * Eigen kernels bench (benchmark.js): lambda_max via topEigen (warm-started Lanczos, as the scanner
 * runs it, and cold) and the full spectrum via symmetricEigen, against mathjs eigs, on 50x50
 * correlation matrices of a rolling 50-return window. Matrices are built before timing.
 *
 *   node dist/bench/eigen.bench.js [--quick] [--json]
 */
import Benchmark from 'benchmark';
import { eigs } from 'mathjs';
import { RollingCorrelation } from '../src/core/eigen/rolling-correlation.js';
import { createSymmetricEigenWorkspace, symmetricEigen } from '../src/core/eigen/symmetric-eigen.js';
import { createTopEigenWorkspace, topEigen } from '../src/core/eigen/top-eigen.js';
import { Rng } from '../src/generator/rng.js';
import { atLeast, standalone, type BenchOptions, type CaseResult, type Figure } from './support/result.js';

/** Target of the issue: lambda_max ops/s over mathjs eigs ops/s. */
export const EIGEN_RATIO_TARGET = 1000;
const N = 50;
const WINDOW = 50;
/** Consecutive matrices cycled through (consecutive scans: the warm start sees a one-return change). */
const MATRICES = 256;

/** Rolling correlation matrices of a one-factor market with sector-like noise (deterministic). */
function matrices(): Float64Array[] {
  const rng = new Rng(42);
  const roll = new RollingCorrelation(N, WINDOW, 4096);
  const row = new Float64Array(N);
  const scratch = new Float64Array(N);
  const beta = Float64Array.from({ length: N }, (_, i) => 0.5 + (i % 7) * 0.1);
  const out: Float64Array[] = [];
  for (let t = 0; out.length < MATRICES; t++) {
    const m = rng.normal();
    const s = rng.normal();
    for (let i = 0; i < N; i++) row[i] = 1e-3 * (beta[i] * m + (i % 5 === 0 ? 0.4 * s : 0) + rng.normal());
    roll.push(row, 0);
    if (roll.count < WINDOW) continue;
    const c = new Float64Array(N * N);
    roll.correlation(c, scratch);
    out.push(c);
  }
  return out;
}

/** Runs the case. */
export async function runEigenBench(o: BenchOptions): Promise<CaseResult> {
  const mats = matrices();
  const nested = mats.map((m) => Array.from({ length: N }, (_, i) => Array.from(m.subarray(i * N, (i + 1) * N))));
  const top = createTopEigenWorkspace(N);
  const prevU = new Float64Array(N);
  const prevU2 = new Float64Array(N);
  const full = createSymmetricEigenWorkspace(N);
  const scanOptions = { tol: 1e-8, tol2: 1e-4 };
  const maxOnlyOptions = { tol: 1e-8, lambda2: false };
  const prevV = new Float64Array(N);
  let i = 0;
  let j = 0;
  let k = 0;
  let l = 0;
  let m = 0;
  let sink = 0;
  // Agreement check (outside timing): lambda_max of all three on the first matrix.
  topEigen(mats[0], top);
  symmetricEigen(mats[0], full, false);
  const mj = eigs(nested[0]).values as number[];
  const mjMax = Math.max(...mj);
  const agree = Math.max(Math.abs(top.lambdaMax - full.values[0]), Math.abs(top.lambdaMax - mjMax));
  if (!(agree < 1e-8)) throw new Error(`eigen: lambda_max disagree by ${agree}`);
  topEigen(mats[MATRICES - 1], top);
  prevU.set(top.vector);
  prevU2.set(top.vector2);
  prevV.set(top.vector);

  const maxTime = o.quick ? 0.5 : 3;
  const suite = new Benchmark.Suite('eigen');
  suite
    .add('topEigen lambda_max, warm (scanner: tol 1e-8, prev vectors)', () => {
      const a = mats[i++ & (MATRICES - 1)];
      topEigen(a, top, prevU, scanOptions, prevU2);
      prevU.set(top.vector);
      prevU2.set(top.vector2);
      sink += top.lambdaMax;
    }, { maxTime })
    .add('topEigen lambda_max only (lambda2: false), warm (tol 1e-8, prev vector; side by side, not a target)', () => {
      const a = mats[m++ & (MATRICES - 1)];
      topEigen(a, top, prevV, maxOnlyOptions);
      prevV.set(top.vector);
      sink += top.lambdaMax;
    }, { maxTime })
    .add('topEigen lambda_max, cold (tol 1e-11)', () => {
      topEigen(mats[j++ & (MATRICES - 1)], top);
      sink += top.lambdaMax;
    }, { maxTime })
    .add('symmetricEigen full spectrum + vectors', () => {
      symmetricEigen(mats[k++ & (MATRICES - 1)], full, true);
      sink += full.values[0];
    }, { maxTime })
    .add('symmetricEigen full spectrum, values only', () => {
      symmetricEigen(mats[k++ & (MATRICES - 1)], full, false);
      sink += full.values[0];
    }, { maxTime })
    .add('mathjs eigs (values + vectors)', () => {
      const r = eigs(nested[l++ & (MATRICES - 1)]);
      sink += (r.values as number[])[0];
    }, { maxTime });
  const figures: Figure[] = [];
  const hz = new Map<string, number>();
  await new Promise<void>((resolve, reject) => {
    suite.on('cycle', (e: Benchmark.Event) => {
      const b = e.target as unknown as Benchmark;
      if (b.error) reject(b.error);
      o.log(`eigen: ${String(b)}`);
      hz.set(b.name ?? '', b.hz ?? NaN);
      figures.push({ name: b.name ?? '', value: b.hz ?? NaN, unit: 'ops/s', cores: 1, note: `(+-${(b.stats?.rme ?? NaN).toFixed(1)} %, ${b.stats?.sample.length} samples)` });
    });
    suite.on('complete', () => resolve());
    suite.run({ async: true });
  });
  if (!Number.isFinite(sink)) throw new Error('eigen: non-finite result');
  const mathjs = hz.get('mathjs eigs (values + vectors)') ?? NaN;
  const warm = hz.get('topEigen lambda_max, warm (scanner: tol 1e-8, prev vectors)') ?? NaN;
  const cold = hz.get('topEigen lambda_max, cold (tol 1e-11)') ?? NaN;
  const fullV = hz.get('symmetricEigen full spectrum + vectors') ?? NaN;
  figures.push(
    { name: 'ratio topEigen warm / mathjs eigs', value: warm / mathjs, unit: 'x' },
    { name: 'ratio topEigen cold / mathjs eigs', value: cold / mathjs, unit: 'x' },
    { name: 'ratio symmetricEigen+vectors / mathjs eigs', value: fullV / mathjs, unit: 'x' },
  );
  return {
    case: 'eigen',
    measures: 'eigen kernels on one 50x50 correlation matrix per call, one core (benchmark.js)',
    setup: `${MATRICES} consecutive rolling correlation matrices (window ${WINDOW} returns, one-factor market), built before timing; lambda_max agrees to ${agree.toExponential(1)}; maxTime ${maxTime} s per variant`,
    figures,
    targets: [
      atLeast('lambda_max (topEigen warm, as the scanner runs it) / mathjs eigs', warm / mathjs, EIGEN_RATIO_TARGET, 'x'),
      atLeast('lambda_max (topEigen cold) / mathjs eigs', cold / mathjs, EIGEN_RATIO_TARGET, 'x'),
    ],
    details: { n: N, window: WINDOW, matrices: MATRICES, hz: Object.fromEntries(hz) },
  };
}

await standalone(import.meta.url, runEigenBench);
