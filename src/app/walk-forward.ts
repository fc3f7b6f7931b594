/**
 * Walk-forward validation and overfitting statistics of a sweep: per fold every config runs on the
 * training days (volThreshold "auto" calibrated on those days only), the best by the ranking metric is
 * run on the following test days; the test runs are stitched into one out-of-sample curve. Every config
 * also runs over the whole range for the configs x hours return matrix (PBO by CSCV, deflated Sharpe).
 */
import { chooseVolThreshold, volThresholdKey, type VolThresholdChoice } from '../core/calibration.js';
import { withVolThreshold, type StrategyConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { DEFAULT_PARTITIONS, deflatedSharpe, periodCount, periodSharpe, probabilityOfBacktestOverfitting, returnMoments, HOUR_NS } from '../core/overfitting/index.js';
import { planFolds, type Fold, type FoldOptions } from '../core/walk-forward-folds.js';
import { computeMetrics, type Metrics, type RunSeries } from '../report/metrics.js';
import type { Trade } from '../core/trade.js';
import type { WorkerPool } from '../workers/pool.js';
import type { SweepItem } from '../workers/sweep.task.js';
import { runSegment, sliceStore, type SegmentItem, type SegmentResult } from '../workers/walk-forward.task.js';
import type { ReplayData } from './replay-input.js';
import type { FoldCandidate, FoldResult, OverfittingSummary, WalkForwardResult, WalkForwardSummary } from '../report/walk-forward-model.js';

export type { FoldCandidate, FoldResult, OverfittingSummary, WalkForwardResult, WalkForwardSummary };

/** Options of runWalkForward. */
export interface WalkForwardOptions {
  readonly replay: ReplayData;
  readonly items: readonly SweepItem[];
  readonly overrides: ReadonlyMap<string, Record<string, unknown>>;
  readonly rank: keyof Metrics;
  /** Folds; omit for the overfitting statistics alone. */
  readonly folds?: FoldOptions;
  /** CSCV partitions S (default 16). */
  readonly partitions?: number;
  readonly pool?: WorkerPool;
  readonly onProgress?: (done: number, total: number) => void;
}

const STITCH_POINTS = 2000;

/** The metric a config is ranked by (null when missing or not finite). */
export function rankValue(m: Metrics | null, rank: keyof Metrics): number | null {
  const v = m?.[rank];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Best candidate by `rank` (highest; nulls last; ties by key ascending); null when none ran. */
export function bestCandidate<T extends { key: string; metrics: Metrics | null }>(cands: readonly T[], rank: keyof Metrics): T | null {
  let best: T | null = null;
  for (const c of cands) {
    if (c.metrics === null) continue;
    if (best === null) {
      best = c;
      continue;
    }
    const a = rankValue(c.metrics, rank);
    const b = rankValue(best.metrics, rank);
    if ((a !== null && (b === null || a > b)) || (a === b && c.key < best.key)) best = c;
  }
  return best;
}

/**
 * volThreshold of a config on a fold: "auto" is calibrated on the fold's training scans only (a store
 * holding nothing else), with calibrationDays = the fold's training day count; a number stays.
 */
export function foldCalibration(replay: ReplayData, fold: Fold, config: StrategyConfig): VolThresholdChoice {
  const train = sliceStore(replay.store, fold.trainFrom, fold.trainTo);
  return chooseVolThreshold(train, { ...config, calibrationDays: fold.trainDays.length });
}

const dailyReturn = (m: Metrics | null): number | null => (m && m.roi !== null && m.days > 0 && m.roi > -1 ? Math.pow(1 + m.roi, 1 / m.days) - 1 : null);

/** Runs segments on the pool (one task each) or on this thread. */
async function runSegments(replay: ReplayData, items: readonly SegmentItem[], pool: WorkerPool | undefined, tick: () => void): Promise<Map<number, SegmentResult>> {
  const out = new Map<number, SegmentResult>();
  if (!pool) {
    for (const it of items) {
      out.set(it.id, await runSegment(replay.store, replay.factors, it));
      tick();
    }
    return out;
  }
  const columns = replay.store.columns();
  await Promise.all(
    items.map((it) =>
      pool.run<SegmentResult[]>('walkForwardSegments', { columns, factors: replay.factors, items: [it] }).then((rs) => {
        for (const r of rs) out.set(r.id, r);
        tick();
      }),
    ),
  );
  return out;
}

/** Runs the walk-forward (when folds are given) and the overfitting statistics of a sweep's configs. */
export async function runWalkForward(o: WalkForwardOptions): Promise<WalkForwardResult> {
  const { replay, items } = o;
  const store = replay.store;
  if (store.n === 0) throw new ConfigError(['walk-forward: the data has no scans']);
  const folds = o.folds ? planFolds(store.day.subarray(0, store.n), o.folds) : [];
  const isoOf = (d: number): string => new Date(d * 86_400_000).toISOString().slice(0, 10);
  const overridesOf = (key: string): Record<string, unknown> => o.overrides.get(key) ?? {};

  // Wave 1: every fold x config on its training days, and every config over the whole range.
  const segs: SegmentItem[] = [];
  const trainMeta: Array<{ fold: number; key: string; choice: VolThresholdChoice | { error: string } }> = [];
  for (const fold of folds) {
    const memo = new Map<string, VolThresholdChoice | { error: string }>();
    for (const item of items) {
      const k = volThresholdKey(item.config);
      let choice = memo.get(k);
      if (!choice) {
        try {
          choice = foldCalibration(replay, fold, item.config);
        } catch (e) {
          choice = { error: (e as Error).message };
        }
        memo.set(k, choice);
      }
      const id = trainMeta.length;
      trainMeta.push({ fold: fold.index, key: item.key, choice });
      if (!('error' in choice)) segs.push({ id, config: withVolThreshold(item.config, choice.volThreshold), from: fold.trainFrom, to: fold.trainTo, inSampleDays: fold.trainDays });
    }
  }
  const hourFrom = (store.ts[0] / HOUR_NS) * HOUR_NS;
  const hours = periodCount(hourFrom, store.ts[store.n - 1]);
  const fullBase = trainMeta.length;
  const fullMeta = items.map((item) => {
    try {
      return { key: item.key, choice: chooseVolThreshold(store, item.config) as VolThresholdChoice | { error: string } };
    } catch (e) {
      return { key: item.key, choice: { error: (e as Error).message } };
    }
  });
  fullMeta.forEach((m, i) => {
    if (!('error' in m.choice)) segs.push({ id: fullBase + i, config: withVolThreshold(items[i].config, m.choice.volThreshold), from: 0, to: store.n, inSampleDays: m.choice.days, periods: { from: String(hourFrom), count: hours } });
  });
  const total = segs.length + folds.length;
  let done = 0;
  const tick = (): void => o.onProgress?.(++done, total);
  o.onProgress?.(0, total);
  const wave1 = await runSegments(replay, segs, o.pool, tick);

  // Choose per fold, then wave 2: the chosen config on the fold's test days.
  const chosen = folds.map((fold) => {
    const cands: FoldCandidate[] = trainMeta
      .map((m, id) => ({ m, id }))
      .filter(({ m }) => m.fold === fold.index)
      .map(({ m, id }) => ({
        key: m.key,
        volThreshold: 'error' in m.choice ? null : m.choice.volThreshold,
        metrics: wave1.get(id)?.metrics ?? null,
        error: 'error' in m.choice ? m.choice.error : null,
      }));
    return { fold, cands, best: bestCandidate(cands, o.rank) };
  });
  const testSegs: SegmentItem[] = [];
  chosen.forEach(({ fold, best }, i) => {
    const item = best ? items.find((it) => it.key === best.key) : undefined;
    if (item && best && best.volThreshold !== null) {
      testSegs.push({ id: 1_000_000 + i, config: withVolThreshold(item.config, best.volThreshold), from: fold.testFrom, to: fold.testTo, inSampleDays: [], keepSeries: true });
    } else tick();
  });
  const wave2 = await runSegments(replay, testSegs, o.pool, tick);

  const foldResults: FoldResult[] = chosen.map(({ fold, cands, best }, i) => {
    const oos = wave2.get(1_000_000 + i)?.metrics ?? null;
    return {
      index: fold.index,
      trainDays: fold.trainDays.map(isoOf),
      testDays: fold.testDays.map(isoOf),
      chosenKey: best?.key ?? null,
      chosenOverrides: best ? overridesOf(best.key) : null,
      volThreshold: best?.volThreshold ?? null,
      inSample: best?.metrics ?? null,
      outOfSample: oos,
      isDailyReturn: dailyReturn(best?.metrics ?? null),
      oosDailyReturn: dailyReturn(oos),
      candidates: cands,
    };
  });
  const walkForward = o.folds ? summarizeWalkForward(o.folds.mode, String(o.rank), foldResults, folds.map((_, i) => wave2.get(1_000_000 + i)), items[0]?.config.initialCapital ?? 0) : null;
  const overfitting = summarizeOverfitting(items.map((it) => it.key), overridesOf, fullMeta, (i) => wave1.get(fullBase + i), hours, o.partitions ?? DEFAULT_PARTITIONS);
  return { walkForward, overfitting };
}

/** Stitches the test runs (each compounding on the previous one's end) and computes their metrics. */
function summarizeWalkForward(mode: FoldOptions['mode'], rank: string, folds: FoldResult[], tests: ReadonlyArray<SegmentResult | undefined>, initialCapital: number): WalkForwardSummary {
  const parts = tests.filter((t): t is SegmentResult & { series: NonNullable<SegmentResult['series']> } => t?.series !== undefined);
  let stitched: Metrics | null = null;
  let curve = { ts: [] as string[], equity: [] as number[] };
  if (parts.length > 0) {
    const n = parts.reduce((a, p) => a + p.series.ts.length, 0);
    const ts = new BigInt64Array(n);
    const equity = new Float64Array(n);
    const openPositions = new Int32Array(n);
    const acbCut = new Float64Array(n);
    const trades: Trade[] = [];
    let scale = 1;
    let at = 0;
    for (const p of parts) {
      const s = p.series;
      ts.set(s.ts, at);
      openPositions.set(s.openPositions, at);
      acbCut.set(s.acbCut, at);
      for (let i = 0; i < s.equity.length; i++) equity[at + i] = s.equity[i] * scale;
      trades.push(...s.trades);
      at += s.ts.length;
      if (s.equity.length > 0) scale *= s.equity[s.equity.length - 1] / initialCapital;
    }
    const series: RunSeries = { initialCapital, ts, equity, openPositions, acbCut, trades, inSampleDays: new Set() };
    stitched = computeMetrics(series);
    const step = Math.max(1, Math.ceil(n / STITCH_POINTS));
    for (let i = 0; i < n; i += step) {
      curve.ts.push(String(ts[i]));
      curve.equity.push(equity[i]);
    }
    if ((n - 1) % step !== 0) {
      curve.ts.push(String(ts[n - 1]));
      curve.equity.push(equity[n - 1]);
    }
  } else curve = { ts: [], equity: [] };
  const is = folds.map((f) => f.isDailyReturn).filter((x): x is number => x !== null);
  const oos = folds.map((f) => f.oosDailyReturn).filter((x): x is number => x !== null);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  // a ratio to an in-sample loss means nothing: no efficiency then
  const efficiency = is.length > 0 && oos.length > 0 && mean(is) > 0 ? mean(oos) / mean(is) : null;
  return { mode, rank, folds, stitched, stitchedCurve: curve, efficiency };
}

/** PBO over the configs x hours matrix of full-range runs, and the deflated Sharpe of the best hourly Sharpe. */
function summarizeOverfitting(
  keys: readonly string[],
  overridesOf: (key: string) => Record<string, unknown>,
  meta: ReadonlyArray<{ key: string; choice: VolThresholdChoice | { error: string } }>,
  result: (i: number) => SegmentResult | undefined,
  hours: number,
  partitions: number,
): OverfittingSummary {
  const notes: string[] = [];
  const rows: Float64Array[] = [];
  const rowKeys: string[] = [];
  const fullRange = keys.map((key, i) => {
    const r = result(i);
    const choice = meta[i].choice;
    let hourlySharpe: number | null = null;
    if (r?.periodReturns) {
      rows.push(r.periodReturns);
      rowKeys.push(key);
      const m = returnMoments(r.periodReturns);
      const sr = periodSharpe(m.mean, m.std);
      hourlySharpe = Number.isFinite(sr) ? sr : null;
    }
    return { key, overrides: overridesOf(key), volThreshold: 'error' in choice ? null : choice.volThreshold, metrics: r?.metrics ?? null, hourlySharpe, error: 'error' in choice ? choice.error : null };
  });
  let pbo: OverfittingSummary['pbo'] = null;
  let logits: number[] = [];
  try {
    const p = probabilityOfBacktestOverfitting(rows, partitions);
    const { splits, ...rest } = p;
    pbo = rest;
    logits = splits.map((s) => s.logit);
  } catch (e) {
    notes.push(`PBO not computed: ${e instanceof ConfigError ? e.problems.join('; ') : (e as Error).message}`);
  }
  let dsr: OverfittingSummary['dsr'] = null;
  const sharpes = rows.map((r) => {
    const m = returnMoments(r);
    return periodSharpe(m.mean, m.std);
  });
  let best = -1;
  sharpes.forEach((s, i) => {
    if (Number.isFinite(s) && (best < 0 || s > sharpes[best])) best = i;
  });
  if (best >= 0 && sharpes.every((s) => Number.isFinite(s))) {
    dsr = { ...deflatedSharpe(rows[best], sharpes), key: rowKeys[best], overrides: overridesOf(rowKeys[best]) };
  } else notes.push('deflated Sharpe not computed: some config has no hourly return variance or no run');
  return { configs: rows.length, hours, partitions, pbo, logits, dsr, notes, fullRange };
}
