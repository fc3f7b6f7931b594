/** Drives live tests: puts scans into a (uniquely named) features map and waits for a session to catch up. */
import { randomBytes } from 'node:crypto';
import { resolveConfig, type StrategyConfig } from '../../src/core/config.js';
import type { ScanRecord } from '../../src/core/scan.js';
import { connectHazelcast, type HazelcastClient } from '../../src/feeds/live/hazelcast-connection.js';
import { SCAN_KEY, scanStreamName, type PaperState } from '../../src/feeds/live/paper-state.js';
import { scanToJson } from '../../src/feeds/live/scan-json.js';
import { ScanStreamWriter } from '../../src/feeds/live/scan-stream-writer.js';

/** A strategy config that trades on small synthetic data (short windows, numeric threshold). */
export const LIVE_TEST_CONFIG: StrategyConfig = resolveConfig({ warmupBars: 5, volWindow: 10, alignWindow: 10, minAlignment: 0, maxHoldBars: 20, volThreshold: 0 });

/** Unique map names so tests sharing one member never see each other's entries. */
export function uniqueMaps(): { featuresMap: string; stateMap: string } {
  const id = randomBytes(4).toString('hex');
  return { featuresMap: `DOLPHIN_FEATURES_t${id}`, stateMap: `DOLPHIN_STATE_PAPER_t${id}` };
}

/**
 * A test-side publisher writing scans like the bridge does: each scan is appended to the scan stream of
 * the features map, then written to latest_eigen_scan (`keyOnly`: the key alone, like the external
 * scanner). After a member restart it republishes what the lost stream held, as the bridge does.
 */
export class ScanPutter {
  private constructor(
    readonly client: HazelcastClient,
    readonly featuresMap: string,
    private readonly stream: ScanStreamWriter<{ ts: bigint; text: string }> | null,
  ) {}

  static async connect(address: string, cluster: string, featuresMap: string, options: { keyOnly?: boolean } = {}): Promise<ScanPutter> {
    let stream: ScanStreamWriter<{ ts: bigint; text: string }> | null = null;
    let c: HazelcastClient | undefined;
    if (!options.keyOnly) stream = new ScanStreamWriter({ client: () => c, name: scanStreamName(featuresMap), reload: (r) => r.text });
    c = await connectHazelcast({ address, cluster, reconnect: true, connectTimeoutMs: 20_000, onLifecycle: (st) => st === 'DISCONNECTED' && stream?.markSuspect() });
    return new ScanPutter(c, featuresMap, stream);
  }

  async putText(text: string, key = SCAN_KEY): Promise<void> {
    if (key === SCAN_KEY && this.stream !== null) {
      const ts = /"timestamp_ns"\s*:\s*"?(\d+)/.exec(text)?.[1];
      await this.stream.append(text, { ts: ts === undefined ? 0n : BigInt(ts), text });
    }
    const m = await this.client.getMap<string, string>(this.featuresMap);
    await m.set(key, text);
  }

  async put(scan: ScanRecord): Promise<void> {
    await this.putText(scanToJson(scan));
  }

  async close(): Promise<void> {
    await this.client.shutdown();
  }
}

/** Polls until cond() holds (or throws after timeoutMs with the message). */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * Waits for a published state of `runId` that holds the run's scans up to `lastTs` with the portfolio
 * after all of them: the state is written every second, and a beat between a scan's acceptance and the
 * engine's answer shows the scan with the portfolio before it. `decided` is how many scans the engine
 * answered in this process (latency.scans; resumed scans are not counted). Returns that state.
 */
export async function waitForSettledState(
  map: { get(key: string): Promise<string | null | undefined> },
  runId: string,
  lastTs: bigint,
  decided: number,
  timeoutMs = 30_000,
): Promise<PaperState> {
  let st: PaperState | null = null;
  await waitFor(
    async () => {
      st = JSON.parse((await map.get(runId)) ?? 'null') as PaperState | null;
      return st?.lastScanTs === lastTs.toString() && st.latency?.scans === decided;
    },
    timeoutMs,
    `the state of ${runId} after its ${decided} scans (last ${lastTs}): ${JSON.stringify(st)}`,
  );
  return st!;
}
