/**
 * Reads scans and external factors from Hazelcast (entry listener plus a slow poll as safety net) and
 * hands each message to ScanAcceptance (format bounds, clock check, time order). Malformed, oversize,
 * hostile, future, late and duplicate scans are counted and logged, never fatal.
 */
import type { IMap } from 'hazelcast-client';
import type { ClockPort } from '../../core/ports/clock.port.js';
import type { FeedStatus } from '../../core/ports/data-feed.port.js';
import { isoToDay, type ScanRecord } from '../../core/scan.js';
import type { FactorRecord } from '../../core/trade.js';
import type { HazelcastClient } from './hazelcast-connection.js';
import { EXF_KEY, FEATURES_MAP, SCAN_KEY } from './paper-state.js';
import { ScanAcceptance, type AcceptanceCounters, type Rejection } from './scan-acceptance.js';
import { parseFactorsJson } from './scan-json.js';
import { systemClock } from './system-clock.js';

/** What the source hands on: accepted scans (in order) and factor records with their effective scan. */
export interface ScanSourceSink {
  /** A scan was accepted; `factors` are records that take effect from this scan (arrived since the last one). */
  onAccepted(scan: ScanRecord, factors: readonly FactorRecord[]): void;
  onStatus?(status: FeedStatus): void;
}

/** Counters of the source (published in the run state). */
export interface ScanSourceCounters extends AcceptanceCounters {
  reconnects: number;
}

/** Options of HazelcastScanSource. */
export interface ScanSourceOptions {
  readonly client: HazelcastClient;
  readonly featuresMap?: string;
  /** Safety-net poll period (default 2000 ms). */
  readonly pollMs?: number;
  /** No new scan for this long: STALE (default 30 s). */
  readonly staleAfterMs?: number;
  /** Resume: timestamp and scan_number of the last scan accepted before (from the journal). */
  readonly lastAcceptedTs?: bigint | null;
  readonly lastScanNumber?: number | null;
  /** Resume: the JSON of the last factor record already in effect (not re-applied). */
  readonly lastFactorsJson?: string | null;
  readonly log?: (message: string) => void;
  /** Wall clock in ms (adapter side: status and staleness only, never trading). */
  readonly nowMs?: () => number;
  /** This machine's clock for the future-scan check (default the system clock). */
  readonly clock?: ClockPort;
  /** A scan more than this ahead of `clock` is refused (default 5 min). */
  readonly maxAheadMs?: number;
}

/** The live scan source of `dolphin live`. */
export class HazelcastScanSource {
  private readonly o: ScanSourceOptions;
  private readonly acceptance: ScanAcceptance;
  private reconnects = 0;
  private map: IMap<string, string> | null = null;
  private sink: ScanSourceSink | null = null;
  private lastFactorsJson: string | null;
  private pending: FactorRecord[] = [];
  private status: FeedStatus = 'CONNECTED';
  private lastAcceptMs: number;
  private timers: NodeJS.Timeout[] = [];
  private listenerId: string | null = null;
  private stopped = false;
  private readonly now: () => number;

  constructor(o: ScanSourceOptions) {
    this.o = o;
    this.acceptance = new ScanAcceptance({
      clock: o.clock ?? systemClock,
      maxAheadMs: o.maxAheadMs,
      lastAcceptedTs: o.lastAcceptedTs,
      lastScanNumber: o.lastScanNumber,
      log: o.log,
    });
    this.lastFactorsJson = o.lastFactorsJson ?? null;
    this.now = o.nowMs ?? Date.now;
    this.lastAcceptMs = this.now();
  }

  /** Counters so far (a snapshot). */
  get counters(): ScanSourceCounters {
    return { ...this.acceptance.counters, reconnects: this.reconnects };
  }

  /** The last refused message and why, or null. */
  get lastRejection(): Rejection | null {
    return this.acceptance.lastRejection;
  }

  /** Last accepted timestamp (ns). */
  get lastAcceptedTs(): bigint | null {
    return this.acceptance.lastAcceptedTs;
  }

  /** Current feed status. */
  get feedStatus(): FeedStatus {
    return this.status;
  }

  /** Subscribes (entry listener), reads the current values, starts the poll and the staleness check. */
  async start(sink: ScanSourceSink): Promise<void> {
    this.sink = sink;
    this.map = await this.o.client.getMap<string, string>(this.o.featuresMap ?? FEATURES_MAP);
    this.listenerId = await this.map.addEntryListener(
      {
        added: (e) => this.onEntry(e.key, e.value),
        updated: (e) => this.onEntry(e.key, e.value),
      },
      undefined,
      true,
    );
    await this.pollOnce();
    this.timers.push(setInterval(() => void this.pollOnce(), this.o.pollMs ?? 2000));
    this.timers.push(setInterval(() => this.checkStale(), 500));
  }

  /** Client lifecycle: DISCONNECTED until reconnected; after a reconnect the keys are read again. */
  onLifecycle(state: string): void {
    if (state === 'DISCONNECTED') this.setStatus('DISCONNECTED');
    if (state === 'CONNECTED' && this.status === 'DISCONNECTED') {
      this.reconnects++;
      this.o.log?.('hazelcast: reconnected; re-reading latest_eigen_scan');
      this.setStatus('STALE');
      void this.pollOnce();
    }
  }

  /** Stops listening and polling. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.map && this.listenerId) await this.map.removeEntryListener(this.listenerId).catch(() => false);
  }

  private async pollOnce(): Promise<void> {
    if (!this.map || this.stopped) return;
    try {
      const [exf, scan] = await Promise.all([this.map.get(EXF_KEY), this.map.get(SCAN_KEY)]);
      if (exf != null) this.onEntry(EXF_KEY, exf, true);
      if (scan != null) this.onEntry(SCAN_KEY, scan, true);
    } catch (e) {
      // Cluster gone mid-call: the lifecycle listener reports it; the next poll tries again.
      if (!this.stopped) this.o.log?.(`hazelcast: poll failed (${(e as Error).message}); will retry`);
    }
  }

  private checkStale(): void {
    if (this.status === 'CONNECTED' && this.now() - this.lastAcceptMs > (this.o.staleAfterMs ?? 30_000)) this.setStatus('STALE');
  }

  private setStatus(s: FeedStatus): void {
    if (s === this.status) return;
    this.status = s;
    this.o.log?.(`feed status: ${s}`);
    this.sink?.onStatus?.(s);
  }

  /** Handles one value of the features map (listener or poll). Synchronous: scans are accepted in order. */
  onEntry(key: string, value: unknown, fromPoll = false): void {
    if (this.stopped) return;
    if (key === EXF_KEY) this.onFactors(value);
    else if (key === SCAN_KEY) this.onScanText(value, fromPoll);
  }

  private onFactors(value: unknown): void {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (text === this.lastFactorsJson) return;
    this.lastFactorsJson = text;
    try {
      const f = parseFactorsJson(text, EXF_KEY);
      const day = isoToDay(f.date);
      // effectiveFromNs is filled in with the first scan accepted after arrival (STRATEGY.md 1).
      this.pending.push({ day, effectiveFromNs: -1n, fundingBtc: f.fundingBtc, dvolBtc: f.dvolBtc, fng: f.fng, takerRatio: f.takerRatio });
    } catch (e) {
      this.acceptance.counters.malformedMessages++;
      this.o.log?.(`rejected ${EXF_KEY}: ${(e as Error).message}`);
    }
  }

  private onScanText(value: unknown, fromPoll: boolean): void {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    // The poll re-reads the current value: count a late scan only when a listener event delivered it.
    const scan = this.acceptance.judge(text, SCAN_KEY, !fromPoll);
    if (scan === null) return;
    this.lastAcceptMs = this.now();
    const factors = this.pending.map((f) => ({ ...f, effectiveFromNs: scan.timestampNs }));
    this.pending = [];
    this.setStatus('CONNECTED');
    this.sink?.onAccepted(scan, factors);
  }
}
