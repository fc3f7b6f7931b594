/**
 * The exchange feed of a live run (`dolphin live --paper --feed exchange`): the project's own scanner in
 * this process, no Hazelcast needed. Each scan it takes is judged by the same ScanAcceptance as a scan
 * read from Hazelcast, as the very JSON a publisher writes (format bounds, clock, time order), then
 * handed on in order. Cadence boundaries without a scan (a stalled process, a restart) become missed
 * ranges; the feed is STALE when no scan was accepted, or no price arrived, for `staleAfterMs`.
 */
import type { FeedStatus } from '../../core/ports/data-feed.port.js';
import type { ScanRecord } from '../../core/scan.js';
import type { ScanSourceCounters, ScanSourceSink } from '../live/hazelcast-scan-source.js';
import type { LiveScanSource } from '../live/live-scan-source.js';
import type { MissedRange } from '../live/paper-state.js';
import { acceptanceFor, type ScanAcceptance, type LiveSourceOptions, type Rejection } from '../live/scan-acceptance.js';
import { scanToJson } from '../live/scan-json.js';
import { ExchangeScanner, type ExchangeScannerSettings } from './exchange-scanner.js';
import type { ScanPublisher } from './scan-publisher.js';
import type { ScannerStatus } from './scanner-status.js';

/** Options of ExchangeScanSource. */
export interface ExchangeSourceOptions extends LiveSourceOptions {
  /** The scanner (venue, universe, cadence, prices, --out, restore folder). */
  readonly scanner: ExchangeScannerSettings;
  /** Publishes the scans and the scanner's status record (live --hz); closed by stop(). */
  readonly publisher?: ScanPublisher;
  /** Also log the scanner's line per scan. (STALE also when no price came from the venue for staleAfterMs.) */
  readonly verbose?: boolean;
}

/** Missed ranges kept (the total is counted). */
const MAX_MISSED_RANGES = 100;
/** How often the feed status is re-judged, ms. */
const STATUS_EVERY_MS = 500;

/** The live scan source of `dolphin live --feed exchange`. */
export class ExchangeScanSource implements LiveScanSource {
  private readonly o: ExchangeSourceOptions;
  private readonly scanner: ExchangeScanner;
  private readonly acceptance: ScanAcceptance;
  private readonly cadenceNs: bigint;
  private readonly now: () => number;
  private sink: ScanSourceSink | null = null;
  private status: FeedStatus = 'DISCONNECTED';
  private scansMissed = 0;
  private readonly missed: MissedRange[] = [];
  private startedMs = 0;
  private lastAcceptMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;

  constructor(o: ExchangeSourceOptions) {
    this.o = o;
    this.now = o.nowMs ?? Date.now;
    this.cadenceNs = BigInt(o.scanner.cadenceMs) * 1_000_000n;
    this.acceptance = acceptanceFor(o);
    this.scanner = new ExchangeScanner({
      ...o.scanner,
      ...(o.publisher !== undefined ? { publisher: o.publisher } : {}),
      log: (level, m) => {
        if (level !== 'debug' || o.verbose) o.log?.(`scanner: ${m}`);
      },
      onScan: (scan) => this.onScan(scan),
    });
  }

  /** The venue host (the emulator's 127.0.0.1:PORT, or fapi.binance.com). */
  get host(): string {
    return this.scanner.host;
  }

  /** Key of the scanner's status record. */
  get scannerId(): string {
    return this.scanner.scannerId;
  }

  /** The scanner's status record as it stands. */
  scannerStatus(): ScannerStatus {
    return this.scanner.status();
  }

  get counters(): ScanSourceCounters {
    const c = this.scanner.status().counters;
    return { ...this.acceptance.counters, reconnects: c.resubscribes, scansMissed: this.scansMissed, fromStream: 0, fromKey: 0 };
  }

  get lastRejection(): Rejection | null {
    return this.acceptance.lastRejection;
  }

  get missedRanges(): readonly MissedRange[] {
    return this.missed;
  }

  get feedStatus(): FeedStatus {
    return this.status;
  }

  /**
   * Starts the scanner (markets, universe, restored windows, first prices, stream, scan timer).
   * @throws FeedUnavailableError naming the host when the venue cannot be reached within the attempts.
   */
  async start(sink: ScanSourceSink): Promise<void> {
    this.sink = sink;
    await this.scanner.start();
    this.startedMs = this.now();
    this.lastAcceptMs = this.startedMs;
    this.judgeStatus();
    this.timer = setInterval(() => this.judgeStatus(), STATUS_EVERY_MS);
  }

  /** Stops the scanner (its final status record is published), then the publisher. Idempotent. */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      await this.scanner.stop();
      await this.o.publisher?.close();
    })());
  }

  /** A scan the scanner just wrote: judged, its gap to the last accepted one counted, handed on. */
  private onScan(scan: ScanRecord): void {
    if (this.stopping !== null) return;
    // called from the scanner's timer: nothing may escape into it
    try {
      const before = this.acceptance.lastAcceptedTs;
      const accepted = this.acceptance.judge(scanToJson(scan), `scanner ${this.scanner.scannerId}`);
      if (accepted === null) return;
      if (before !== null) this.countGap(before, accepted.timestampNs);
      this.lastAcceptMs = this.now();
      this.judgeStatus();
      this.sink?.onAccepted(accepted, []);
    } catch (e) {
      this.o.log?.(`scan ${scan.timestampNs}: the run could not take it (${(e as Error).message})`);
    }
  }

  /** Cadence boundaries between two accepted scans that have no scan: the scanner never took them. */
  private countGap(fromTs: bigint, toTs: bigint): void {
    const missing = Number((toTs - fromTs) / this.cadenceNs) - 1;
    if (missing <= 0) return;
    this.scansMissed += missing;
    this.missed.push({ fromTs: fromTs.toString(), toTs: toTs.toString(), scans: missing, via: 'scanner' });
    if (this.missed.length > MAX_MISSED_RANGES) this.missed.shift();
    this.o.log?.(`missed ${missing} scan(s) between ${fromTs} and ${toTs} (no scan was taken: this process was stalled or not running)`);
  }

  /** CONNECTED while scans are accepted and prices arrive; STALE when either stopped for staleAfterMs. */
  private judgeStatus(): void {
    if (this.stopping !== null) return;
    const limit = this.o.staleAfterMs ?? 30_000;
    const now = this.now();
    const tickAge = this.scanner.status().lastTickAgeMs ?? now - this.startedMs;
    const next: FeedStatus = now - this.lastAcceptMs > limit || tickAge > limit ? 'STALE' : 'CONNECTED';
    if (next === this.status) return;
    this.status = next;
    this.o.log?.(`feed status: ${next}${next === 'STALE' ? ` (no scan accepted for ${((now - this.lastAcceptMs) / 1000).toFixed(1)} s, last price ${(tickAge / 1000).toFixed(1)} s ago)` : ''}`);
    this.sink?.onStatus?.(next);
  }
}
