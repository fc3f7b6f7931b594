/**
 * The trading engine: a state machine `onScan(t)` over the ScanStore implementing STRATEGY.md 3-6
 * (exits, entry gates, sizing, fills, ACB). Time comes from the scans only.
 */
import { FactorTimeline } from './acb.js';
import type { EngineConfig } from './config.js';
import { FeatureCalc } from './features.js';
import type { TradingPort } from './ports/trading.port.js';
import { Recorder } from './recorder.js';
import type { ScanStore } from './scan-store.js';
import type { ExitReason, FactorRecord, Trade } from './trade.js';

/** An open SHORT position, exposed read-only for state publishing. */
export interface PositionView {
  readonly asset: string;
  readonly qty: number;
  readonly entryPrice: number;
  readonly entryTs: bigint;
  readonly entryIndex: number;
  readonly mark: number;
  readonly entryFee: number;
}

/** Deterministic SHORT-only engine; one instance per portfolio. */
export class Engine {
  readonly store: ScanStore;
  readonly config: EngineConfig;
  readonly features: FeatureCalc;
  readonly factors: FactorTimeline;
  readonly recorder: Recorder;
  private readonly trading: TradingPort;
  /** Cash in USDT: initial capital, minus fees, plus realized price PnL. */
  cash: number;
  /** Open positions in entry order, struct-of-arrays sized maxOpenPositions. */
  private open = 0;
  private readonly posId: Int32Array;
  private readonly posQty: Float64Array;
  private readonly posEntry: Float64Array;
  private readonly posIndex: Int32Array;
  private readonly posMark: Float64Array;
  private readonly posFee: Float64Array;
  private readonly posCut: Float64Array;
  private held: Uint8Array;
  private excluded: Uint8Array = new Uint8Array(0);
  private excludedSynced = -1;
  /** alignment and beta of every symbol at a candidate scan (grown with the universe). */
  private align: Float64Array = new Float64Array(0);
  private beta: Float64Array = new Float64Array(0);
  /** Index of the last processed scan, -1 before the first. */
  lastIndex = -1;
  /** Cut in effect at the last processed scan. */
  lastCut = 0;

  constructor(store: ScanStore, config: EngineConfig, trading: TradingPort, factors: readonly FactorRecord[] = [], recorder = new Recorder()) {
    this.store = store;
    this.config = config;
    this.trading = trading;
    this.features = new FeatureCalc(store, config);
    this.factors = new FactorTimeline(factors, config.acbCuts);
    this.recorder = recorder;
    this.cash = config.initialCapital;
    const k = config.maxOpenPositions;
    this.posId = new Int32Array(k);
    this.posQty = new Float64Array(k);
    this.posEntry = new Float64Array(k);
    this.posIndex = new Int32Array(k);
    this.posMark = new Float64Array(k);
    this.posFee = new Float64Array(k);
    this.posCut = new Float64Array(k);
    this.held = new Uint8Array(64);
  }

  /** Number of open positions. */
  get openCount(): number {
    return this.open;
  }

  /** Equity = cash + unrealized PnL at the current marks. */
  equity(): number {
    let e = this.cash;
    for (let k = 0; k < this.open; k++) e += this.posQty[k] * (this.posEntry[k] - this.posMark[k]);
    return e;
  }

  /** Open positions, in entry order (control plane). */
  positions(): PositionView[] {
    const out: PositionView[] = [];
    for (let k = 0; k < this.open; k++) {
      out.push({
        asset: this.store.symbols[this.posId[k]],
        qty: this.posQty[k],
        entryPrice: this.posEntry[k],
        entryTs: this.store.ts[this.posIndex[k]],
        entryIndex: this.posIndex[k],
        mark: this.posMark[k],
        entryFee: this.posFee[k],
      });
    }
    return out;
  }

  /** Processes scan t (must be lastIndex + 1): exits, then at most one entry, then records equity. */
  onScan(t: number): void {
    if (t !== this.lastIndex + 1) throw new RangeError(`engine expects scan index ${this.lastIndex + 1}, got ${t}`);
    const s = this.store;
    const cut = this.factors.advanceAt(s.ts, s.n, t, s.day[t]);
    this.lastCut = cut;
    this.exits(t);
    this.entry(t, cut);
    this.lastIndex = t;
    this.recorder.sample(t, this.equity(), this.open, cut);
  }

  /** closeAtEnd: closes every open position at its mark with reason END at the last scan. */
  finish(): void {
    const t = this.lastIndex;
    if (t < 0 || !this.config.closeAtEnd) return;
    while (this.open > 0) this.close(0, t, this.posMark[0], 'END');
    this.recorder.sample(t, this.equity(), this.open, this.lastCut);
  }

  private exits(t: number): void {
    const s = this.store;
    const c = this.config;
    const row = (t - s.base) * s.stride;
    let k = 0;
    while (k < this.open) {
      const p = s.prices[row + this.posId[k]];
      if (!(p > 0 && p < Infinity)) {
        k++;
        continue;
      }
      this.posMark[k] = p;
      const adverse = (p - this.posEntry[k]) / this.posEntry[k];
      let reason: ExitReason | null = null;
      if (adverse >= c.liqStopPct) reason = 'LIQ_STOP';
      else if (c.stopLossPct !== null && adverse >= c.stopLossPct) reason = 'STOP';
      else if (-adverse >= c.takeProfitPct) reason = 'TP';
      else if (t - this.posIndex[k] >= c.maxHoldBars) reason = 'MAX_HOLD';
      if (reason === null) k++;
      else this.close(k, t, p, reason);
    }
  }

  private entry(t: number, cut: number): void {
    const s = this.store;
    const c = this.config;
    const f = this.features;
    const vd = f.velDiv(t);
    if (!(vd <= c.velDivThreshold)) return;
    if (s.barOfDay[t] < c.warmupBars) return;
    const vol = f.btcVol(t);
    if (!(Number.isFinite(vol) && vol > c.volThreshold)) return;
    if (!(cut < 1) || this.open >= c.maxOpenPositions) return;
    if (!f.prepareMarketWindow(t)) return;
    this.syncExcluded();
    const order = s.order;
    const row = (t - s.base) * s.stride;
    if (this.align.length < s.symbols.length) {
      this.align = new Float64Array(s.stride);
      this.beta = new Float64Array(s.stride);
    }
    const align = this.align;
    const beta = this.beta;
    f.alignmentBetaAll(t, align, beta);
    let best = -1;
    let bestBeta = -Infinity;
    for (let k = 0; k < order.length; k++) {
      const id = order[k];
      const p = s.prices[row + id];
      if (!(p > 0 && p < Infinity) || this.held[id] === 1 || this.excluded[id] === 1) continue;
      if (!(align[id] >= c.minAlignment)) continue;
      // Ascending symbol order + strict '>' = ties go to the smallest symbol.
      if (beta[id] > bestBeta) {
        bestBeta = beta[id];
        best = id;
      }
    }
    if (best < 0) return;
    const equity = this.equity();
    let openNotional = 0;
    for (let k = 0; k < this.open; k++) openNotional += this.posQty[k] * this.posMark[k];
    const target = (equity * c.leverage * (1 - cut)) / c.maxOpenPositions;
    const room = equity * c.maxLeverage - openNotional;
    const notional = target < room ? target : room;
    if (!(notional > 0)) return;
    const p = s.prices[row + best];
    const fill = this.trading.execute({
      asset: s.symbols[best],
      side: 'SELL',
      qty: 0,
      notional,
      price: p,
      scanIndex: t,
      tsEvent: s.ts[t],
      maker: c.entryLiquidity === 'maker',
    });
    this.cash -= fill.fee;
    const k = this.open++;
    this.posId[k] = best;
    this.posQty[k] = fill.qty;
    this.posEntry[k] = fill.price;
    this.posIndex[k] = t;
    this.posMark[k] = p;
    this.posFee[k] = fill.fee;
    this.posCut[k] = cut;
    this.setHeld(best, 1);
    this.recorder.fill(fill);
  }

  private close(k: number, t: number, p: number, reason: ExitReason): void {
    const s = this.store;
    const id = this.posId[k];
    const qty = this.posQty[k];
    const fill = this.trading.execute({
      asset: s.symbols[id],
      side: 'BUY',
      qty,
      notional: 0,
      price: p,
      scanIndex: t,
      tsEvent: s.ts[t],
      maker: false,
    });
    const gross = qty * (this.posEntry[k] - fill.price);
    this.cash += gross - fill.fee;
    const trade: Trade = {
      asset: s.symbols[id],
      entryTs: s.ts[this.posIndex[k]],
      exitTs: s.ts[t],
      entryIndex: this.posIndex[k],
      exitIndex: t,
      entryPrice: this.posEntry[k],
      exitPrice: fill.price,
      qty,
      entryFee: this.posFee[k],
      exitFee: fill.fee,
      fees: this.posFee[k] + fill.fee,
      pnl: gross - this.posFee[k] - fill.fee,
      reason,
      acbCut: this.posCut[k],
    };
    for (let j = k; j < this.open - 1; j++) {
      this.posId[j] = this.posId[j + 1];
      this.posQty[j] = this.posQty[j + 1];
      this.posEntry[j] = this.posEntry[j + 1];
      this.posIndex[j] = this.posIndex[j + 1];
      this.posMark[j] = this.posMark[j + 1];
      this.posFee[j] = this.posFee[j + 1];
      this.posCut[j] = this.posCut[j + 1];
    }
    this.open--;
    this.setHeld(id, 0);
    this.recorder.fill(fill);
    this.recorder.trade(trade);
  }

  private setHeld(id: number, v: number): void {
    if (id >= this.held.length) {
      const h = new Uint8Array(Math.max(id + 1, this.held.length * 2));
      h.set(this.held);
      this.held = h;
    }
    this.held[id] = v;
  }

  private syncExcluded(): void {
    const syms = this.store.symbols;
    if (this.excludedSynced === syms.length) return;
    this.excludedSynced = syms.length;
    const e = new Uint8Array(Math.max(syms.length, 64));
    for (let i = 0; i < syms.length; i++) e[i] = this.config.excludeAssets.includes(syms[i]) ? 1 : 0;
    this.excluded = e;
  }
}
