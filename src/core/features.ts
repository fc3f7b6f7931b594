/**
 * Derived values of STRATEGY.md 2, computed lazily from the scan store with the contract's
 * arithmetic (window recomputation, left-to-right sums, two-pass moments) so any chunking is bit-identical.
 */
import type { StrategyConfig } from './config.js';
import { velocityIndex } from './scan.js';
import type { ScanStore } from './scan-store.js';

/** Lazily computed, memoized features over a growing ScanStore. */
export class FeatureCalc {
  private readonly store: ScanStore;
  private readonly volWindow: number;
  private readonly alignWindow: number;
  private readonly velSource: StrategyConfig['velDivSource'];
  private readonly velA: number;
  private readonly velB: number;
  private volAssetId = -1;
  private readonly volAsset: string;
  private market: Float64Array = new Float64Array(0);
  private marketDone: Uint8Array = new Uint8Array(0);
  private btcVolColumn: Float64Array = new Float64Array(0);
  private readonly win: Float64Array;
  private readonly winM: Float64Array;
  private readonly ab = new Float64Array(2);
  /** m[k] - mean(m) over the prepared market window, and that window's population variance. */
  private readonly devM: Float64Array;
  private varM = NaN;
  /** alignmentBetaAll's buffers: returns of the window (row k at k * stride) and per-symbol sums; grown with the universe. */
  private rowWin: Float64Array = new Float64Array(0);
  private sumI: Float64Array = new Float64Array(0);

  constructor(store: ScanStore, config: StrategyConfig) {
    this.store = store;
    this.volWindow = config.volWindow;
    this.alignWindow = config.alignWindow;
    this.velSource = config.velDivSource;
    this.velA = velocityIndex(config.velDivPair[0]);
    this.velB = velocityIndex(config.velDivPair[1]);
    this.volAsset = config.volAsset;
    this.win = new Float64Array(Math.max(config.volWindow, config.alignWindow));
    this.winM = new Float64Array(config.alignWindow);
    this.devM = new Float64Array(config.alignWindow);
  }

  /** vel_div[t] per velDivSource; NaN when not finite. */
  velDiv(t: number): number {
    const s = this.store;
    const r = t - s.base;
    const col = s.velDiv[r];
    if (this.velSource === 'column') return Number.isFinite(col) ? col : NaN;
    if (this.velSource === 'auto' && Number.isFinite(col)) return col;
    const d = s.features[this.velA][r] - s.features[this.velB][r];
    return Number.isFinite(d) ? d : NaN;
  }

  /** Simple return r[id][t]; NaN when either price is invalid or t = 0. */
  ret(id: number, t: number): number {
    return assetReturn(this.store, id, t);
  }

  /** Market return m[t] (marketReturnAt), memoized. */
  marketReturn(t: number): number {
    if (t >= this.marketDone.length) this.growMemo();
    if (this.marketDone[t] === 1) return this.market[t];
    const m = marketReturnAt(this.store, t);
    this.market[t] = m;
    this.marketDone[t] = 1;
    return m;
  }

  /** btcVol[t]: population std of r[volAsset] over the last volWindow scans; NaN unless all are finite. */
  btcVol(t: number): number {
    if (t < this.btcVolColumn.length) return this.btcVolColumn[t];
    const n = this.volWindow;
    if (t - n + 1 < 1) return NaN;
    if (this.volAssetId < 0) this.volAssetId = this.store.idOf(this.volAsset);
    const id = this.volAssetId;
    if (id < 0) return NaN;
    const w = this.win;
    for (let k = 0; k < n; k++) {
      const r = this.ret(id, t - n + 1 + k);
      if (!Number.isFinite(r)) return NaN;
      w[k] = r;
    }
    return windowStd(w, 0, n);
  }

  /**
   * Fills the market-return window ending at t into an internal buffer; false when any m is not finite.
   * Call before alignmentBeta for the same t. The market's mean, deviations and variance are the same
   * for every asset at t, so they are computed here once (the same sums, in the same order).
   */
  prepareMarketWindow(t: number): boolean {
    const n = this.alignWindow;
    if (t - n + 1 < 1) return false;
    const wm = this.winM;
    let sumM = 0;
    for (let k = 0; k < n; k++) {
      const m = this.marketReturn(t - n + 1 + k);
      if (!Number.isFinite(m)) return false;
      wm[k] = m;
      sumM += m;
    }
    const meanM = sumM / n;
    const dm = this.devM;
    let smm = 0;
    for (let k = 0; k < n; k++) {
      const d = wm[k] - meanM;
      dm[k] = d;
      smm += d * d;
    }
    this.varM = smm / n;
    return true;
  }

  /**
   * alignment[id][t] and beta[id][t] into out[0], out[1] (NaN when undefined). Requires a successful
   * prepareMarketWindow(t), which holds the market side of the two-pass moments (STRATEGY.md 2).
   */
  alignmentBeta(id: number, t: number, out: Float64Array): void {
    out[0] = NaN;
    out[1] = NaN;
    const varM = this.varM;
    if (varM === 0) return;
    const n = this.alignWindow;
    const w = this.win;
    const dm = this.devM;
    const s = this.store;
    const prices = s.prices;
    const stride = s.stride;
    // Row of scan t - n + 1, at this asset's column: r[id][t'] = p[t'] / p[t' - 1] - 1 (assetReturn).
    let at = (t - n + 1 - s.base) * stride + id;
    let sumI = 0;
    for (let k = 0; k < n; k++, at += stride) {
      const r = prices[at] / prices[at - stride] - 1;
      if (!Number.isFinite(r)) return;
      w[k] = r;
      sumI += r;
    }
    const meanI = sumI / n;
    let sii = 0;
    let sim = 0;
    for (let k = 0; k < n; k++) {
      const di = w[k] - meanI;
      sii += di * di;
      sim += di * dm[k];
    }
    const varI = sii / n;
    const cov = sim / n;
    if (varI === 0) return;
    out[0] = cov / Math.sqrt(varI * varM);
    out[1] = cov / varM;
  }

  /**
   * alignment[id][t] and beta[id][t] of every symbol id into align[id], beta[id] (NaN when undefined),
   * the same values alignmentBeta gives one by one. Requires a successful prepareMarketWindow(t).
   *
   * Why a second form: the entry gate evaluates every asset of a candidate scan, the engine's most
   * expensive step. Reading the window row by row over all symbols (contiguous prices) and keeping each
   * symbol's sums in time order gives the bits of alignmentBeta while the symbols' independent sums run
   * side by side; with the market's moments computed once in prepareMarketWindow, a candidate scan costs
   * about 2.5x less than one symbol at a time with the market recomputed per symbol. A symbol whose sum
   * is not finite (a missing price in its window, or an overflow) is recomputed by alignmentBeta itself.
   */
  alignmentBetaAll(t: number, align: Float64Array, beta: Float64Array): void {
    const s = this.store;
    const S = s.stride;
    const ids = s.symbols.length;
    const n = this.alignWindow;
    const varM = this.varM;
    if (varM === 0) {
      align.fill(NaN, 0, ids);
      beta.fill(NaN, 0, ids);
      return;
    }
    if (this.sumI.length < ids || this.rowWin.length < n * S) this.growRowBuffers(ids, n * S);
    const prices = s.prices;
    const win = this.rowWin;
    const sumI = this.sumI;
    sumI.fill(0, 0, ids);
    // Pass 1, row by row: r[id][t'] = p[t'] / p[t' - 1] - 1 (assetReturn) and each symbol's sum in time order.
    let at = (t - n + 1 - s.base) * S;
    for (let k = 0; k < n; k++, at += S) {
      const o = k * S;
      for (let id = 0; id < ids; id++) {
        const r = prices[at + id] / prices[at - S + id] - 1;
        win[o + id] = r;
        sumI[id] += r;
      }
    }
    // Pass 2, symbol by symbol: deviation products in time order, then the two ratios.
    const dm = this.devM;
    for (let id = 0; id < ids; id++) {
      const meanI = sumI[id] / n;
      if (!Number.isFinite(meanI)) {
        // A missing price in the window (or an overflow): alignmentBeta decides, exactly as one by one.
        this.alignmentBeta(id, t, this.ab);
        align[id] = this.ab[0];
        beta[id] = this.ab[1];
        continue;
      }
      let sii = 0;
      let sim = 0;
      for (let k = 0, o = id; k < n; k++, o += S) {
        const di = win[o] - meanI;
        sii += di * di;
        sim += di * dm[k];
      }
      const varI = sii / n;
      const cov = sim / n;
      align[id] = varI === 0 ? NaN : cov / Math.sqrt(varI * varM);
      beta[id] = varI === 0 ? NaN : cov / varM;
    }
  }

  /**
   * Uses precomputed m[t] for t < column.length (marketReturnsOf, in workers or the day cache);
   * values are identical to the lazy ones by construction.
   */
  useMarketColumn(column: Float64Array): void {
    this.market = column;
    this.marketDone = new Uint8Array(column.length).fill(1);
  }

  /** Uses precomputed btcVol[t] for t < column.length (config volWindow/volAsset must match). */
  useBtcVolColumn(column: Float64Array): void {
    this.btcVolColumn = column;
  }

  private growRowBuffers(ids: number, cells: number): void {
    this.rowWin = new Float64Array(Math.max(cells, this.rowWin.length));
    this.sumI = new Float64Array(Math.max(ids, this.sumI.length));
  }

  private growMemo(): void {
    const cap = Math.max(1024, this.store.n * 2, this.marketDone.length * 2);
    const m = new Float64Array(cap);
    m.set(this.market);
    const d = new Uint8Array(cap);
    d.set(this.marketDone);
    this.market = m;
    this.marketDone = d;
  }
}


/**
 * Fills out[k] = btcVol[from + k] for t in [from, to); each value reads its own window (overlap before
 * `from`). The volatility asset's returns are computed once for the range, then every window is summed
 * from them exactly as FeatureCalc.btcVol does (same values).
 */
export function btcVolRange(store: ScanStore, config: StrategyConfig, from: number, to: number, out: Float64Array): void {
  const n = config.volWindow;
  const id = store.idOf(config.volAsset);
  const lo = Math.max(1, from - n + 1);
  const r = new Float64Array(Math.max(0, to - lo));
  if (id >= 0) for (let t = lo; t < to; t++) r[t - lo] = assetReturn(store, id, t);
  let t = from;
  for (; t < to && (id < 0 || t - n + 1 < 1); t++) out[t - from] = NaN;
  for (; t + 3 < to; t += 4) windowStd4(r, t - n + 1 - lo, n, out, t - from);
  for (; t < to; t++) out[t - from] = windowStd(r, t - n + 1 - lo, n);
}

/**
 * out[o + i] = windowStd(a, from + i, n) for i = 0..3. Why: one window's sums are a chain of dependent
 * additions; four windows side by side keep the CPU busy (the range about 1.9x faster). Each window is still summed
 * in its own order, so the values are the same bits; a window whose sum is not finite (a missing value
 * or an overflow) is left to windowStd.
 */
function windowStd4(a: Float64Array, from: number, n: number, out: Float64Array, o: number): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let k = from; k < from + n; k++) {
    s0 += a[k];
    s1 += a[k + 1];
    s2 += a[k + 2];
    s3 += a[k + 3];
  }
  const m0 = s0 / n;
  const m1 = s1 / n;
  const m2 = s2 / n;
  const m3 = s3 / n;
  let q0 = 0;
  let q1 = 0;
  let q2 = 0;
  let q3 = 0;
  for (let k = from; k < from + n; k++) {
    const d0 = a[k] - m0;
    const d1 = a[k + 1] - m1;
    const d2 = a[k + 2] - m2;
    const d3 = a[k + 3] - m3;
    q0 += d0 * d0;
    q1 += d1 * d1;
    q2 += d2 * d2;
    q3 += d3 * d3;
  }
  out[o] = Number.isFinite(s0) ? Math.sqrt(q0 / n) : windowStd(a, from, n);
  out[o + 1] = Number.isFinite(s1) ? Math.sqrt(q1 / n) : windowStd(a, from + 1, n);
  out[o + 2] = Number.isFinite(s2) ? Math.sqrt(q2 / n) : windowStd(a, from + 2, n);
  out[o + 3] = Number.isFinite(s3) ? Math.sqrt(q3 / n) : windowStd(a, from + 3, n);
}

/** Simple return of asset id at t: p[t] / p[t - 1] - 1; NaN when either price is invalid or t = 0. */
export function assetReturn(s: ScanStore, id: number, t: number): number {
  if (t < 1) return NaN;
  const row = (t - s.base) * s.stride;
  return s.prices[row + id] / s.prices[row - s.stride + id] - 1;
}

/** Population std of a[from, from + n): left-to-right mean, then squared deviations; NaN when any value is not finite. */
function windowStd(a: Float64Array, from: number, n: number): number {
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const x = a[from + k];
    if (!Number.isFinite(x)) return NaN;
    sum += x;
  }
  const mean = sum / n;
  let ss = 0;
  for (let k = 0; k < n; k++) {
    const d = a[from + k] - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / n);
}

/**
 * Market return m[t]: mean of the finite r[i][t] in ascending symbol order; NaN if fewer than half of
 * the scan's assets have one (or t = 0). It reads prices only: no config, and the same value in any store
 * holding rows t - 1 and t with the same symbols.
 */
export function marketReturnAt(s: ScanStore, t: number): number {
  const order = s.order;
  let sum = 0;
  let count = 0;
  if (t >= 1) {
    const row = (t - s.base) * s.stride;
    const prev = row - s.stride;
    for (let k = 0; k < order.length; k++) {
      const id = order[k];
      const r = s.prices[row + id] / s.prices[prev + id] - 1;
      if (r === r && r !== Infinity && r !== -Infinity) {
        sum += r;
        count++;
      }
    }
  }
  return count === 0 || count * 2 < s.nAssets[t - s.base] ? NaN : sum / count;
}

/** out[t - from] = m[t] for t in [from, to) (config-free: the day cache stores this column). */
export function marketReturnsOf(store: ScanStore, from: number, to: number, out: Float64Array): void {
  for (let t = from; t < to; t++) out[t - from] = marketReturnAt(store, t);
}
