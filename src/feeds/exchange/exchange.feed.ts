/**
 * ExchangeFeed: the DataFeedPort of the project's own scanner on this thread (embedding, tests): the
 * scans ExchangeScanSource accepts drive an engine through runEngine, exactly as Hazelcast scans do.
 * `dolphin live --feed exchange` runs the same source on the main thread and the engine in a worker.
 */
import { ScanStore } from '../../core/scan-store.js';
import { ScanSourceFeed } from '../live/scan-source.feed.js';
import { ExchangeScanSource, type ExchangeSourceOptions } from './exchange-scan-source.js';

/** The own scanner's accepted scans appended to a store and delivered to the engine, until stop(). */
export class ExchangeFeed extends ScanSourceFeed<ExchangeScanSource> {
  constructor(options: ExchangeSourceOptions, store = new ScanStore()) {
    super(new ExchangeScanSource(options), store);
  }
}
