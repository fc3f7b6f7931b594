/** HazelcastFeed (DataFeedPort) driving runEngine on this thread against a real member: same trades as a replay. */
import { expect, it } from 'vitest';
import { liveEngineConfig } from '../../../src/app/live.js';
import type { Engine } from '../../../src/core/engine.js';
import { runEngine } from '../../../src/core/run-engine.js';
import { ScanStore } from '../../../src/core/scan-store.js';
import { connectHazelcast } from '../../../src/feeds/live/hazelcast-connection.js';
import { HazelcastFeed } from '../../../src/feeds/live/hazelcast.feed.js';
import { describeHazelcast, ensureMember } from '../../support/hazelcast.js';
import { LIVE_TEST_CONFIG, ScanPutter, uniqueMaps, waitFor } from '../../support/live-driver.js';
import { synthScans } from '../../support/synthetic-scans.js';

describeHazelcast('HazelcastFeed', () => {
  it('feeds runEngine in process; trades equal a replay of the same scans', async () => {
    const member = await ensureMember();
    const maps = uniqueMaps();
    const client = await connectHazelcast({ address: member.address, cluster: member.cluster, reconnect: true });
    const feed = new HazelcastFeed({ client, featuresMap: maps.featuresMap, pollMs: 500 });
    const config = liveEngineConfig(LIVE_TEST_CONFIG);
    // scans are put once the source has subscribed and positioned its stream reader (start resolved)
    const start = feed.source.start.bind(feed.source);
    const sourceStarted = new Promise<void>((resolve) => {
      feed.source.start = async (sink) => {
        await start(sink);
        resolve();
      };
    });
    let engine: Engine | null = null;
    const running = runEngine(feed, config, { onEngine: (e) => (engine = e) });
    const put = await ScanPutter.connect(member.address, member.cluster, maps.featuresMap);
    const scans = synthScans({ n: 200, seed: 71 });
    try {
      await sourceStarted;
      expect(engine).not.toBeNull();
      for (const s of scans) await put.put(s);
      await waitFor(() => feed.store.n === 200, 30_000, 'all scans');
      await feed.stop();
      const live = await running;
      const store = new ScanStore();
      const replay = new (await import('../../../src/core/engine.js')).Engine(store, config, new (await import('../../../src/core/paper-executor.js')).PaperExecutor(config));
      for (const s of scans) replay.onScan(store.append(s));
      expect(live.recorder.trades.length).toBeGreaterThan(0);
      expect(live.recorder.trades).toEqual(replay.recorder.trades);
      expect(live.cash).toBe(replay.cash);
    } finally {
      await put.close();
      await client.shutdown();
    }
  }, 60_000);
});
