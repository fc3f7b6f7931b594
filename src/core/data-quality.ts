/** Data-quality records shared by replay and live feeds; they end up in the report as they are. */

/** A dropped or skipped thing and why, naming the file (relative to the data folder) or the source. */
export interface SourceProblem {
  readonly source: string;
  readonly reason: string;
}

/** A malformed row (STRATEGY.md 1): skipped and counted. */
export interface MalformedRow {
  readonly source: string;
  readonly row: number;
  readonly reason: string;
}

/** Rows sharing one timestamp. */
export interface TimestampGroup {
  readonly ts: string;
  readonly sources: readonly string[];
}

/** A spacing between consecutive accepted scans longer than 3 x cadence. */
export interface Gap {
  readonly fromTs: string;
  readonly toTs: string;
  readonly seconds: number;
}

/** scan_number decreased between consecutive accepted scans. */
export interface ScannerRestart {
  readonly ts: string;
  readonly fromScanNumber: number;
  readonly toScanNumber: number;
}

/** Live: scans the feed knows it missed between two accepted scans. */
export interface MissedScans {
  /** ns decimal strings of the accepted scans around the missed ones. */
  readonly fromTs: string;
  readonly toTs: string;
  readonly scans: number;
  /**
   * 'stream': the scan stream lost them; 'key': only the latest key was readable and never showed them;
   * 'scanner': the run's own scanner took none (the process was stalled or not running).
   */
  readonly via: 'stream' | 'key' | 'scanner';
}

/** Live: how the feed fared (absent from replays). */
export interface LiveFeedQuality {
  /** Accepted scans read from the scan stream, and from the latest key alone. */
  readonly fromStream: number;
  readonly fromKey: number;
  /** Scans known to be missed, and the most recent ranges. */
  readonly scansMissed: number;
  readonly missed: readonly MissedScans[];
  /** Messages refused: not a scan, outside the format's bounds, implausible or future timestamp. */
  readonly malformed: number;
  readonly outOfBounds: number;
  readonly badTimestamps: number;
}

/** Everything a run dropped, skipped or noticed about its input. */
export interface DataQuality {
  filesRead: number;
  rowsRead: number;
  scansAccepted: number;
  /** Identical rows merged into one scan (count of extra copies). */
  duplicatesDropped: number;
  duplicates: TimestampGroup[];
  /** Rows with the same timestamp but different values: all dropped. */
  conflictsDropped: number;
  conflicts: TimestampGroup[];
  skippedFiles: SourceProblem[];
  malformedRows: MalformedRow[];
  /** Live: scans not newer than the last accepted one. */
  lateOrDuplicateLive: number;
  /** Live: the feed's figures (missed scans, refused messages); absent from replays. */
  liveFeed?: LiveFeedQuality;
  cadenceSeconds: number | null;
  gaps: Gap[];
  scannerRestarts: ScannerRestart[];
  invalidPrices: { count: number; byAsset: Record<string, number> };
  daysWithoutFactors: string[];
  factorProblems: SourceProblem[];
}

/** An empty data-quality record. */
export function emptyDataQuality(): DataQuality {
  return {
    filesRead: 0,
    rowsRead: 0,
    scansAccepted: 0,
    duplicatesDropped: 0,
    duplicates: [],
    conflictsDropped: 0,
    conflicts: [],
    skippedFiles: [],
    malformedRows: [],
    lateOrDuplicateLive: 0,
    cadenceSeconds: null,
    gaps: [],
    scannerRestarts: [],
    invalidPrices: { count: 0, byAsset: {} },
    daysWithoutFactors: [],
    factorProblems: [],
  };
}
