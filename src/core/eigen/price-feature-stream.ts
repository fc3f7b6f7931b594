/** Scan features from prices: log returns of consecutive scans through the EigenScanner, plus vel_div. */

import { FEATURE_COUNT, FEATURE_KINDS, WINDOWS, isValidPrice } from '../scan.js';
import { EigenScanner } from './eigen-scanner.js';

/** Slots of the `w50` and `w750` velocity columns: vel_div = slot 0 velocity - slot 3 velocity. */
const V_FIRST = 1;
const V_LAST = 3 * FEATURE_KINDS.length + 1;

/**
 * The feature stage of a scanner that sees prices, not returns (`dolphin scan`, `dolphin rescan`, a
 * restart restoring its windows): one push per scan with the prices of a fixed universe.
 *
 * - The first push only records prices: its features are NaN (no return yet).
 * - Return of symbol i at a later push: `log(p / last)` where `p` is valid and `last` is the symbol's
 *   last valid price; 0 when `p` is invalid (stale, delisted, absent) or the symbol has had no valid
 *   price yet. A symbol that comes back after a gap contributes its whole move at once.
 * - Features: the {@link EigenScanner} over those returns (a window needs 10 returns first), in
 *   FEATURE_NAMES order; `windows` fills the four column slots `w50, w150, w300, w750` in that order
 *   (other lengths than the schema's are allowed: the columns keep their names).
 * - `vel_div` = velocity of slot 0 - velocity of slot 3 (`w50_velocity - w750_velocity` by default).
 *
 * The state after a sequence of pushes depends only on that sequence, so replaying the scans a session
 * wrote gives that session's features bit for bit. Allocation-free per push.
 */
export class PriceFeatureStream {
  /** The universe, in the order prices are pushed. */
  readonly symbols: readonly string[];
  /** Window lengths of the four column slots. */
  readonly windows: readonly number[];
  private readonly index: ReadonlyMap<string, number>;
  private readonly scanner: EigenScanner;
  private readonly last: Float64Array;
  private readonly ret: Float64Array;
  private pushesSoFar = 0;

  constructor(symbols: readonly string[], windows: readonly number[] = WINDOWS) {
    this.symbols = Object.freeze([...symbols]);
    this.windows = Object.freeze([...windows]);
    this.index = new Map(symbols.map((s, i) => [s, i]));
    const n = symbols.length;
    this.scanner = new EigenScanner(n, windows);
    this.last = new Float64Array(n).fill(NaN);
    this.ret = new Float64Array(n);
  }

  /** Scans pushed so far. */
  get pushes(): number {
    return this.pushesSoFar;
  }

  /** Column of `symbol` in the universe, or -1. */
  indexOf(symbol: string): number {
    return this.index.get(symbol) ?? -1;
  }

  /**
   * Aligns a scan's prices with the universe into `out` (NaN where the scan does not list a symbol).
   * Returns false when the scan lists a symbol outside the universe (another universe: start a new stream).
   */
  align(assets: readonly string[], prices: Float64Array, out: Float64Array): boolean {
    out.fill(NaN);
    for (let k = 0; k < assets.length; k++) {
      const i = this.index.get(assets[k]);
      if (i === undefined) return false;
      out[i] = prices[k];
    }
    return true;
  }

  /**
   * Pushes one scan's prices (aligned with `symbols`), writes the FEATURE_COUNT features into `out` and
   * returns vel_div (NaN until both velocity windows are defined).
   */
  push(prices: Float64Array, out: Float64Array): number {
    const n = this.symbols.length;
    const last = this.last;
    const ret = this.ret;
    for (let i = 0; i < n; i++) {
      const p = prices[i];
      if (isValidPrice(p)) {
        const prev = last[i];
        ret[i] = prev === prev ? Math.log(p / prev) : 0;
        last[i] = p;
      } else {
        ret[i] = 0;
      }
    }
    if (this.pushesSoFar++ === 0) {
      out.fill(NaN, 0, FEATURE_COUNT);
      return NaN;
    }
    this.scanner.push(ret, 0, out);
    return out[V_FIRST] - out[V_LAST];
  }
}
