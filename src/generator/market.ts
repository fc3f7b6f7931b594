/** Synthetic scanner output: deterministic ScanRecords of a regime-switching market at a fixed cadence. */

import { ConfigError } from '../core/errors.js';
import { FEATURE_COUNT, SCHEMA_VERSION, velocityIndex, type ScanRecord } from '../core/scan.js';
import { EigenScanner } from '../core/eigen/eigen-scanner.js';
import { firstDay, generateFactors, isStressDay, type DailyFactors } from './factors.js';
import { MarketModel } from './market-model.js';
import { edgeProblem, PlantedEdge } from './planted-edge.js';
import { Rng } from './rng.js';
import { universe } from './universe.js';

/** Options of a generated run. Same options, same records, bit for bit. */
export interface MarketOptions {
  /** Random seed (any finite number; its low 32 bits are used). */
  readonly seed: number;
  /** Number of UTC days to generate, from startDay 00:00:00Z. */
  readonly days: number;
  /** Asset count, a prefix of the universe starting with BTCUSDT (default 50, at most 60). */
  readonly assets?: number;
  /** First day, YYYY-MM-DD (UTC). */
  readonly startDay: string;
  /** Scan spacing in ms (default 5000). */
  readonly cadenceMs?: number;
  /**
   * Strength X in [0, 1] of the planted edge (see planted-edge.ts): after vel_div <= -0.02 the market
   * moves by -X * 0.2 % * sqrt(cadence / 1 min) on the next scan (up as much after vel_div >= +0.02). Default 0: the market of earlier versions, bit for bit.
   */
  readonly edge?: number;
  /** Scanner imperfections to inject (all off by default); none changes the market path. */
  readonly imperfections?: {
    /** scan_number resets to 1 once (day 2 at 06:00 UTC, or mid-run for a 1-day run). */
    readonly restart?: boolean;
    /** 10 minutes of scans are missing once (at 37 % of the run). */
    readonly gap?: boolean;
    /** 6 scans spread over the run lose one asset: 3 with a NaN price, 3 with the asset absent. */
    readonly missingPrice?: boolean;
  };
}

/** Resolved options and the positions of the injected imperfections (scan indices on the full grid). */
export interface MarketPlan {
  readonly seed: number;
  readonly days: number;
  readonly assets: number;
  readonly startDay: string;
  readonly cadenceMs: number;
  /** Planted edge strength X in [0, 1]. */
  readonly edge: number;
  /** Grid size: days * 86400000 / cadenceMs (emitted scans = total - gap length). */
  readonly total: number;
  /** Grid index where scan_number restarts at 1, or -1. */
  readonly restartAt: number;
  /** Grid indices [gapStart, gapEnd) that are not emitted; -1/-1 when no gap. */
  readonly gapStart: number;
  readonly gapEnd: number;
  /** Grid index -> asset index: NaN price (kind 'nan') or asset absent ('absent'). */
  readonly missing: ReadonlyArray<{ readonly index: number; readonly asset: number; readonly kind: 'nan' | 'absent' }>;
}

const JITTER_STREAM = 2;
const DAY_MS = 86_400_000;

/** Validates the options and computes where the imperfections go. Throws ConfigError listing every problem. */
export function planMarket(o: MarketOptions): MarketPlan {
  firstDay(o);
  const cadenceMs = o.cadenceMs ?? 5000;
  const assets = o.assets ?? 50;
  const edge = o.edge ?? 0;
  const problems: string[] = [];
  const edgeWrong = edgeProblem(edge);
  if (edgeWrong) problems.push(edgeWrong);
  if (!Number.isInteger(cadenceMs) || cadenceMs < 100 || DAY_MS % cadenceMs !== 0) {
    problems.push(`cadenceMs must be an integer >= 100 dividing one day, was ${cadenceMs}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  universe(assets);
  const total = (o.days * DAY_MS) / cadenceMs;
  const im = o.imperfections ?? {};
  const perDay = DAY_MS / cadenceMs;
  const restartAt = im.restart ? (o.days >= 2 ? perDay + Math.round(perDay / 4) : Math.floor(total / 2)) : -1;
  const gapLen = Math.ceil(600_000 / cadenceMs);
  const gapStart = im.gap ? Math.floor(total * 0.37) : -1;
  const gapEnd = im.gap ? Math.min(total, gapStart + gapLen) : -1;
  const missing: Array<{ index: number; asset: number; kind: 'nan' | 'absent' }> = [];
  if (im.missingPrice) {
    for (let k = 1; k <= 6; k++) {
      let index = Math.floor((total * k) / 7) + 17;
      if (index >= gapStart && index < gapEnd) index = gapEnd + 3;
      missing.push({ index, asset: (k * 11) % assets, kind: k % 2 === 1 ? 'nan' : 'absent' });
    }
  }
  return { seed: o.seed, days: o.days, assets, startDay: o.startDay, cadenceMs, edge, total, restartAt, gapStart, gapEnd, missing };
}

/**
 * Generates the scans of a synthetic run in time order.
 *
 * The market ({@link MarketModel}) is a regime-switching (calm / trending / stressed, 30-180 min each)
 * BTC-led factor model with sector factors, idiosyncratic noise, stochastic volatility and occasional
 * sharp down moves; stress days of {@link generateFactors} favour the stressed regime. Features come
 * from the project's eigen kernels over the true log returns (the scanner always saw every price):
 * features are NaN until a window holds 10 returns; `velDiv = w50_velocity - w750_velocity`.
 *
 * Timestamps: startDay 00:00:00Z + k * cadence + a deterministic jitter of 0-4 ms (nanoseconds,
 * bigint); `timestampIso` is the millisecond ISO string. The gap imperfection skips grid slots (the
 * market and the features keep running through it); the restart imperfection only resets
 * `scanNumber`. Assets are always listed in universe order (minus an absent one).
 *
 * With `edge` X > 0 a relation is planted ({@link PlantedEdge}): after a scan with vel_div <= -0.02 the
 * market factor moves by -X * 0.2 % * sqrt(cadence / 1 min) on the next scan, after vel_div >= +0.02 up as much.
 */
export function* generateScans(o: MarketOptions): Generator<ScanRecord> {
  const plan = planMarket(o);
  const specs = universe(plan.assets);
  const n = specs.length;
  const startMs = firstDay(o) * DAY_MS;
  const perDay = DAY_MS / plan.cadenceMs;
  const model = new MarketModel(specs, plan.seed, plan.cadenceMs, (step) => isStressDay(Math.floor(step / perDay)));
  const scanner = new EigenScanner(n);
  const jitter = new Rng(plan.seed, JITTER_STREAM);
  const symbols: readonly string[] = Object.freeze(specs.map((s) => s.symbol));
  const ret = new Float64Array(n);
  const feats = new Float64Array(FEATURE_COUNT).fill(NaN);
  const v50 = velocityIndex(50);
  const v750 = velocityIndex(750);
  const missing = new Map(plan.missing.map((m) => [m.index, m]));
  const edge = new PlantedEdge(plan.edge, plan.cadenceMs);
  let scanNumber = 0;

  for (let k = 0; k < plan.total; k++) {
    if (k > 0) {
      model.step(ret, edge.drift());
      scanner.push(ret, 0, feats);
    }
    edge.observe(feats[v50] - feats[v750]);
    const jitterNs = Math.floor(jitter.uniform() * 4_000_000);
    if (k >= plan.gapStart && k < plan.gapEnd) continue;
    scanNumber = k === plan.restartAt ? 1 : scanNumber + 1;
    const ms = startMs + k * plan.cadenceMs;
    let assets = symbols;
    let prices = Float64Array.from(model.prices);
    const miss = missing.get(k);
    if (miss !== undefined) {
      if (miss.kind === 'nan') {
        prices[miss.asset] = NaN;
      } else {
        assets = symbols.filter((_, i) => i !== miss.asset);
        prices = Float64Array.from(prices.filter((_, i) => i !== miss.asset));
      }
    }
    yield {
      scanNumber,
      timestampNs: BigInt(ms) * 1_000_000n + BigInt(jitterNs),
      timestampIso: new Date(ms + Math.floor(jitterNs / 1e6)).toISOString(),
      schemaVersion: SCHEMA_VERSION,
      features: Float64Array.from(feats),
      velDiv: feats[v50] - feats[v750],
      assets,
      prices,
    };
  }
}

export { generateFactors, type DailyFactors };
