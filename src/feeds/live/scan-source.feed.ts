/**
 * ScanSourceFeed: a live scan source as a DataFeedPort on this thread (embedding, tests): each accepted
 * scan is appended to the store and delivered to the engine until stop(). `dolphin live` runs the source
 * on the main thread and the engine in a worker behind a MessagePortFeed instead.
 */
import type { DataFeedPort, ScanSink } from '../../core/ports/data-feed.port.js';
import { ScanStore } from '../../core/scan-store.js';
import type { LiveScanSource } from './live-scan-source.js';

/** Accepted scans of a live source appended to a store and delivered to the engine, until stop(). */
export class ScanSourceFeed<S extends LiveScanSource = LiveScanSource> implements DataFeedPort {
  readonly store: ScanStore;
  readonly source: S;
  private finish: (() => void) | null = null;

  constructor(source: S, store = new ScanStore()) {
    this.store = store;
    this.source = source;
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

  /** Stops the source; run() resolves and runEngine finishes. */
  async stop(): Promise<void> {
    await this.source.stop();
    this.finish?.();
  }
}
