/** The Hazelcast contract (DESIGN.md): map and key names, and the state a paper run publishes. */
import type { FeedStatus } from '../../core/ports/data-feed.port.js';

/** Map of scanner outputs. */
export const FEATURES_MAP = 'DOLPHIN_FEATURES';
/** Key of the latest scan in FEATURES_MAP (JSON of one scan). */
export const SCAN_KEY = 'latest_eigen_scan';
/** Key of the latest external factors in FEATURES_MAP. */
export const EXF_KEY = 'exf_latest';
/**
 * Ringbuffer every publisher appends each scan to (the same JSON as SCAN_KEY), so a consumer resumes by
 * sequence after an outage. Capacity and TTL are set in scripts/hazelcast/hazelcast.xml.
 */
export const SCAN_STREAM = 'dolphin_scan_stream';

/** The scan stream that goes with a features map: SCAN_STREAM for FEATURES_MAP, else `SCAN_STREAM_<map>`. */
export function scanStreamName(featuresMap: string = FEATURES_MAP): string {
  return featuresMap === FEATURES_MAP ? SCAN_STREAM : `${SCAN_STREAM}_${featuresMap}`;
}

/** Map of paper runs' states, keyed by run id. */
export const STATE_MAP = 'DOLPHIN_STATE_PAPER';

/** An open position as published. */
export interface PaperPosition {
  readonly asset: string;
  readonly qty: number;
  readonly entryPrice: number;
  /** ns decimal string. */
  readonly entryTs: string;
  readonly mark: number;
  readonly unrealizedPnl: number;
}

/** Counters of rejected or noteworthy input since the run started. */
export interface PaperCounters {
  readonly scansAccepted: number;
  readonly malformedMessages: number;
  /** Refused for the format's bounds: message size, asset count, text length, symbol characters. */
  readonly outOfBounds: number;
  /** Refused for their time: implausible, or too far ahead of the run's clock. */
  readonly badTimestamps: number;
  readonly lateOrDuplicate: number;
  readonly scannerRestarts: number;
  readonly invalidPrices: number;
  readonly reconnects: number;
  /** Scans known to be missed (absent from older writers: 0). */
  readonly scansMissed: number;
  /** Accepted scans read from the scan stream / from the latest key alone (absent from older writers: 0). */
  readonly fromStream: number;
  readonly fromKey: number;
}

/** A shadow portfolio's headline figures. */
export interface ShadowState {
  readonly name: string;
  readonly equity: number;
  readonly trades: number;
  readonly openPositions: number;
}

/** The latest live-vs-replay validation (issue 5), when enabled. */
export interface ValidationState {
  readonly verdict: 'IDENTICAL' | 'WITHIN_TOLERANCE' | 'DIVERGED' | 'NOT_COMPARABLE';
  readonly atMs: number;
  readonly summary: string;
}

/** The last message a run refused and why. */
export interface RejectionState {
  readonly kind: 'malformed' | 'out-of-bounds' | 'bad-timestamp';
  readonly reason: string;
  /** Wall clock of the refusal, epoch ms. */
  readonly atMs: number;
}

/** Scan -> decision latency over the run's most recent scans. */
export interface LatencyState {
  /** Scans the figures are over. */
  readonly scans: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Scans a run knows it missed between two accepted scans (from, to: the accepted scans around them). */
export interface MissedRange {
  /** ns decimal string of the last scan accepted before. */
  readonly fromTs: string;
  /** ns decimal string of the first scan accepted after. */
  readonly toTs: string;
  readonly scans: number;
  /**
   * Where the scan after came from: the stream (which lost them), the latest key (which never showed
   * them), or the run's own scanner (which took none: the process was stalled or not running).
   */
  readonly via: 'stream' | 'key' | 'scanner';
}

/** The order mirror's health (live --mirror binance-demo, issue 12), when enabled. */
export interface MirrorState {
  readonly venue: string;
  /** host[:port] of the venue's REST root (never a key). */
  readonly host: string;
  /** OK; DEGRADED: retrying, or the last reconciliation found drift; DOWN: the venue cannot be reached; FAILED: the mirror stopped (its journal failed). */
  readonly health: 'STARTING' | 'OK' | 'DEGRADED' | 'DOWN' | 'FAILED';
  readonly sent: number;
  readonly filled: number;
  readonly partial: number;
  readonly rejected: number;
  readonly skipped: number;
  /** Legs waiting to be sent or whose outcome is not known yet. */
  readonly pending: number;
  readonly retries: number;
  readonly lastError: string | null;
  readonly lastReconcile: { readonly atMs: number; readonly ok: boolean; readonly drift: readonly string[] } | null;
  readonly latencyP50Ms: number | null;
  readonly latencyP99Ms: number | null;
}

/** DOLPHIN_STATE_PAPER[runId]: written at most every second by a paper run. */
export interface PaperState {
  readonly runId: string;
  readonly mode: 'paper';
  /** Wall-clock epoch ms of this write (heartbeat). */
  readonly heartbeatMs: number;
  readonly startedAtMs: number;
  readonly feedStatus: FeedStatus;
  /** ns decimal string of the last accepted scan, null before the first. */
  readonly lastScanTs: string | null;
  readonly lastScanNumber: number | null;
  readonly equity: number;
  readonly cash: number;
  readonly initialCapital: number;
  readonly realizedPnl: number;
  readonly trades: number;
  readonly acbCut: number;
  readonly positions: readonly PaperPosition[];
  readonly counters: PaperCounters;
  /** The last refused message (absent from older writers). */
  readonly lastRejection?: RejectionState | null;
  /** Scans known to be missed, most recent ranges (absent from older writers). */
  readonly missed?: readonly MissedRange[];
  /** Decision latency over the most recent scans (absent from older writers). */
  readonly latency?: LatencyState | null;
  readonly shadows: readonly ShadowState[];
  readonly validation: ValidationState | null;
  /** The order mirror's health (absent without --mirror). */
  readonly mirror?: MirrorState;
  /** Journal folder of the run (on the machine running it). */
  readonly journal: string;
  /** Set when the run stopped cleanly. */
  readonly stopped: boolean;
}
