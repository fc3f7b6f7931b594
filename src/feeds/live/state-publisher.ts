/** Publishes a paper run's state to DOLPHIN_STATE_PAPER[runId] at most every second (and as a heartbeat). */
import type { IMap } from 'hazelcast-client';
import type { HazelcastClient } from './hazelcast-connection.js';
import { STATE_MAP, type PaperState } from './paper-state.js';
import { jsonReplacer } from '../../core/json-replacer.js';

/** Throttled writer of one run's state entry. */
export class StatePublisher {
  private readonly client: HazelcastClient;
  private readonly runId: string;
  private readonly mapName: string;
  private map: IMap<string, string> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private build: (() => PaperState) | null = null;
  private inFlight = false;
  /** Writes that failed (cluster away); the next tick tries again. */
  failures = 0;

  constructor(client: HazelcastClient, runId: string, mapName = STATE_MAP) {
    this.client = client;
    this.runId = runId;
    this.mapName = mapName;
  }

  /** Starts the 1 s heartbeat; `build` makes the current state (wall clock included) on each tick. */
  async start(build: () => PaperState, periodMs = 1000): Promise<void> {
    this.build = build;
    this.map = await this.client.getMap<string, string>(this.mapName);
    await this.publish();
    this.timer = setInterval(() => void this.publish(), periodMs);
  }

  /** Writes the state now (skipped when a write is still in flight). */
  async publish(): Promise<void> {
    if (!this.map || !this.build || this.inFlight) return;
    this.inFlight = true;
    try {
      await this.map.set(this.runId, JSON.stringify(this.build(), jsonReplacer));
    } catch {
      this.failures++;
    } finally {
      this.inFlight = false;
    }
  }

  /** Stops the heartbeat after one last write. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.inFlight = false;
    await this.publish();
  }
}
