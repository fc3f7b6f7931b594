/** The result of a walk-forward sweep and its overfitting statistics (walk-forward.json), as reports read it. */
import type { DeflatedSharpe, PboResult } from '../core/overfitting/index.js';
import type { WalkForwardMode } from '../core/walk-forward-folds.js';
import type { Metrics } from './metrics.js';

/** One config's in-sample run in a fold. */
export interface FoldCandidate {
  readonly key: string;
  readonly volThreshold: number | null;
  readonly metrics: Metrics | null;
  readonly error: string | null;
}

/** One fold's outcome. */
export interface FoldResult {
  readonly index: number;
  readonly trainDays: readonly string[];
  readonly testDays: readonly string[];
  /** volThreshold "auto" calibrated on the fold's training days, per calibration key. */
  readonly chosenKey: string | null;
  readonly chosenOverrides: Record<string, unknown> | null;
  readonly volThreshold: number | null;
  readonly inSample: Metrics | null;
  readonly outOfSample: Metrics | null;
  /** Per-day compounded return in sample and out of sample: (1 + roi)^(1 / days) - 1. */
  readonly isDailyReturn: number | null;
  readonly oosDailyReturn: number | null;
  readonly candidates: readonly FoldCandidate[];
}

/** The walk-forward part of the result. */
export interface WalkForwardSummary {
  readonly mode: WalkForwardMode;
  readonly rank: string;
  readonly folds: readonly FoldResult[];
  /** Metrics of the stitched out-of-sample equity (each test window compounds on the previous one). */
  readonly stitched: Metrics | null;
  /** Stitched equity, one point per test scan (timestamps as decimal ns strings), downsampled for pages. */
  readonly stitchedCurve: { readonly ts: string[]; readonly equity: number[] };
  /** Mean out-of-sample per-day return over mean in-sample per-day return of the chosen configs (null when the latter is <= 0). */
  readonly efficiency: number | null;
}

/** The overfitting part of the result. */
export interface OverfittingSummary {
  readonly configs: number;
  readonly hours: number;
  readonly partitions: number;
  readonly pbo: Omit<PboResult, 'splits'> | null;
  /** Logits of the splits (for the histogram). */
  readonly logits: readonly number[];
  readonly dsr: (DeflatedSharpe & { readonly key: string; readonly overrides: Record<string, unknown> }) | null;
  /** Why a statistic could not be computed. */
  readonly notes: readonly string[];
  /** Per config: key, full-range metrics and per-hour Sharpe. */
  readonly fullRange: ReadonlyArray<{ readonly key: string; readonly overrides: Record<string, unknown>; readonly volThreshold: number | null; readonly metrics: Metrics | null; readonly hourlySharpe: number | null; readonly error: string | null }>;
}

/** Result of runWalkForward (walk-forward.json). */
export interface WalkForwardResult {
  readonly walkForward: WalkForwardSummary | null;
  readonly overfitting: OverfittingSummary;
}

