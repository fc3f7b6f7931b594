/**
 * Engine loop bench: Engine.onScan(t) for every scan of a month already in memory (ScanStore columns),
 * on one core: the per-scan strategy work (ACB cut, exits, entry gates, alignment/beta ranking, fills,
 * recorder), with features computed lazily (serial backtest) and from precomputed columns (pool
 * backtest and sweeps). Loading and calibration happen before the timed region.
 *
 *   node dist/bench/engine-loop.bench.js [--quick] [--json]
 */
import { calibrateVolThreshold } from '../src/core/calibration.js';
import { DEFAULT_CONFIG, withVolThreshold, type EngineConfig } from '../src/core/config.js';
import { Engine } from '../src/core/engine.js';
import { btcVolRange, marketReturnsOf } from '../src/core/features.js';
import { PaperExecutor } from '../src/core/paper-executor.js';
import { Recorder } from '../src/core/recorder.js';
import type { ScanStore } from '../src/core/scan-store.js';
import type { FactorRecord } from '../src/core/trade.js';
import { decodeSerial, loadReplay } from '../src/feeds/replay/load-replay.js';
import { dailySubset, MONTH_DAYS } from './support/datasets.js';
import { atLeast, bestOf, standalone, type BenchOptions, type CaseResult } from './support/result.js';

/** Target of the issue: scans/s on one core. */
export const ENGINE_TARGET = 2_000_000;

/** One full engine run over the store; returns the engine (trades checked by the caller). */
function runOnce(store: ScanStore, cfg: EngineConfig, factors: readonly FactorRecord[], cols: { market: Float64Array; btcVol: Float64Array } | null): Engine {
  const engine = new Engine(store, cfg, new PaperExecutor(cfg), factors, new Recorder(store.n));
  if (cols) {
    engine.features.useMarketColumn(cols.market);
    engine.features.useBtcVolColumn(cols.btcVol);
  }
  const n = store.n;
  for (let t = 0; t < n; t++) engine.onScan(t);
  engine.finish();
  return engine;
}

/** Runs the case. */
export async function runEngineLoopBench(o: BenchOptions): Promise<CaseResult> {
  const days = o.quick ? 3 : MONTH_DAYS;
  const rounds = o.quick ? 3 : 5;
  o.log(`engine-loop: loading ${days} days...`);
  const dir = dailySubset(days, o.log);
  const replay = await loadReplay(dir, { decode: decodeSerial });
  const { store, factors } = replay;
  const n = store.n;
  const cal = calibrateVolThreshold(store, DEFAULT_CONFIG);
  const cfg = withVolThreshold(DEFAULT_CONFIG, cal.volThreshold);
  const market = new Float64Array(n);
  const btcVol = new Float64Array(n);

  // Warm-up (JIT) on the same data, then timed rounds; every round must give the same trades.
  const ref = runOnce(store, cfg, factors, null);
  const trades = ref.recorder.trades.length;
  const finalEquity = ref.equity();
  const same = (e: Engine): void => {
    if (e.recorder.trades.length !== trades || e.equity() !== finalEquity) throw new Error('engine-loop: rounds disagree');
  };
  o.log(`engine-loop: ${n.toLocaleString('en-US')} scans, ${trades} trades; timing ${rounds} rounds per variant`);
  const lazy = await bestOf(rounds, () => runOnce(store, cfg, factors, null), same);
  const feat = await bestOf(rounds, () => {
    marketReturnsOf(store, 0, n, market);
    btcVolRange(store, cfg, 0, n, btcVol);
    return n;
  });
  const cols = { market, btcVol };
  runOnce(store, cfg, factors, cols);
  const pre = await bestOf(rounds, () => runOnce(store, cfg, factors, cols), same);

  const rate = (s: number): number => n / s;
  return {
    case: 'engine-loop',
    measures: 'Engine.onScan over in-memory ScanStore columns, one core (new Engine + onScan x n + finish)',
    setup: `${days} generated days x 50 assets (${n.toLocaleString('en-US')} scans) loaded from daily Arrow files before timing; DEFAULT_CONFIG, volThreshold calibrated (${cal.volThreshold.toPrecision(4)}); best of ${rounds}`,
    figures: [
      { name: 'engine, lazy features', value: rate(lazy.seconds), unit: 'scans/s', cores: 1, note: `(${(lazy.seconds * 1000).toFixed(0)} ms; serial backtest path)` },
      { name: 'feature pass m[t] + btcVol[t]', value: rate(feat.seconds), unit: 'scans/s', cores: 1, note: `(${(feat.seconds * 1000).toFixed(0)} ms; what pool workers precompute)` },
      { name: 'engine, precomputed columns', value: rate(pre.seconds), unit: 'scans/s', cores: 1, note: `(${(pre.seconds * 1000).toFixed(0)} ms; pool backtest and sweep path)` },
    ],
    targets: [atLeast('engine loop, one core (lazy features: all per-scan work)', rate(lazy.seconds), ENGINE_TARGET, 'scans/s')],
    details: { days, scans: n, trades, rounds, secondsLazy: lazy.all, secondsFeatures: feat.all, secondsPrecomputed: pre.all },
  };
}

await standalone(import.meta.url, runEngineLoopBench);
