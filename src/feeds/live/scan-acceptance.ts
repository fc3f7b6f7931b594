/**
 * Guarded acceptance of live scan messages: the bounds of the scan format (core/scan-limits), a clock
 * check (a scan too far ahead of this machine's clock is refused), then strict time order. Every refusal
 * is counted and logged with its reason; nothing here throws.
 */
import { createHash } from 'node:crypto';
import { DolphinError } from '../../core/errors.js';
import type { ClockPort } from '../../core/ports/clock.port.js';
import { isValidPrice, malformedReason, type ScanRecord } from '../../core/scan.js';
import { assetCountProblem, MAX_SCAN_MESSAGE_BYTES, symbolProblem, textFieldProblem, timestampProblem } from '../../core/scan-limits.js';
import { parseScanJson } from './scan-json.js';
import { systemClock } from './system-clock.js';

/** Refused messages remembered so that a message seen twice (stream and key) is counted once. */
const REFUSED_REMEMBERED = 64;

/** Options every live scan source takes: the resume point, the acceptance clock, staleness and logging. */
export interface LiveSourceOptions {
  /** Resume: timestamp and scan_number of the last scan accepted before (from the journal). */
  readonly lastAcceptedTs?: bigint | null;
  readonly lastScanNumber?: number | null;
  /** This machine's clock for the future-scan check (default the system clock). */
  readonly clock?: ClockPort;
  /** A scan more than this ahead of `clock` is refused (default 5 min). */
  readonly maxAheadMs?: number;
  /** No accepted scan for this long: STALE (default 30 s). */
  readonly staleAfterMs?: number;
  readonly log?: (message: string) => void;
  /** Wall clock in ms (adapter side: status and staleness only, never trading). */
  readonly nowMs?: () => number;
}

/** Default tolerance for a scan ahead of this machine's clock (clock skew between scanner and here). */
export const DEFAULT_MAX_AHEAD_MS = 5 * 60_000;

/** Counters of what acceptance saw (published in the run state). */
export interface AcceptanceCounters {
  scansAccepted: number;
  /** Not a scan: invalid JSON, a missing or mistyped field, mismatched or duplicate assets. */
  malformedMessages: number;
  /** Outside the bounds of the scan format: message size, asset count, text length, symbol characters. */
  outOfBounds: number;
  /** timestamp_ns implausible (before 2000 or from 2100) or more than the margin ahead of this clock. */
  badTimestamps: number;
  lateOrDuplicate: number;
  scannerRestarts: number;
  invalidPrices: number;
}

/** The last refusal, for the run state and `dolphin status`. */
export interface Rejection {
  /** malformed, out-of-bounds or bad-timestamp. */
  readonly kind: 'malformed' | 'out-of-bounds' | 'bad-timestamp';
  readonly reason: string;
  /** Wall clock of the refusal, epoch ms. */
  readonly atMs: number;
}

/** Options of ScanAcceptance. */
export interface AcceptanceOptions {
  /** This machine's clock (adapter side: used only to refuse scans from the future). */
  readonly clock: ClockPort;
  /** A scan more than this ahead of the clock is refused (default DEFAULT_MAX_AHEAD_MS). */
  readonly maxAheadMs?: number;
  /** Resume: timestamp and scan_number of the last scan accepted before. */
  readonly lastAcceptedTs?: bigint | null;
  readonly lastScanNumber?: number | null;
  readonly log?: (message: string) => void;
}

/** The acceptance of a live scan source, from the source's options (its resume point, clock and log). */
export function acceptanceFor(o: LiveSourceOptions): ScanAcceptance {
  return new ScanAcceptance({ clock: o.clock ?? systemClock, maxAheadMs: o.maxAheadMs, lastAcceptedTs: o.lastAcceptedTs, lastScanNumber: o.lastScanNumber, log: o.log });
}

/** What `judge` decided: the scan when accepted, else null (the reason is counted and logged). */
export type Judged = ScanRecord | null;

/** Size in UTF-8 bytes, computed only when the length alone cannot decide (bytes >= UTF-16 units). */
function overSize(text: string): number | null {
  if (text.length > MAX_SCAN_MESSAGE_BYTES) return text.length;
  if (text.length * 3 <= MAX_SCAN_MESSAGE_BYTES) return null;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > MAX_SCAN_MESSAGE_BYTES ? bytes : null;
}

/** Why a parsed scan is outside the format's bounds, or null. */
export function boundsProblem(scan: ScanRecord): string | null {
  const p = textFieldProblem('timestamp_iso', scan.timestampIso) ?? textFieldProblem('schema_version', scan.schemaVersion) ?? assetCountProblem(scan.assets.length);
  if (p !== null) return p;
  for (const a of scan.assets) {
    const s = symbolProblem(a);
    if (s !== null) return s;
  }
  return null;
}

/** Decides, message by message, which scans a live run accepts. */
export class ScanAcceptance {
  readonly counters: AcceptanceCounters = { scansAccepted: 0, malformedMessages: 0, outOfBounds: 0, badTimestamps: 0, lateOrDuplicate: 0, scannerRestarts: 0, invalidPrices: 0 };
  private lastTs: bigint | null;
  private lastNumber: number | null;
  private readonly maxAheadNs: bigint;
  /** Digests of recently refused messages: the same message seen again (key and stream, poll) counts once. */
  private readonly refusedDigests: string[] = [];
  private rejection: Rejection | null = null;

  constructor(private readonly o: AcceptanceOptions) {
    this.lastTs = o.lastAcceptedTs ?? null;
    this.lastNumber = o.lastScanNumber ?? null;
    this.maxAheadNs = BigInt(Math.round(o.maxAheadMs ?? DEFAULT_MAX_AHEAD_MS)) * 1_000_000n;
  }

  /** timestamp_ns of the last accepted scan. */
  get lastAcceptedTs(): bigint | null {
    return this.lastTs;
  }

  /** scan_number of the last accepted scan. */
  get lastScanNumber(): number | null {
    return this.lastNumber;
  }

  /** The last refusal (malformed, out of bounds, bad timestamp), or null. */
  get lastRejection(): Rejection | null {
    return this.rejection;
  }

  /**
   * Parses and checks one message. `countLate`: count a scan that is not newer than the last accepted
   * (false for re-reads of the same value, e.g. the safety-net poll). A refused message that is
   * textually the same as one of the last REFUSED_REMEMBERED refused ones is not counted again.
   */
  judge(text: string, source: string, countLate = true): Judged {
    const big = overSize(text);
    if (big !== null) return this.reject(text, 'out-of-bounds', `${source}: message is ${big} bytes (at most ${MAX_SCAN_MESSAGE_BYTES})`);
    let scan: ScanRecord;
    try {
      scan = parseScanJson(text, source);
    } catch (e) {
      return this.reject(text, 'malformed', e instanceof DolphinError ? e.message : String(e));
    }
    const bounds = boundsProblem(scan);
    if (bounds !== null) return this.reject(text, 'out-of-bounds', `${source} scan ${scan.timestampNs}: ${bounds}`);
    const when = timestampProblem(scan.timestampNs) ?? this.aheadProblem(scan.timestampNs);
    if (when !== null) return this.reject(text, 'bad-timestamp', `${source}: ${when}`);
    if (this.lastTs !== null && scan.timestampNs <= this.lastTs) {
      if (countLate) {
        this.counters.lateOrDuplicate++;
        this.o.log?.(`dropped ${scan.timestampNs === this.lastTs ? 'duplicate' : 'out-of-order'} scan ${scan.timestampNs} (last accepted ${this.lastTs})`);
      }
      return null;
    }
    const bad = malformedReason(scan);
    if (bad !== null) return this.reject(text, 'malformed', `${source}: malformed scan ${scan.timestampNs}: ${bad}`);
    if (this.lastNumber !== null && scan.scanNumber < this.lastNumber) {
      this.counters.scannerRestarts++;
      this.o.log?.(`scanner restart: scan_number ${this.lastNumber} -> ${scan.scanNumber}`);
    }
    for (const p of scan.prices) if (!isValidPrice(p)) this.counters.invalidPrices++;
    this.lastTs = scan.timestampNs;
    this.lastNumber = scan.scanNumber;
    this.counters.scansAccepted++;
    return scan;
  }

  /** Whether a parsed timestamp is new (newer than the last accepted). */
  isNew(tsNs: bigint): boolean {
    return this.lastTs === null || tsNs > this.lastTs;
  }

  private aheadProblem(tsNs: bigint): string | null {
    const now = this.o.clock.nowNs();
    const ahead = tsNs - now;
    if (ahead <= this.maxAheadNs) return null;
    return `timestamp_ns ${tsNs} is ${fmtAhead(ahead)} ahead of this machine's clock (at most ${fmtAhead(this.maxAheadNs)}): is the scanner's clock wrong?`;
  }

  private reject(text: string, kind: Rejection['kind'], reason: string): null {
    const digest = createHash('sha1').update(text).digest('base64');
    if (this.refusedDigests.includes(digest)) return null;
    this.refusedDigests.push(digest);
    if (this.refusedDigests.length > REFUSED_REMEMBERED) this.refusedDigests.shift();
    if (kind === 'malformed') this.counters.malformedMessages++;
    else if (kind === 'out-of-bounds') this.counters.outOfBounds++;
    else this.counters.badTimestamps++;
    this.rejection = { kind, reason: reason.length > 300 ? `${reason.slice(0, 300)}...` : reason, atMs: Number(this.o.clock.nowNs() / 1_000_000n) };
    this.o.log?.(`rejected ${kind} message: ${this.rejection.reason}`);
    return null;
  }
}

/** A duration in ns as text: 300 s, 12 h, 86000 d. */
function fmtAhead(ns: bigint): string {
  const s = Number(ns / 1_000_000_000n);
  if (s < 3600) return `${s} s`;
  if (s < 86_400 * 3) return `${(s / 3600).toFixed(1)} h`;
  return `${Math.round(s / 86_400)} d`;
}
