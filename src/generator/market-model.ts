/** Regime-switching multi-factor crypto market: BTC-led market factor, sector factors, idiosyncratic noise. */

import { Rng } from './rng.js';
import { SECTORS, type AssetSpec } from './universe.js';

/** Market regimes of the Markov chain. */
export const Regime = { Calm: 0, Trending: 1, Stressed: 2 } as const;
/** A regime id: 0 calm, 1 trending, 2 stressed. */
export type Regime = (typeof Regime)[keyof typeof Regime];

/** Per-regime parameters, indexed by Regime. Volatilities are per 5-second step (log returns). */
const BTC_SIGMA = [0.0003, 0.00042, 0.0006];
/** Multiplier on every alt's beta: correlations rise in stress. */
const LOAD_SCALE = [0.75, 0.95, 1.3];
/** Base idiosyncratic sigma of an alt (times its volMult). */
const IDIO_SIGMA = [0.0004, 0.00045, 0.0005];
const SECTOR_SIGMA = [0.00022, 0.00028, 0.00035];
/**
 * Trading activity is bursty: a two-state chain (quiet / active) scales every return of the step.
 * Quiet steps barely move; active bursts (BTC-led, mean length 1 / (1 - ACTIVE_STAY) steps) carry most
 * of the variance, as in real 5-second data, which keeps the w50 eigenvalue velocity near 0 except when
 * bursts enter or leave the window. ACTIVE_ON is the quiet -> active probability per regime.
 */
const ACTIVE_ON = [0.04, 0.055, 0.08];
const ACTIVE_STAY = 0.6;
/** Sigma multiplier of quiet steps; active steps get the multiplier that makes the mix variance 1. */
const QUIET_MULT = 0.12;
/** Per-step probability of starting a sharp down move (cascade). */
const CASCADE_P = [1 / 12000, 1 / 8000, 1 / 2500];

/** Regime duration bounds in minutes. */
const MIN_REGIME_MIN = 30;
const MAX_REGIME_MIN = 180;

/**
 * The price process. `step(out)` advances one scan and writes each asset's log return; `prices`
 * holds the current (true, always valid) prices. Deterministic for a given seed and schedule.
 */
export class MarketModel {
  readonly n: number;
  /** Current prices, aligned with the specs. */
  readonly prices: Float64Array;
  /** Current regime. */
  regime: Regime = Regime.Calm;
  private readonly timeScale: number;
  private readonly rng: Rng;
  private readonly beta: Float64Array;
  private readonly idio: Float64Array;
  private readonly sectorOf: Int32Array;
  private readonly sectorRet: Float64Array;
  private readonly stepsPerMinute: number;
  private readonly isStressStep: (step: number) => boolean;
  private regimeLeft = 0;
  private trendDrift = 0;
  private logVol = 0;
  private active = false;
  private cascadeLeft = 0;
  private cascadeDrift = 0;
  private cascadeLen = 0;
  private reboundLeft = 0;
  private reboundDrift = 0;
  private stepIndex = 0;

  /**
   * @param specs assets (the first one is the volatility leader, BTC)
   * @param seed random seed
   * @param cadenceMs scan spacing in ms (vols are per 5 s and rescaled by sqrt(cadence / 5 s))
   * @param isStressStep whether step k falls on a stress day (stressed regime more likely)
   */
  constructor(specs: readonly AssetSpec[], seed: number, cadenceMs: number, isStressStep: (step: number) => boolean) {
    const n = specs.length;
    this.n = n;
    this.rng = new Rng(seed, 1);
    this.prices = new Float64Array(n);
    this.beta = new Float64Array(n);
    this.idio = new Float64Array(n);
    this.sectorOf = new Int32Array(n);
    this.sectorRet = new Float64Array(SECTORS.length);
    this.stepsPerMinute = 60_000 / cadenceMs;
    this.isStressStep = isStressStep;
    this.timeScale = Math.sqrt(cadenceMs / 5000);
    for (let i = 0; i < n; i++) {
      const s = specs[i];
      // Small deterministic dispersion so runs with different seeds start at different prices.
      this.prices[i] = s.startPrice * Math.exp(0.03 * (this.rng.uniform() - 0.5));
      this.beta[i] = i === 0 ? 1 : s.beta * (0.93 + 0.14 * this.rng.uniform());
      this.idio[i] = s.volMult;
      this.sectorOf[i] = SECTORS.indexOf(s.sector);
    }
    this.enterRegime(Regime.Calm);
  }

  private enterRegime(r: Regime): void {
    this.regime = r;
    const minutes = this.rng.range(MIN_REGIME_MIN, MAX_REGIME_MIN);
    this.regimeLeft = Math.max(1, Math.round(minutes * this.stepsPerMinute));
    // Trending episodes drift either way by ~0.2-0.8 % per hour; stressed ones lean down a little.
    const perStep = 1 / (60 * this.stepsPerMinute);
    if (r === Regime.Trending) this.trendDrift = (this.rng.uniform() < 0.5 ? -1 : 1) * this.rng.range(0.002, 0.008) * perStep;
    else if (r === Regime.Stressed) this.trendDrift = -this.rng.range(0.0, 0.004) * perStep;
    else this.trendDrift = this.rng.range(0, 0.004) * perStep; // calm markets grind up, offsetting the stress drift
  }

  private nextRegime(): Regime {
    const stress = this.isStressStep(this.stepIndex);
    const u = this.rng.uniform();
    // Transition rows: calm / trending / stressed. Stress days favour the stressed regime.
    const pStress = stress ? 0.65 : 0.25;
    if (this.regime === Regime.Stressed) return u < (stress ? 0.35 : 0.1) ? Regime.Stressed : u < 0.6 ? Regime.Trending : Regime.Calm;
    if (u < pStress) return Regime.Stressed;
    return this.regime === Regime.Calm ? Regime.Trending : u < 0.7 ? Regime.Calm : Regime.Trending;
  }

  /**
   * Advances one scan; writes the log return of each asset into `out[0..n-1]` and updates prices.
   * `extraDrift` is added to the market factor's drift (the planted edge; 0 leaves the path unchanged).
   */
  step(out: Float64Array, extraDrift = 0): void {
    const rng = this.rng;
    const r = this.regime;
    const ts = this.timeScale;
    if (--this.regimeLeft <= 0) this.enterRegime(this.nextRegime());
    this.stepIndex++;

    // Stochastic volatility (log AR(1), stationary sd ~0.25) shared by the whole market.
    this.logVol = 0.997 * this.logVol + 0.0195 * rng.normal();
    const vol = Math.exp(this.logVol);

    // Sharp down moves: 2-6 minutes of strong BTC-led selling, 0.6-2 % for BTC, then a partial rebound
    // (70 % of it over the next 20-60 minutes).
    let drift = this.trendDrift;
    let boost = 1;
    if (this.cascadeLeft > 0) {
      this.cascadeLeft--;
      drift += this.cascadeDrift;
      boost = 1.6;
      if (this.cascadeLeft === 0) {
        this.reboundLeft = Math.round(rng.range(20, 60) * this.stepsPerMinute);
        this.reboundDrift = (-0.7 * this.cascadeDrift * this.cascadeLen) / this.reboundLeft;
      }
    } else if (rng.uniform() < CASCADE_P[r]) {
      this.cascadeLeft = this.cascadeLen = rng.int(24, 72);
      this.cascadeDrift = -rng.range(0.006, 0.02) / this.cascadeLeft;
    } else if (this.reboundLeft > 0) {
      this.reboundLeft--;
      drift += this.reboundDrift;
    }
    if (extraDrift !== 0) drift += extraDrift;

    // Activity state; during a cascade the market stays active.
    const on = ACTIVE_ON[r];
    this.active = this.cascadeLeft > 0 || rng.uniform() < (this.active ? ACTIVE_STAY : on);
    const pa = on / (on + 1 - ACTIVE_STAY);
    const act = this.active ? Math.sqrt((1 - (1 - pa) * QUIET_MULT * QUIET_MULT) / pa) : QUIET_MULT;
    const m = BTC_SIGMA[r] * vol * boost * ts * act * rng.normal() + drift;

    const sec = this.sectorRet;
    for (let s = 0; s < sec.length; s++) sec[s] = SECTOR_SIGMA[r] * vol * ts * act * rng.normal();

    const load = LOAD_SCALE[r] * (this.cascadeLeft > 0 ? 1.2 : 1);
    const idioSigma = IDIO_SIGMA[r] * Math.sqrt(vol) * ts * act;
    const n = this.n;
    for (let i = 0; i < n; i++) {
      const e = rng.normal();
      const x = i === 0 ? m + 0.1 * idioSigma * e : this.beta[i] * load * m + sec[this.sectorOf[i]] + idioSigma * this.idio[i] * e;
      out[i] = x;
      this.prices[i] *= Math.exp(x);
    }
  }
}
