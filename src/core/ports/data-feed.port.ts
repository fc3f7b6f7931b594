/** DataFeedPort: where accepted scans come from (Arrow replay or Hazelcast live). */
import type { FactorRecord } from '../trade.js';
import type { ScanStore } from '../scan-store.js';

/** Feed health as a live feed reports it; a replay is always CONNECTED. */
export type FeedStatus = 'CONNECTED' | 'STALE' | 'DISCONNECTED';

/** What a feed delivers to: the engine's composition root. */
export interface ScanSink {
  /** A scan was accepted and appended to the store at index t (ascending, no gaps). */
  onScan(t: number): void;
  /** An external-factor record arrived; it takes effect as its effectiveFromNs says. */
  onFactors(record: FactorRecord): void;
  /** Feed status changed (live only; a replay never calls it). */
  onStatus?(status: FeedStatus): void;
}

/**
 * A source of accepted scans. The feed orders, dedupes and validates, appends each accepted scan to
 * `store`, then calls `sink.onScan`. A replay delivers everything and resolves `run`; a live feed
 * resolves `run` when stopped.
 */
export interface DataFeedPort {
  readonly store: ScanStore;
  /** Delivers scans until the data ends (replay) or `stop` is called (live). */
  run(sink: ScanSink): Promise<void>;
  /** Stops delivery. For a replay this is a documented no-op: it ends by itself. */
  stop(): Promise<void>;
}
