/** Adaptive Circuit Breaker v5 (STRATEGY.md 6) and the timeline of external-factor records. */
import type { FactorRecord } from './trade.js';
import { firstAtOrAfter } from './ts-deltas.js';

/** A factor value, or NaN when missing (undefined, null or not a number): NaN never fires a signal. */
function factor(v: unknown): number {
  return typeof v === 'number' ? v : NaN;
}

/** Number of ACB stress signals in a factor record (0 when there is none). Missing factors never signal. */
export function acbSignals(f: FactorRecord | undefined): number {
  if (!f) return 0;
  const funding = factor(f.fundingBtc);
  const dvol = factor(f.dvolBtc);
  const taker = factor(f.takerRatio);
  const fng = factor(f.fng);
  let s = 0;
  if (funding < -0.0001) s++;
  if (dvol > 55) s++;
  if (dvol > 80) s++;
  if (taker < 0.8) s++;
  // Fear needs confirmation: it counts only when another signal already fired.
  if (s >= 1 && fng < 25) s++;
  return s;
}

/** Size cut for a number of signals: acbCuts[min(signals, 5)]. */
export function acbCutFor(signals: number, acbCuts: readonly number[]): number {
  return acbCuts[Math.min(signals, 5)];
}

/**
 * Factor records in effect over time. Scans must be visited in ascending time (`advance`);
 * the record used at scan t is the latest record of date day(t) in effect at t.
 */
export class FactorTimeline {
  private readonly records: FactorRecord[];
  private cursor = 0;
  private readonly byDay = new Map<number, FactorRecord>();
  private readonly acbCuts: readonly number[];
  private curDay = Number.NaN;
  private curCut = 0;
  private dirty = true;
  /** advanceAt reads no timestamp before this scan index: the next record takes effect at it or later. */
  private checkFrom = 0;

  constructor(records: readonly FactorRecord[], acbCuts: readonly number[]) {
    // Stable sort by effective time keeps the arrival order of records effective at the same instant.
    this.records = [...records].sort((a, b) => (a.effectiveFromNs < b.effectiveFromNs ? -1 : a.effectiveFromNs > b.effectiveFromNs ? 1 : 0));
    this.acbCuts = acbCuts;
  }

  /** Adds a record (live); it must not take effect before the last visited scan. */
  add(record: FactorRecord): void {
    this.records.push(record);
    this.dirty = true;
    this.checkFrom = 0;
  }

  /** Days (UTC day numbers) that have at least one record. */
  daysWithData(): Set<number> {
    return new Set(this.records.map((r) => r.day));
  }

  /** All records, in effective order. */
  all(): readonly FactorRecord[] {
    return this.records;
  }

  /** Moves to scan time tsNs of UTC day `day` and returns acbCut there. */
  advance(tsNs: bigint, day: number): number {
    this.applyUpTo(tsNs);
    this.checkFrom = 0;
    return this.cutOn(day);
  }

  /**
   * advance(ts[t], day) for scan t of an ascending time column holding n scans (the engine's path).
   * Why: reading ts[t] makes a bigint, a cost on every scan although records take effect a few times a
   * day. So the scan at which the next record takes effect is found once, by binary search (or n: look
   * again once the column has grown), and ts[t] is read only from there.
   */
  advanceAt(ts: BigInt64Array, n: number, t: number, day: number): number {
    if (t >= this.checkFrom) {
      this.applyUpTo(ts[t]);
      const next = this.records[this.cursor];
      this.checkFrom = next === undefined ? Infinity : firstAtOrAfter(ts, t + 1, n, next.effectiveFromNs);
    }
    return this.cutOn(day);
  }

  /** Takes in every record, in order, whose effective time is at or before tsNs. */
  private applyUpTo(tsNs: bigint): void {
    const recs = this.records;
    while (this.cursor < recs.length && recs[this.cursor].effectiveFromNs <= tsNs) {
      const r = recs[this.cursor++];
      this.byDay.set(r.day, r);
      this.dirty = true;
    }
  }

  private cutOn(day: number): number {
    if (this.dirty || day !== this.curDay) {
      this.curDay = day;
      this.curCut = acbCutFor(acbSignals(this.byDay.get(day)), this.acbCuts);
      this.dirty = false;
    }
    return this.curCut;
  }
}
