/**
 * The streamed replay feed: delivers a long range unit by unit (a day folder or a daily file at a time)
 * through a window of row columns that slides over the range, so memory does not grow with the number of
 * days. The time columns (ts, scan_number, day, bar of day) hold every scan; the row columns hold the
 * current unit plus `tail` scans before it, as far back as any feature window reaches. Results equal the
 * one-shot replay's bit for bit: the engine and the features read the same values at the same t.
 */
import type { DataFeedPort, ScanSink } from '../../core/ports/data-feed.port.js';
import { ScanStore } from '../../core/scan-store.js';
import { placeColumns, type DayColumns } from './column-file.js';
import { readSerial, sharedRowColumns, targetOf, type BodyReadFn } from './load-replay.js';
import { sharedBigInt64, sharedF64, sharedI32 } from './shared-arrays.js';
import type { UnitPart } from './unit-parts.js';

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
  /** Called when scans [from, to) are in the window, before they are delivered (feature columns, hashes). */
  readonly beforeScans?: (store: ScanStore, from: number, to: number) => Promise<void>;
  readonly onProgress?: (done: number, total: number) => void;
}

/** DataFeedPort over a range too long to hold at once. */
export class StreamedReplayFeed implements DataFeedPort {
  readonly store: ScanStore;
  /** Scans in the whole range. */
  readonly total: number;
  private readonly o: StreamedReplayOptions;

  constructor(o: StreamedReplayOptions) {
    this.o = o;
    this.total = o.parts.reduce((k, p) => k + p.n, 0);
    const n = this.total;
    const empty = sharedRowColumns(0, 1);
    this.store = ScanStore.fromColumns({ ...empty, n: 0, symbols: o.symbols, ts: sharedBigInt64(n), scanNumber: sharedF64(n), day: sharedI32(n), barOfDay: sharedI32(n) });
  }

  async run(sink: ScanSink): Promise<void> {
    const { parts, symbols, tail } = this.o;
    const stride = Math.max(1, symbols.length);
    const col = new Map(symbols.map((s, i) => [s, i]));
    const capacity = tail + parts.reduce((k, p) => Math.max(k, p.n), 0);
    const win = sharedRowColumns(capacity, stride);
    const s = this.store;
    const { ts, scanNumber, day, barOfDay } = { ts: s.ts, scanNumber: s.scanNumber, day: s.day, barOfDay: s.barOfDay };
    let from = 0;
    let base = 0;
    this.o.onProgress?.(0, this.total);
    for (const p of parts) {
      // slide: the last `keep` scans of the window move to its start
      const keep = Math.min(tail, from);
      const shift = from - keep - base;
      if (shift > 0) {
        for (const c of [win.velDiv, ...win.features, win.nAssets]) c.copyWithin(0, shift, shift + keep);
        win.prices.copyWithin(0, shift * stride, (shift + keep) * stride);
      }
      base = from - keep;
      const target = targetOf(p, win, symbols, col, keep);
      if (p.columns) placeColumns(p.columns, target);
      else if (p.reload) placeColumns(await p.reload(), target);
      else {
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
      const to = from + p.n;
      ts.set(win.ts.subarray(keep, keep + p.n), from);
      scanNumber.set(win.scanNumber.subarray(keep, keep + p.n), from);
      ScanStore.computeDays(ts, to, day, barOfDay, from);
      s.setWindow(to, base, { ts, scanNumber, day, barOfDay, velDiv: win.velDiv, features: win.features, prices: win.prices, nAssets: win.nAssets });
      await this.o.beforeScans?.(s, from, to);
      for (let t = from; t < to; t++) sink.onScan(t);
      from = to;
      this.o.onProgress?.(from, this.total);
    }
  }

  /** No-op: a replay ends by itself when the data ends. */
  async stop(): Promise<void> {}
}
