/**
 * The live paper-trading use case: Hazelcast scans -> journal -> engine worker (MessagePort) and shadow
 * portfolios (pool), state published to Hazelcast, report written at stop. Resumes from its journal.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { withVolThreshold, type EngineConfig, type StrategyConfig } from '../core/config.js';
import { ConfigError, DolphinError, type ErrorCode } from '../core/errors.js';
import type { FeedStatus } from '../core/ports/data-feed.port.js';
import { connectHazelcast, type HazelcastClient } from '../feeds/live/hazelcast-connection.js';
import { HazelcastScanSource } from '../feeds/live/hazelcast-scan-source.js';
import { JournalWriter } from '../feeds/live/journal.js';
import { checkJournalTimes, nsToIso, truncateJournal } from '../feeds/live/journal-repair.js';
import { DEFAULT_MAX_AHEAD_MS } from '../feeds/live/scan-acceptance.js';
import { systemClock } from '../feeds/live/system-clock.js';
import type { ClockPort } from '../core/ports/clock.port.js';
import { STATE_MAP, type PaperState, type ValidationState } from '../feeds/live/paper-state.js';
import { validateLive } from './live-validation.js';
import { StatePublisher } from '../feeds/live/state-publisher.js';
import { parseReport } from '../report/report-json.js';
import { reportToMarkdown } from '../report/report-markdown.js';
import type { Report } from '../report/report.js';
import type { HostReply, PortfolioSnapshot, PortfolioSpec } from '../workers/portfolio-host.js';
import type { WorkerPool } from '../workers/pool.js';

/** Options of startLive. */
export interface LiveOptions {
  readonly config: StrategyConfig;
  readonly address: string;
  readonly cluster: string;
  readonly journalDir: string;
  readonly runId: string;
  readonly shadows?: readonly { name: string; config: StrategyConfig }[];
  /** Pool hosting the shadow portfolios (required when there are shadows). */
  readonly pool?: WorkerPool;
  readonly staleAfterMs?: number;
  readonly pollMs?: number;
  readonly featuresMap?: string;
  readonly stateMap?: string;
  readonly connectTimeoutMs?: number;
  readonly log?: (message: string) => void;
  /** Validation during live: replay this scanner folder for the live window every `everyMs` and compare. */
  readonly validate?: { readonly scannerDir: string; readonly everyMs: number; readonly cacheRoot?: string };
  /** A scan more than this ahead of `clock` is refused, and a journal holding one is not resumed (default 5 min). */
  readonly maxAheadMs?: number;
  /** Before resuming, cut the journal at this time (epoch ns): later scans are moved aside. */
  readonly truncateJournalAt?: bigint;
  /** This machine's clock (default the system clock); only for the future-scan checks. */
  readonly clock?: ClockPort;
}

/** A running live session. */
export interface LiveSession {
  readonly runId: string;
  readonly journalDir: string;
  readonly resumedScans: number;
  /** Stops cleanly: writes report.json/report.md into the journal folder and returns the report. */
  stop(): Promise<Report>;
  /** Engine decisions: ms from the scan reaching this process to the engine's reply, per scan. */
  latenciesMs(): number[];
  /** Resolves when the run failed (worker error); never resolves otherwise. */
  readonly failed: Promise<Error>;
  /** Tears everything down without a report (after a failure): source, timers, worker, client. */
  abort(): Promise<void>;
  state(): PaperState;
  /** Runs one validation now (also runs every validate.everyMs when configured). */
  validateNow(): Promise<ValidationState>;
}

/** Requires a numeric volThreshold and forces closeAtEnd false (STRATEGY.md 3, 4). */
export function liveEngineConfig(config: StrategyConfig, what = 'live mode'): EngineConfig {
  if (config.volThreshold === 'auto') {
    throw new ConfigError([`${what} requires a numeric volThreshold (calibrate on history: dolphin calibrate DIR, then --set volThreshold=<value>)`]);
  }
  return withVolThreshold({ ...config, closeAtEnd: false }, config.volThreshold);
}

function engineWorkerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return join(dirname(here), '..', '..', 'dist', 'src', 'workers', 'portfolio.worker.js');
  return join(dirname(here), '..', 'workers', 'portfolio.worker.js');
}

/** A worker's error reply as an error of the main thread, keeping a DolphinError's code. */
function hostError(m: Extract<HostReply, { type: 'error' }>): Error {
  return m.code ? new DolphinError(m.code as ErrorCode, m.message) : new Error(m.message);
}

/** Waits for the first message of a type on a port or worker. */
function nextReply<T extends HostReply['type']>(target: MessagePort | Worker, type: T): Promise<Extract<HostReply, { type: T }>> {
  return new Promise((resolve, reject) => {
    const on = (m: HostReply): void => {
      if (m.type === type) {
        target.off('message', on);
        resolve(m as Extract<HostReply, { type: T }>);
      } else if (m.type === 'error') {
        target.off('message', on);
        reject(hostError(m));
      }
    };
    target.on('message', on);
    if (target instanceof Worker) {
      target.once('error', (e) => reject(e));
      target.once('exit', (code) => reject(new Error(`the engine worker exited (code ${code}) before replying ${type}`)));
    }
  });
}

/** Starts a live paper run; resolves once it listens to Hazelcast. */
export async function startLive(o: LiveOptions): Promise<LiveSession> {
  const log = o.log ?? (() => {});
  const config = liveEngineConfig(o.config);
  const shadowSpecs: PortfolioSpec[] = (o.shadows ?? []).map((s) => ({ name: s.name, config: liveEngineConfig(s.config, `shadow ${s.name}`) }));
  const clock = o.clock ?? systemClock;
  const maxAheadMs = o.maxAheadMs ?? DEFAULT_MAX_AHEAD_MS;
  if (o.truncateJournalAt !== undefined) {
    const cut = truncateJournal(o.journalDir, o.truncateJournalAt, new Date().toISOString());
    log(cut.aside === null ? `journal ${o.journalDir}: nothing at or after ${nsToIso(o.truncateJournalAt)} to truncate` : `journal ${o.journalDir} truncated at ${nsToIso(o.truncateJournalAt)}: ${cut.scansMoved} scan(s) and ${cut.factorsMoved} factor record(s) moved to ${cut.aside}; ${cut.scansKept} scan(s) kept`);
  }
  checkJournalTimes(o.journalDir, clock.nowNs(), BigInt(maxAheadMs) * 1_000_000n);
  const journal = new JournalWriter(o.journalDir);
  journal.writeOrCheckConfig(config);
  const startedAtMs = Date.now();
  const cpu0 = process.cpuUsage();

  const worker = new Worker(engineWorkerFile());
  const cleanups: (() => Promise<unknown>)[] = [() => worker.terminate()];
  const teardown = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    return await startSession();
  } catch (e) {
    await teardown();
    throw e;
  }

  async function startSession(): Promise<LiveSession> {
  let failWith: (e: Error) => void = () => {};
  const failed = new Promise<Error>((r) => (failWith = r));
  worker.on('error', (e) => failWith(e));
  const readyMain = nextReply(worker, 'ready');
  worker.postMessage({ portfolios: [{ name: 'main', config }], journalDir: o.journalDir });
  const ready = await readyMain;
  if (ready.resumedScans > 0) {
    journal.rewriteDerived(ready.fills, ready.trades);
    const st = ready.states[0];
    log(`resumed from journal ${o.journalDir}: ${ready.resumedScans} scans replayed (last ${ready.lastTs}), cash ${st.cash.toFixed(2)}, equity ${st.equity.toFixed(2)}, ${st.positions.length} open position(s)${st.positions.map((p) => ` ${p.asset} qty ${p.qty.toPrecision(6)} @ ${p.entryPrice}`).join(',')}; no accepted scan lost`);
  }

  let shadowPort: MessagePort | null = null;
  let shadowDone: Promise<unknown> = Promise.resolve();
  let shadowStates: PortfolioSnapshot[] = [];
  if (shadowSpecs.length) {
    if (!o.pool) throw new DolphinError('USAGE', 'shadow portfolios need a worker pool (--workers >= 1)');
    const ch = new MessageChannel();
    shadowPort = ch.port1;
    const readyShadow = nextReply(ch.port1, 'ready');
    shadowDone = o.pool.run('shadowHost', { port: ch.port2, init: { portfolios: shadowSpecs, journalDir: o.journalDir } }, [ch.port2]);
    shadowStates = (await readyShadow).states;
    ch.port1.on('message', (m: HostReply) => {
      if (m.type === 'scanDone') shadowStates = m.states;
    });
  }

  let mainState: PortfolioSnapshot = ready.states[0];
  let lastScanTs: bigint | null = ready.lastTs;
  let lastScanNumber: number | null = ready.lastScanNumber;
  let feedStatus: FeedStatus = 'DISCONNECTED';
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let seq = 0;
  let publisher: StatePublisher | null = null;
  worker.on('message', (m: HostReply) => {
    if (m.type === 'scanDone') {
      mainState = m.states[0];
      journal.appendFills(m.fills);
      journal.appendTrades(m.trades);
      const t0 = sentAt.get(m.seq);
      if (t0 !== undefined) {
        latencies.push(performance.now() - t0);
        sentAt.delete(m.seq);
      }
      for (const t of m.trades) log(`trade ${t.asset} ${t.reason} pnl ${t.pnl.toFixed(2)}`);
    } else if (m.type === 'error') failWith(hostError(m));
  });

  let source: HazelcastScanSource | null = null;
  const client: HazelcastClient = await connectHazelcast({
    address: o.address,
    cluster: o.cluster,
    reconnect: true,
    connectTimeoutMs: o.connectTimeoutMs,
    onLifecycle: (s) => source?.onLifecycle(s),
  });
  cleanups.push(() => client.shutdown());
  source = new HazelcastScanSource({
    client,
    featuresMap: o.featuresMap,
    pollMs: o.pollMs,
    staleAfterMs: o.staleAfterMs,
    lastAcceptedTs: ready.lastTs,
    lastScanNumber: ready.lastScanNumber,
    clock,
    maxAheadMs,
    log,
  });
  const src = source;
  const state = (): PaperState => ({
    runId: o.runId,
    mode: 'paper',
    heartbeatMs: Date.now(),
    startedAtMs,
    feedStatus,
    lastScanTs: lastScanTs === null ? null : lastScanTs.toString(),
    lastScanNumber,
    equity: mainState.equity,
    cash: mainState.cash,
    initialCapital: config.initialCapital,
    realizedPnl: mainState.realizedPnl,
    trades: mainState.trades,
    acbCut: mainState.acbCut,
    positions: mainState.positions.map((p) => ({ asset: p.asset, qty: p.qty, entryPrice: p.entryPrice, entryTs: p.entryTs.toString(), mark: p.mark, unrealizedPnl: p.qty * (p.entryPrice - p.mark) })),
    counters: { ...src.counters, scansAccepted: ready.resumedScans + src.counters.scansAccepted },
    lastRejection: src.lastRejection,
    shadows: shadowStates.map((s) => ({ name: s.name, equity: s.equity, trades: s.trades, openPositions: s.positions.length })),
    validation,
    journal: o.journalDir,
    stopped: false,
  });
  journal.writeMeta({ runId: o.runId, startedAt: new Date(startedAtMs).toISOString(), hazelcast: o.address, cluster: o.cluster, resumedScans: ready.resumedScans });
  await source.start({
    onAccepted: (scan, factors) => {
      journal.writeScan(scan);
      journal.writeFactors(factors);
      lastScanTs = scan.timestampNs;
      lastScanNumber = scan.scanNumber;
      const s = ++seq;
      sentAt.set(s, performance.now());
      worker.postMessage({ type: 'scan', seq: s, scan, factors });
      shadowPort?.postMessage({ type: 'scan', seq: s, scan, factors });
    },
    onStatus: (s) => {
      feedStatus = s;
      void publisher?.publish();
    },
  });
  feedStatus = source.feedStatus;
  cleanups.push(() => source!.stop());
  publisher = new StatePublisher(client, o.runId, o.stateMap ?? STATE_MAP);
  cleanups.push(() => publisher!.stop());
  await publisher.start(state);
  log(`live paper run ${o.runId}: listening on ${o.address} (cluster ${o.cluster}), journal ${o.journalDir}`);

  let validation: ValidationState | null = null;
  let validating: Promise<ValidationState> | null = null;
  const validateNow = (): Promise<ValidationState> =>
    (validating ??= (async () => {
      try {
        if (!o.validate) throw new DolphinError('USAGE', 'no --validate-against folder configured');
        const snap = nextReply(worker, 'snapshot');
        worker.postMessage({ type: 'snapshot', extra: { lateOrDuplicateLive: src.counters.lateOrDuplicate } });
        const live = parseReport((await snap).report, 'live snapshot');
        const v = await validateLive(live, { scannerDir: o.validate.scannerDir, pool: o.pool, cacheRoot: o.validate.cacheRoot, nowMs: Date.now() });
        validation = v.state;
        log(`validation against ${o.validate.scannerDir}: ${v.state.verdict}${v.state.verdict === 'DIVERGED' || v.state.verdict === 'NOT_COMPARABLE' ? `\n${v.state.summary}` : ''}`);
        void publisher?.publish();
        return v.state;
      } finally {
        validating = null;
      }
    })());
  const validateTimer = o.validate ? setInterval(() => void validateNow().catch((e: Error) => log(`validation failed: ${e.message}`)), o.validate.everyMs) : null;
  cleanups.push(async () => validateTimer && clearInterval(validateTimer));

  let stopping: Promise<Report> | null = null;
  const stop = (): Promise<Report> =>
    (stopping ??= (async () => {
      if (validateTimer) clearInterval(validateTimer);
      if (validating) await (validating as Promise<ValidationState>).catch(() => undefined);
      await source!.stop();
      const extra = { lateOrDuplicateLive: src.counters.lateOrDuplicate };
      const reportsMain = nextReply(worker, 'reports');
      worker.postMessage({ type: 'stop', extra });
      let shadowReports: string[] = [];
      if (shadowPort) {
        const r = nextReply(shadowPort, 'reports');
        shadowPort.postMessage({ type: 'stop', extra });
        shadowReports = (await r).reports;
        await shadowDone;
      }
      const json = (await reportsMain).reports[0];
      writeFileSync(join(o.journalDir, 'report.json'), json);
      const report = parseReport(json, join(o.journalDir, 'report.json'));
      writeFileSync(join(o.journalDir, 'report.md'), reportToMarkdown(report));
      shadowReports.forEach((r, i) => writeFileSync(join(o.journalDir, `report.shadow-${shadowSpecs[i].name}.json`), r));
      const cpu = process.cpuUsage(cpu0);
      const wallS = (Date.now() - startedAtMs) / 1000;
      log(`stopped: ${src.counters.scansAccepted} scans this session, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s over ${wallS.toFixed(1)} s wall (${((100 * (cpu.user + cpu.system)) / 1e6 / Math.max(wallS, 1e-9)).toFixed(1)} % of one core)`);
      const finalState = { ...state(), stopped: true };
      await publisher!.stop();
      await client.getMap<string, string>(o.stateMap ?? STATE_MAP).then((m) => m.set(o.runId, JSON.stringify(finalState))).catch(() => undefined);
      await client.shutdown().catch(() => undefined);
      await worker.terminate();
      return report;
    })());
  return { runId: o.runId, journalDir: o.journalDir, resumedScans: ready.resumedScans, stop, latenciesMs: () => [...latencies], failed, state, validateNow, abort: teardown };
  }
}
