/** WatchViews for the pure and component tests, built through the real buildWatchView from a ClusterStatus. */
import { unreachableStatus, type ClusterStatus, type PaperRunStatus } from '../../../src/feeds/live/cluster-status.js';
import type { PaperPosition } from '../../../src/feeds/live/paper-state.js';
import { buildWatchView, type WatchExtras, type WatchView } from '../../../src/app/watch/watch-view.js';

export const NOW = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const NS = (ms: number): string => (BigInt(ms) * 1_000_000n).toString();

/** A running (or stopped) run as collectStatus reports it. */
export function runStatus(runId: string, over: Partial<PaperRunStatus> = {}): PaperRunStatus {
  return {
    runId,
    stopped: false,
    heartbeatMs: NOW - 500,
    heartbeatAgeSeconds: 0.5,
    startedAtMs: NOW - 3_600_000,
    feedStatus: 'CONNECTED',
    lastScanTs: NS(NOW - 2_000),
    lastScanAgeSeconds: 2,
    lastScanNumber: 700,
    equity: 10_250.5,
    cash: 10_000,
    initialCapital: 10_000,
    realizedPnl: 200,
    pnl: 250.5,
    pnlPct: 2.505,
    trades: 7,
    openPositions: 1,
    acbCut: 0.25,
    counters: { scansAccepted: 700, malformedMessages: 0, outOfBounds: 0, badTimestamps: 0, lateOrDuplicate: 0, scannerRestarts: 1, invalidPrices: 0, reconnects: 0, scansMissed: 0, fromStream: 700, fromKey: 0 },
    lastRejection: null,
    missed: [],
    shadows: [],
    validation: null,
    journal: '/nowhere/journal',
    health: 'OK',
    reasons: [],
    ...over,
  };
}

/** A reachable cluster with a fresh scan and the given runs. */
export function clusterStatus(runs: PaperRunStatus[], over: Partial<ClusterStatus> = {}): ClusterStatus {
  const base = unreachableStatus({ now: NOW, staleAfterMs: 30_000, address: '127.0.0.1:5701', cluster: 'dolphin', error: 'x' });
  return {
    ...base,
    health: 'OK',
    reasons: [],
    cluster: { address: '127.0.0.1:5701', clusterName: 'dolphin', reachable: true, members: 1, memberAddresses: ['127.0.0.1:5701'], error: null },
    scan: { state: 'OK', problem: null, timestampNs: NS(NOW - 2_000), timestampIso: null, scanNumber: 700, ageSeconds: 2, assets: 48, progression: null },
    runs,
    ...over,
  };
}

export const POSITION: PaperPosition = { asset: 'ETHUSDT', qty: 1.5, entryPrice: 3000, entryTs: NS(NOW - 2_000 - 60_000), mark: 2990, unrealizedPnl: 15 };

/** Extras with the given positions and histories. */
export function extras(over: Partial<WatchExtras> = {}): WatchExtras {
  return {
    positions: new Map([['paper-1', [POSITION]]]),
    equityHistory: new Map([['paper-1', [10_000, 10_100, 10_050, 10_250.5]]]),
    tradesToday: new Map([['paper-1', 3]]),
    reportPaths: new Map(),
    observedCadenceMs: 5_000,
    observedRestarts: 0,
    downSinceMs: null,
    reconnects: 0,
    ...over,
  };
}

/** A view of one running run with a position and one stopped run with shadows. */
export function sampleView(): WatchView {
  return buildWatchView(
    clusterStatus([
      runStatus('paper-1', { shadows: [{ name: 'tight-stop', equity: 10_100, trades: 9, openPositions: 0 }] }),
      runStatus('paper-2', { stopped: true, equity: 9_900, pnl: -100, pnlPct: -1, journal: '/runs/p2' }),
    ]),
    extras({ reportPaths: new Map([['paper-2', '/runs/p2/report.html']]) }),
  );
}
