/** The scanner's heartbeat/status record, published to DOLPHIN_SCANNER_STATE[<scannerId>] and printed by --json-status. */

/** Map of scanner states, keyed by scanner id (default: the exchange id, e.g. `binanceusdm`). */
export const SCANNER_STATE_MAP = 'DOLPHIN_SCANNER_STATE';

/** The status record is written after every scan and at least this often (the heartbeat). */
export const SCANNER_BEAT_MS = 5000;

/** How a scanner looks from its status record: STALE (no heartbeat), DEGRADED (no price stream), OK, STOPPED. */
export type ScannerHealth = 'OK' | 'DEGRADED' | 'STALE' | 'STOPPED';

/**
 * Heartbeat age beyond which a running scanner is STALE: three missed beats (it writes its record at
 * least every min(cadence, 5 s)), and never less than `floorMs` (dolphin status passes its run limit,
 * max(3 s, --stale-after / 2); default 15 s).
 */
export function scannerHeartbeatLimitMs(cadenceMs: number, floorMs = 15_000): number {
  return Math.max(floorMs, 3 * Math.min(SCANNER_BEAT_MS, cadenceMs));
}

/** The health of a scanner's record at wall-clock `nowMs` (`floorMs`: see scannerHeartbeatLimitMs). */
export function scannerHealth(s: ScannerStatus, nowMs: number, floorMs?: number): ScannerHealth {
  if (s.stopped) return 'STOPPED';
  if (nowMs - s.heartbeatMs > scannerHeartbeatLimitMs(s.cadenceMs, floorMs)) return 'STALE';
  return s.connection === 'WEBSOCKET' ? 'OK' : 'DEGRADED';
}

/** How prices reach the scanner right now. */
export type ScannerConnection = 'STARTING' | 'WEBSOCKET' | 'REST_FALLBACK' | 'DOWN' | 'STOPPED';

/** Counters since the scanner started. */
export interface ScannerCounters {
  /** Stream connections lost (or refused) after having been up. */
  readonly socketDrops: number;
  /** Stream subscriptions made after a drop. */
  readonly resubscribes: number;
  /** Scans taken while the stream was down (prices from REST polling or stale). */
  readonly scansWithoutStream: number;
  readonly restPolls: number;
  readonly restErrors: number;
  /** HTTP 429/418 answers; the Retry-After they carried was waited out each time. */
  readonly rateLimited: number;
  /** Stream messages without a known symbol and a positive price, or not JSON. */
  readonly malformedMessages: number;
  /** Sum over scans of the symbols with an invalid price (stale, silent or delisted). */
  readonly invalidPrices: number;
  /** Symbols found delisted (not TRADING) mid-session. */
  readonly delisted: number;
  /** Cadence boundaries that passed without a scan (the process was stalled or suspended). */
  readonly missedBoundaries: number;
  readonly writeErrors: number;
  readonly publishErrors: number;
}

/** DOLPHIN_SCANNER_STATE[scannerId]: written after every scan and every few seconds. */
export interface ScannerStatus {
  readonly scannerId: string;
  readonly mode: 'scanner';
  readonly exchange: string;
  /** REST host the scanner reads (fapi.binance.com, or the emulator's 127.0.0.1:PORT). */
  readonly venue: string;
  readonly priceSource: 'last' | 'mark';
  readonly cadenceMs: number;
  /** Wall-clock epoch ms of this write (heartbeat). */
  readonly heartbeatMs: number;
  readonly startedAtMs: number;
  readonly connection: ScannerConnection;
  /** ms since the last price update of any symbol (null before the first). */
  readonly lastTickAgeMs: number | null;
  /** ns decimal string of the last scan, null before the first. */
  readonly lastScanTs: string | null;
  readonly lastScanNumber: number | null;
  readonly scansWritten: number;
  readonly scansPublished: number;
  readonly universeSize: number;
  /** Symbols without a valid price in the last scan (stale, silent or delisted). */
  readonly staleSymbols: readonly string[];
  readonly delistedSymbols: readonly string[];
  /** Venue clock minus local clock, ms (from GET /fapi/v1/time; null before the first measurement). */
  readonly clockOffsetMs: number | null;
  /** Round trip of that measurement, ms. */
  readonly clockRttMs: number | null;
  /** Scans read back from --out at start to restore the feature windows. */
  readonly restoredScans: number;
  /** --out folder on the machine running the scanner, or null. */
  readonly out: string | null;
  readonly counters: ScannerCounters;
  readonly stopped: boolean;
}
