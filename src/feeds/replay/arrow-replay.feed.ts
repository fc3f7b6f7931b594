/** The replay feed: delivers the scans of a loaded data folder to the engine, in order. */
import type { DataFeedPort, ScanSink } from '../../core/ports/data-feed.port.js';
import type { ScanStore } from '../../core/scan-store.js';

/** DataFeedPort over an already assembled ScanStore. */
export class ArrowReplayFeed implements DataFeedPort {
  readonly store: ScanStore;
  private readonly onProgress: ((done: number, total: number) => void) | undefined;

  constructor(store: ScanStore, onProgress?: (done: number, total: number) => void) {
    this.store = store;
    this.onProgress = onProgress;
  }

  async run(sink: ScanSink): Promise<void> {
    const n = this.store.n;
    const step = 65536;
    this.onProgress?.(0, n);
    for (let t = 0; t < n; t++) {
      sink.onScan(t);
      if (this.onProgress && (t + 1) % step === 0) this.onProgress(t + 1, n);
    }
    this.onProgress?.(n, n);
  }

  /** No-op: a replay ends by itself when the data ends. */
  async stop(): Promise<void> {}
}
