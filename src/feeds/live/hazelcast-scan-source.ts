/**
 * Reads scans and external factors from Hazelcast and decides, in order, which scans are accepted.
 *
 * Scans come from the scan stream (a ringbuffer every publisher of the project appends to, read by
 * sequence, so nothing published while this run was away or the member restarted is skipped) and from
 * the `latest_eigen_scan` key (entry listener, plus a slow poll as safety net). A key event first drains
 * the stream (publishers append to the stream before writing the key); a key value newer than anything
 * in the stream came from a publisher that writes the key only (the external scanner) and is accepted
 * from the key, the scans it never showed being counted from the scan_number jump. Every message goes
 * through ScanAcceptance (format bounds, clock, time order); nothing here throws.
 */
import type { IMap } from 'hazelcast-client';
import type { FeedStatus } from '../../core/ports/data-feed.port.js';
import { isoToDay, type ScanRecord } from '../../core/scan.js';
import type { FactorRecord } from '../../core/trade.js';
import type { HazelcastClient } from './hazelcast-connection.js';
import { EXF_KEY, FEATURES_MAP, SCAN_KEY, scanStreamName, type MissedRange } from './paper-state.js';
import { acceptanceFor, type ScanAcceptance, type AcceptanceCounters, type LiveSourceOptions, type Rejection } from './scan-acceptance.js';
import { parseFactorsJson, parseScanJson } from './scan-json.js';
import { ScanStreamReader, type DrainResult, type StreamPosition } from './scan-stream-reader.js';

/** What the source hands on: accepted scans (in order) and factor records with their effective scan. */
export interface ScanSourceSink {
  /** A scan was accepted; `factors` are records that take effect from this scan (arrived since the last one). */
  onAccepted(scan: ScanRecord, factors: readonly FactorRecord[]): void;
  onStatus?(status: FeedStatus): void;
}

/** Counters of the source (published in the run state). */
export interface ScanSourceCounters extends AcceptanceCounters {
  reconnects: number;
  /** Scans known to be missed: the scan stream lost them, or only the latest key showed (scan_number jumps). */
  scansMissed: number;
  /** Accepted scans read from the scan stream. */
  fromStream: number;
  /** Accepted scans read from the latest key only (not in the stream). */
  fromKey: number;
}

/** Options of HazelcastScanSource. */
export interface ScanSourceOptions extends LiveSourceOptions {
  readonly client: HazelcastClient;
  readonly featuresMap?: string;
  /** Scan stream to read (default scanStreamName(featuresMap)); null reads the key alone. */
  readonly scanStream?: string | null;
  /** Resume: where a previous run was in the stream (from the journal); verified before use. */
  readonly streamPosition?: StreamPosition | null;
  /** Safety-net poll period (default 2000 ms). */
  readonly pollMs?: number;
  /** Resume: the JSON of the last factor record already in effect (not re-applied). */
  readonly lastFactorsJson?: string | null;
}

/** Key values waiting for the next pump (bounded: in stream mode they are only triggers). */
const MAX_QUEUED_KEYS = 10_000;
/** Missed ranges kept (the total is counted). */
const MAX_MISSED_RANGES = 100;
/** A stream failing this long while the key is readable is given up for the key alone. */
const STREAM_GIVE_UP_MS = 30_000;
/** Pause of the stream follower after a failed or dropped wait (the pump and the poll do the recovery). */
const FOLLOW_RETRY_MS = 250;

/** The live scan source of `dolphin live`. */
export class HazelcastScanSource {
  private readonly o: ScanSourceOptions;
  private readonly acceptance: ScanAcceptance;
  private readonly reader: ScanStreamReader | null;
  private reconnects = 0;
  private scansMissed = 0;
  private fromStream = 0;
  private fromKey = 0;
  private readonly missed: MissedRange[] = [];
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

  // the pump: one drain-and-judge at a time, in arrival order
  private queue: { text: string; listener: boolean }[] = [];
  private pumping: Promise<void> | null = null;
  private again = false;
  private checkReset = false;
  /** Entries not newer than this are skipped silently (re-read after a reset or a resume). */
  private rewindTs: bigint | null = null;
  /** Entries lost from the stream since the last accepted scan (a fallback count for the next gap). */
  private lostPending = 0;
  private streamFailingSince: number | null = null;
  private lastStreamError = '';
  private position: StreamPosition | null = null;
  /** Text of the last scan accepted from the stream: the key event that follows it needs no drain or parse. */
  private lastStreamText: string | null = null;

  constructor(o: ScanSourceOptions) {
    this.o = o;
    this.acceptance = acceptanceFor(o);
    const stream = o.scanStream === undefined ? scanStreamName(o.featuresMap ?? FEATURES_MAP) : o.scanStream;
    // after a reset the stream is read again from its head: what is not newer than the last accepted scan is skipped silently
    const onReset = (): void => {
      this.rewindTs = this.acceptance.lastAcceptedTs;
    };
    this.reader = stream === null ? null : new ScanStreamReader({ client: o.client, name: stream, tsOf, onReset, log: o.log });
    this.lastFactorsJson = o.lastFactorsJson ?? null;
    this.position = o.streamPosition ?? null;
    this.now = o.nowMs ?? Date.now;
    this.lastAcceptMs = this.now();
  }

  /** Counters so far (a snapshot). */
  get counters(): ScanSourceCounters {
    return { ...this.acceptance.counters, reconnects: this.reconnects, scansMissed: this.scansMissed, fromStream: this.fromStream, fromKey: this.fromKey };
  }

  /** The last refused message and why, or null. */
  get lastRejection(): Rejection | null {
    return this.acceptance.lastRejection;
  }

  /** Ranges of scans known to be missed (the most recent MAX_MISSED_RANGES). */
  get missedRanges(): readonly MissedRange[] {
    return this.missed;
  }

  /** Sequence and timestamp of the last scan accepted from the stream (saved in the journal), or null. */
  get streamPosition(): StreamPosition | null {
    return this.position;
  }

  /** Last accepted timestamp (ns). */
  get lastAcceptedTs(): bigint | null {
    return this.acceptance.lastAcceptedTs;
  }

  /** Current feed status. */
  get feedStatus(): FeedStatus {
    return this.status;
  }

  /** Subscribes (entry listener), positions the stream, reads what is there, starts the poll and the staleness check. */
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
    if (this.reader !== null) {
      const resuming = this.acceptance.lastAcceptedTs !== null;
      const where = await this.reader.position(this.position, resuming);
      if (where !== 'newest') this.rewindTs = this.acceptance.lastAcceptedTs;
      if (where === 'head' && resuming) this.o.log?.(`scan stream: resuming from its head, skipping what the journal already holds (last ${this.acceptance.lastAcceptedTs})`);
    }
    await this.pollOnce();
    await this.pumping; // what was there at start is handled before start resolves
    if (this.reader !== null) void this.follow(this.reader);
    this.timers.push(setInterval(() => void this.pollOnce(), this.o.pollMs ?? 2000));
    this.timers.push(setInterval(() => this.checkStale(), 500));
  }

  /** Client lifecycle: DISCONNECTED until reconnected; after a reconnect the stream is checked and read. */
  onLifecycle(state: string): void {
    if (state === 'DISCONNECTED') {
      this.setStatus('DISCONNECTED');
      this.reader?.markSuspect();
    }
    if (state === 'CONNECTED' && this.status === 'DISCONNECTED') {
      this.reconnects++;
      this.o.log?.('hazelcast: reconnected; reading the scan stream and latest_eigen_scan again');
      this.setStatus('STALE');
      void this.pollOnce();
    }
  }

  /**
   * Stops listening and polling. A read still in flight (it may wait on an absent cluster) is not
   * awaited: whatever it returns is dropped, nothing reaches the sink after stop.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.map && this.listenerId) await this.map.removeEntryListener(this.listenerId).catch(() => false);
  }

  /**
   * The stream follower: a blocking read parked on the member, answered as soon as a scan is appended.
   * It is the fast path (one hop from the publisher's append to acceptance); the key events, the poll
   * and the pump stay as they were and find the scans already handed on (both hand on only what is past
   * the position). Failures are left to them: the follower pauses and waits again.
   */
  private async follow(reader: ScanStreamReader): Promise<void> {
    while (!this.stopped) {
      let r: DrainResult | null = null;
      try {
        r = await reader.follow((text, seq) => this.onStreamText(text, seq));
      } catch {
        // the cluster is away or the stream was reset: the lifecycle listener, the poll and the pump report and recover
      }
      if (this.stopped) return;
      if (r === null) await new Promise((res) => setTimeout(res, FOLLOW_RETRY_MS));
      else this.lostPending += r.lost;
    }
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
    this.checkReset = true;
    this.kick();
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

  /** Handles one value of the features map (listener or poll); scans are queued for the pump. */
  onEntry(key: string, value: unknown, fromPoll = false): void {
    if (this.stopped) return;
    if (key === EXF_KEY) this.onFactors(value);
    else if (key === SCAN_KEY) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      // the key written after the stream entry already taken: judging it would drop it silently (not newer,
      // a stream was read), so skip the drain and the parse that would sit before the next scan's work
      if (text === this.lastStreamText) return;
      if (this.queue.length >= MAX_QUEUED_KEYS) this.queue.shift();
      this.queue.push({ text, listener: !fromPoll });
      this.kick();
    }
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

  // ---------------------------------------------------------------------------------------------
  // The pump
  // ---------------------------------------------------------------------------------------------

  /** Runs the pump (or makes the running one go round once more). */
  private kick(): void {
    if (this.stopped) return;
    if (this.pumping !== null) {
      this.again = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
    });
  }

  /** Each round: the key values received so far, then the stream drained, then those values judged. */
  private async pump(): Promise<void> {
    do {
      this.again = false;
      const keys = this.queue;
      this.queue = [];
      const drained = await this.drainStream();
      if (this.stopped) return;
      if (!drained) {
        // the stream could not be read: the key values wait (the stream may hold older scans first)
        this.queue = [...keys, ...this.queue].slice(-MAX_QUEUED_KEYS);
        return;
      }
      for (const k of keys) this.onKeyText(k.text, k.listener);
    } while (this.again && !this.stopped);
  }

  /** Reads the stream to its end; false when it could not be read (and the key must wait). */
  private async drainStream(): Promise<boolean> {
    if (this.reader === null) return true;
    const checkReset = this.checkReset;
    this.checkReset = false;
    try {
      const r = await this.reader.drain((text, seq) => this.onStreamText(text, seq), checkReset);
      this.lostPending += r.lost;
      if (this.streamFailingSince !== null) this.o.log?.('scan stream: readable again');
      this.streamFailingSince = null;
      return true;
    } catch (e) {
      if (this.stopped) return false;
      const msg = (e as Error).message;
      const now = this.now();
      this.streamFailingSince ??= now;
      if (msg !== this.lastStreamError) this.o.log?.(`scan stream: read failed (${msg}); will retry`);
      this.lastStreamError = msg;
      if (now - this.streamFailingSince > STREAM_GIVE_UP_MS && this.status !== 'DISCONNECTED') {
        // the cluster answers but the stream does not (no ringbuffer here?): go on with the key alone
        return true;
      }
      return false;
    }
  }

  private onStreamText(text: string, seq: number): void {
    if (this.stopped) return;
    const rewinding = this.rewindTs !== null;
    const before = this.gapBase();
    const scan = this.acceptance.judge(text, 'scan stream', !rewinding);
    if (scan === null) return;
    this.rewindTs = null;
    this.lastStreamText = text;
    this.fromStream++;
    this.position = { seq, ts: scan.timestampNs };
    this.accepted(scan, before, 'stream');
  }

  private onKeyText(text: string, listener: boolean): void {
    if (this.stopped) return;
    // Publishers of the stream have put this scan there already (drained above): a key value that is
    // not newer than the last accepted scan is the same scan again. Late ones are counted only when the
    // key is the sole source (no stream entry read) and a listener event (not the poll) delivered them.
    const before = this.gapBase();
    const scan = this.acceptance.judge(text, SCAN_KEY, listener && (this.reader === null || this.reader.entriesRead === 0));
    if (scan === null) return;
    this.fromKey++;
    this.accepted(scan, before, 'key');
  }

  /** Timestamp and scan_number of the last accepted scan, before the next one is judged. */
  private gapBase(): { ts: bigint | null; n: number | null } {
    return { ts: this.acceptance.lastAcceptedTs, n: this.acceptance.lastScanNumber };
  }

  /** Hands an accepted scan on; records the scans known to be missed before it. */
  private accepted(scan: ScanRecord, before: { ts: bigint | null; n: number | null }, via: 'stream' | 'key'): void {
    let missing = 0;
    if (before.n !== null && before.n >= 0 && scan.scanNumber > before.n + 1) missing = scan.scanNumber - before.n - 1;
    else if (this.lostPending > 0 && before.ts !== null) missing = this.lostPending;
    this.lostPending = 0;
    if (missing > 0 && before.ts !== null) {
      this.scansMissed += missing;
      this.missed.push({ fromTs: before.ts.toString(), toTs: scan.timestampNs.toString(), scans: missing, via });
      if (this.missed.length > MAX_MISSED_RANGES) this.missed.shift();
      this.o.log?.(`missed ${missing} scan(s) between ${before.ts} and ${scan.timestampNs} (scan_number ${before.n} -> ${scan.scanNumber}; ${via === 'key' ? 'only the latest key showed them' : 'the scan stream lost them'})`);
    }
    this.lastAcceptMs = this.now();
    const factors = this.pending.map((f) => ({ ...f, effectiveFromNs: scan.timestampNs }));
    this.pending = [];
    this.setStatus('CONNECTED');
    try {
      this.sink?.onAccepted(scan, factors);
    } catch (e) {
      // the sink guards its own steps; an escape here must not break the pump
      this.o.log?.(`scan ${scan.timestampNs}: the run could not take it (${(e as Error).message})`);
    }
  }
}

/** timestamp_ns of a stream entry, or null when it is not a scan. */
function tsOf(text: string): bigint | null {
  try {
    return parseScanJson(text, 'scan stream').timestampNs;
  } catch {
    return null;
  }
}
