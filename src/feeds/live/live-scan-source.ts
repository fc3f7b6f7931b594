/**
 * The source step of a live run: where accepted scans come from. Two adapters: HazelcastScanSource
 * (scans a scanner or the bridge published) and ExchangeScanSource (the project's own scanner in this
 * process). Both judge every scan with ScanAcceptance and hand accepted ones on in order; what follows
 * (journal, engine, shadows, state, validation, reports) does not know which one it is.
 */
import type { FeedStatus } from '../../core/ports/data-feed.port.js';
import type { ScanSourceCounters, ScanSourceSink } from './hazelcast-scan-source.js';
import type { MissedRange } from './paper-state.js';
import type { Rejection } from './scan-acceptance.js';
import type { StreamPosition } from './scan-stream-reader.js';

/** A source of accepted live scans. */
export interface LiveScanSource {
  /** Starts delivering; resolves once the source runs (what was already there is handled). */
  start(sink: ScanSourceSink): Promise<void>;
  /** Stops delivering (idempotent). */
  stop(): Promise<void>;
  /** Counters so far (a snapshot). */
  readonly counters: ScanSourceCounters;
  /** The last refused message and why, or null. */
  readonly lastRejection: Rejection | null;
  /** The most recent ranges of scans known to be missed. */
  readonly missedRanges: readonly MissedRange[];
  readonly feedStatus: FeedStatus;
  /** Hazelcast only: where the run is in the scan stream (saved in the journal). */
  readonly streamPosition?: StreamPosition | null;
  /** Hazelcast only: a lifecycle change of the client. */
  onLifecycle?(state: string): void;
}
