/**
 * HazelcastFeed: the DataFeedPort of a live run on this thread (tests, embedding). `dolphin live` runs
 * the same source on the main thread and the engine in a worker behind a MessagePort feed instead.
 */
import type { DataFeedPort, ScanSink } from '../../core/ports/data-feed.port.js';
import { ScanStore } from '../../core/scan-store.js';
import { HazelcastScanSource, type ScanSourceOptions } from './hazelcast-scan-source.js';

/** Accepted Hazelcast scans appended to a store and delivered to the engine, until stop(). */
export class HazelcastFeed implements DataFeedPort {
  readonly store: ScanStore;
  readonly source: HazelcastScanSource;
  private finish: (() => void) | null = null;

  constructor(options: ScanSourceOptions, store = new ScanStore()) {
    this.store = store;
    this.source = new HazelcastScanSource(options);
  }

  async run(sink: ScanSink): Promise<void> {
    const done = new Promise<void>((r) => (this.finish = r));
    await this.source.start({
      onAccepted: (scan, factors) => {
        const t = this.store.append(scan);
        for (const f of factors) sink.onFactors(f);
        sink.onScan(t);
      },
      onStatus: (s) => sink.onStatus?.(s),
    });
    return done;
  }

  /** Stops listening; run() resolves and runEngine finishes. */
  async stop(): Promise<void> {
    await this.source.stop();
    this.finish?.();
  }
}
