/** The state publisher's input: a live run's parts, folded into the PaperState written to Hazelcast. */
import type { LiveFeedQuality } from '../../core/data-quality.js';
import type { FeedStatus } from '../../core/ports/data-feed.port.js';
import type { ScanSourceCounters } from '../../feeds/live/hazelcast-scan-source.js';
import type { LatencyState, MirrorState, MissedRange, PaperState, RejectionState, ValidationState } from '../../feeds/live/paper-state.js';
import type { PortfolioSnapshot } from '../../workers/portfolio-host.js';

/** What a live run knows at one moment. */
export interface LiveStateParts {
  readonly runId: string;
  readonly nowMs: number;
  readonly startedAtMs: number;
  readonly feedStatus: FeedStatus;
  readonly lastScanTs: bigint | null;
  readonly lastScanNumber: number | null;
  readonly main: PortfolioSnapshot;
  readonly initialCapital: number;
  /** Scans replayed from the journal at start (counted as accepted). */
  readonly resumedScans: number;
  readonly counters: ScanSourceCounters;
  readonly lastRejection: RejectionState | null;
  /** Most recent ranges of scans known to be missed. */
  readonly missed: readonly MissedRange[];
  readonly shadows: readonly PortfolioSnapshot[];
  readonly validation: ValidationState | null;
  readonly journal: string;
  /** Latencies of the most recent scans, ms (any order). */
  readonly recentLatenciesMs: readonly number[];
  readonly stopped: boolean;
  /** The order mirror's health (only with --mirror). */
  readonly mirror?: MirrorState;
}

/** Median, p99 and max of recent decision latencies, or null before the first scan. */
export function latencyState(ms: readonly number[]): LatencyState | null {
  if (ms.length === 0) return null;
  const s = Float64Array.from(ms).sort();
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(s.length * q))] as number;
  const r = (x: number): number => Math.round(x * 1000) / 1000;
  return { scans: s.length, p50Ms: r(at(0.5)), p99Ms: r(at(0.99)), maxMs: r(s[s.length - 1] as number) };
}

/** What the source adds to the live report's data quality (late scans; the live feed's figures). */
export function reportExtra(c: ScanSourceCounters | null, missed: readonly MissedRange[], shown: number): Record<string, unknown> {
  if (c === null) return { lateOrDuplicateLive: 0 };
  const liveFeed: LiveFeedQuality = {
    fromStream: c.fromStream,
    fromKey: c.fromKey,
    scansMissed: c.scansMissed,
    missed: missed.slice(-shown),
    malformed: c.malformedMessages,
    outOfBounds: c.outOfBounds,
    badTimestamps: c.badTimestamps,
  };
  return { lateOrDuplicateLive: c.lateOrDuplicate, liveFeed };
}

/** The PaperState of a live run (DOLPHIN_STATE_PAPER[runId]). */
export function paperState(p: LiveStateParts): PaperState {
  return {
    runId: p.runId,
    mode: 'paper',
    heartbeatMs: p.nowMs,
    startedAtMs: p.startedAtMs,
    feedStatus: p.feedStatus,
    lastScanTs: p.lastScanTs === null ? null : p.lastScanTs.toString(),
    lastScanNumber: p.lastScanNumber,
    equity: p.main.equity,
    cash: p.main.cash,
    initialCapital: p.initialCapital,
    realizedPnl: p.main.realizedPnl,
    trades: p.main.trades,
    acbCut: p.main.acbCut,
    positions: p.main.positions.map((x) => ({ asset: x.asset, qty: x.qty, entryPrice: x.entryPrice, entryTs: x.entryTs.toString(), mark: x.mark, unrealizedPnl: x.qty * (x.entryPrice - x.mark) })),
    counters: { ...p.counters, scansAccepted: p.resumedScans + p.counters.scansAccepted },
    lastRejection: p.lastRejection,
    missed: p.missed,
    latency: latencyState(p.recentLatenciesMs),
    shadows: p.shadows.map((s) => ({ name: s.name, equity: s.equity, trades: s.trades, openPositions: s.positions.length })),
    validation: p.validation,
    ...(p.mirror !== undefined ? { mirror: p.mirror } : {}),
    journal: p.journal,
    stopped: p.stopped,
  };
}
