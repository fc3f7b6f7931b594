/**
 * The streamed replay feed: delivers a long range unit by unit (a day folder or a daily file at a time)
 * through a window of row columns that slides over the range, so memory does not grow with the number of
 * days. The time columns (ts, scan_number, day, bar of day) hold every scan; the row columns hold the
 * current unit plus `tail` scans before it, as far back as any feature window reaches. Results equal the
 * one-shot replay's bit for bit: the engine and the features read the same values at the same t.
 */
import type { DataFeedPort, ScanSink } from '../../core/ports/data-feed.port.js';
import { marketReturnAt } from '../../core/features.js';
import { ScanStore } from '../../core/scan-store.js';
import { placeColumns, type ColumnTarget, type DayColumns } from './column-file.js';
import { readSerial, sharedRowColumns, targetOf, type BodyReadFn } from './load-replay.js';
import { sharedBigInt64, sharedF64, sharedI32 } from './shared-arrays.js';
import type { UnitPart } from './unit-parts.js';

/** Scans delivered between two yields to the event loop. */
const YIELD_EVERY = 4096;

/** What a streamed replay needs. */
export interface StreamedReplayOptions {
  /** The replay's units (timeOrder: non-empty, in time order, not overlapping). */
  readonly parts: readonly UnitPart[];
  /** The universe, ascending (universeOf the parts). */
  readonly symbols: readonly string[];
  /** Scans kept before each unit: at least the longest feature window + 1. */
  readonly tail: number;
  readonly readBody?: BodyReadFn;
  /** A cached unit whose body turns out corrupt: its columns rebuilt from its files. */
  readonly rebuild?: (part: UnitPart, reason: string) => Promise<DayColumns>;
  /**
   * Called once scans [from, to) are loaded (with their market returns and content hashes), with a store
   * viewing their window, before they are delivered (btcVol on the pool). It may run while the engine is
   * still on the previous unit.
   */
  readonly prepare?: (view: ScanStore, from: number, to: number) => Promise<void>;
  readonly onProgress?: (done: number, total: number) => void;
}

/** DataFeedPort over a range too long to hold at once. */
export class StreamedReplayFeed implements DataFeedPort {
  readonly store: ScanStore;
  /** Scans in the whole range. */
  readonly total: number;
  /** Every scan's market return m[t] and content hash, filled unit by unit before its scans are delivered. */
  readonly market: Float64Array;
  readonly hashes: Uint32Array;
  private readonly o: StreamedReplayOptions;

  constructor(o: StreamedReplayOptions) {
    this.o = o;
    this.total = o.parts.reduce((k, p) => k + p.n, 0);
    const n = this.total;
    const empty = sharedRowColumns(0, 1);
    this.store = ScanStore.fromColumns({ ...empty, n: 0, symbols: o.symbols, ts: sharedBigInt64(n), scanNumber: sharedF64(n), day: sharedI32(n), barOfDay: sharedI32(n) });
    this.market = sharedF64(n);
    this.hashes = new Uint32Array(new SharedArrayBuffer(Math.max(4, n * 4)), 0, n);
  }

  /**
   * Two windows: while the engine runs unit k in one, unit k + 1 is loaded and prepared in the other
   * (pool tasks), its tail copied from unit k's window. Delivery yields to the event loop every few
   * thousand scans so the next unit's tasks get dispatched meanwhile.
   */
  async run(sink: ScanSink): Promise<void> {
    const { parts, symbols, tail } = this.o;
    const stride = Math.max(1, symbols.length);
    const col = new Map(symbols.map((s, i) => [s, i]));
    const capacity = tail + parts.reduce((k, p) => Math.max(k, p.n), 0);
    const wins = [sharedRowColumns(capacity, stride), sharedRowColumns(capacity, stride)];
    const s = this.store;
    const { ts, scanNumber, day, barOfDay } = s;
    const plan: { from: number; to: number; keep: number; base: number }[] = [];
    for (let k = 0, from = 0; k < parts.length; from += parts[k].n, k++) {
      const keep = Math.min(tail, from);
      plan.push({ from, to: from + parts[k].n, keep, base: from - keep });
    }
    const rowColumns = (w: (typeof wins)[number]) => ({ velDiv: w.velDiv, features: w.features, prices: w.prices, nAssets: w.nAssets });
    const prepare = async (k: number): Promise<void> => {
      const p = parts[k];
      const { from, to, keep, base } = plan[k];
      const win = wins[k % 2];
      if (keep > 0) {
        // the tail: the last `keep` scans of unit k - 1's window
        const prev = wins[(k + 1) % 2];
        const at = from - keep - plan[k - 1].base;
        for (const [a, b] of [[prev.velDiv, win.velDiv], [prev.nAssets, win.nAssets], ...prev.features.map((f, i) => [f, win.features[i]])] as [Float64Array, Float64Array][]) {
          b.set(a.subarray(at, at + keep));
        }
        win.prices.set(prev.prices.subarray(at * stride, (at + keep) * stride));
      }
      await this.load(p, targetOf(p, win, symbols, col, keep));
      ts.set(win.ts.subarray(keep, keep + p.n), from);
      scanNumber.set(win.scanNumber.subarray(keep, keep + p.n), from);
      ScanStore.computeDays(ts, to, day, barOfDay, from);
      this.market.set(win.market.subarray(keep, keep + p.n), from);
      this.hashes.set(win.hash.subarray(keep, keep + p.n), from);
      const view = ScanStore.fromColumns({ n: to, symbols, ts, scanNumber, day, barOfDay, ...rowColumns(win), base });
      // the unit's first market return read no earlier scan: the window has the scan before it
      if (from > 0) this.market[from] = marketReturnAt(view, from);
      await this.o.prepare?.(view, from, to);
    };
    this.o.onProgress?.(0, this.total);
    let next: Promise<void> | null = parts.length ? prepare(0) : null;
    for (let k = 0; k < parts.length; k++) {
      await next;
      const { from, to, base } = plan[k];
      s.setWindow(to, base, { ts, scanNumber, day, barOfDay, ...rowColumns(wins[k % 2]) });
      next = k + 1 < parts.length ? prepare(k + 1) : null;
      // awaited at the next unit; a failure meanwhile must not count as unhandled
      next?.catch(() => undefined);
      for (let t = from; t < to; t++) {
        sink.onScan(t);
        if ((t - from) % YIELD_EVERY === YIELD_EVERY - 1) await new Promise<void>((r) => setImmediate(r));
      }
      this.o.onProgress?.(to, this.total);
    }
  }

  /** Puts a unit's rows into its window: from memory, decoded again, or read from its cache file. */
  private async load(p: UnitPart, target: ColumnTarget): Promise<void> {
    if (p.columns) return placeColumns(p.columns, target);
    if (p.reload) return placeColumns(await p.reload(), target);
    try {
      await (this.o.readBody ?? readSerial)(p.file!, target);
    } catch (e) {
      if (!this.o.rebuild) throw e;
      const rebuilt = await this.o.rebuild(p, `${p.file!.path}: ${(e as Error).message}`);
      if (rebuilt.n !== p.n || rebuilt.ts[0] !== p.firstTs || rebuilt.ts[p.n - 1] !== p.lastTs) {
        throw new Error(`${p.unit.name} changed while the replay streamed it (${p.n} scans in its cache file, ${rebuilt.n} in its files); run the backtest again`);
      }
      placeColumns(rebuilt, target);
    }
  }

  /** No-op: a replay ends by itself when the data ends. */
  async stop(): Promise<void> {}
}
