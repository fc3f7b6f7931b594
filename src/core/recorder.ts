/** Cursor-based recorder of per-scan equity, exposure and ACB cut plus the fills and trades. */
import type { Fill, Trade } from './trade.js';

/** Per-scan series and control-plane events of one run; arrays grow x2. */
export class Recorder {
  n = 0;
  equity: Float64Array;
  openPositions: Int32Array;
  acbCut: Float64Array;
  readonly trades: Trade[] = [];
  readonly fills: Fill[] = [];
  /** Optional listeners (journal, state publisher); called synchronously. */
  onFill: ((f: Fill) => void) | undefined;
  onTrade: ((t: Trade) => void) | undefined;

  constructor(capacity = 1024) {
    this.equity = new Float64Array(capacity);
    this.openPositions = new Int32Array(capacity);
    this.acbCut = new Float64Array(capacity);
  }

  /** Records the state after scan t was processed (t = n, or n - 1 to overwrite the last sample). */
  sample(t: number, equity: number, openPositions: number, acbCut: number): void {
    if (t >= this.equity.length) this.grow(Math.max(t + 1, this.equity.length * 2));
    this.equity[t] = equity;
    this.openPositions[t] = openPositions;
    this.acbCut[t] = acbCut;
    if (t >= this.n) this.n = t + 1;
  }

  fill(f: Fill): void {
    this.fills.push(f);
    this.onFill?.(f);
  }

  trade(t: Trade): void {
    this.trades.push(t);
    this.onTrade?.(t);
  }

  private grow(cap: number): void {
    const e = new Float64Array(cap);
    e.set(this.equity);
    const o = new Int32Array(cap);
    o.set(this.openPositions);
    const a = new Float64Array(cap);
    a.set(this.acbCut);
    this.equity = e;
    this.openPositions = o;
    this.acbCut = a;
  }
}
