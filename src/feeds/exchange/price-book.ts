/** The scanner's price book: the last few price updates per symbol, and the prices at a scan instant. */

/** Updates kept per symbol: enough to look back past the updates that arrive while a scan timer is late. */
const DEPTH = 4;

/**
 * Per symbol, the last DEPTH (price, local time) updates in arrival order. `at(B)` gives each symbol's
 * price as of instant B: its latest update at or before B; none (NaN) when it has none, when that update
 * is older than `staleMs`, or when the symbol is flagged invalid (delisted). Preallocated; no allocation
 * per update or per scan.
 */
export class PriceBook {
  readonly n: number;
  private readonly price: Float64Array;
  private readonly time: Float64Array;
  private readonly head: Int32Array;
  /** 1 = invalid from now on (delisted). */
  readonly invalid: Uint8Array;
  /** Local time of the newest update of any symbol, ms (NaN before the first). */
  lastUpdateMs = NaN;
  /** Updates accepted. */
  updates = 0;

  constructor(n: number) {
    this.n = n;
    this.price = new Float64Array(n * DEPTH).fill(NaN);
    this.time = new Float64Array(n * DEPTH).fill(-Infinity);
    this.head = new Int32Array(n);
    this.invalid = new Uint8Array(n);
  }

  /**
   * Records a price of symbol i at local time `atMs`. An update older than the symbol's newest one (a
   * REST quote behind the stream) or repeating it exactly is ignored. Returns true when recorded.
   */
  update(i: number, price: number, atMs: number): boolean {
    const base = i * DEPTH;
    const h = this.head[i];
    const newest = base + h;
    if (atMs < this.time[newest] || (atMs === this.time[newest] && price === this.price[newest])) return false;
    const next = h + 1 === DEPTH ? 0 : h + 1;
    this.head[i] = next;
    this.price[base + next] = price;
    this.time[base + next] = atMs;
    this.updates++;
    if (!(atMs <= this.lastUpdateMs)) this.lastUpdateMs = atMs;
    return true;
  }

  /** Local time of symbol i's newest update (-Infinity when none). */
  updatedAt(i: number): number {
    return this.time[i * DEPTH + this.head[i]];
  }

  /**
   * Writes the prices as of instant `boundaryMs` into `out` (NaN where invalid or stale) and the symbols
   * without a price into `staleOut` (indices; returns their count). A symbol is stale when its price at
   * the instant is older than `staleMs` or it has none.
   */
  at(boundaryMs: number, staleMs: number, out: Float64Array, staleOut: Int32Array): number {
    let stale = 0;
    for (let i = 0; i < this.n; i++) {
      const base = i * DEPTH;
      let p = NaN;
      let t = -Infinity;
      for (let k = 0, j = this.head[i]; k < DEPTH; k++, j = j === 0 ? DEPTH - 1 : j - 1) {
        if (this.time[base + j] <= boundaryMs) {
          p = this.price[base + j];
          t = this.time[base + j];
          break;
        }
      }
      if (this.invalid[i] === 1) {
        out[i] = NaN;
      } else if (!(t >= boundaryMs - staleMs)) {
        out[i] = NaN;
        staleOut[stale++] = i;
      } else {
        out[i] = p;
      }
    }
    return stale;
  }
}
