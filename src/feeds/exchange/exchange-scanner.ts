/**
 * The exchange scanner (`dolphin scan`): Binance USDT-M prices through ccxt, a scan at every UTC-aligned
 * cadence boundary, eigen features from the shared streaming scanner, outputs to Arrow files, Hazelcast
 * and a status record. A restart restores the feature windows from the scans it wrote.
 */
import { existsSync } from 'node:fs';
import { PriceFeatureStream } from '../../core/eigen/price-feature-stream.js';
import { FeedUnavailableError } from '../../core/errors.js';
import { FEATURE_COUNT, SCHEMA_VERSION, WINDOWS, type ScanRecord } from '../../core/scan.js';
import { replayFeatures } from '../scan-folder/feature-replay.js';
import { ScanFileWriter } from '../scan-folder/scan-file-writer.js';
import { readOrderedScans } from '../scan-folder/scan-folder-reader.js';
import { BinanceUsdmVenue, VenueRateLimited, isNetworkError, type PriceSource, type VenueMarket } from './binance-usdm.venue.js';
import { PriceBook } from './price-book.js';
import { chooseUniverse, type UniverseSpec } from './scan-universe.js';
import type { ScanPublisher } from './scan-publisher.js';
import { SCANNER_BEAT_MS, type ScannerConnection, type ScannerCounters, type ScannerStatus } from './scanner-status.js';

/** The scan timer wakes this many ms before a boundary and spins until it (at most this much CPU per scan). */
const SPIN_MS = 2;

/** Log levels of the scanner. */
export type ScannerLogLevel = 'debug' | 'info' | 'warn';

/** Options of the exchange scanner. */
export interface ExchangeScannerOptions {
  /** ccxt exchange id; only `binanceusdm` is supported. */
  readonly exchange: 'binanceusdm';
  readonly universe: UniverseSpec;
  /** Scan cadence in ms; must divide one day (boundaries are UTC-aligned). */
  readonly cadenceMs: number;
  /** A symbol whose last update is older than this many cadences at a boundary is stale (invalid price). */
  readonly staleAfterCadences: number;
  readonly priceSource: PriceSource;
  /** Folder for scanner-layout Arrow files (and the restore source at start). */
  readonly out?: string;
  /**
   * Without `out`: a scan folder read back at start to restore the universe and the feature windows
   * (never written), e.g. the journal of a live run whose scans this scanner took.
   */
  readonly restoreFrom?: string;
  readonly publisher?: ScanPublisher;
  /** Key of the status record (default: the exchange id). */
  readonly scannerId?: string;
  /** REST root replacing https://fapi.binance.com (the emulator). */
  readonly restUrl?: string;
  /** Stream root (default: derived from restUrl). */
  readonly wsUrl?: string;
  /** Per-request timeout, ms (default 5000). */
  readonly requestTimeoutMs?: number;
  /** Attempts to load the markets at start before giving up (default 4: about 15 s with timeouts). */
  readonly startAttempts?: number;
  /** REST polling period while the stream is down, ms (default max(1000, cadence / 2)). */
  readonly pollMs?: number;
  /** Period of the clock-offset measurement, ms (default 60 s). */
  readonly clockCheckMs?: number;
  /** Period of the markets reload that finds delisted symbols, ms (default 10 min). */
  readonly marketsRefreshMs?: number;
  /** Window lengths of the four column slots (default 50, 150, 300, 750). */
  readonly windows?: readonly number[];
  /** Stop after this many scans (tests, demos); default: until stop(). */
  readonly maxScans?: number;
  readonly log: (level: ScannerLogLevel, message: string) => void;
  /**
   * Every scan, after its file was written (--out). Publishing started before the file was written: the
   * puts leave on the scan's own tick, the file and this call follow on the next turn of the event loop.
   */
  readonly onScan?: (scan: ScanRecord, timing: ScanTiming) => void;
  /** Every accepted stream price on arrival (diagnostics and latency benches). */
  readonly onPrice?: (id: string, price: number) => void;
  /** Every status record (after each scan and every few seconds). */
  readonly onStatus?: (status: ScannerStatus) => void;
}

/** The scanner's settings as the flags give them (no callbacks, no publisher). */
export type ExchangeScannerSettings = Omit<ExchangeScannerOptions, 'log' | 'onScan' | 'onPrice' | 'onStatus' | 'publisher'>;

/** When a scan was taken and written (performance.now() ms), for latency figures. */
export interface ScanTiming {
  /** The cadence boundary, wall clock ms. */
  readonly boundaryMs: number;
  /** performance.now() when the scan's prices were taken (timer fired). */
  readonly takenAt: number;
  /** performance.now() when the features were computed. */
  readonly featuresAt: number;
  /** performance.now() when publishing was started (the puts' bytes leave when the scan's tick ends). */
  readonly publishedAt: number;
  /** performance.now() after the Arrow file was written (without --out: when it would have been). */
  readonly writtenAt: number;
}


/** A running exchange scanner; `start()` resolves once scanning, `done` when it stopped. */
export class ExchangeScanner {
  readonly scannerId: string;
  private readonly venue: BinanceUsdmVenue;
  private readonly windows: readonly number[];
  private ids: readonly string[] = [];
  private index = new Map<string, number>();
  private book = new PriceBook(0);
  private stream: PriceFeatureStream | null = null;
  private writer: ScanFileWriter | null = null;
  private prices = new Float64Array(0);
  private staleIdx = new Int32Array(0);
  /** Position of each universe symbol in the stream's universe when they differ (a restored wider one). */
  private streamPos: Int32Array | null = null;
  private streamPrices = new Float64Array(0);
  private readonly feats = new Float64Array(FEATURE_COUNT);
  private connection: ScannerConnection = 'STARTING';
  private hadStream = false;
  private stopping = false;
  private scanTimer: NodeJS.Timeout | undefined;
  /** The second half of the last scan (file, onScan, status) while it waits for the next turn of the loop. */
  private pendingFinish: { readonly run: () => void; readonly immediate: NodeJS.Immediate } | null = null;
  private beatTimer: NodeJS.Timeout | undefined;
  private restBlockedUntil = 0;
  private offsetMs: number | null = null;
  private rttMs: number | null = null;
  private lastWarnedOffset: number | null = null;
  private scanNumber = 0;
  private lastTsMs = -Infinity;
  private lastScanTs: bigint | null = null;
  private scansWritten = 0;
  private restoredScans = 0;
  private lastStale: readonly string[] = [];
  private readonly delisted = new Set<string>();
  private readonly startedAtMs = Date.now();
  private resolveDone!: () => void;
  /** Resolves when the scanner has stopped (stop(), maxScans, or a fatal error at start). */
  readonly done: Promise<void> = new Promise((r) => (this.resolveDone = r));
  private readonly c = {
    socketDrops: 0,
    resubscribes: 0,
    scansWithoutStream: 0,
    restPolls: 0,
    restErrors: 0,
    rateLimited: 0,
    malformedMessages: 0,
    invalidPrices: 0,
    delisted: 0,
    missedBoundaries: 0,
    writeErrors: 0,
    publishErrors: 0,
  };

  constructor(private readonly o: ExchangeScannerOptions) {
    this.scannerId = o.scannerId ?? o.exchange;
    this.windows = o.windows ?? WINDOWS;
    this.venue = new BinanceUsdmVenue({
      ...(o.restUrl !== undefined ? { restUrl: o.restUrl } : {}),
      ...(o.wsUrl !== undefined ? { wsUrl: o.wsUrl } : {}),
      timeoutMs: o.requestTimeoutMs ?? 5000,
      onStreamPrice: (p) => {
        const i = this.index.get(p.id);
        if (i === undefined) return;
        this.book.update(i, p.price, Date.now());
        o.onPrice?.(p.id, p.price);
      },
      onMalformed: (d) => this.malformed(d),
      onDiagnostic: (line) => this.malformed(`ccxt: ${line}`),
    });
  }

  /** The venue host (for messages). */
  get host(): string {
    return this.venue.host;
  }

  private malformed(detail: string): void {
    this.c.malformedMessages++;
    // the first few are logged in full, then one line per 100
    if (this.c.malformedMessages <= 5 || this.c.malformedMessages % 100 === 0) this.o.log('warn', `malformed stream message #${this.c.malformedMessages} ignored: ${detail}`);
  }

  /**
   * Loads the markets (retrying), chooses or restores the universe, restores the feature windows from
   * --out, measures the clock offset and starts the stream, the REST fallback and the scan timer.
   * @throws FeedUnavailableError naming the host when the venue cannot be reached within the attempts.
   */
  async start(): Promise<void> {
    const markets = await this.withStartRetries('load the markets (GET /fapi/v1/exchangeInfo)', () => this.venue.markets());
    const from = this.o.out ?? this.o.restoreFrom;
    const restored = from !== undefined && existsSync(from) ? this.restore(from) : null;
    let ids: readonly string[];
    const wanted = this.o.universe.kind === 'symbols' ? this.o.universe.symbols : null;
    if (restored !== null && (wanted === null || sameList(restored.symbols, wanted))) {
      ids = restored.symbols;
      this.o.log('info', `restored the universe (${ids.length} symbols) and the feature windows from ${this.restoredScans} scans in ${from}`);
    } else if (restored !== null && wanted !== null && wanted.every((id) => restored.symbols.includes(id))) {
      // a list inside the written universe continues its windows (the others get invalid prices), exactly
      // as a replay of the folder does (a scan listing fewer symbols continues the stream)
      ids = wanted;
      this.o.log('info', `the universe (${ids.length} symbols) is part of the one written in ${from}: continuing its feature windows from ${this.restoredScans} scans`);
    } else {
      const volumes = this.o.universe.kind === 'top' ? await this.withStartRetries('rank by 24 h volume (GET /fapi/v1/ticker/24hr)', () => this.venue.quoteVolumes()) : new Map<string, number>();
      const choice = chooseUniverse(this.o.universe, markets, volumes);
      for (const n of choice.notes) this.o.log('warn', n);
      ids = choice.ids;
      if (restored !== null) this.o.log('warn', `the universe lists symbols outside the one written in ${from}; the feature windows start empty`);
      this.stream = new PriceFeatureStream(ids, this.windows);
      this.o.log('info', `universe: ${ids.length} symbols (${ids.slice(0, 6).join(', ')}${ids.length > 6 ? ', ...' : ''})`);
    }
    const stream = this.stream!;
    this.streamPos = sameList(stream.symbols, ids) ? null : Int32Array.from(ids, (id) => stream.indexOf(id));
    this.streamPrices = new Float64Array(stream.symbols.length);
    this.ids = ids;
    this.index = new Map(ids.map((s, i) => [s, i]));
    this.book = new PriceBook(ids.length);
    this.prices = new Float64Array(ids.length);
    this.staleIdx = new Int32Array(ids.length);
    this.markDelisted(markets);
    if (this.o.out !== undefined) this.writer = new ScanFileWriter(this.o.out);
    await this.checkClock();
    // first prices by REST so the first scan is not empty, then the stream
    await this.pollOnce();
    void this.watchLoop();
    void this.pollLoop();
    void this.periodic(this.o.clockCheckMs ?? 60_000, () => this.checkClock());
    void this.periodic(this.o.marketsRefreshMs ?? 600_000, () => this.refreshMarkets());
    this.beatTimer = setInterval(() => this.emitStatus(), Math.min(SCANNER_BEAT_MS, this.o.cadenceMs));
    this.beatTimer.unref?.();
    this.scheduleNext();
  }

  /** Reads a scan folder back (--out): the universe of its last segment and the stream state after its last scan. */
  private restore(dir: string): { symbols: readonly string[] } | null {
    let scans;
    try {
      scans = readOrderedScans(dir);
    } catch (e) {
      this.o.log('warn', `cannot read ${dir} back to restore the feature windows (${(e as Error).message}); they start empty`);
      return null;
    }
    if (scans.count === 0) return null;
    const r = replayFeatures(scans, this.windows);
    if (r.stream === null || r.last === null) return null;
    if (scans.skippedFiles.length) this.o.log('warn', `restore skipped ${scans.skippedFiles.length} unreadable file(s) in ${dir} (first: ${scans.skippedFiles[0].source}: ${scans.skippedFiles[0].reason})`);
    this.stream = r.stream;
    this.restoredScans = scans.count;
    this.lastTsMs = Number(r.last.timestampNs / 1_000_000n);
    this.lastScanTs = r.last.timestampNs;
    return { symbols: r.stream.symbols };
  }

  private markDelisted(markets: readonly VenueMarket[]): void {
    const byId = new Map(markets.map((m) => [m.id, m]));
    for (let i = 0; i < this.ids.length; i++) {
      const id = this.ids[i];
      const m = byId.get(id);
      if ((m === undefined || !m.active) && !this.delisted.has(id)) {
        this.delisted.add(id);
        this.book.invalid[i] = 1;
        this.c.delisted++;
        this.o.log('warn', `${id} is ${m === undefined ? 'no longer listed' : 'not trading any more (delisted or settling)'}: its price is invalid in every scan from now on`);
      }
    }
  }

  private async withStartRetries<T>(what: string, call: () => Promise<T>): Promise<T> {
    const attempts = this.o.startAttempts ?? 4;
    const t0 = Date.now();
    let last = '';
    for (let k = 0; k < attempts && !this.stopping; k++) {
      try {
        return await call();
      } catch (e) {
        if (e instanceof VenueRateLimited) {
          this.c.rateLimited++;
          last = e.message;
          this.o.log('warn', `${this.host} answered HTTP ${e.status}; waiting the ${e.retryAfterMs / 1000} s it asked for (Retry-After)`);
          await this.sleep(e.retryAfterMs);
          continue;
        }
        if (!isNetworkError(e)) throw e;
        last = (e as Error).message.split('\n')[0].slice(0, 200);
        if (k + 1 < attempts) {
          const wait = 500 * 2 ** k;
          this.o.log('warn', `cannot ${what} from ${this.host} (attempt ${k + 1}/${attempts}): ${last}; retrying in ${wait} ms`);
          await this.sleep(wait);
        }
      }
    }
    throw new FeedUnavailableError(
      `exchange ${this.o.exchange} at ${this.host} is not reachable: could not ${what} in ${attempts} attempts over ${((Date.now() - t0) / 1000).toFixed(1)} s (last error: ${last}). ` +
        `Check the network${this.o.restUrl === undefined ? '' : ', or that the emulator runs at --venue-url'}.`,
    );
  }

  /** Waits out a running Retry-After before any REST call. */
  private async restGate(): Promise<void> {
    const wait = this.restBlockedUntil - Date.now();
    if (wait > 0) await this.sleep(wait);
  }

  private restFailed(e: unknown, what: string): void {
    if (e instanceof VenueRateLimited) {
      this.c.rateLimited++;
      this.restBlockedUntil = Date.now() + e.retryAfterMs;
      this.o.log('warn', `${this.host} answered HTTP ${e.status} to ${what}; no REST call for the ${e.retryAfterMs / 1000} s it asked (Retry-After)`);
      return;
    }
    this.c.restErrors++;
    if (this.c.restErrors <= 5 || this.c.restErrors % 50 === 0) this.o.log('warn', `REST ${what} failed (#${this.c.restErrors}): ${(e as Error).message.split('\n')[0].slice(0, 200)}`);
  }

  /** One REST price poll into the book (venue times mapped to this clock with the measured offset). */
  private async pollOnce(): Promise<void> {
    await this.restGate();
    if (this.stopping) return;
    try {
      const ps = await this.venue.prices(this.o.priceSource);
      this.c.restPolls++;
      const now = Date.now();
      const off = this.offsetMs ?? 0;
      for (const p of ps) {
        const i = this.index.get(p.id);
        if (i === undefined) continue;
        if (!(p.price > 0 && p.price < Infinity)) {
          this.malformed(`REST price of ${p.id} is ${p.price}`);
          continue;
        }
        const at = Number.isFinite(p.venueMs) ? Math.min(now, p.venueMs - off) : now;
        this.book.update(i, p.price, at);
      }
    } catch (e) {
      this.restFailed(e, 'price poll');
    }
  }

  /** Keeps the stream subscribed; each failure switches to REST polling until it is back. */
  private async watchLoop(): Promise<void> {
    let backoff = 250;
    while (!this.stopping) {
      try {
        await this.venue.watch(this.ids, this.o.priceSource);
        if (this.connection !== 'WEBSOCKET') {
          if (this.hadStream) {
            this.c.resubscribes++;
            this.o.log('info', `price stream back (resubscribed ${this.ids.length} symbols); REST polling stops`);
          } else this.o.log('info', `price stream up: ${this.o.priceSource === 'mark' ? 'markPrice@1s' : 'miniTicker'} of ${this.ids.length} symbols`);
          this.hadStream = true;
          this.connection = 'WEBSOCKET';
          this.emitStatus();
        }
        backoff = 250;
      } catch (e) {
        if (this.stopping) break;
        if (!isNetworkError(e)) {
          // a message ccxt could not handle rejected the waiting call; the connection is still up
          this.malformed((e as Error).message.split('\n')[0].slice(0, 160));
          continue;
        }
        if (this.connection === 'WEBSOCKET' || this.connection === 'STARTING') {
          if (this.connection === 'WEBSOCKET') this.c.socketDrops++;
          this.o.log('warn', `price stream ${this.connection === 'WEBSOCKET' ? 'dropped' : 'not available'} (${(e as Error).message.split('\n')[0].slice(0, 160)}); polling REST every ${this.pollMs()} ms until it is back`);
          this.connection = 'REST_FALLBACK';
          this.emitStatus();
          void this.pollLoop();
        }
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  private pollMs(): number {
    return this.o.pollMs ?? Math.max(1000, Math.floor(this.o.cadenceMs / 2));
  }

  private polling = false;
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();

  /** A sleep that stop() ends at once. */
  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.sleepers.delete(t);
        resolve();
      }, ms);
      this.sleepers.set(t, resolve);
    });
  }

  private streamUp(): boolean {
    return this.connection === 'WEBSOCKET';
  }

  /** Polls REST prices while the stream is not up. */
  private async pollLoop(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      while (!this.stopping && !this.streamUp()) {
        await this.sleep(this.pollMs());
        if (this.stopping || this.streamUp()) break;
        await this.pollOnce();
      }
    } finally {
      this.polling = false;
    }
  }

  private async periodic(ms: number, task: () => Promise<void>): Promise<void> {
    while (!this.stopping) {
      await this.sleep(ms);
      if (!this.stopping) await task();
    }
  }

  /** Measures the venue clock offset (GET /fapi/v1/time, midpoint of the round trip). */
  private async checkClock(): Promise<void> {
    await this.restGate();
    try {
      const { serverMs, sentMs, receivedMs } = await this.venue.serverTime();
      this.offsetMs = Math.round(serverMs - (sentMs + receivedMs) / 2);
      this.rttMs = receivedMs - sentMs;
      const off = this.offsetMs;
      if (Math.abs(off) > 1000 && (this.lastWarnedOffset === null || Math.abs(off - this.lastWarnedOffset) > 500)) {
        this.lastWarnedOffset = off;
        this.o.log('warn', `the exchange clock is ${Math.abs(off)} ms ${off > 0 ? 'ahead of' : 'behind'} this machine (rtt ${this.rttMs} ms); scans stay on this machine's UTC clock (keep it NTP-synced), stream prices are timed by arrival`);
      }
    } catch (e) {
      this.restFailed(e, 'server time');
    }
  }

  /** Reloads the markets and flags universe symbols that stopped trading. */
  private async refreshMarkets(): Promise<void> {
    await this.restGate();
    try {
      this.markDelisted(await this.venue.markets(true));
    } catch (e) {
      this.restFailed(e, 'markets reload');
    }
  }

  private scheduleNext(): void {
    if (this.stopping) return;
    const c = this.o.cadenceMs;
    const now = Date.now();
    let b = Math.floor(now / c) * c + c;
    if (b <= this.lastTsMs) b = Math.floor(this.lastTsMs / c) * c + c;
    // wake a little early and spin the last stretch: setTimeout alone fires up to a ms or two late
    this.scanTimer = setTimeout(() => this.onBoundary(b), Math.max(0, b - now - SPIN_MS));
  }

  private onBoundary(b: number): void {
    if (this.stopping) return;
    let now = Date.now();
    if (now < b - SPIN_MS) {
      this.scanTimer = setTimeout(() => this.onBoundary(b), b - now - SPIN_MS);
      return;
    }
    while (now < b) now = Date.now();
    const c = this.o.cadenceMs;
    const latest = Math.floor(now / c) * c;
    if (latest > b) {
      const missed = (latest - b) / c;
      this.c.missedBoundaries += missed;
      this.o.log('warn', `${missed} cadence boundar${missed === 1 ? 'y' : 'ies'} passed without a scan (the process was stalled ${now - b} ms); scanning at ${new Date(latest).toISOString()}`);
      b = latest;
    }
    this.takeScan(b);
    if (this.o.maxScans !== undefined && this.scanNumber >= this.o.maxScans) {
      void this.stop();
      return;
    }
    this.scheduleNext();
  }

  /**
   * Takes the scan of boundary `b`: prices, features, the record, publishing started. The file write,
   * onScan and the status record follow on the next turn of the event loop (`finishScan`): the Hazelcast
   * client sends what was issued only once this tick ends, so the puts travel while the file is written.
   */
  private takeScan(b: number): void {
    const takenAt = performance.now();
    const staleMs = this.o.staleAfterCadences * this.o.cadenceMs;
    const nStale = this.book.at(b, staleMs, this.prices, this.staleIdx);
    let invalid = 0;
    for (let i = 0; i < this.prices.length; i++) if (!(this.prices[i] > 0)) invalid++;
    this.c.invalidPrices += invalid;
    let pushed = this.prices;
    if (this.streamPos !== null) {
      pushed = this.streamPrices.fill(NaN);
      for (let k = 0; k < this.streamPos.length; k++) pushed[this.streamPos[k]] = this.prices[k];
    }
    const velDiv = this.stream!.push(pushed, this.feats);
    const featuresAt = performance.now();
    this.scanNumber++;
    const scan: ScanRecord = {
      scanNumber: this.scanNumber,
      timestampNs: BigInt(b) * 1_000_000n,
      timestampIso: new Date(b).toISOString(),
      schemaVersion: SCHEMA_VERSION,
      features: Float64Array.from(this.feats),
      velDiv,
      assets: this.ids,
      prices: Float64Array.from(this.prices),
    };
    if (this.connection !== 'WEBSOCKET') this.c.scansWithoutStream++;
    this.o.publisher?.publishScan(scan);
    const publishedAt = performance.now();
    this.lastTsMs = b;
    this.lastScanTs = scan.timestampNs;
    const stale: string[] = [];
    for (let k = 0; k < nStale; k++) stale.push(this.ids[this.staleIdx[k]]);
    const timing = { boundaryMs: b, takenAt, featuresAt, publishedAt, writtenAt: NaN };
    const run = (): void => {
      this.pendingFinish = null;
      this.finishScan(scan, timing, invalid, stale);
    };
    this.pendingFinish = { run, immediate: setImmediate(run) };
  }

  /** The scan's file (--out), the stale-symbol lines, onScan and the status record. */
  private finishScan(scan: ScanRecord, timing: { -readonly [K in keyof ScanTiming]: ScanTiming[K] }, invalid: number, stale: readonly string[]): void {
    if (this.writer !== null) {
      try {
        this.writer.write(scan);
        this.scansWritten++;
      } catch (e) {
        this.c.writeErrors++;
        this.o.log('warn', `cannot write scan #${scan.scanNumber} to ${this.o.out}: ${(e as Error).message}`);
      }
    }
    timing.writtenAt = performance.now();
    if (stale.join(',') !== this.lastStale.join(',')) {
      if (stale.length) this.o.log('warn', `scan #${scan.scanNumber}: ${stale.length} symbol(s) without an update for more than ${this.o.staleAfterCadences} cadences (invalid price): ${stale.slice(0, 10).join(', ')}${stale.length > 10 ? ', ...' : ''}`);
      else if (this.lastStale.length) this.o.log('info', `scan #${scan.scanNumber}: every symbol has a fresh price again`);
      this.lastStale = stale;
    }
    const velDiv = scan.velDiv;
    this.o.log('debug', `scan #${scan.scanNumber} ${scan.timestampIso}: ${this.ids.length - invalid}/${this.ids.length} prices, vel_div ${Number.isFinite(velDiv) ? velDiv.toFixed(5) : 'n/a'}`);
    this.o.onScan?.(scan, timing);
    this.emitStatus();
  }

  /** The current status record. */
  status(): ScannerStatus {
    const now = Date.now();
    const counters: ScannerCounters = { ...this.c, publishErrors: this.o.publisher?.errors ?? 0 };
    return {
      scannerId: this.scannerId,
      mode: 'scanner',
      exchange: this.o.exchange,
      venue: this.host,
      priceSource: this.o.priceSource,
      cadenceMs: this.o.cadenceMs,
      heartbeatMs: now,
      startedAtMs: this.startedAtMs,
      connection: this.stopping ? 'STOPPED' : this.connection,
      lastTickAgeMs: Number.isFinite(this.book.lastUpdateMs) ? Math.max(0, now - this.book.lastUpdateMs) : null,
      lastScanTs: this.lastScanTs === null ? null : this.lastScanTs.toString(),
      lastScanNumber: this.scanNumber > 0 ? this.scanNumber : null,
      scansWritten: this.scansWritten,
      scansPublished: this.o.publisher?.published ?? 0,
      universeSize: this.ids.length,
      staleSymbols: this.lastStale,
      delistedSymbols: [...this.delisted],
      clockOffsetMs: this.offsetMs,
      clockRttMs: this.rttMs,
      restoredScans: this.restoredScans,
      out: this.o.out ?? null,
      counters,
      stopped: this.stopping,
    };
  }

  private emitStatus(): void {
    const s = this.status();
    this.o.onStatus?.(s);
    this.o.publisher?.publishStatus(s);
  }

  /** Stops scanning and closes the streams (idempotent). */
  async stop(): Promise<void> {
    if (this.stopping) return this.done;
    // the last scan taken is written and handed on (onScan) now, before anything counts as stopping
    const pending = this.pendingFinish;
    if (pending !== null) {
      clearImmediate(pending.immediate);
      pending.run();
    }
    this.stopping = true;
    if (this.scanTimer) clearTimeout(this.scanTimer);
    if (this.beatTimer) clearInterval(this.beatTimer);
    for (const [t, wake] of this.sleepers) {
      clearTimeout(t);
      wake();
    }
    this.sleepers.clear();
    await this.venue.close();
    this.emitStatus();
    this.resolveDone();
    return this.done;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
