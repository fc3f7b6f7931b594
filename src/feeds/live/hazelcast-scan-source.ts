/**
 * Reads scans and external factors from Hazelcast (entry listener plus a slow poll as safety net) and
 * decides which scans are accepted: newer timestamp_ns than the last accepted, well formed. Malformed
 * JSON, missing fields, late and duplicate scans are counted and logged, never fatal.
 */
import type { IMap } from 'hazelcast-client';
import type { FeedStatus } from '../../core/ports/data-feed.port.js';
import { DolphinError } from '../../core/errors.js';
import { isValidPrice, isoToDay, malformedReason, type ScanRecord } from '../../core/scan.js';
import type { FactorRecord } from '../../core/trade.js';
import type { HazelcastClient } from './hazelcast-connection.js';
import { EXF_KEY, FEATURES_MAP, SCAN_KEY } from './paper-state.js';
import { parseFactorsJson } from './scan-json.js';
import { parseScanJson } from './scan-json.js';

/** What the source hands on: accepted scans (in order) and factor records with their effective scan. */
export interface ScanSourceSink {
  /** A scan was accepted; `factors` are records that take effect from this scan (arrived since the last one). */
  onAccepted(scan: ScanRecord, factors: readonly FactorRecord[]): void;
  onStatus?(status: FeedStatus): void;
}

/** Counters of the source (published in the run state). */
export interface ScanSourceCounters {
  scansAccepted: number;
  malformedMessages: number;
  lateOrDuplicate: number;
  scannerRestarts: number;
  invalidPrices: number;
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
}

/** The live scan source of `dolphin live`. */
export class HazelcastScanSource {
  readonly counters: ScanSourceCounters = { scansAccepted: 0, malformedMessages: 0, lateOrDuplicate: 0, scannerRestarts: 0, invalidPrices: 0, reconnects: 0 };
  private readonly o: ScanSourceOptions;
  private map: IMap<string, string> | null = null;
  private sink: ScanSourceSink | null = null;
  private lastTs: bigint | null;
  private lastScanNumber: number | null;
  private lastFactorsJson: string | null;
  private pending: FactorRecord[] = [];
  private status: FeedStatus = 'CONNECTED';
  private lastAcceptMs: number;
  private timers: NodeJS.Timeout[] = [];
  private listenerId: string | null = null;
  private stopped = false;
  private readonly now: () => number;
  private lastMalformedText = '';

  constructor(o: ScanSourceOptions) {
    this.o = o;
    this.lastTs = o.lastAcceptedTs ?? null;
    this.lastScanNumber = o.lastScanNumber ?? null;
    this.lastFactorsJson = o.lastFactorsJson ?? null;
    this.now = o.nowMs ?? Date.now;
    this.lastAcceptMs = this.now();
  }

  /** Last accepted timestamp (ns). */
  get lastAcceptedTs(): bigint | null {
    return this.lastTs;
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
      this.counters.reconnects++;
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
      this.counters.malformedMessages++;
      this.o.log?.(`rejected ${EXF_KEY}: ${(e as Error).message}`);
    }
  }

  private onScanText(value: unknown, fromPoll: boolean): void {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    let scan: ScanRecord;
    try {
      scan = parseScanJson(text, SCAN_KEY);
    } catch (e) {
      if (text !== this.lastMalformedText) {
        this.lastMalformedText = text;
        this.counters.malformedMessages++;
        this.o.log?.(`rejected ${SCAN_KEY}: ${e instanceof DolphinError ? e.message : String(e)}`);
      }
      return;
    }
    if (this.lastTs !== null && scan.timestampNs <= this.lastTs) {
      // The poll re-reads the current value: count only what a listener event delivered.
      if (!fromPoll) {
        this.counters.lateOrDuplicate++;
        this.o.log?.(`dropped ${scan.timestampNs === this.lastTs ? 'duplicate' : 'out-of-order'} scan ${scan.timestampNs} (last accepted ${this.lastTs})`);
      }
      return;
    }
    const bad = malformedReason(scan);
    if (bad) {
      if (text !== this.lastMalformedText) {
        this.lastMalformedText = text;
        this.counters.malformedMessages++;
        this.o.log?.(`rejected malformed scan ${scan.timestampNs}: ${bad}`);
      }
      return;
    }
    if (this.lastScanNumber !== null && scan.scanNumber < this.lastScanNumber) {
      this.counters.scannerRestarts++;
      this.o.log?.(`scanner restart: scan_number ${this.lastScanNumber} -> ${scan.scanNumber}`);
    }
    for (const p of scan.prices) if (!isValidPrice(p)) this.counters.invalidPrices++;
    this.lastTs = scan.timestampNs;
    this.lastScanNumber = scan.scanNumber;
    this.lastAcceptMs = this.now();
    this.counters.scansAccepted++;
    const factors = this.pending.map((f) => ({ ...f, effectiveFromNs: scan.timestampNs }));
    this.pending = [];
    this.setStatus('CONNECTED');
    this.sink?.onAccepted(scan, factors);
  }
}
