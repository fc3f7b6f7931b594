/**
 * `dolphin serve`'s view of the running paper runs: one Hazelcast client (reconnecting for ever) with an
 * entry listener on the state map, so a run's page is updated when its state is published (about once a
 * second, at every scan) and nothing is polled. Each run keeps its equity curve since the server began
 * watching and, when its journal is on this machine, its closed trades. Read-only.
 */
import { connectHazelcast, type HazelcastClient } from '../../feeds/live/hazelcast-connection.js';
import { parseState, type ParsedState } from '../../feeds/live/paper-state-parser.js';
import type { PaperPosition } from '../../feeds/live/paper-state.js';
import { JournalTrades, positionsOf, type TradeRow } from './run-details.js';

/** What a live page shows of one run at one moment. */
export interface LiveRunSnapshot {
  readonly runId: string;
  readonly state: ParsedState;
  readonly positions: readonly PaperPosition[];
  /** Equity at each scan seen: t = scan time (epoch ms), e = equity. */
  readonly curve: { readonly t: readonly number[]; readonly e: readonly number[] };
  /** Closed trades from the journal (empty when the journal is not on this machine). */
  readonly trades: readonly TradeRow[];
  /** Updates received since the server started watching. */
  readonly updates: number;
}

/** Whether the member is reachable, as the pages say it. */
export type MemberState = 'connecting' | 'up' | 'gone';

/** Listener of one run's updates (and of the member's state). */
export interface LiveListener {
  onRun(s: LiveRunSnapshot): void;
  onMember(state: MemberState, detail: string): void;
}

/** Points kept per run curve (the chart downsamples what it draws). */
const MAX_CURVE_POINTS = 50_000;

interface RunRecord {
  state: ParsedState;
  positions: PaperPosition[];
  t: number[];
  e: number[];
  lastScanTs: string | null;
  journal: JournalTrades;
  updates: number;
}

/** Watches DOLPHIN_STATE_PAPER (or another state map) for the server. */
export class LiveRuns {
  private client: HazelcastClient | undefined;
  private readonly runs = new Map<string, RunRecord>();
  private readonly listeners = new Map<string, Set<LiveListener>>();
  private member: MemberState = 'connecting';
  private memberDetail: string;
  private closed = false;

  constructor(private readonly o: { readonly address: string; readonly cluster: string; readonly stateMap: string; readonly log?: (line: string) => void }) {
    this.memberDetail = `connecting to Hazelcast cluster '${o.cluster}' at ${o.address}`;
  }

  /** Starts connecting in the background (retrying until close). */
  start(): void {
    void this.connectLoop();
  }

  /** The member's state and what to say about it. */
  memberState(): { state: MemberState; detail: string } {
    return { state: this.member, detail: this.memberDetail };
  }

  /** Every run seen, by id. */
  list(): LiveRunSnapshot[] {
    return [...this.runs.keys()].sort().map((id) => this.snapshot(id)!);
  }

  /** One run, or undefined when no state of it was seen. */
  snapshot(runId: string): LiveRunSnapshot | undefined {
    const r = this.runs.get(runId);
    if (r === undefined) return undefined;
    return { runId, state: r.state, positions: r.positions, curve: { t: r.t, e: r.e }, trades: r.journal.trades(), updates: r.updates };
  }

  /** Subscribes to a run's updates; returns the unsubscribe function. */
  subscribe(runId: string, l: LiveListener): () => void {
    let set = this.listeners.get(runId);
    if (set === undefined) this.listeners.set(runId, (set = new Set()));
    set.add(l);
    return () => void set.delete(l);
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = undefined;
    await c?.shutdown().catch(() => undefined);
  }

  private async connectLoop(): Promise<void> {
    while (!this.closed && this.client === undefined) {
      try {
        const client = await connectHazelcast({
          address: this.o.address,
          cluster: this.o.cluster,
          reconnect: true,
          connectTimeoutMs: 5_000,
          onLifecycle: (st) => {
            if (st === 'DISCONNECTED') this.setMember('gone', `lost Hazelcast cluster '${this.o.cluster}' at ${this.o.address}; reconnecting`);
            else if (st === 'CONNECTED' && this.member === 'gone') {
              this.setMember('up', `reconnected to '${this.o.cluster}' at ${this.o.address}`);
              void this.readAll();
            }
          },
        });
        if (this.closed) {
          await client.shutdown();
          return;
        }
        this.client = client;
        const map = await client.getMap<string, unknown>(this.o.stateMap);
        await map.addEntryListener(
          {
            added: (e) => this.onEntry(String(e.key), e.value),
            updated: (e) => this.onEntry(String(e.key), e.value),
          },
          undefined,
          true,
        );
        this.setMember('up', `connected to '${this.o.cluster}' at ${this.o.address}`);
        await this.readAll();
      } catch (err) {
        this.setMember('gone', `cannot reach Hazelcast cluster '${this.o.cluster}' at ${this.o.address}: ${err instanceof Error ? err.message : String(err)}; retrying`);
        if (!this.closed) await new Promise((r) => setTimeout(r, 2_000));
      }
    }
  }

  /** Reads every entry once (at connect and after a reconnect: what changed while away). */
  private async readAll(): Promise<void> {
    try {
      const map = await this.client!.getMap<string, unknown>(this.o.stateMap);
      for (const [k, v] of await map.entrySet()) this.onEntry(String(k), v);
    } catch (err) {
      this.o.log?.(`serve: could not read ${this.o.stateMap}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private onEntry(key: string, value: unknown): void {
    const parsed = parseState(value, key);
    if (!('state' in parsed)) return; // a malformed entry: dolphin status names it
    const s = parsed.state;
    let r = this.runs.get(key);
    if (r === undefined || r.journal.journal !== s.journal) {
      r = { state: s, positions: [], t: [], e: [], lastScanTs: null, journal: new JournalTrades(s.journal), updates: 0 };
      this.runs.set(key, r);
    }
    r.state = s;
    r.positions = positionsOf(value);
    if (s.lastScanTs !== null && s.lastScanTs !== r.lastScanTs) {
      r.t.push(Number(BigInt(s.lastScanTs) / 1_000_000n));
      r.e.push(s.equity);
      if (r.t.length > MAX_CURVE_POINTS) {
        r.t.splice(0, r.t.length - MAX_CURVE_POINTS);
        r.e.splice(0, r.e.length - MAX_CURVE_POINTS);
      }
      r.lastScanTs = s.lastScanTs;
    } else if (r.e.length > 0) r.e[r.e.length - 1] = s.equity;
    r.updates++;
    const set = this.listeners.get(key);
    if (set === undefined || set.size === 0) return;
    const snap = this.snapshot(key)!;
    for (const l of set) l.onRun(snap);
  }

  private setMember(state: MemberState, detail: string): void {
    const changed = state !== this.member;
    this.member = state;
    this.memberDetail = detail;
    if (!changed) return;
    for (const set of this.listeners.values()) for (const l of set) l.onMember(state, detail);
  }
}
