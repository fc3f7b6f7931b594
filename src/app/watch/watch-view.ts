/**
 * The read-only view model shared by `dolphin dashboard` and `dolphin serve`: one sample of the cluster
 * (scanner feed, every paper run with its positions and equity history, shadows, warnings), built by a
 * pure function from a ClusterStatus plus what the sampler remembers between samples.
 */
import type { ClusterStatus, Health, ScannerEntryStatus } from '../../feeds/live/cluster-status.js';
import type { MirrorState, PaperPosition, RejectionState, ShadowState, ValidationState } from '../../feeds/live/paper-state.js';

/** The connection to the cluster as the viewer sees it. */
export interface ConnectionView {
  readonly address: string;
  readonly cluster: string;
  readonly reachable: boolean;
  readonly members: number | null;
  /** Why the cluster cannot be reached (null when it can). */
  readonly error: string | null;
  /** Wall-clock ms since which the cluster has been unreachable (null when reachable). */
  readonly downSinceMs: number | null;
  /** Times the viewer connected again after losing the cluster. */
  readonly reconnects: number;
}

/** The scanner feed: `latest_eigen_scan` and the own scanners' records. */
export interface FeedView {
  readonly scanState: 'OK' | 'MISSING' | 'MALFORMED' | 'UNKNOWN';
  readonly scanNumber: number | null;
  readonly ageSeconds: number | null;
  readonly assets: number | null;
  /** Scan cadence: a scanner's configured one, else the median step between the scans seen; null unknown. */
  readonly cadenceSeconds: number | null;
  /** Scanner restarts: the viewer's own observations plus the most any run counted. */
  readonly restarts: number;
  /** Symbols without a price in a running scanner's last scan. */
  readonly staleSymbols: readonly string[];
  /** DOLPHIN_SCANNER_STATE records (the phase-2 scanner), judged. */
  readonly scanners: readonly ScannerEntryStatus[];
}

/** An open position with how long it has been held. */
export interface PositionView extends PaperPosition {
  /** Scans since entry at the feed's cadence (null when the cadence or the last scan is unknown). */
  readonly barsHeld: number | null;
}

/** One paper run. */
export interface RunView {
  readonly runId: string;
  /** running, STALE (a reason below) or stopped. */
  readonly status: 'running' | 'STALE' | 'stopped';
  readonly reasons: readonly string[];
  readonly heartbeatAgeSeconds: number;
  readonly feedStatus: string;
  readonly lastScanTs: string | null;
  readonly lastScanAgeSeconds: number | null;
  readonly equity: number;
  readonly initialCapital: number;
  readonly pnl: number;
  readonly pnlPct: number;
  /** Equity after each scan the viewer saw, oldest first (bounded). */
  readonly equityHistory: readonly number[];
  readonly positions: readonly PositionView[];
  readonly trades: number;
  /** Trades closed on the UTC day of the last scan (null when the journal is not readable here). */
  readonly tradesToday: number | null;
  readonly acbCut: number;
  readonly validation: ValidationState | null;
  /** The order mirror's health (runs with --mirror only). */
  readonly mirror: MirrorState | null;
  readonly shadows: readonly ShadowState[];
  readonly lastRejection: RejectionState | null;
  readonly journal: string;
  /** The final report in the journal (report.html, .md or .json) when it exists on this machine. */
  readonly reportPath: string | null;
}

/** One sample of everything the viewers show. */
export interface WatchView {
  readonly atMs: number;
  readonly health: Health;
  readonly connection: ConnectionView;
  readonly feed: FeedView;
  readonly runs: readonly RunView[];
  /** The most recent warnings, most important first (health reasons, then notes, then refusals). */
  readonly warnings: readonly string[];
}

/** What the sampler remembers and reads beside the ClusterStatus, per run id. */
export interface WatchExtras {
  readonly positions: ReadonlyMap<string, readonly PaperPosition[]>;
  readonly equityHistory: ReadonlyMap<string, readonly number[]>;
  readonly tradesToday: ReadonlyMap<string, number | null>;
  readonly reportPaths: ReadonlyMap<string, string | null>;
  readonly observedCadenceMs: number | null;
  readonly observedRestarts: number;
  readonly downSinceMs: number | null;
  readonly reconnects: number;
}

/** Warnings kept in a view. */
export const MAX_WARNINGS = 12;

/** Builds the view of one sample. Pure. */
export function buildWatchView(status: ClusterStatus, x: WatchExtras): WatchView {
  const live = status.scanners.filter((s) => s.health !== 'STOPPED');
  const scannerCadence = live.find((s) => s.status.cadenceMs > 0)?.status.cadenceMs ?? null;
  const cadenceMs = scannerCadence ?? x.observedCadenceMs;
  const runRestarts = Math.max(0, ...status.runs.map((r) => r.counters.scannerRestarts));
  const feed: FeedView = {
    scanState: status.scan.state,
    scanNumber: status.scan.scanNumber,
    ageSeconds: status.scan.ageSeconds,
    assets: status.scan.assets,
    cadenceSeconds: cadenceMs === null ? null : cadenceMs / 1000,
    restarts: x.observedRestarts + runRestarts,
    staleSymbols: [...new Set(live.flatMap((s) => s.status.staleSymbols))],
    scanners: status.scanners,
  };
  const runs = status.runs.map((r): RunView => {
    const positions = (x.positions.get(r.runId) ?? []).map((p) => ({ ...p, barsHeld: barsHeld(p.entryTs, r.lastScanTs, cadenceMs) }));
    return {
      runId: r.runId,
      status: r.stopped ? 'stopped' : r.health === 'OK' ? 'running' : 'STALE',
      reasons: r.reasons,
      heartbeatAgeSeconds: r.heartbeatAgeSeconds,
      feedStatus: r.feedStatus,
      lastScanTs: r.lastScanTs,
      lastScanAgeSeconds: r.lastScanAgeSeconds,
      equity: r.equity,
      initialCapital: r.initialCapital,
      pnl: r.pnl,
      pnlPct: r.pnlPct,
      equityHistory: x.equityHistory.get(r.runId) ?? [r.equity],
      positions,
      trades: r.trades,
      tradesToday: x.tradesToday.get(r.runId) ?? null,
      acbCut: r.acbCut,
      validation: r.validation,
      mirror: r.mirror ?? null,
      shadows: r.shadows,
      lastRejection: r.lastRejection,
      journal: r.journal,
      reportPath: x.reportPaths.get(r.runId) ?? null,
    };
  });
  const warnings = [
    ...status.reasons,
    ...status.notes,
    ...status.runs.flatMap((r) => (r.lastRejection === null ? [] : [`${r.runId}: refused a ${r.lastRejection.kind} message: ${r.lastRejection.reason}`])),
  ].slice(0, MAX_WARNINGS);
  return {
    atMs: status.atMs,
    health: status.health,
    connection: {
      address: status.cluster.address,
      cluster: status.cluster.clusterName,
      reachable: status.cluster.reachable,
      members: status.cluster.members,
      error: status.cluster.error,
      downSinceMs: status.cluster.reachable ? null : x.downSinceMs,
      reconnects: x.reconnects,
    },
    feed,
    runs,
    warnings,
  };
}

/** Scans between entry and the last scan at the given cadence (rounded), or null when unknown. Pure. */
export function barsHeld(entryTs: string, lastScanTs: string | null, cadenceMs: number | null): number | null {
  if (lastScanTs === null || cadenceMs === null || !(cadenceMs > 0) || !/^\d+$/.test(entryTs) || !/^\d+$/.test(lastScanTs)) return null;
  const heldMs = Number((BigInt(lastScanTs) - BigInt(entryTs)) / 1_000_000n);
  return heldMs < 0 ? null : Math.round(heldMs / cadenceMs);
}

/** Median step between successive distinct timestamps (ms), or null with fewer than two. Pure. */
export function medianStepMs(timestampsMs: readonly number[]): number | null {
  const steps: number[] = [];
  for (let i = 1; i < timestampsMs.length; i++) {
    const d = (timestampsMs[i] as number) - (timestampsMs[i - 1] as number);
    if (d > 0) steps.push(d);
  }
  if (steps.length === 0) return null;
  steps.sort((a, b) => a - b);
  return steps[Math.floor((steps.length - 1) / 2)] as number;
}
