/**
 * WatchSampler against a real member of its own (it is stopped and started again). Invariants: a run's
 * published positions reach the view with their entry price and unrealised PnL; the equity history grows
 * by one point per new scan of the run (not per sample); a stopped run whose journal is here shows its
 * final report and today's closed trades; a member that goes away gives a view saying so (not a throw),
 * and the next sample after it is back reconnects and counts it; the sampler never writes to a map.
 * LiveRuns (serve's live pages): each published state reaches the run's listeners with one curve point
 * per new scan; a member that goes away is reported gone, then up, and updates flow again after it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LiveRuns, type LiveRunSnapshot, type MemberState } from '../../../src/app/watch/live-runs.js';
import { WatchSampler } from '../../../src/app/watch/watch-sampler.js';
import { connectHazelcast, type HazelcastClient } from '../../../src/feeds/live/hazelcast-connection.js';
import { SCAN_KEY, type PaperState } from '../../../src/feeds/live/paper-state.js';
import { describeHazelcast, startMember, stopMember, type TestMember } from '../../support/hazelcast.js';

/** A port of this file's own (5790-5798 are for tests that restart their member). */
const PORT = 5793;
const CLUSTER = 'dolphin-watch';
const DAY_NS = 86_400_000_000_000n;
const T0 = 1_767_571_200_000_000_000n; // 2026-01-05T00:00:00Z

function state(runId: string, lastScanTs: bigint, equity: number, over: Partial<PaperState> = {}): string {
  const s: PaperState = {
    runId,
    mode: 'paper',
    heartbeatMs: Date.now(),
    startedAtMs: Date.now() - 60_000,
    feedStatus: 'CONNECTED',
    lastScanTs: lastScanTs.toString(),
    lastScanNumber: 10,
    equity,
    cash: 10_000,
    initialCapital: 10_000,
    realizedPnl: 0,
    trades: 2,
    acbCut: 0.5,
    positions: [{ asset: 'SOLUSDT', qty: 10, entryPrice: 180, entryTs: (lastScanTs - 30_000_000_000n).toString(), mark: 179, unrealizedPnl: 10 }],
    counters: { scansAccepted: 10, malformedMessages: 0, outOfBounds: 0, badTimestamps: 0, lateOrDuplicate: 0, scannerRestarts: 0, invalidPrices: 0, reconnects: 0, scansMissed: 0, fromStream: 10, fromKey: 0 },
    shadows: [],
    validation: null,
    journal: '/nowhere',
    stopped: false,
    ...over,
  };
  return JSON.stringify(s);
}
const scan = (ts: bigint, n: number): string => `{"scan_number": ${n}, "timestamp_ns": ${ts}, "assets": ["BTCUSDT", "SOLUSDT"], "asset_prices": [97000.5, 180]}`;

describeHazelcast('WatchSampler (own member, stopped and restarted)', () => {
  let member: TestMember;
  let client: HazelcastClient;
  let dir: string;
  beforeAll(async () => {
    member = await startMember(PORT, CLUSTER);
    client = await connectHazelcast({ address: member.address, cluster: member.cluster });
    dir = mkdtempSync(join(tmpdir(), 'dolphin-watch-sampler-'));
  });
  afterAll(async () => {
    await client?.shutdown().catch(() => undefined);
    await stopMember(PORT);
    rmSync(dir, { recursive: true, force: true });
  });

  it('sampler: positions, history, stopped runs; LiveRuns: pushed states; both through one member outage', async () => {
    const features = await client.getMap<string, string>('DOLPHIN_FEATURES');
    const states = await client.getMap<string, string>('DOLPHIN_STATE_PAPER');
    // a stopped run whose journal is here: two trades closed on the last scan's day, one the day before
    const journal = join(dir, 'journal');
    mkdirSync(journal);
    writeFileSync(join(journal, 'trades.ndjson'), [T0 - DAY_NS, T0 + 5n, T0 + 10n].map((ts) => `{"asset":"X","entryTs":"${ts - 5n}","exitTs":"${ts}","pnl":1}\n`).join(''));
    writeFileSync(join(journal, 'report.md'), '# report\n');
    await states.set('done', state('done', T0 + 20n, 9_000, { stopped: true, journal }));
    await features.set(SCAN_KEY, scan(T0 + 5_000_000_000n, 2));
    await states.set('p1', state('p1', T0 + 5_000_000_000n, 10_010));

    const sampler = new WatchSampler({ address: member.address, cluster: member.cluster, staleAfterMs: 30_000, featuresMap: 'DOLPHIN_FEATURES', stateMap: 'DOLPHIN_STATE_PAPER', scannerMap: 'DOLPHIN_SCANNER_STATE', connectTimeoutMs: 500 });
    const runs = new LiveRuns({ address: member.address, cluster: member.cluster, stateMap: 'DOLPHIN_STATE_PAPER' });
    const pushed: LiveRunSnapshot[] = [];
    const memberSeen: MemberState[] = [];
    runs.subscribe('p1', { onRun: (s) => pushed.push(s), onMember: (m) => memberSeen.push(m) });
    runs.start();
    try {
      const v1 = await sampler.sample();
      expect(v1.connection.reachable).toBe(true);
      const p1 = v1.runs.find((r) => r.runId === 'p1')!;
      expect(p1.positions).toEqual([expect.objectContaining({ asset: 'SOLUSDT', entryPrice: 180, unrealizedPnl: 10, mark: 179 })]);
      const done = v1.runs.find((r) => r.runId === 'done')!;
      expect(done).toMatchObject({ status: 'stopped', reportPath: join(journal, 'report.md'), tradesToday: 2 });
      await waitUntil(() => runs.memberState().state === 'up', 10_000);

      // same scan twice: one history point; a new scan: a second one. The cadence follows the scans seen.
      await states.set('p1', state('p1', T0 + 5_000_000_000n, 10_020));
      expect((await sampler.sample()).runs.find((r) => r.runId === 'p1')!.equityHistory).toEqual([10_020]);
      await features.set(SCAN_KEY, scan(T0 + 10_000_000_000n, 3));
      await states.set('p1', state('p1', T0 + 10_000_000_000n, 10_050));
      const v3 = await sampler.sample();
      const r3 = v3.runs.find((r) => r.runId === 'p1')!;
      expect(r3.equityHistory).toEqual([10_020, 10_050]);
      expect(v3.feed.cadenceSeconds).toBe(5);
      expect(r3.positions[0]!.barsHeld).toBe(6);
      // LiveRuns got every state as it was published: one curve point per new scan
      await waitUntil(() => pushed.at(-1)?.state.equity === 10_050, 20_000);
      expect(pushed.at(-1)!.curve.e).toEqual([10_020, 10_050]);
      expect(pushed.at(-1)!.positions[0]).toMatchObject({ asset: 'SOLUSDT', entryPrice: 180 });

      const keysBefore = (await states.keySet()).sort();
      await client.shutdown();
      await stopMember(PORT);
      const gone = await sampler.sample();
      expect(gone.connection).toMatchObject({ reachable: false });
      expect(gone.connection.error).toMatch(/Hazelcast cluster 'dolphin-watch' at 127\.0\.0\.1:5793/);
      const stillGone = await sampler.sample();
      expect(stillGone.connection.downSinceMs).toBe(gone.connection.downSinceMs ?? gone.atMs);
      await waitUntil(() => memberSeen.includes('gone'), 10_000);
      expect(runs.memberState().detail).toMatch(/lost Hazelcast cluster 'dolphin-watch'.*reconnecting/);

      await startMember(PORT, CLUSTER);
      const back = await sampler.sample();
      expect(back.connection).toMatchObject({ reachable: true, reconnects: 1, downSinceMs: null });
      await waitUntil(() => runs.memberState().state === 'up', 20_000);
      expect(memberSeen).toEqual(['up', 'gone', 'up']); // connecting -> up, then the outage
      // the member restarted empty, and neither viewer wrote anything back into it
      client = await connectHazelcast({ address: member.address, cluster: member.cluster });
      expect(await (await client.getMap('DOLPHIN_FEATURES')).size()).toBe(0);
      expect(await (await client.getMap('DOLPHIN_STATE_PAPER')).size()).toBe(0);
      expect(keysBefore).toEqual(['done', 'p1']);
      // updates flow again after the outage
      await (await client.getMap<string, string>('DOLPHIN_STATE_PAPER')).set('p1', state('p1', T0 + 20_000_000_000n, 10_070));
      await waitUntil(() => pushed.at(-1)?.state.equity === 10_070, 10_000);
    } finally {
      await sampler.close();
      await runs.close();
    }
  }, 60_000);
});

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
