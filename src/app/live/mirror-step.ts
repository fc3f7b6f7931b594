/**
 * The mirror step of a live run (`live --paper --mirror binance-demo`): every fill of the main paper
 * portfolio is sent, in order, as a market order to Binance USDT-M demo trading (an opening SELL, a
 * reduce-only closing BUY), exactly once: the order's client id comes from the run, the trade and the
 * leg; its "sent" record is fsynced before the request; after a timeout, an error or a restart the venue
 * is asked for that id before anything is sent again. Venue positions are reconciled with the paper
 * book at start (once the orders left from before the start are settled) and every few minutes. The mirror only observes: nothing flows back into the engine,
 * and no venue failure stops the paper run.
 */
import { randomBytes } from 'node:crypto';
import { executionStats, type ExecutionStats } from '../../core/execution-stats.js';
import type { PositionView } from '../../core/engine.js';
import type { Fill } from '../../core/trade.js';
import type { DemoOrderVenue, VenueOrder } from '../../feeds/exchange/demo-order-venue.js';
import { ExecutionJournal, readExecutionJournal, type ExecutionRecord, type ReconcileRecord, type ReconcileRow, type StartRecord } from '../../feeds/exchange/execution-journal.js';
import type { MirrorState } from '../../feeds/live/paper-state.js';
import type { ExecutionReportSection } from '../../report/execution-section.js';
import { LegNumbering, LegOutcomes, runKey, type Leg } from './mirror-legs.js';

/** What `live --mirror binance-demo` configures (the venue is built from it). */
export interface MirrorOptions {
  /** Demo account key and secret (from DOLPHIN_BINANCE_DEMO_API_KEY / DOLPHIN_BINANCE_DEMO_SECRET). */
  readonly apiKey: string;
  readonly secret: string;
  /** Loopback REST root of an emulated venue (DOLPHIN_BINANCE_DEMO_URL); the demo venue otherwise. */
  readonly overrideUrl?: string;
  /** Per-request timeout, ms (default 10 s). */
  readonly timeoutMs?: number;
  /** Reconciliation period, ms (default 5 min). */
  readonly reconcileEveryMs?: number;
}

/** Options of the mirror step. */
export interface MirrorStepOptions {
  readonly journalDir: string;
  readonly runId: string;
  readonly venue: DemoOrderVenue;
  /** The paper book's open positions now. */
  readonly paperPositions: () => readonly PositionView[];
  /** Reconciliation period, ms (default 5 min). */
  readonly reconcileEveryMs?: number;
  /** Sends of one order before giving up on it (each after asking the venue for it), default 4. */
  readonly maxAttempts?: number;
  readonly log: (message: string) => void;
}


const VENUE_NAME = 'binance-demo';
/** Venue statuses after which an order no longer changes. */
const FINAL = new Set(['FILLED', 'EXPIRED', 'CANCELED', 'REJECTED', 'EXPIRED_IN_MATCH']);
const DRIFT_EPS = 1e-9;
const RETRY_AFTER_MARGIN_MS = 250;

/** Mirrors the main portfolio's fills to the demo venue. */
export class MirrorStep {
  private journal: ExecutionJournal | null = null;
  private numbering: LegNumbering | null = null;
  private readonly outcomes = new LegOutcomes();
  private readonly legs: Leg[] = [];
  private readonly queue: Leg[] = [];
  private baseline = 0;
  private running: Promise<void> | null = null;
  private stopping = false;
  /** stop() was called: the loop ends once the queue is empty. */
  private draining = false;
  private closed = false;
  private wake: (() => void) | null = null;
  private health: MirrorState['health'] = 'STARTING';
  private marketsLoaded = false;
  private loadFailures = 0;
  private lastError: string | null = null;
  private lastReconcile: ReconcileRecord | null = null;
  private nextReconcileMs = 0;
  private readonly everyMs: number;

  constructor(private readonly o: MirrorStepOptions) {
    this.everyMs = o.reconcileEveryMs ?? 300_000;
  }

  /** Builds the step with ccxt's demo client (ccxt is loaded here only: a run without --mirror never loads it). */
  static async open(m: MirrorOptions, c: Omit<MirrorStepOptions, 'venue' | 'reconcileEveryMs'>): Promise<MirrorStep> {
    const { DemoOrderVenue } = await import('../../feeds/exchange/demo-order-venue.js');
    const venue = new DemoOrderVenue({ apiKey: m.apiKey, secret: m.secret, ...(m.overrideUrl !== undefined ? { overrideUrl: m.overrideUrl } : {}), ...(m.timeoutMs !== undefined ? { timeoutMs: m.timeoutMs } : {}) });
    return new MirrorStep({ ...c, venue, ...(m.reconcileEveryMs !== undefined ? { reconcileEveryMs: m.reconcileEveryMs } : {}) });
  }

  /**
   * Opens the execution journal (a first start records the fills already there as not mirrored) and
   * queues every leg not yet settled, in order: those sent before a restart are asked for by id first.
   */
  start(resumedFills: readonly Fill[]): void {
    const read = readExecutionJournal(this.o.journalDir);
    if (read.tornBytes > 0) this.o.log(`mirror: cut a torn last line (${read.tornBytes} bytes) off the execution journal`);
    this.journal = new ExecutionJournal(this.o.journalDir);
    let start = read.records.find((r): r is StartRecord => r.ev === 'start');
    if (start === undefined) {
      start = { ev: 'start', atMs: Date.now(), venue: VENUE_NAME, nonce: randomBytes(8).toString('hex'), baselineFills: resumedFills.length };
      this.journal.append(start);
    }
    for (const r of read.records) {
      this.outcomes.apply(r);
      if (r.ev === 'reconcile') this.lastReconcile = r;
    }
    this.baseline = start.baselineFills;
    this.numbering = new LegNumbering(runKey(this.o.runId, start.nonce));
    this.enqueue(resumedFills);
    const unsettled = this.queue.filter((l) => this.outcomes.byId.has(l.id)).length;
    this.o.log(`mirror: ${VENUE_NAME} at ${this.o.venue.host}; execution journal ${this.journal.path}${start.baselineFills > 0 ? ` (the ${start.baselineFills} fill(s) before the mirror attached are not mirrored)` : ''}; ${this.queue.length} leg(s) to send${unsettled ? `, ${unsettled} sent before a restart: asked for by client order id first` : ''}`);
    this.running = this.loop();
  }

  /** New fills of the main portfolio (from the engine's reply), in order. */
  onFills(fills: readonly Fill[]): void {
    if (fills.length === 0 || this.numbering === null) return;
    this.enqueue(fills);
    this.wake?.();
  }

  private enqueue(fills: readonly Fill[]): void {
    for (const l of this.numbering!.next(fills)) {
      if (l.fill < this.baseline) continue;
      this.legs.push(l);
      if (!this.outcomes.settled(l.id)) this.queue.push(l);
    }
  }

  /** The mirror's health for the run state and `dolphin status`. */
  state(): MirrorState {
    const s = this.stats();
    const r = this.lastReconcile;
    return {
      venue: VENUE_NAME,
      host: this.o.venue.host,
      health: this.health,
      sent: [...this.outcomes.byId.values()].filter((x) => x.attempts > 0).length,
      filled: s.ordersFilled,
      partial: s.ordersPartial,
      rejected: s.ordersRejected,
      skipped: s.ordersSkipped,
      pending: this.queue.length,
      retries: this.outcomes.retries,
      lastError: this.lastError,
      lastReconcile: r === null ? null : { atMs: r.atMs, ok: r.ok, drift: r.rows.filter((x) => Math.abs(x.drift) > DRIFT_EPS).map((x) => `${x.asset} ${x.drift > 0 ? '+' : ''}${x.drift}`) },
      latencyP50Ms: s.latencyP50Ms,
      latencyP99Ms: s.latencyP99Ms,
    };
  }

  /** The execution figures of every mirrored leg so far. */
  stats(): ExecutionStats {
    return executionStats(this.legs.map((l) => this.outcomes.mirrored(l)));
  }

  /** The report's execution section. */
  section(): ExecutionReportSection {
    const r = this.lastReconcile;
    return { venue: VENUE_NAME, host: this.o.venue.host, stats: this.stats(), lastReconcile: r === null ? null : { atMs: r.atMs, ok: r.ok, rows: r.rows } };
  }

  /**
   * Stops (no new fills come after the source stopped): the queued legs get up to `graceMs` to be sent
   * and settled, in order, retries and Retry-After included; then the mirror stops where it is. A leg
   * in flight stays "sent" (the next start asks the venue for it by id), queued ones are sent then.
   */
  async stop(graceMs = 15_000): Promise<void> {
    this.draining = true;
    this.wake?.();
    const run = this.running;
    if (run !== null && graceMs > 0) await Promise.race([run, new Promise((r) => setTimeout(r, graceMs).unref())]);
    this.stopping = true;
    this.wake?.();
    if (run !== null) await Promise.race([run, new Promise((r) => setTimeout(r, 1000).unref())]);
    this.closed = true;
    this.journal?.close();
    if (this.queue.length > 0) this.o.log(`mirror: stopped with ${this.queue.length} leg(s) not settled; the next start asks the venue for those sent and sends the others`);
  }

  // ---------------------------------------------------------------------------------------------

  private record(r: ExecutionRecord): void {
    // after stop() gave up waiting, an answer arriving late is not journaled: the next start asks for it by id
    if (this.closed) return;
    this.journal!.append(r);
    this.outcomes.apply(r);
    if (r.ev === 'reconcile') this.lastReconcile = r;
  }

  private async loop(): Promise<void> {
    try {
      while (!this.stopping) {
        if (!this.marketsLoaded) {
          try {
            await this.o.venue.load();
            this.marketsLoaded = true;
            this.health = 'OK';
          } catch (e) {
            this.down(e);
            await this.sleep(Math.min(30_000, 1000 * 2 ** this.loadFailures++));
            continue;
          }
          // the start's reconciliation runs once the legs left from before the start are settled (below)
          this.nextReconcileMs = 0;
        }
        const leg = this.queue[0];
        if (leg !== undefined) {
          await this.mirror(leg);
          if (this.outcomes.settled(leg.id)) this.queue.shift();
          continue;
        }
        if (this.draining) break;
        if (Date.now() >= this.nextReconcileMs) await this.reconcile();
        await this.sleep(Math.max(50, this.nextReconcileMs - Date.now()), true);
      }
    } catch (e) {
      // only the execution journal throws here: stop mirroring, the paper run goes on
      this.health = 'FAILED';
      this.lastError = (e as Error).message;
      this.o.log(`mirror stopped: ${(e as Error).message}; the paper run goes on without it (restart to resume mirroring)`);
    }
  }

  /** One leg, exactly once: ask for it if it may be at the venue, else send; retry transient failures. */
  private async mirror(l: Leg): Promise<void> {
    const v = this.o.venue;
    const reduceOnly = l.leg === 'close';
    if (this.outcomes.byId.get(l.id)?.status === 'sent') {
      const found = await this.query(l);
      if (found === undefined) return; // stopping
      if (found !== null) return this.settle(l, found, 'query', NaN);
    }
    let qty = l.paperQty;
    if (reduceOnly) {
      qty = this.outcomes.filledQty(l.id.replace(/-c$/, '-o'));
      if (!(qty > 0)) {
        this.record({ ev: 'skipped', atMs: Date.now(), id: l.id, trade: l.trade, leg: l.leg, fill: l.fill, asset: l.asset, side: l.side, paperPrice: l.paperPrice, paperQty: l.paperQty, paperFee: l.paperFee, reason: 'the opening order left nothing open at the venue' });
        return;
      }
    }
    const ok = v.sendable(l.asset, qty, l.paperPrice, reduceOnly);
    if ('reason' in ok) {
      this.record({ ev: 'rejected', atMs: Date.now(), id: l.id, reason: ok.reason, code: null, message: `not sent: ${ok.message}`, latencyMs: null });
      return;
    }
    const max = this.o.maxAttempts ?? 4;
    let last = '';
    let lastReason: 'rate-limit' | 'venue-unavailable' = 'venue-unavailable';
    for (let attempt = (this.outcomes.byId.get(l.id)?.attempts ?? 0) + 1; ; attempt++) {
      if (this.stopping) return;
      if (attempt > max) {
        this.record({ ev: 'rejected', atMs: Date.now(), id: l.id, reason: lastReason, code: null, message: `gave up after ${max} attempts: ${last}`, latencyMs: null });
        this.o.log(`mirror: ${l.id} ${l.side} ${l.asset} not mirrored: ${last}`);
        return;
      }
      this.record({ ev: 'sent', atMs: Date.now(), id: l.id, trade: l.trade, leg: l.leg, fill: l.fill, asset: l.asset, side: l.side, qty: ok.qty, paperPrice: l.paperPrice, paperQty: l.paperQty, paperFee: l.paperFee, tsEvent: l.tsEvent.toString(), attempt });
      const t0 = performance.now();
      try {
        const order = await v.marketOrder(l.asset, l.side, ok.qty, l.id, reduceOnly);
        this.healthy();
        return this.settle(l, order, 'post', performance.now() - t0);
      } catch (e) {
        const f = v.classify(e);
        const ms = performance.now() - t0;
        if (f.kind === 'rejected') {
          this.healthy();
          this.record({ ev: 'rejected', atMs: Date.now(), id: l.id, reason: f.reason, code: f.code, message: f.message, latencyMs: ms });
          this.o.log(`mirror: ${l.id} ${l.side} ${l.asset} rejected (${f.reason}): ${f.message}`);
          return;
        }
        last = f.message;
        lastReason = f.kind === 'rate-limit' ? 'rate-limit' : 'venue-unavailable';
        // a Retry-After is honoured with a margin (timers may fire a millisecond early)
        const wait = f.kind === 'rate-limit' ? f.retryAfterMs + RETRY_AFTER_MARGIN_MS : f.kind === 'duplicate' ? 0 : Math.min(8000, 500 * 2 ** (attempt - 1));
        this.lastError = `${l.id}: ${f.message}`;
        this.health = 'DEGRADED';
        this.record({ ev: 'retry', atMs: Date.now(), id: l.id, why: `${f.kind}: ${f.message}`, waitMs: wait });
        this.o.log(`mirror: ${l.id} ${l.side} ${l.asset}: ${f.kind} (${f.message}); asking the venue for it by id in ${(wait / 1000).toFixed(1)} s`);
        await this.sleep(wait);
        const found = await this.query(l);
        if (found === undefined) return;
        if (found !== null) return this.settle(l, found, 'query', NaN);
      }
    }
  }

  /** Asks the venue for the leg's order by client id until it answers: the order, null (absent), undefined (stopping). */
  private async query(l: Leg): Promise<VenueOrder | null | undefined> {
    for (let i = 0; !this.stopping; i++) {
      try {
        const o = await this.o.venue.findOrder(l.asset, l.id);
        this.healthy();
        return o;
      } catch (e) {
        const f = this.o.venue.classify(e);
        this.down(e);
        await this.sleep(f.kind === 'rate-limit' ? f.retryAfterMs + RETRY_AFTER_MARGIN_MS : Math.min(30_000, 500 * 2 ** i));
      }
    }
    return undefined;
  }

  /** Journals the venue's answer, waits briefly for a final status, then the fill with its fee. */
  private async settle(l: Leg, first: VenueOrder, via: 'post' | 'query', latencyMs: number): Promise<void> {
    const sentAt = this.outcomes.byId.get(l.id)?.firstSentAtMs ?? Date.now();
    this.record({ ev: 'ack', atMs: Date.now(), id: l.id, orderId: first.orderId, status: first.status, latencyMs: via === 'post' ? latencyMs : Date.now() - sentAt, via });
    let o = first;
    for (let i = 0; i < 20 && !FINAL.has(o.status) && !this.stopping; i++) {
      await this.sleep(250);
      o = (await this.o.venue.findOrder(l.asset, l.id).catch(() => o)) ?? o;
    }
    if (!(o.executedQty > 0)) {
      if (!FINAL.has(o.status)) return; // still open at stop: the next start asks again
      this.record({ ev: 'rejected', atMs: Date.now(), id: l.id, reason: 'other', code: null, message: `the venue ended the order ${o.status} with nothing filled`, latencyMs: via === 'post' ? latencyMs : null });
      return;
    }
    let fee = NaN;
    let feeAsset: string | null = null;
    try {
      const f = await this.o.venue.orderFee(l.asset, o.orderId);
      fee = f.fee;
      feeAsset = f.asset;
    } catch (e) {
      this.lastError = `${l.id}: fee unknown: ${this.o.venue.classify(e).message}`;
    }
    this.record({ ev: 'filled', atMs: Date.now(), id: l.id, avgPrice: o.avgPrice, qty: o.executedQty, fee: Number.isFinite(fee) ? fee : 0, feeAsset, status: o.status, partial: o.executedQty < o.origQty, latencyMs: via === 'post' ? latencyMs : Date.now() - sentAt });
    if (o.executedQty < o.origQty) this.o.log(`mirror: ${l.id} ${l.side} ${l.asset} partially filled: ${o.executedQty} of ${o.origQty} (${o.status})`);
  }

  /** Venue shorts vs the paper book and the mirror's own fills, for every symbol traded or held. */
  private async reconcile(): Promise<void> {
    this.nextReconcileMs = Date.now() + this.everyMs;
    const paper = new Map<string, number>();
    for (const p of this.o.paperPositions()) paper.set(p.asset, (paper.get(p.asset) ?? 0) + p.qty);
    const mirrored = new Map<string, number>();
    for (const l of this.legs) {
      const q = this.outcomes.filledQty(l.id);
      mirrored.set(l.asset, (mirrored.get(l.asset) ?? 0) + (l.leg === 'open' ? q : -q));
    }
    const assets = [...new Set([...paper.keys(), ...mirrored.keys()])].filter((a) => this.o.venue.lists(a)).sort();
    let venue: Map<string, number>;
    try {
      venue = await this.o.venue.shorts(assets);
    } catch (e) {
      this.down(e);
      this.nextReconcileMs = Date.now() + Math.min(this.everyMs, 30_000);
      return;
    }
    const round = (x: number): number => Math.round(x * 1e9) / 1e9;
    const rows: ReconcileRow[] = assets.map((a) => {
      const venueQty = round(venue.get(a) ?? 0);
      const mirroredQty = round(mirrored.get(a) ?? 0);
      return { asset: a, paperQty: paper.get(a) ?? 0, mirroredQty, venueQty, drift: round(venueQty - mirroredQty) };
    });
    const ok = rows.every((r) => Math.abs(r.drift) <= DRIFT_EPS);
    const was = this.lastReconcile?.ok;
    this.record({ ev: 'reconcile', atMs: Date.now(), ok, rows });
    if (!ok) this.o.log(`mirror: reconciliation found drift: ${rows.filter((r) => Math.abs(r.drift) > DRIFT_EPS).map((r) => `${r.asset} venue ${r.venueQty} vs mirrored ${r.mirroredQty} (paper ${r.paperQty})`).join(', ')}`);
    else if (was === false) this.o.log('mirror: reconciliation clean again');
    this.health = ok ? 'OK' : 'DEGRADED';
  }

  /** The venue answered: OK again, unless the last reconciliation found drift. */
  private healthy(): void {
    if (this.health !== 'FAILED') this.health = this.lastReconcile?.ok === false ? 'DEGRADED' : 'OK';
  }

  private down(e: unknown): void {
    const f = this.o.venue.classify(e);
    this.lastError = f.message;
    if (this.health !== 'DOWN') this.o.log(`mirror: venue ${this.o.venue.host} unavailable: ${f.message}`);
    this.health = 'DOWN';
  }

  /** Sleeps `ms`; stop() ends it early, and so do new fills when `idle` (never a Retry-After wait). */
  private sleep(ms: number, idle = false): Promise<void> {
    // a wake-up that came while no sleep was running (fills or stop during a request) is not lost
    if (this.stopping || (idle && (this.queue.length > 0 || this.draining))) return Promise.resolve();
    return new Promise((r) => {
      const t = setTimeout(done, ms);
      const stopWake = (): void => {
        if (idle || this.stopping) done();
      };
      function done(): void {
        clearTimeout(t);
        r();
      }
      this.wake = stopWake;
    });
  }
}
