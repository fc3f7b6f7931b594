/**
 * The viewers' one reader of the cluster: samples `collectStatus` plus the runs' positions, keeps each
 * run's equity history and the feed's cadence between samples, and reconnects after losing the member.
 * It only reads: nothing here writes to a map, a ringbuffer or a journal.
 */
import { FeedUnavailableError } from '../../core/errors.js';
import { collectStatus, unreachableStatus, type ClusterStatus } from '../../feeds/live/cluster-status.js';
import { connectHazelcast, type HazelcastClient } from '../../feeds/live/hazelcast-connection.js';
import type { PaperPosition } from '../../feeds/live/paper-state.js';
import { JournalTrades, positionsOf } from './run-details.js';
import { buildWatchView, medianStepMs, type WatchView } from './watch-view.js';

/** Where and how to read. */
export interface WatchSamplerOptions {
  readonly address: string;
  readonly cluster: string;
  readonly staleAfterMs: number;
  readonly featuresMap: string;
  readonly stateMap: string;
  readonly scannerMap: string;
  /** Connect timeout per attempt (a down member should be reported quickly). */
  readonly connectTimeoutMs?: number;
  /** Equity samples kept per run (default 240). */
  readonly historyLength?: number;
  /** Wall clock (tests pass their own). */
  readonly now?: () => number;
}

/** Scan timestamps kept to estimate the cadence. */
const CADENCE_WINDOW = 16;
/** Scan stream entries read for the cadence before two scans were seen. */
const STREAM_CADENCE_ENTRIES = 8;

/** Samples the cluster into WatchViews; one client kept across samples. */
export class WatchSampler {
  private client: HazelcastClient | undefined;
  private previous: ClusterStatus | undefined;
  private downSinceMs: number | null = null;
  private everConnected = false;
  private reconnects = 0;
  private restarts = 0;
  private readonly scanTimesMs: number[] = [];
  private readonly history = new Map<string, { lastScanTs: string | null; equity: number[] }>();
  private readonly journals = new Map<string, JournalTrades>();
  private readonly now: () => number;
  private streamCadenceMs: number | null = null;

  constructor(private readonly opts: WatchSamplerOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** One sample; a lost or unreachable member gives a view saying so (the next sample reconnects). */
  async sample(): Promise<WatchView> {
    const status = await this.status();
    if (status.health === 'DOWN') {
      this.downSinceMs ??= status.atMs;
    } else this.downSinceMs = null;
    const positions = status.health === 'DOWN' ? new Map<string, PaperPosition[]>() : await this.positions();
    this.remember(status);
    if (medianStepMs(this.scanTimesMs) === null && status.stream !== null) await this.streamCadence(status.stream.name, status.stream.tailSequence, status.stream.headSequence);
    const equityHistory = new Map<string, number[]>();
    const tradesToday = new Map<string, number | null>();
    const reportPaths = new Map<string, string | null>();
    for (const r of status.runs) {
      equityHistory.set(r.runId, this.history.get(r.runId)?.equity ?? [r.equity]);
      let j = this.journals.get(r.runId);
      if (j === undefined || j.journal !== r.journal) {
        j = new JournalTrades(r.journal);
        this.journals.set(r.runId, j);
      }
      tradesToday.set(r.runId, j.closedOnDayOf(r.lastScanTs));
      reportPaths.set(r.runId, r.stopped ? j.reportPath() : null);
    }
    return buildWatchView(status, {
      positions,
      equityHistory,
      tradesToday,
      reportPaths,
      observedCadenceMs: medianStepMs(this.scanTimesMs) ?? this.streamCadenceMs,
      observedRestarts: this.restarts,
      downSinceMs: this.downSinceMs,
      reconnects: this.reconnects,
    });
  }

  /** Closes the client. */
  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    await c?.shutdown().catch(() => undefined);
  }

  private async status(): Promise<ClusterStatus> {
    const o = this.opts;
    const down = (error: string): ClusterStatus =>
      unreachableStatus({ now: this.now(), staleAfterMs: o.staleAfterMs, address: o.address, cluster: o.cluster, error, featuresMap: o.featuresMap, stateMap: o.stateMap, scannerMap: o.scannerMap });
    if (this.client === undefined) {
      try {
        this.client = await connectHazelcast({ address: o.address, cluster: o.cluster, connectTimeoutMs: o.connectTimeoutMs ?? 3_000 });
        if (this.everConnected) this.reconnects++;
        this.everConnected = true;
      } catch (err) {
        if (!(err instanceof FeedUnavailableError)) throw err;
        return down(`cannot reach Hazelcast cluster '${o.cluster}' at ${o.address}; retrying every sample`);
      }
    }
    const status = await collectStatus(this.client, {
      now: this.now(),
      staleAfterMs: o.staleAfterMs,
      featuresMap: o.featuresMap,
      stateMap: o.stateMap,
      scannerMap: o.scannerMap,
      address: o.address,
      ...(this.previous !== undefined ? { previous: this.previous } : {}),
    });
    if (status.health === 'DOWN') {
      await this.close(); // lost the member: connect afresh next sample
      return down(`lost Hazelcast cluster '${o.cluster}' at ${o.address}; reconnecting`);
    }
    return status;
  }

  private async positions(): Promise<Map<string, PaperPosition[]>> {
    const out = new Map<string, PaperPosition[]>();
    try {
      const map = await this.client!.getMap<string, unknown>(this.opts.stateMap);
      for (const [k, v] of await map.entrySet()) out.set(String(k), positionsOf(v));
    } catch {
      // the member went away between the two reads: the next sample says so
    }
    return out;
  }

  /**
   * Before the viewer has seen two scans itself, the cadence is read from the last entries of the scan
   * stream (read only; a few entries once).
   */
  private async streamCadence(name: string, tail: number, head: number): Promise<void> {
    if (this.streamCadenceMs !== null || tail - head < 1) return;
    try {
      const rb = await this.client!.getRingbuffer<string>(name);
      const times: number[] = [];
      for (let seq = Math.max(head, tail - STREAM_CADENCE_ENTRIES + 1); seq <= tail; seq++) {
        const text = String(await rb.readOne(seq));
        const ts = /"timestamp_ns"\s*:\s*"?(\d+)/.exec(text)?.[1];
        if (ts !== undefined) times.push(Number(BigInt(ts) / 1_000_000n));
      }
      this.streamCadenceMs = medianStepMs(times);
    } catch {
      // informational only: the cadence stays unknown until two scans were seen
    }
  }

  /** Equity history (one point per new scan of each run), cadence and restarts seen. */
  private remember(status: ClusterStatus): void {
    const limit = this.opts.historyLength ?? 240;
    for (const r of status.runs) {
      const h = this.history.get(r.runId) ?? { lastScanTs: null, equity: [] };
      if (h.equity.length === 0 || h.lastScanTs !== r.lastScanTs) {
        h.equity.push(r.equity);
        if (h.equity.length > limit) h.equity.splice(0, h.equity.length - limit);
        h.lastScanTs = r.lastScanTs;
      } else h.equity[h.equity.length - 1] = r.equity; // same scan: the mark may have been republished
      this.history.set(r.runId, h);
    }
    const s = status.scan;
    if (s.state === 'OK' && s.timestampNs !== null) {
      const ms = Number(BigInt(s.timestampNs) / 1_000_000n);
      if (this.scanTimesMs[this.scanTimesMs.length - 1] !== ms) {
        this.scanTimesMs.push(ms);
        if (this.scanTimesMs.length > CADENCE_WINDOW) this.scanTimesMs.shift();
      }
      if (s.progression?.scannerRestart === true) this.restarts++;
    }
    if (s.state === 'OK' || this.previous === undefined) this.previous = status;
  }
}
