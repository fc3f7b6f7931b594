/**
 * A live paper run as named steps: journal (checked, locked), engine worker, shadows, source with
 * acceptance (Hazelcast, or the own scanner in this process: exchange-source.ts), state publisher
 * (Hazelcast, or JOURNAL/state.json without a member), validation. Each accepted scan is journaled
 * first, then posted to the engine and the shadows. A failing step fails the session with a coded
 * error instead of throwing from an event handler; after a journal fault the engine still holds every
 * durable scan, so the session can stop with the report of everything up to the last durable scan.
 */
import { hostname } from 'node:os';
import type { EngineConfig } from '../../core/config.js';
import { DolphinError, JournalError } from '../../core/errors.js';
import type { ClockPort } from '../../core/ports/clock.port.js';
import type { FeedStatus } from '../../core/ports/data-feed.port.js';
import type { ScanRecord } from '../../core/scan.js';
import type { FactorRecord } from '../../core/trade.js';
import { connectHazelcast, type HazelcastClient } from '../../feeds/live/hazelcast-connection.js';
import { HazelcastScanSource, type ScanSourceSink } from '../../feeds/live/hazelcast-scan-source.js';
import type { LiveScanSource } from '../../feeds/live/live-scan-source.js';
import { JournalWriter, type JournalFs } from '../../feeds/live/journal.js';
import { acquireJournalLock, type JournalLock } from '../../feeds/live/journal-lock.js';
import { checkJournalTimes, nsToIso, truncateJournal } from '../../feeds/live/journal-repair.js';
import { FEATURES_MAP, STATE_MAP, scanStreamName, type PaperState, type ValidationState } from '../../feeds/live/paper-state.js';
import { readStreamPosition, StreamPositionSaver } from '../../feeds/live/stream-position.js';
import { DEFAULT_MAX_AHEAD_MS } from '../../feeds/live/scan-acceptance.js';
import { StatePublisher } from '../../feeds/live/state-publisher.js';
import { systemClock } from '../../feeds/live/system-clock.js';
import { jsonReplacer } from '../../core/json-replacer.js';
import type { Report } from '../../report/report.js';
import type { PortfolioSnapshot, PortfolioSpec } from '../../workers/portfolio-host.js';
import type { WorkerPool } from '../../workers/pool.js';
import { EngineLink } from './engine-link.js';
import { openExchangeSource, type ExchangeFeedOptions } from './exchange-source.js';
import { writeLiveReports } from './live-report.js';
import { paperState, reportExtra } from './live-state.js';
import { MirrorStep, type MirrorOptions } from './mirror-step.js';
import { StateFile } from './state-file.js';
import { ValidationStep } from './validation-step.js';

/** Options of a live session (see startLive). */
export interface LiveSessionOptions {
  readonly config: EngineConfig;
  readonly shadows: readonly PortfolioSpec[];
  /** Hazelcast member host:port: required for the Hazelcast feed; with `exchange`, state publishing only (optional). */
  readonly address?: string;
  readonly cluster: string;
  /** Trade the scans of the own scanner run in this process (`--feed exchange`) instead of Hazelcast's. */
  readonly exchange?: ExchangeFeedOptions;
  readonly journalDir: string;
  readonly runId: string;
  /** Pool hosting the shadow portfolios (required when there are shadows). */
  readonly pool?: WorkerPool;
  readonly staleAfterMs?: number;
  readonly pollMs?: number;
  readonly featuresMap?: string;
  readonly stateMap?: string;
  readonly connectTimeoutMs?: number;
  readonly log: (message: string) => void;
  /** Validation during live: replay this scanner folder for the live window every `everyMs` and compare. */
  readonly validate?: { readonly scannerDir: string; readonly everyMs: number; readonly cacheRoot?: string };
  /** A scan more than this ahead of `clock` is refused, and a journal holding one is not resumed (default 5 min). */
  readonly maxAheadMs?: number;
  /** Before resuming, cut the journal at this time (epoch ns): later scans are moved aside. */
  readonly truncateJournalAt?: bigint;
  /** This machine's clock (default the system clock); only for the future-scan checks. */
  readonly clock?: ClockPort;
  /** File operations of the journal (default node:fs; tests inject faults through it). */
  readonly journalFs?: JournalFs;
  /** Scan stream to read (default: the one of featuresMap, see scanStreamName); null reads the latest key alone. */
  readonly scanStream?: string | null;
  /** Mirror every fill of the main portfolio to Binance USDT-M demo trading (mirror-step.ts). */
  readonly mirror?: MirrorOptions;
}

/** Latencies published in the state: the most recent scans. */
const STATE_LATENCY_WINDOW = 600;
/** Missed ranges published in the state and the report: the most recent. */
const MISSED_SHOWN = 20;
/** How often the stream position is saved in the journal (it is a hint: timestamps decide). */
const POSITION_EVERY_MS = 1000;

/** One live paper run. Build it with LiveRun.start. */
export class LiveRun {
  readonly runId: string;
  readonly journalDir: string;
  /** Resolves with the first failure of any step; never resolves otherwise. */
  readonly failed: Promise<Error>;
  private failWith: (e: Error) => void = () => undefined;
  private failure: Error | null = null;
  private readonly o: LiveSessionOptions;
  private readonly clock: ClockPort;
  private readonly startedAtMs = Date.now();
  private readonly cpu0 = process.cpuUsage();

  // the steps
  private lock: JournalLock | null = null;
  private journal: JournalWriter | null = null;
  private engine: EngineLink | null = null;
  private shadows: EngineLink | null = null;
  private client: HazelcastClient | null = null;
  private source: LiveScanSource | null = null;
  private publisher: StatePublisher | StateFile | null = null;
  private validation: ValidationStep | null = null;
  private mirror: MirrorStep | null = null;
  private position: StreamPositionSaver | null = null;
  /** The own scanner's status record (exchange feed), for the state file. */
  private scannerStatus: (() => unknown) | null = null;

  private main: PortfolioSnapshot | null = null;
  private shadowStates: PortfolioSnapshot[] = [];
  private resumed = 0;
  private lastScanTs: bigint | null = null;
  private lastScanNumber: number | null = null;
  private feedStatus: FeedStatus = 'DISCONNECTED';
  private seq = 0;
  private stopping: Promise<Report> | null = null;
  private reportDir: string | null = null;

  private constructor(o: LiveSessionOptions) {
    this.o = o;
    this.runId = o.runId;
    this.journalDir = o.journalDir;
    this.clock = o.clock ?? systemClock;
    this.failed = new Promise<Error>((r) => (this.failWith = r));
  }

  /** Opens every step in order; on any failure tears down what was opened and rethrows. */
  static async start(o: LiveSessionOptions): Promise<LiveRun> {
    const run = new LiveRun(o);
    try {
      run.openJournal();
      await run.startEngine();
      await run.startShadows();
      await run.startMirror();
      await run.connect();
      await run.startSource();
      await run.startPublisher();
      run.startValidation();
    } catch (e) {
      await run.abort();
      throw e;
    }
    const x = o.exchange;
    o.log(
      x === undefined
        ? `live paper run ${o.runId}: listening on ${o.address} (cluster ${o.cluster}), journal ${o.journalDir}`
        : `live paper run ${o.runId}: trading its own scanner's scans (${x.scanner.exchange} every ${x.scanner.cadenceMs / 1000} s${x.scanner.out !== undefined ? `, written to ${x.scanner.out}` : ''}), ` +
            `state ${o.address !== undefined ? `to ${o.address} (cluster ${o.cluster})` : `in ${o.journalDir}/state.json`}, journal ${o.journalDir}`,
    );
    return run;
  }

  // ---------------------------------------------------------------------------------------------
  // Steps
  // ---------------------------------------------------------------------------------------------

  /** Journal: truncate when asked, refuse future scans, lock, write or check the config. */
  private openJournal(): void {
    const o = this.o;
    const maxAheadNs = BigInt(o.maxAheadMs ?? DEFAULT_MAX_AHEAD_MS) * 1_000_000n;
    this.journal = new JournalWriter(o.journalDir, o.journalFs ? { fs: o.journalFs } : {});
    this.lock = acquireJournalLock(o.journalDir, o.runId, o.log);
    if (o.truncateJournalAt !== undefined) {
      const cut = truncateJournal(o.journalDir, o.truncateJournalAt, new Date().toISOString());
      o.log(
        cut.aside === null
          ? `journal ${o.journalDir}: nothing at or after ${nsToIso(o.truncateJournalAt)} to truncate`
          : `journal ${o.journalDir} truncated at ${nsToIso(o.truncateJournalAt)}: ${cut.scansMoved} scan(s) and ${cut.factorsMoved} factor record(s) moved to ${cut.aside}; ${cut.scansKept} scan(s) kept`,
      );
    }
    checkJournalTimes(o.journalDir, this.clock.nowNs(), maxAheadNs);
    this.journal.writeOrCheckConfig(o.config);
  }

  /** Engine worker: resumes from the journal (same engine, same config), then takes live scans. */
  private async startEngine(): Promise<void> {
    const o = this.o;
    const engine = await EngineLink.worker('engine', { portfolios: [{ name: 'main', config: o.config }], journalDir: o.journalDir });
    this.engine = engine;
    const ready = engine.ready;
    this.main = ready.states[0] as PortfolioSnapshot;
    this.resumed = ready.resumedScans;
    this.lastScanTs = ready.lastTs;
    this.lastScanNumber = ready.lastScanNumber;
    void engine.failed.then((e) => this.fail(e));
    engine.onScanDone = (m) => {
      this.main = m.states[0] as PortfolioSnapshot;
      this.mirror?.onFills(m.fills);
      this.guard(() => {
        this.journal!.appendFills(m.fills);
        this.journal!.appendTrades(m.trades);
      });
      for (const t of m.trades) o.log(`trade ${t.asset} ${t.reason} pnl ${t.pnl.toFixed(2)}`);
    };
    if (ready.resumedScans > 0) {
      this.journal!.rewriteDerived(ready.fills, ready.trades);
      const st = this.main;
      o.log(
        `resumed from journal ${o.journalDir}: ${ready.resumedScans} scans replayed (last ${ready.lastTs}), cash ${st.cash.toFixed(2)}, equity ${st.equity.toFixed(2)}, ${st.positions.length} open position(s)${st.positions.map((p) => ` ${p.asset} qty ${p.qty.toPrecision(6)} @ ${p.entryPrice}`).join(',')}; no accepted scan lost`,
      );
    }
  }

  /** Shadow portfolios: one long-lived pool task fed the same scans. */
  private async startShadows(): Promise<void> {
    const o = this.o;
    if (o.shadows.length === 0) return;
    if (!o.pool) throw new DolphinError('USAGE', 'shadow portfolios need a worker pool (--workers >= 1)');
    const shadows = await EngineLink.pooled('shadows', o.pool, { portfolios: [...o.shadows], journalDir: o.journalDir });
    this.shadows = shadows;
    this.shadowStates = shadows.ready.states;
    shadows.onScanDone = (m) => (this.shadowStates = m.states);
    void shadows.failed.then((e) => this.fail(e));
  }

  /** The order mirror (--mirror): observes the main portfolio's fills, never feeds back. */
  private async startMirror(): Promise<void> {
    if (this.o.mirror === undefined) return;
    this.mirror = await MirrorStep.open(this.o.mirror, { journalDir: this.o.journalDir, runId: this.o.runId, paperPositions: () => this.main?.positions ?? [], log: this.o.log });
    this.mirror.start(this.engine!.ready.fills);
  }

  /** Hazelcast client (reconnects for ever once connected); none on the exchange feed without --hz. */
  private async connect(): Promise<void> {
    const o = this.o;
    if (o.address === undefined) return;
    this.client = await connectHazelcast({
      address: o.address,
      cluster: o.cluster,
      reconnect: true,
      connectTimeoutMs: o.connectTimeoutMs,
      onLifecycle: (s) => this.guard(() => this.source?.onLifecycle?.(s)),
    });
  }

  /** Source and acceptance: scans from Hazelcast (or the own scanner), refused or accepted, in order. */
  private async startSource(): Promise<void> {
    const o = this.o;
    if (o.exchange !== undefined) return this.startExchangeSource(o.exchange);
    const scanStream = o.scanStream === undefined ? scanStreamName(o.featuresMap ?? FEATURES_MAP) : o.scanStream;
    this.source = new HazelcastScanSource({
      client: this.client!,
      featuresMap: o.featuresMap,
      scanStream,
      streamPosition: scanStream === null ? null : readStreamPosition(o.journalDir, scanStream, o.log),
      pollMs: o.pollMs,
      staleAfterMs: o.staleAfterMs,
      lastAcceptedTs: this.lastScanTs,
      lastScanNumber: this.lastScanNumber,
      clock: this.clock,
      maxAheadMs: o.maxAheadMs,
      log: o.log,
    });
    this.journal!.writeMeta({ runId: o.runId, pid: process.pid, host: hostname(), startedAt: new Date(this.startedAtMs).toISOString(), hazelcast: o.address, cluster: o.cluster, resumedScans: this.resumed });
    await this.source.start(this.sourceSink());
    this.feedStatus = this.source.feedStatus;
    if (scanStream !== null) {
      const source = this.source;
      this.position = new StreamPositionSaver(this.journal!, scanStream, () => source.streamPosition ?? null);
      this.position.start(POSITION_EVERY_MS, (e) => this.fail(e));
    }
  }

  /** The exchange feed: the own scanner in this process (restored from --out or the journal). */
  private async startExchangeSource(x: ExchangeFeedOptions): Promise<void> {
    const o = this.o;
    const source = await openExchangeSource(x, {
      journalDir: o.journalDir,
      client: this.client,
      featuresMap: o.featuresMap,
      lastScanTs: this.lastScanTs,
      lastScanNumber: this.lastScanNumber,
      clock: this.clock,
      maxAheadMs: o.maxAheadMs,
      staleAfterMs: o.staleAfterMs,
      log: o.log,
    });
    this.source = source;
    this.scannerStatus = () => source.scannerStatus();
    this.journal!.writeMeta({
      runId: o.runId,
      pid: process.pid,
      host: hostname(),
      startedAt: new Date(this.startedAtMs).toISOString(),
      feed: 'exchange',
      exchange: x.scanner.exchange,
      venue: source.host,
      scannerId: source.scannerId,
      out: x.scanner.out ?? null,
      hazelcast: o.address ?? null,
      cluster: o.address !== undefined ? o.cluster : null,
      resumedScans: this.resumed,
    });
    await source.start(this.sourceSink());
    this.feedStatus = source.feedStatus;
  }

  /** Where a source hands its accepted scans and status changes. */
  private sourceSink(): ScanSourceSink {
    return {
      onAccepted: (scan, factors) => this.onAccepted(scan, factors),
      onStatus: (s) => {
        this.feedStatus = s;
        void this.publisher?.publish();
      },
    };
  }

  /** State publisher: DOLPHIN_STATE_PAPER[runId] every second (without a member: JOURNAL/state.json). */
  private async startPublisher(): Promise<void> {
    if (this.client === null) {
      const file = new StateFile(this.journal!, this.o.log, (e) => this.fail(e));
      this.publisher = file;
      const scanner = this.scannerStatus;
      file.start(() => (scanner === null ? this.state() : { ...this.state(), scanner: scanner() }));
      return;
    }
    this.publisher = new StatePublisher(this.client!, this.o.runId, this.o.stateMap ?? STATE_MAP);
    await this.publisher.start(() => this.state());
  }

  /** Validation: replay the scanner folder over the live window every `everyMs`. */
  private startValidation(): void {
    this.validation = new ValidationStep({
      validate: this.o.validate,
      pool: this.o.pool,
      snapshot: () => this.engine!.snapshot(this.reportExtra()),
      onVerdict: () => void this.publisher?.publish(),
      log: this.o.log,
    });
    this.validation.start();
  }

  // ---------------------------------------------------------------------------------------------
  // The scan path
  // ---------------------------------------------------------------------------------------------

  /**
   * An accepted scan: journal first (durable), then the engine and the shadows. The factor records
   * taking effect from it are written before the scan, whose rename into place is the commit point: a
   * fault in between leaves a record effective from a scan the journal does not hold, which changes
   * nothing a replay computes.
   */
  onAccepted(scan: ScanRecord, factors: readonly FactorRecord[]): void {
    if (this.failure !== null || this.stopping !== null) return;
    const ok = this.guard(() => {
      this.journal!.writeFactors(factors);
      this.journal!.writeScan(scan);
    });
    if (!ok) return;
    this.lastScanTs = scan.timestampNs;
    this.lastScanNumber = scan.scanNumber;
    const s = ++this.seq;
    this.engine!.post(s, scan, factors);
    this.shadows?.post(s, scan, factors);
  }

  /** Runs a step of an event handler; a throw fails the session (never escapes the handler). */
  private guard(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
      return false;
    }
  }

  /** Fails the session (first failure wins): no scan is accepted after it. */
  private fail(e: Error): void {
    if (this.failure !== null) return;
    this.failure = e;
    this.position?.stop();
    void this.source?.stop();
    this.o.log(`live run ${this.runId} failed: ${e.message}`);
    this.failWith(e);
  }

  /** True when the engine still holds every durable scan: stop() can write the report after a failure. */
  get canReport(): boolean {
    return this.failure === null || this.failure instanceof JournalError;
  }

  // ---------------------------------------------------------------------------------------------
  // Queries
  // ---------------------------------------------------------------------------------------------

  /** The steps (for tests that drive or fail one of them, and for embedding). */
  get parts(): { readonly journal: JournalWriter | null; readonly engine: EngineLink | null; readonly shadows: EngineLink | null; readonly source: LiveScanSource | null; readonly publisher: StatePublisher | StateFile | null } {
    return { journal: this.journal, engine: this.engine, shadows: this.shadows, source: this.source, publisher: this.publisher };
  }

  /** Scans replayed from the journal at start. */
  get resumedScans(): number {
    return this.resumed;
  }

  /** The state as published. */
  state(): PaperState {
    const src = this.source;
    const lat = this.engine?.latenciesMs(STATE_LATENCY_WINDOW) ?? [];
    return paperState({
      runId: this.runId,
      nowMs: Date.now(),
      startedAtMs: this.startedAtMs,
      feedStatus: this.feedStatus,
      lastScanTs: this.lastScanTs,
      lastScanNumber: this.lastScanNumber,
      main: this.main!,
      initialCapital: this.o.config.initialCapital,
      resumedScans: this.resumed,
      counters: src?.counters ?? { scansAccepted: 0, malformedMessages: 0, outOfBounds: 0, badTimestamps: 0, lateOrDuplicate: 0, scannerRestarts: 0, invalidPrices: 0, reconnects: 0, scansMissed: 0, fromStream: 0, fromKey: 0 },
      lastRejection: src?.lastRejection ?? null,
      missed: (src?.missedRanges ?? []).slice(-MISSED_SHOWN),
      shadows: this.shadowStates,
      validation: this.validation?.latest ?? null,
      journal: this.journalDir,
      recentLatenciesMs: lat,
      stopped: this.stopping !== null,
      ...(this.mirror !== null ? { mirror: this.mirror.state() } : {}),
    });
  }

  /** Latencies (ms, scan posted -> engine reply) of the most recent scans. */
  latenciesMs(): number[] {
    return this.engine?.latenciesMs() ?? [];
  }

  /** Where stop() wrote report.json (the journal folder, or a fallback when it could not be written). */
  get reportFolder(): string | null {
    return this.reportDir;
  }

  /** Data-quality figures the source adds to the live report. */
  private reportExtra(): Record<string, unknown> {
    return reportExtra(this.source?.counters ?? null, this.source?.missedRanges ?? [], MISSED_SHOWN);
  }

  /** Runs one validation now (also every validate.everyMs when configured). */
  validateNow(): Promise<ValidationState> {
    if (this.validation === null) return Promise.reject(new DolphinError('USAGE', 'the run is not started'));
    return this.validation.now();
  }

  // ---------------------------------------------------------------------------------------------
  // Ending
  // ---------------------------------------------------------------------------------------------

  /**
   * Stops cleanly: no more scans, the engine and shadows write their reports (report.json, report.md
   * into the journal folder, or a fallback folder when it cannot be written), the final state is
   * published, everything is closed and the journal unlocked. Also after a journal fault.
   */
  stop(): Promise<Report> {
    return (this.stopping ??= this.stopSteps());
  }

  private async stopSteps(): Promise<Report> {
    const o = this.o;
    if (!this.canReport) throw this.failure!;
    try {
      this.position?.stop();
      await this.validation?.stop();
      await this.source?.stop();
      await this.mirror?.stop();
      if (this.failure === null) this.guard(() => this.position?.save());
      const extra = this.reportExtra();
      const [mainJson, shadowJson] = await Promise.all([this.engine!.stop(extra), this.shadows ? this.shadows.stop(extra) : Promise.resolve([])]);
      const written = writeLiveReports(
        this.journalDir,
        this.runId,
        mainJson[0] as string,
        shadowJson.map((json, i) => ({ name: (o.shadows[i] as PortfolioSpec).name, json })),
        this.mirror?.section(),
      );
      this.reportDir = written.dir;
      if (written.fallbackReason !== null) o.log(`could not write the report into ${this.journalDir} (${written.fallbackReason}); wrote it to ${written.dir}`);
      const cpu = process.cpuUsage(this.cpu0);
      const wallS = (Date.now() - this.startedAtMs) / 1000;
      const used = (cpu.user + cpu.system) / 1e6;
      o.log(`stopped: ${this.source?.counters.scansAccepted ?? 0} scans this session, CPU ${used.toFixed(2)} s over ${wallS.toFixed(1)} s wall (${((100 * used) / Math.max(wallS, 1e-9)).toFixed(1)} % of one core)`);
      const finalState = { ...this.state(), stopped: true };
      await this.publisher?.stop();
      await this.client
        ?.getMap<string, string>(o.stateMap ?? STATE_MAP)
        .then((m) => m.set(o.runId, JSON.stringify(finalState, jsonReplacer)))
        .catch(() => undefined);
      return written.report;
    } finally {
      await this.close();
    }
  }

  /** Tears everything down without a report (after a failure that lost the engine). Idempotent. */
  async abort(): Promise<void> {
    await this.validation?.stop();
    this.position?.stop();
    await this.source?.stop().catch(() => undefined);
    await this.publisher?.stop().catch(() => undefined);
    await this.close();
  }

  private async close(): Promise<void> {
    await this.mirror?.stop(0);
    await this.client?.shutdown().catch(() => undefined);
    this.client = null;
    await this.engine?.close().catch(() => undefined);
    await this.shadows?.close().catch(() => undefined);
    this.lock?.release();
    this.lock = null;
  }
}
