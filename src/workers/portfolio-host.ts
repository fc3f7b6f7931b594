/**
 * Hosts live portfolios (the main engine, or the shadow configs) on one store behind a MessagePort:
 * resumes from the journal, then processes each scan message and reports state, fills and trades back.
 */
import type { MessagePort } from 'node:worker_threads';
import type { EngineConfig } from '../core/config.js';
import { DolphinError } from '../core/errors.js';
import { emptyDataQuality, type DataQuality } from '../core/data-quality.js';
import type { Engine, PositionView } from '../core/engine.js';
import { runEngine } from '../core/run-engine.js';
import { ScanStore } from '../core/scan-store.js';
import { assessTimeline } from '../core/timeline-quality.js';
import type { Fill, Trade } from '../core/trade.js';
import { listScanFiles } from '../feeds/replay/scan-directory.js';
import { loadScanDirectory } from '../feeds/replay/load-scan-directory.js';
import { buildReport } from '../report/report.js';
import { reportToJson } from '../report/report-json.js';
import { MessagePortFeed, type HostMessage } from './message-port.feed.js';

/** One portfolio to host. */
export interface PortfolioSpec {
  readonly name: string;
  readonly config: EngineConfig;
}

/** First message to a host. */
export interface HostInit {
  readonly portfolios: readonly PortfolioSpec[];
  /** Resume: replay this journal's scans first (main portfolio only). */
  readonly journalDir?: string;
}

/** A portfolio's state after a scan. */
export interface PortfolioSnapshot {
  readonly name: string;
  readonly equity: number;
  readonly cash: number;
  readonly trades: number;
  readonly realizedPnl: number;
  readonly acbCut: number;
  readonly positions: readonly PositionView[];
}

/** Messages a host sends back. */
export type HostReply =
  | { readonly type: 'ready'; readonly resumedScans: number; readonly lastTs: bigint | null; readonly lastScanNumber: number | null; readonly fills: Fill[]; readonly trades: Trade[]; readonly states: PortfolioSnapshot[] }
  /** `doneAtMs`: when the engines were done with the scan (performance.timeOrigin + performance.now() in the worker), for latency figures. */
  | { readonly type: 'scanDone'; readonly seq: number; readonly t: number; readonly doneAtMs: number; readonly states: PortfolioSnapshot[]; readonly fills: Fill[]; readonly trades: Trade[] }
  | { readonly type: 'reports'; readonly reports: string[] }
  | { readonly type: 'snapshot'; readonly report: string }
  | { readonly type: 'error'; readonly message: string; readonly code?: string };

function snapshot(name: string, e: Engine): PortfolioSnapshot {
  let realized = 0;
  for (const t of e.recorder.trades) realized += t.pnl;
  return { name, equity: e.equity(), cash: e.cash, trades: e.recorder.trades.length, realizedPnl: realized, acbCut: e.lastCut, positions: e.positions() };
}

/** The live report of a portfolio as it stands (the run goes on). */
function liveReport(e: Engine, extra: Record<string, unknown>): string {
  const dq: DataQuality = { ...emptyDataQuality(), ...extra };
  assessTimeline(e.store, new Set(e.factors.all().map((f) => f.day)), dq);
  return reportToJson(
    buildReport(e, { kind: 'live', calibration: { mode: 'config', volThreshold: e.config.volThreshold, sampleSize: null, inSampleDays: [] }, inSampleDays: new Set(), dataQuality: dq }),
  );
}

/** Runs until a stop message; then replies with each portfolio's report JSON. */
export async function hostPortfolios(port: MessagePort, init: HostInit): Promise<void> {
  const hasJournal = init.journalDir !== undefined && listScanFiles(init.journalDir).length > 0;
  // strict: journal files are written atomically, so an unreadable one is real damage, not a half-write.
  const replay = hasJournal ? loadScanDirectory(init.journalDir!, { strict: true }) : null;
  const store = replay?.store ?? new ScanStore();
  const feed = new MessagePortFeed(store);
  const engines: Engine[] = [];
  const runs = init.portfolios.map((p) =>
    runEngine(feed, p.config, { factors: replay?.factors ?? [], onEngine: (e) => engines.push(e) }),
  );
  feed.deliverPreloaded();
  const n = store.n;
  port.postMessage({
    type: 'ready',
    resumedScans: n,
    lastTs: n ? store.ts[n - 1] : null,
    lastScanNumber: n ? store.scanNumber[n - 1] : null,
    fills: engines[0] ? [...engines[0].recorder.fills] : [],
    trades: engines[0] ? [...engines[0].recorder.trades] : [],
    states: engines.map((e, i) => snapshot(init.portfolios[i].name, e)),
  } satisfies HostReply);
  const seen = engines.map((e) => ({ fills: e.recorder.fills.length, trades: e.recorder.trades.length }));
  let stopExtra: Record<string, unknown> = {};
  feed.onDelivered = (seq, t) => {
    const e0 = engines[0];
    const fills = e0 ? e0.recorder.fills.slice(seen[0].fills) : [];
    const trades = e0 ? e0.recorder.trades.slice(seen[0].trades) : [];
    engines.forEach((e, i) => (seen[i] = { fills: e.recorder.fills.length, trades: e.recorder.trades.length }));
    port.postMessage({ type: 'scanDone', seq, t, doneAtMs: performance.timeOrigin + performance.now(), states: engines.map((e, i) => snapshot(init.portfolios[i].name, e)), fills, trades } satisfies HostReply);
  };
  port.on('message', (m: HostMessage) => {
    try {
      if (m.type === 'scan') feed.deliver(m.seq, m.scan, m.factors);
      else if (m.type === 'snapshot') port.postMessage({ type: 'snapshot', report: liveReport(engines[0], m.extra ?? {}) } satisfies HostReply);
      else if (m.type === 'stop') {
        stopExtra = m.extra ?? {};
        void feed.stop();
      }
    } catch (e) {
      port.postMessage(errorReply(e));
    }
  });
  const finished = await Promise.all(runs);
  const reports = finished.map((e) => liveReport(e, stopExtra));
  port.postMessage({ type: 'reports', reports } satisfies HostReply);
  port.removeAllListeners('message');
  port.close();
}

/** An error as a reply: DolphinErrors keep their code (the CLI maps it to an exit code), others their stack. */
export function errorReply(e: unknown): HostReply {
  if (e instanceof DolphinError) return { type: 'error', message: e.message, code: e.code };
  return { type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}
