/** Typed, coded errors: every message names the file, field or value and says what to do. */

/** Stable error codes; the CLI maps them to exit codes (see src/cli/exit-codes.ts). */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'SCAN_FORMAT'
  | 'DATA_EMPTY'
  | 'CALIBRATION_EMPTY'
  | 'FEED_UNAVAILABLE'
  | 'USAGE'
  | 'REPORT_INVALID'
  | 'FILE_IO'
  | 'JOURNAL';

/** Base class of every error the library throws on purpose. */
export class DolphinError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The configuration is invalid; `problems` lists every problem found, one per entry. */
export class ConfigError extends DolphinError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('CONFIG_INVALID', `invalid config:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

/** A scan file or message does not follow the scan format; names the source and the reason. */
export class ScanFormatError extends DolphinError {
  readonly source: string;
  readonly reason: string;
  constructor(source: string, reason: string) {
    super('SCAN_FORMAT', `${source}: ${reason}`);
    this.source = source;
    this.reason = reason;
  }
}

/** There is no usable data where data was expected (empty directory, no valid scan). */
export class DataEmptyError extends DolphinError {
  constructor(message: string) {
    super('DATA_EMPTY', message);
  }
}

/** `volThreshold: "auto"` found no finite btcVol value on the calibration days. */
export class CalibrationError extends DolphinError {
  constructor(message: string) {
    super('CALIBRATION_EMPTY', message);
  }
}

/** A live feed (Hazelcast, exchange) cannot be reached. */
export class FeedUnavailableError extends DolphinError {
  constructor(message: string) {
    super('FEED_UNAVAILABLE', message);
  }
}

/** A report file is not a DOLPHIN report or has an unsupported schema version. */
export class ReportError extends DolphinError {
  constructor(message: string) {
    super('REPORT_INVALID', message);
  }
}

/** A flag or argument is invalid (out of bounds, a file where a folder is expected, ...): exit 2. */
export class UsageError extends DolphinError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** A file or folder cannot be read or written (permissions, read-only mount, full disk): exit 1. */
export class FileIoError extends DolphinError {
  readonly path: string;
  constructor(path: string, message: string) {
    super('FILE_IO', message);
    this.path = path;
  }
}

/** A live journal cannot be used: locked by another run, unwritable, missing, full, or holding scans it refuses. */
export class JournalError extends DolphinError {
  constructor(message: string) {
    super('JOURNAL', message);
  }
}
