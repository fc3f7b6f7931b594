/**
 * DataFeedPort over a MessagePort: the live engine's feed inside its worker. Scans already in the store
 * (a journal being resumed) are delivered first, then each scan message as it arrives.
 */
import type { DataFeedPort, ScanSink } from '../core/ports/data-feed.port.js';
import type { ScanRecord } from '../core/scan.js';
import type { ScanStore } from '../core/scan-store.js';
import type { FactorRecord } from '../core/trade.js';

/** Messages the main thread sends to a portfolio host. */
export type HostMessage =
  | { readonly type: 'scan'; readonly seq: number; readonly scan: ScanRecord; readonly factors: readonly FactorRecord[] }
  | { readonly type: 'stop'; readonly extra?: Record<string, unknown> }
  | { readonly type: 'snapshot'; readonly extra?: Record<string, unknown> };

/** Feeds every registered sink (one per portfolio) from one shared store. */
export class MessagePortFeed implements DataFeedPort {
  readonly store: ScanStore;
  private readonly sinks: ScanSink[] = [];
  private resolveRun: (() => void) | null = null;
  private readonly done: Promise<void>;
  /** Called after every sink processed a live scan. */
  onDelivered: ((seq: number, t: number) => void) | null = null;

  constructor(store: ScanStore) {
    this.store = store;
    this.done = new Promise((r) => (this.resolveRun = r));
  }

  run(sink: ScanSink): Promise<void> {
    this.sinks.push(sink);
    return this.done;
  }

  /** Delivers the scans already in the store (resume), in order. */
  deliverPreloaded(): void {
    for (let t = 0; t < this.store.n; t++) for (const s of this.sinks) s.onScan(t);
  }

  /** Appends a live scan, applies its factor records, and runs every sink on it. */
  deliver(seq: number, scan: ScanRecord, factors: readonly FactorRecord[]): number {
    const t = this.store.append(scan);
    for (const s of this.sinks) {
      for (const f of factors) s.onFactors(f);
      s.onScan(t);
    }
    this.onDelivered?.(seq, t);
    return t;
  }

  /** Ends every run(): the engines finish (closeAtEnd is false live). */
  async stop(): Promise<void> {
    this.resolveRun?.();
  }
}
