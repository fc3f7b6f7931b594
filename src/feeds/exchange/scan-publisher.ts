/** Publishes the scanner's scans to DOLPHIN_FEATURES["latest_eigen_scan"] and its status to DOLPHIN_SCANNER_STATE. */
import type { ScanRecord } from '../../core/scan.js';
import { connectHazelcast, type HazelcastClient } from '../live/hazelcast-connection.js';
import { FEATURES_MAP, SCAN_KEY } from '../live/paper-state.js';
import { scanToJson } from '../live/scan-json.js';
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

/**
 * Latest-wins publisher: each key holds at most one pending value; a put in flight is never waited on
 * by the scanner. A failed put (cluster down: the client reconnects for ever) is retried with the newest
 * value once the cluster is back; nothing throws into the scan loop.
 */
export class ScanPublisher {
  published = 0;
  errors = 0;
  /** Called when a scan's put completed (performance.now() ms), for latency figures. */
  onScanPublished: ((scan: ScanRecord, atMs: number) => void) | undefined;
  private readonly pending = new Map<string, { map: string; value: string; scan?: ScanRecord }>();
  /** Map proxies by name, fetched once so a put is issued synchronously (before the scan's file write). */
  private readonly maps = new Map<string, Awaited<ReturnType<HazelcastClient['getMap']>>>();
  private pumping = false;
  private closed = false;
  private failing = false;

  private constructor(
    private readonly client: HazelcastClient,
    private readonly o: ScanPublisherOptions,
    /** close() shuts the client down (false: the caller's client, e.g. a live run's). */
    private readonly ownsClient = true,
  ) {}

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

  /** Queues a scan for `latest_eigen_scan` (replacing a queued older one). */
  publishScan(scan: ScanRecord): void {
    this.pending.set(SCAN_KEY, { map: this.o.featuresMap ?? FEATURES_MAP, value: scanToJson(scan), scan });
    this.pump();
  }

  /** Queues the status for DOLPHIN_SCANNER_STATE[scannerId]. */
  publishStatus(status: ScannerStatus): void {
    this.pending.set(`status:${this.o.scannerId}`, { map: this.o.stateMap ?? SCANNER_STATE_MAP, value: JSON.stringify(status) });
    this.pump();
  }

  private pump(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    void this.run().finally(() => {
      this.pumping = false;
      if (this.pending.size > 0 && !this.closed) this.pump();
    });
  }

  private async run(): Promise<void> {
    while (this.pending.size > 0 && !this.closed) {
      const [key, item] = this.pending.entries().next().value as [string, { map: string; value: string; scan?: ScanRecord }];
      this.pending.delete(key);
      const mapKey = key.startsWith('status:') ? this.o.scannerId : key;
      try {
        const map = this.maps.get(item.map) ?? (await this.client.getMap<string, string>(item.map));
        await map.set(mapKey, item.value);
        if (item.scan !== undefined) {
          this.published++;
          this.onScanPublished?.(item.scan, performance.now());
        }
        if (this.failing) {
          this.failing = false;
          this.o.log('info', 'publishing to Hazelcast works again');
        }
      } catch (e) {
        this.errors++;
        if (!this.pending.has(key)) this.pending.set(key, item);
        if (!this.failing) {
          this.failing = true;
          this.o.log('warn', `publishing to Hazelcast failed (${(e as Error).message.split('\n')[0]}); retrying with the newest value`);
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** Waits (at most `ms`) for pending puts, then shuts the client down (when it owns it). */
  async close(ms = 3000): Promise<void> {
    const deadline = Date.now() + ms;
    while ((this.pending.size > 0 || this.pumping) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.closed = true;
    if (this.ownsClient) await this.client.shutdown().catch(() => undefined);
  }
}
