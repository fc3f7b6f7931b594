/** Publishes the scanner's scans to DOLPHIN_FEATURES["latest_eigen_scan"] and its status to DOLPHIN_SCANNER_STATE. */
import type { ScanRecord } from '../../core/scan.js';
import { connectHazelcast, type HazelcastClient } from '../live/hazelcast-connection.js';
import { FEATURES_MAP, SCAN_KEY, scanStreamName } from '../live/paper-state.js';
import { scanToJson } from '../live/scan-json.js';
import { ScanStreamWriter, type StreamRef } from '../live/scan-stream-writer.js';
import { SCANNER_STATE_MAP, type ScannerStatus } from './scanner-status.js';

/** Options of the publisher. */
export interface ScanPublisherOptions {
  readonly address: string;
  readonly cluster: string;
  readonly scannerId: string;
  readonly connectTimeoutMs?: number;
  /** Map names (tests use their own). */
  readonly featuresMap?: string;
  readonly stateMap?: string;
  readonly log: (level: 'info' | 'warn', message: string) => void;
}

/** Scans kept for the stream while the cluster is away, and for a republish after a member restart (its capacity). */
const STREAM_BACKLOG = 10_000;

/** A scan the stream writer can append again after a member restart (its JSON kept in memory). */
interface PublishedScan extends StreamRef {
  readonly json: string;
}

/** When each step of a scan's publication happened (performance.now() ms), for latency figures. */
export interface PublishTiming {
  /** publishScan returned (JSON encoded, scan queued). */
  readonly queuedAt: number;
  /** The stream append (ringbuffer add) was invoked. */
  readonly appendAt: number;
  /** The stream append was acknowledged. */
  readonly appendedAt: number;
  /** The latest_eigen_scan put was invoked. */
  readonly putAt: number;
}

/** The two independent queues of puts: scans (stream, then latest key) and the status record. */
type Lane = 'scan' | 'status';

/**
 * Publishes like every publisher of the project: each scan is first appended, in order, to the scan
 * stream (the ringbuffer beside `latest_eigen_scan`, so a consumer catches up by sequence after an
 * outage), then written to the latest key. The keys are latest-wins: each holds at most one pending
 * value; the stream keeps every scan (up to a backlog of its capacity). The status record has a lane of
 * its own, so a heartbeat put in flight never delays a scan. Nothing is waited on by the scanner; a
 * failure (cluster down: the client reconnects for ever) is retried once the cluster is back and nothing
 * throws into the scan loop.
 *
 * The stream append and the key put are not sent together although that would save a round trip: the
 * member runs them on different partitions, so the key (and its entry event) could come first, and a
 * consumer woken by the key drains the stream before judging the key (HazelcastScanSource): it would
 * take the scan from the key and then drop the stream entry as a duplicate.
 */
export class ScanPublisher {
  published = 0;
  errors = 0;
  /** Called when a scan's put completed (performance.now() ms), with the times of the steps before it, for latency figures. */
  onScanPublished: ((scan: ScanRecord, atMs: number, steps: PublishTiming) => void) | undefined;
  /** Step times of scans in flight (only while onScanPublished is set). */
  private readonly steps = new Map<bigint, { queuedAt: number; appendAt: number; appendedAt: number; putAt: number }>();
  private readonly pending = new Map<string, { map: string; value: string; scan?: ScanRecord }>();
  /** Scans not yet appended to the stream, oldest first. */
  private readonly streamQueue: PublishedScan[] = [];
  private readonly stream: ScanStreamWriter<PublishedScan>;
  /** Map proxies by name, fetched once so a put is issued synchronously (before the scan's file write). */
  private readonly maps = new Map<string, Awaited<ReturnType<HazelcastClient['getMap']>>>();
  private readonly pumping: Record<Lane, boolean> = { scan: false, status: false };
  private closed = false;
  private failing = false;

  private constructor(
    private readonly client: HazelcastClient,
    private readonly o: ScanPublisherOptions,
    /** close() shuts the client down (false: the caller's client, e.g. a live run's). */
    private readonly ownsClient = true,
  ) {
    this.stream = new ScanStreamWriter<PublishedScan>({
      client: () => this.client,
      name: scanStreamName(o.featuresMap ?? FEATURES_MAP),
      reload: (ref) => ref.json,
      window: STREAM_BACKLOG,
      log: (level, m) => {
        if (level !== 'debug') o.log(level, m);
      },
    });
  }

  private async prepare(): Promise<void> {
    for (const name of [this.o.featuresMap ?? FEATURES_MAP, this.o.stateMap ?? SCANNER_STATE_MAP]) this.maps.set(name, await this.client.getMap<string, string>(name));
  }

  /** Connects (FeedUnavailableError naming the member when it cannot within the timeout). */
  static async connect(o: ScanPublisherOptions): Promise<ScanPublisher> {
    let up = true;
    const client = await connectHazelcast({
      address: o.address,
      cluster: o.cluster,
      connectTimeoutMs: o.connectTimeoutMs,
      reconnect: true,
      instanceName: `dolphin-scanner-${o.scannerId}`,
      onLifecycle: (state) => {
        if (state === 'DISCONNECTED' && up) {
          up = false;
          o.log('warn', `lost Hazelcast at ${o.address}; scans are still written, publishing resumes with the newest scan when it is back`);
        } else if (state === 'CONNECTED' && !up) {
          up = true;
          o.log('info', `reconnected to Hazelcast at ${o.address}`);
        }
      },
    });
    const p = new ScanPublisher(client, o);
    await p.prepare();
    return p;
  }

  /** A publisher over a client the caller owns and closes (a live run's); close() leaves it running. */
  static async over(client: HazelcastClient, o: Omit<ScanPublisherOptions, 'address' | 'cluster' | 'connectTimeoutMs'>): Promise<ScanPublisher> {
    const p = new ScanPublisher(client, { ...o, address: '', cluster: '' }, false);
    await p.prepare();
    return p;
  }

  /** Queues a scan for `latest_eigen_scan` (replacing a queued older one); the stream append is invoked at once. */
  publishScan(scan: ScanRecord): void {
    const json = scanToJson(scan);
    this.streamQueue.push({ ts: scan.timestampNs, json });
    // a cluster away for longer than the stream holds: the oldest scans cannot be caught up anyway
    if (this.streamQueue.length > STREAM_BACKLOG) this.streamQueue.splice(0, this.streamQueue.length - STREAM_BACKLOG);
    this.pending.set(SCAN_KEY, { map: this.o.featuresMap ?? FEATURES_MAP, value: json, scan });
    if (this.onScanPublished !== undefined) {
      if (this.steps.size > 64) this.steps.clear();
      this.steps.set(scan.timestampNs, { queuedAt: performance.now(), appendAt: NaN, appendedAt: NaN, putAt: NaN });
    }
    this.pump('scan');
  }

  /** Queues the status for DOLPHIN_SCANNER_STATE[scannerId]. */
  publishStatus(status: ScannerStatus): void {
    this.pending.set(`status:${this.o.scannerId}`, { map: this.o.stateMap ?? SCANNER_STATE_MAP, value: JSON.stringify(status) });
    this.pump('status');
  }

  /** The next key of a lane with a value waiting, or undefined. */
  private nextKey(lane: Lane): string | undefined {
    if (lane === 'scan') return this.pending.has(SCAN_KEY) ? SCAN_KEY : undefined;
    for (const k of this.pending.keys()) if (k !== SCAN_KEY) return k;
    return undefined;
  }

  private hasWork(lane: Lane): boolean {
    return (lane === 'scan' && this.streamQueue.length > 0) || this.nextKey(lane) !== undefined;
  }

  private pump(lane: Lane): void {
    if (this.pumping[lane] || this.closed) return;
    this.pumping[lane] = true;
    void this.run(lane).finally(() => {
      this.pumping[lane] = false;
      if (this.hasWork(lane) && !this.closed) this.pump(lane);
    });
  }

  private failed(e: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.o.log('warn', `publishing to Hazelcast failed (${(e as Error).message.split('\n')[0]}); retrying (the stream in order, the keys with the newest value)`);
  }

  private async run(lane: Lane): Promise<void> {
    while (this.hasWork(lane) && !this.closed) {
      const next = lane === 'scan' ? this.streamQueue[0] : undefined;
      if (next !== undefined) {
        const st = this.steps.get(next.ts);
        if (st !== undefined) st.appendAt = performance.now();
        try {
          await this.stream.append(next.json, next);
          if (st !== undefined) st.appendedAt = performance.now();
          this.streamQueue.shift();
        } catch (e) {
          this.errors++;
          this.failed(e);
          await new Promise((r) => setTimeout(r, 1000));
        }
        continue;
      }
      const key = this.nextKey(lane)!;
      const item = this.pending.get(key)!;
      this.pending.delete(key);
      const mapKey = key.startsWith('status:') ? this.o.scannerId : key;
      try {
        const map = this.maps.get(item.map) ?? (await this.client.getMap<string, string>(item.map));
        const st = item.scan !== undefined ? this.steps.get(item.scan.timestampNs) : undefined;
        if (st !== undefined) st.putAt = performance.now();
        await map.set(mapKey, item.value);
        if (item.scan !== undefined) {
          this.published++;
          if (this.onScanPublished !== undefined) {
            const at = performance.now();
            this.steps.delete(item.scan.timestampNs);
            this.onScanPublished(item.scan, at, st ?? { queuedAt: NaN, appendAt: NaN, appendedAt: NaN, putAt: NaN });
          }
        }
        if (this.failing) {
          this.failing = false;
          this.o.log('info', 'publishing to Hazelcast works again');
        }
      } catch (e) {
        this.errors++;
        if (!this.pending.has(key)) this.pending.set(key, item);
        this.failed(e);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** Waits (at most `ms`) for pending puts, then shuts the client down (when it owns it). */
  async close(ms = 3000): Promise<void> {
    const deadline = Date.now() + ms;
    while ((this.pending.size > 0 || this.streamQueue.length > 0 || this.pumping.scan || this.pumping.status) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.closed = true;
    if (this.ownsClient) await this.client.shutdown().catch(() => undefined);
  }
}
