/**
 * HazelcastFeed: the DataFeedPort of a live run on this thread (tests, embedding). `dolphin live` runs
 * the same source on the main thread and the engine in a worker behind a MessagePort feed instead.
 */
import { ScanStore } from '../../core/scan-store.js';
import { HazelcastScanSource, type ScanSourceOptions } from './hazelcast-scan-source.js';
import { ScanSourceFeed } from './scan-source.feed.js';

/** Accepted Hazelcast scans appended to a store and delivered to the engine, until stop(). */
export class HazelcastFeed extends ScanSourceFeed<HazelcastScanSource> {
  constructor(options: ScanSourceOptions, store = new ScanStore()) {
    super(new HazelcastScanSource(options), store);
  }
}
