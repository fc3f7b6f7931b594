/** volThreshold "auto": the p60 of btcVol over the first calibration days (STRATEGY.md 4). */
import type { StrategyConfig } from './config.js';
import { CalibrationError } from './errors.js';
import { FeatureCalc } from './features.js';
import { dayToIso } from './scan.js';
import type { ScanStore } from './scan-store.js';

/** Result of a calibration: the threshold, its sample size and the in-sample days. */
export interface Calibration {
  readonly volThreshold: number;
  readonly sampleSize: number;
  /** UTC day numbers of the calibration days, ascending. */
  readonly days: readonly number[];
}

/**
 * Computes the volatility threshold from the store (btcVol from `btcVol` when computed ahead for this
 * config's volWindow/volAsset: the same values); throws CalibrationError on an empty sample.
 */
export function calibrateVolThreshold(store: ScanStore, config: StrategyConfig, btcVol?: Float64Array): Calibration {
  const features = new FeatureCalc(store, config);
  if (btcVol) features.useBtcVolColumn(btcVol);
  const days: number[] = [];
  let end = 0;
  for (; end < store.n; end++) {
    const d = store.day[end];
    if (days.length === 0 || days[days.length - 1] !== d) {
      if (days.length === config.calibrationDays) break;
      days.push(d);
    }
  }
  const values = new Float64Array(end);
  let count = 0;
  for (let t = 0; t < end; t++) {
    const v = features.btcVol(t);
    if (Number.isFinite(v)) values[count++] = v;
  }
  // A typed array sorts numerically in native code, several times faster than sort((a, b) => a - b) on
  // a plain array; the order is the same: the values are finite and never -0 (square roots of sums of squares).
  const sample = values.subarray(0, count).sort();
  if (sample.length === 0) {
    const which = days.length ? days.map(dayToIso).join(', ') : 'no days';
    throw new CalibrationError(
      `volThreshold "auto" found no finite btcVol (${config.volAsset}, window ${config.volWindow}) on the calibration days (${which}); ` +
        `check that ${config.volAsset} has valid prices, or set a numeric volThreshold (--set volThreshold=0.0001)`,
    );
  }
  const n = sample.length;
  const k = 3 * (n - 1);
  const lo = Math.floor(k / 5);
  const f = (k % 5) / 5;
  const volThreshold = f === 0 ? sample[lo] : sample[lo] + (sample[lo + 1] - sample[lo]) * f;
  return { volThreshold, sampleSize: n, days };
}

/** The volThreshold a run uses and where it came from. */
export interface VolThresholdChoice {
  /** config: the number in the config; auto: calibrated from the store's first calibration days. */
  readonly mode: 'auto' | 'config';
  readonly volThreshold: number;
  /** btcVol values calibrated on (null for config). */
  readonly sampleSize: number | null;
  /** UTC day numbers calibrated on, ascending (empty for config). */
  readonly days: readonly number[];
}

/**
 * The one place `volThreshold: "auto"` is decided (backtest, sweep, calibrate): the config's number, or
 * the calibration of the store. Throws CalibrationError when "auto" finds no sample.
 */
export function chooseVolThreshold(store: ScanStore, config: StrategyConfig, btcVol?: Float64Array): VolThresholdChoice {
  if (config.volThreshold !== 'auto') return { mode: 'config', volThreshold: config.volThreshold, sampleSize: null, days: [] };
  const c = calibrateVolThreshold(store, config, btcVol);
  return { mode: 'auto', volThreshold: c.volThreshold, sampleSize: c.sampleSize, days: c.days };
}

/** Configs with the same key get the same chooseVolThreshold on the same store (the fields it reads). */
export function volThresholdKey(config: StrategyConfig): string {
  return config.volThreshold === 'auto' ? `auto|${config.volWindow}|${config.volAsset}|${config.calibrationDays}` : `config|${config.volThreshold}`;
}
