/** ScanBridge: publishes a scanner folder's newest complete scans and its external factors to Hazelcast. */
import { readFileSync, statSync } from 'node:fs';
import { ConfigError, DataEmptyError, ScanFormatError } from '../../core/errors.js';
import { dayOf, dayToIso, isoToDay, malformedReason } from '../../core/scan.js';
import type { ScanRecord } from '../../core/scan.js';
import { decodeScans } from '../replay/arrow-scan.codec.js';
import { factorRecordFrom } from '../replay/external-factors.js';
import { batchRow } from '../replay/scan-batch.js';
import type { ScanBatch } from '../replay/scan-batch.js';
import type { HazelcastClient } from './hazelcast-connection.js';
import { EXF_KEY, FEATURES_MAP, SCAN_KEY, scanStreamName } from './paper-state.js';
import { ScanStreamWriter, type StreamRef, type StreamWriterStats } from './scan-stream-writer.js';
import { ScanDirWatcher } from './scan-dir-watcher.js';
import type { WatchedFile } from './scan-dir-watcher.js';
import { factorsToJson, scanToJson } from './scan-json.js';
import type { FactorsJson } from './scan-json.js';

/** Log levels of the bridge: debug = every publish and retry, info = notable, warn = rejected or failing. */
export type BridgeLogLevel = 'debug' | 'info' | 'warn';
/** Log sink of the bridge. */
export type BridgeLog = (level: BridgeLogLevel, message: string) => void;

/** The one thing the bridge needs from a map: an awaited put (IMap.set has this shape). */
export interface FeaturesSink {
  set(key: string, value: string): Promise<unknown>;
}

/** Options of ScanBridge. */
export interface ScanBridgeOptions {
  /** The scanner folder: YYYY-MM-DD/ folders of scan files (and/or daily files), external_factors/. */
  readonly dir: string;
  /** A connected client (the map `featuresMap` is used) or any map-like sink. */
  readonly client: HazelcastClient | FeaturesSink;
  /** Polling period of the safety-net scan of the folder, ms (default 1000). */
  readonly pollMs?: number;
  /** Map name (default DOLPHIN_FEATURES); tests use their own. */
  readonly featuresMap?: string;
  /** First day (YYYY-MM-DD) to backfill and to watch; older date folders are ignored. */
  readonly from?: string;
  /** Minimum time between the two looks that must see the same size and mtime (default 75 ms). */
  readonly settleMs?: number;
  /** A file still invalid after being unchanged this long is rejected (default 3000 ms). */
  readonly rejectAfterMs?: number;
  /** Longest wait between two attempts of a failed put (default 5000 ms). */
  readonly retryMaxMs?: number;
  /** Use fs events (default true); false relies on the poll alone. */
  readonly events?: boolean;
  readonly log?: BridgeLog;
  /**
   * The scan stream each scan is appended to before the key is written (default: the stream of
   * `featuresMap` through `client` when it is a client); null writes the key alone.
   */
  readonly stream?: { readonly name?: string; readonly client: () => HazelcastClient | undefined } | null;
}

/** What the bridge remembers of a published scan to publish it again after a stream reset: its file and row. */
interface BridgeRef extends StreamRef {
  readonly path: string;
  readonly row: number;
}

/** Counters of a bridge. */
export interface BridgeStats {
  /** Scans written to `latest_eigen_scan`. */
  readonly published: number;
  /** Files (or rows of multi-row files) that are not valid scans. */
  readonly rejected: number;
  /** Complete scans skipped because their timestamp_ns was <= the last published one. */
  readonly stale: number;
  /** timestamp_ns of the last published scan. */
  readonly lastTs: bigint | null;
  /** Factor records written to `exf_latest`. */
  readonly factorsPublished: number;
  /** UTC date of the last published factor record. */
  readonly lastFactorsDate: string | null;
  /** Scan stream figures (null when the bridge writes the key alone). */
  readonly stream: StreamWriterStats | null;
}

/** A file seen at least once and not yet decided. */
interface Pending {
  file: WatchedFile;
  /** When the current size and mtime were first seen. */
  stableSince: number;
  /** No read before this time (a stable but invalid file is re-read at a slower pace). */
  nextRead: number;
  reason?: string;
}

/** A complete scan file: its valid rows (time order) or why it is not a scan. */
type ScanRead = { readonly ok: true; readonly batch: ScanBatch; readonly rows: number[]; readonly bad: string[] } | { readonly ok: false; readonly reason: string };
type FactorsRead = { readonly ok: true; readonly factors: FactorsJson } | { readonly ok: false; readonly reason: string };

/** Files of the newest date folder looked at when starting without a backfill (by mtime). */
const START_CANDIDATES = 256;

/**
 * Reads a scan file: decodes it (framing, footer, columns) and returns its well-formed rows in
 * timestamp order; `bad` lists the malformed ones. Not ok when nothing in it is a valid scan.
 */
export function readScanFile(bytes: Uint8Array, rel: string): ScanRead {
  let batch: ScanBatch;
  try {
    batch = decodeScans(bytes, rel);
  } catch (e) {
    return { ok: false, reason: e instanceof ScanFormatError ? e.reason : (e as Error).message };
  }
  if (batch.n === 0) return { ok: false, reason: 'the file holds no scan rows' };
  const rows: number[] = [];
  const bad: string[] = [];
  for (let r = 0; r < batch.n; r++) {
    const why = batch.malformed.get(r) ?? malformedReason(batchRow(batch, r));
    if (why === null) rows.push(r);
    else bad.push(batch.n === 1 ? why : `row ${r}: ${why}`);
  }
  if (rows.length === 0) return { ok: false, reason: `malformed scan: ${bad[0] ?? 'no valid row'}` };
  rows.sort((a, b) => (batch.ts[a] < batch.ts[b] ? -1 : batch.ts[a] > batch.ts[b] ? 1 : a - b));
  return { ok: true, batch, rows, bad };
}

/** Reads `external_factors/YYYY-MM-DD.json` into the `exf_latest` record (date from the file name). */
export function readFactorsFile(text: string, name: string): FactorsRead {
  const date = name.replace(/^.*\//, '').replace(/\.json$/, '');
  const day = isoToDay(date);
  if (!Number.isFinite(day)) return { ok: false, reason: 'file name is not a YYYY-MM-DD date' };
  try {
    const rec = factorRecordFrom(JSON.parse(text) as unknown, day, 0n);
    const out: { -readonly [K in keyof FactorsJson]: FactorsJson[K] } = { date };
    if (rec.fundingBtc !== undefined) out.fundingBtc = rec.fundingBtc;
    if (rec.dvolBtc !== undefined) out.dvolBtc = rec.dvolBtc;
    if (rec.fng !== undefined) out.fng = rec.fng;
    if (rec.takerRatio !== undefined) out.takerRatio = rec.takerRatio;
    return { ok: true, factors: out };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/**
 * Bridges a scanner folder to Hazelcast: `DOLPHIN_FEATURES["latest_eigen_scan"]` gets each new complete
 * scan in timestamp order (never one whose timestamp_ns is <= the last published), `exf_latest` each new
 * or changed factors file (never an older date than the last published).
 *
 * - A file is complete when two looks at least `settleMs` apart see the same size and mtime and it
 *   decodes (Arrow framing and footer included). A file that does not decode is retried, and rejected
 *   only once it has been unchanged for `rejectAfterMs`.
 * - All new complete scans found in one look are published in timestamp order (a consumer sees every
 *   scan; the map ends on the newest). A multi-row (daily) file contributes its newest valid row live;
 *   `backfill` publishes all its rows.
 * - `start()` publishes the newest existing scan and factors (or, after `backfill`, whatever arrived
 *   meanwhile), then watches. A failed put (Hazelcast down) is retried with backoff until it succeeds
 *   or the bridge stops; nothing is dropped and nothing throws.
 */
export class ScanBridge {
  private readonly watcher: ScanDirWatcher;
  private readonly pollMs: number;
  private readonly settleMs: number;
  private readonly rejectAfterMs: number;
  private readonly retryMaxMs: number;
  private readonly featuresMap: string;
  private readonly log: BridgeLog;
  private map: Promise<FeaturesSink> | undefined;
  private readonly stream: ScanStreamWriter<BridgeRef> | null;
  /** The file last decoded for a republish (consecutive refs often share a daily file). */
  private reloadCache: { path: string; size: number; mtimeMs: number; read: ScanRead } | null = null;

  /** Files decided (published, stale, rejected or known at start) with the size and mtime decided on. */
  private readonly seen = new Map<string, { size: number; mtimeMs: number }>();
  private readonly pending = new Map<string, Pending>();

  private published = 0;
  private rejected = 0;
  private stale = 0;
  private lastTs: bigint | null = null;
  private factorsPublished = 0;
  private lastFactorsDate: string | null = null;
  private lastFactorsJson: string | null = null;

  private started = false;
  private stopped = false;
  private backfilled = false;
  private backfilling = false;
  /** While set, the next tick publishes only the newest of what it finds (start without backfill). */
  private collapse = false;
  private pumping: Promise<void> | undefined;
  private again = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;
  private readonly sleepers = new Set<() => void>();
  private readonly activeBackfills = new Set<Promise<number>>();

  constructor(private readonly opts: ScanBridgeOptions) {
    this.pollMs = opts.pollMs ?? 1000;
    this.settleMs = opts.settleMs ?? 75;
    this.rejectAfterMs = opts.rejectAfterMs ?? 3000;
    this.retryMaxMs = opts.retryMaxMs ?? 5000;
    this.featuresMap = opts.featuresMap ?? FEATURES_MAP;
    this.log = opts.log ?? (() => undefined);
    const problems: string[] = [];
    if (!(this.pollMs > 0)) problems.push(`poll period must be > 0 ms, was ${this.pollMs}`);
    if (opts.from !== undefined && !Number.isFinite(isoToDay(opts.from))) problems.push(`from must be a UTC date YYYY-MM-DD, was "${opts.from}"`);
    if (!(this.rejectAfterMs >= 0)) problems.push(`reject-after must be >= 0 ms, was ${this.rejectAfterMs}`);
    if (problems.length > 0) throw new ConfigError(problems);
    let isDir = false;
    try {
      isDir = statSync(opts.dir).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) throw new DataEmptyError(`scanner folder ${opts.dir} does not exist or is not a folder; pass the folder that holds the YYYY-MM-DD/ scan folders`);
    const c = opts.client;
    const streamClient = opts.stream === null ? null : (opts.stream?.client ?? (isClient(c) ? () => c : null));
    this.stream =
      streamClient === null
        ? null
        : new ScanStreamWriter<BridgeRef>({
            client: streamClient,
            name: opts.stream?.name ?? scanStreamName(this.featuresMap),
            reload: (ref) => this.reload(ref),
            log: (level, m) => this.log(level, m),
          });
    this.watcher = new ScanDirWatcher(opts.dir, {
      ...(opts.from !== undefined ? { from: opts.from } : {}),
      onEvent: () => this.wake(10),
      onWarning: (m) => this.log('warn', m),
    });
  }

  /** Counters so far. */
  stats(): BridgeStats {
    return {
      published: this.published,
      rejected: this.rejected,
      stale: this.stale,
      lastTs: this.lastTs,
      factorsPublished: this.factorsPublished,
      lastFactorsDate: this.lastFactorsDate,
      stream: this.stream?.stats() ?? null,
    };
  }

  /** The cluster connection was lost: the scan stream is checked (and republished if it was reset) before the next append. */
  connectionLost(): void {
    this.stream?.markSuspect();
  }

  /**
   * Publishes the newest existing scan and factors (or, after a backfill, the files that arrived
   * meanwhile) and starts watching: fs events plus a poll every `pollMs`. Resolves once the files
   * complete at start have been handled.
   */
  async start(): Promise<void> {
    if (this.started || this.stopped) return;
    if (this.opts.events !== false) this.watcher.startWatching();
    const now = Date.now();
    const all = this.watcher.listAll();
    let initial = all;
    if (!this.backfilled) {
      initial = startCandidates(all);
      const chosen = new Set(initial.map((f) => f.path));
      for (const f of all) if (!chosen.has(f.path)) this.seen.set(f.path, { size: f.size, mtimeMs: f.mtimeMs });
      this.collapse = true;
    }
    for (const f of initial) this.consider(f, now);
    // a timer may fire up to a millisecond early by Date.now() (libuv counts whole ms): sleep until the
    // settle time has passed by the clock the second look uses, or that look finds nothing settled
    if (this.pending.size > 0) for (let left = this.settleMs; left > 0 && !this.stopped; left = now + this.settleMs - Date.now()) await this.sleep(left);
    // second look: whatever is complete now is handled (the newest only, without a backfill)
    await this.runTick(true);
    this.collapse = false;
    this.started = true;
    this.pollTimer = setInterval(() => this.wake(0), this.pollMs);
    this.pollTimer.unref?.();
    this.wake(0);
  }

  /**
   * Publishes the existing scans (date folders from `from` on, and daily files) in timestamp order at
   * `speed` scans per second (0: as fast as each put completes), with each day's factors published
   * before its first scan. Files not complete yet are left to the watcher. Returns the scans published.
   */
  backfill(speed = 20): Promise<number> {
    const p = this.runBackfill(speed).finally(() => this.activeBackfills.delete(p));
    this.activeBackfills.add(p);
    return p;
  }

  /** Stops watching and publishing; waits (at most `graceMs`) for a put in flight. Idempotent. */
  async stop(graceMs = 2000): Promise<void> {
    this.stopped = true;
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer);
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    this.watcher.stopWatching();
    for (const wake of [...this.sleepers]) wake();
    const busy = Promise.allSettled([this.pumping, ...this.activeBackfills]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([busy, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  // ------------------------------------------------------------------------------------------
  // Backfill
  // ------------------------------------------------------------------------------------------

  private async runBackfill(speed: number): Promise<number> {
    if (!(speed >= 0)) throw new ConfigError([`backfill speed must be >= 0 scans/s (0 = as fast as possible), was ${speed}`]);
    if (this.stopped) return 0;
    this.backfilling = true;
    let count = 0;
    try {
      const now = Date.now();
      const from = this.opts.from;
      const rows: { batch: ScanBatch; row: number; rel: string; path: string }[] = [];
      const factors = new Map<string, FactorsJson>();
      for (const f of this.watcher.listAll()) {
        if (this.stopped) return count;
        let bytes: Buffer;
        try {
          bytes = readFileSync(f.path);
        } catch {
          continue;
        }
        if (f.kind === 'factors') {
          // left unseen: start() then publishes any newer day's factors than the backfill reached
          const r = readFactorsFile(bytes.toString('utf8'), f.rel);
          if (r.ok) factors.set(r.factors.date, r.factors);
          else this.decideInvalid(f, r.reason, now, now - f.mtimeMs >= this.rejectAfterMs);
          continue;
        }
        const r = bytes.length === f.size ? readScanFile(bytes, f.rel) : ({ ok: false, reason: 'file changed while read' } as const);
        if (!r.ok) {
          this.decideInvalid(f, r.reason, now, now - f.mtimeMs >= this.rejectAfterMs);
          continue;
        }
        this.seen.set(f.path, { size: f.size, mtimeMs: f.mtimeMs });
        this.countBadRows(f.rel, r.bad);
        for (const row of r.rows) {
          if (from === undefined || dayToIso(dayOf(r.batch.ts[row])) >= from) rows.push({ batch: r.batch, row, rel: f.rel, path: f.path });
        }
      }
      rows.sort((a, b) => {
        const ta = a.batch.ts[a.row];
        const tb = b.batch.ts[b.row];
        return ta < tb ? -1 : ta > tb ? 1 : a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : a.row - b.row;
      });
      this.log('info', `backfill: ${rows.length} scan(s) in ${this.opts.dir}${speed > 0 ? ` at ${speed} scans/s` : ' as fast as possible'}`);
      const t0 = performance.now();
      let day = '';
      for (const { batch, row, rel, path } of rows) {
        if (this.stopped) break;
        const ts = batch.ts[row];
        const d = dayToIso(dayOf(ts));
        if (d !== day) {
          day = d;
          const fj = factors.get(d);
          if (fj !== undefined) await this.publishFactors(fj, `external_factors/${d}.json`);
        }
        if (this.lastTs !== null && ts <= this.lastTs) {
          this.skipStale(rel, ts);
          continue;
        }
        if (speed > 0) {
          const wait = t0 + (count * 1000) / speed - performance.now();
          if (wait > 1) await this.sleep(wait);
          if (this.stopped) break;
        }
        if (await this.publishScan(batchRow(batch, row), rel, path, row)) count++;
      }
      this.log('info', `backfill: published ${count} scan(s)`);
      return count;
    } finally {
      this.backfilling = false;
      this.backfilled = true;
      if (this.started) this.wake(0);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Watching
  // ------------------------------------------------------------------------------------------

  /** Schedules a tick in `delayMs` (the earliest request wins). */
  private wake(delayMs: number): void {
    if (this.stopped || !this.started) return;
    const at = Date.now() + delayMs;
    if (this.wakeTimer !== undefined && this.wakeAt <= at) return;
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeAt = Infinity;
      void this.runTick(false);
    }, delayMs);
  }

  /**
   * Runs ticks one at a time; a request while one runs makes it run again. A forced request (start's
   * second look) waits for the run in flight and then makes its own pass: the run in flight may have
   * looked before the files settled.
   */
  private async runTick(force: boolean): Promise<void> {
    if (this.pumping !== undefined) {
      this.again = true;
      if (!force) return this.pumping;
      await this.pumping;
      return this.runTick(true);
    }
    this.pumping = (async () => {
      do {
        this.again = false;
        if (this.stopped || (this.backfilling && !force)) break;
        try {
          await this.tick();
        } catch (e) {
          this.log('warn', `bridge tick failed: ${(e as Error).message}; continuing`);
        }
      } while (this.again && !this.stopped && !force);
    })().finally(() => {
      this.pumping = undefined;
    });
    return this.pumping;
  }

  /** One look: new and changed files, pending files re-checked, complete ones published. */
  private async tick(): Promise<void> {
    const now = Date.now();
    const looked = new Set<string>();
    for (const f of this.watcher.look()) {
      looked.add(f.path);
      this.consider(f, now);
    }
    const scans: { rec: ScanRecord; rel: string; path: string; row: number }[] = [];
    const factors: { factors: FactorsJson; rel: string }[] = [];
    for (const [path, p] of [...this.pending]) {
      if (!looked.has(path)) {
        const f = ScanDirWatcher.stat(path, p.file.rel, p.file.kind);
        if (f === undefined) {
          this.pending.delete(path);
          continue;
        }
        this.consider(f, now);
      }
      if (now - p.stableSince < this.settleMs || now < p.nextRead) continue;
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch {
        this.pending.delete(path);
        continue;
      }
      if (bytes.length !== p.file.size) continue; // changed since the stat: look again next tick
      if (p.file.kind === 'factors') {
        const r = readFactorsFile(bytes.toString('utf8'), p.file.rel);
        if (r.ok) {
          this.done(p.file);
          factors.push({ factors: r.factors, rel: p.file.rel });
        } else this.decideInvalid(p.file, r.reason, now, this.stableLongEnough(p, now));
        continue;
      }
      const r = readScanFile(bytes, p.file.rel);
      if (!r.ok) {
        this.decideInvalid(p.file, r.reason, now, this.stableLongEnough(p, now));
        continue;
      }
      this.done(p.file);
      this.countBadRows(p.file.rel, r.bad);
      const newest = r.rows[r.rows.length - 1] as number;
      scans.push({ rec: batchRow(r.batch, newest), rel: p.file.rel, path, row: newest });
    }

    factors.sort((a, b) => (a.factors.date < b.factors.date ? -1 : a.factors.date > b.factors.date ? 1 : 0));
    scans.sort((a, b) => (a.rec.timestampNs < b.rec.timestampNs ? -1 : a.rec.timestampNs > b.rec.timestampNs ? 1 : 0));
    const fs = this.collapse ? factors.slice(-1) : factors;
    const ss = this.collapse ? scans.slice(-1) : scans;
    for (const { factors: fj, rel } of fs) {
      if (this.stopped) return;
      await this.publishFactors(fj, rel);
    }
    for (const { rec, rel, path, row } of ss) {
      if (this.stopped) return;
      if (this.lastTs !== null && rec.timestampNs <= this.lastTs) this.skipStale(rel, rec.timestampNs);
      else await this.publishScan(rec, rel, path, row);
    }
    this.scheduleRecheck();
  }

  /** Records a look at a file: new, changed (stability restarts) or the same again. */
  private consider(f: WatchedFile, now: number): void {
    const s = this.seen.get(f.path);
    if (s !== undefined && s.size === f.size && s.mtimeMs === f.mtimeMs) return;
    const p = this.pending.get(f.path);
    if (p === undefined) {
      this.pending.set(f.path, { file: f, stableSince: now, nextRead: 0 });
    } else if (p.file.size !== f.size || p.file.mtimeMs !== f.mtimeMs) {
      p.file = f;
      p.stableSince = now;
      p.nextRead = 0;
      delete p.reason;
    }
  }

  /** True when an invalid file has been unchanged long enough to be rejected. */
  private stableLongEnough(p: Pending, now: number): boolean {
    return now - p.stableSince >= this.rejectAfterMs || now - p.file.mtimeMs >= this.rejectAfterMs;
  }

  /** An invalid file: rejected (counted, logged with its name) when final, else retried later. */
  private decideInvalid(f: WatchedFile, reason: string, now: number, final: boolean): void {
    if (final) {
      this.rejected++;
      this.done(f);
      this.log('warn', `rejected ${f.rel}: ${reason}`);
      return;
    }
    let p = this.pending.get(f.path);
    if (p === undefined) {
      p = { file: f, stableSince: now, nextRead: 0 };
      this.pending.set(f.path, p);
    }
    if (p.reason === undefined) this.log('debug', `${f.rel} not complete yet (${reason}); retrying`);
    p.reason = reason;
    p.nextRead = now + Math.max(this.settleMs, Math.min(250, this.rejectAfterMs / 4));
  }

  private done(f: WatchedFile): void {
    this.pending.delete(f.path);
    this.seen.set(f.path, { size: f.size, mtimeMs: f.mtimeMs });
  }

  /** Wakes up again when the earliest pending file is due for its next look. */
  private scheduleRecheck(): void {
    let due = Infinity;
    for (const p of this.pending.values()) due = Math.min(due, Math.max(p.stableSince + this.settleMs, p.nextRead));
    if (due < Infinity) this.wake(Math.max(10, due - Date.now()));
  }

  private countBadRows(rel: string, bad: readonly string[]): void {
    if (bad.length === 0) return;
    this.rejected += bad.length;
    this.log('warn', `rejected ${bad.length} malformed row(s) of ${rel}: ${bad[0] as string}${bad.length > 1 ? ', ...' : ''}`);
  }

  private skipStale(rel: string, ts: bigint): void {
    this.stale++;
    this.log('info', `skipped ${rel}: timestamp_ns ${ts} is not newer than the last published ${this.lastTs ?? ''}`);
  }

  // ------------------------------------------------------------------------------------------
  // Publishing
  // ------------------------------------------------------------------------------------------

  /** Appends the scan to the stream, then writes the key (both retried until done or stopped). */
  private async publishScan(rec: ScanRecord, rel: string, path: string, row: number): Promise<boolean> {
    const json = scanToJson(rec);
    const stream = this.stream;
    if (stream !== null && !(await this.retry(() => stream.append(json, { ts: rec.timestampNs, path, row }), `appending ${rel} to the scan stream`))) return false;
    if (!(await this.put(SCAN_KEY, json, rel))) return false;
    this.published++;
    this.lastTs = rec.timestampNs;
    this.log('debug', `published ${rel} (timestamp_ns ${rec.timestampNs})`);
    return true;
  }

  /** The scan JSON of a published file row, read again (null when the file is gone or changed into something else). */
  private reload(ref: BridgeRef): string | null {
    let st;
    try {
      st = statSync(ref.path);
    } catch {
      return null;
    }
    const c = this.reloadCache;
    let read: ScanRead;
    if (c !== null && c.path === ref.path && c.size === st.size && c.mtimeMs === st.mtimeMs) read = c.read;
    else {
      try {
        read = readScanFile(readFileSync(ref.path), ref.path);
      } catch {
        return null;
      }
      this.reloadCache = { path: ref.path, size: st.size, mtimeMs: st.mtimeMs, read };
    }
    if (!read.ok || ref.row >= read.batch.n || read.batch.ts[ref.row] !== ref.ts) return null;
    return scanToJson(batchRow(read.batch, ref.row));
  }

  /** Publishes factors unless they are of an older date than, or the same as, the last published. */
  private async publishFactors(f: FactorsJson, rel: string): Promise<boolean> {
    const json = factorsToJson(f);
    if (this.lastFactorsDate !== null && f.date < this.lastFactorsDate) {
      this.log('debug', `not publishing ${rel}: older than the factors of ${this.lastFactorsDate} already published`);
      return false;
    }
    if (json === this.lastFactorsJson) return false;
    if (!(await this.put(EXF_KEY, json, rel))) return false;
    this.factorsPublished++;
    this.lastFactorsDate = f.date;
    this.lastFactorsJson = json;
    this.log('debug', `published ${rel} as ${EXF_KEY}`);
    return true;
  }

  /** One put, retried with backoff until it succeeds (true) or the bridge stops (false). */
  private put(key: string, value: string, what: string): Promise<boolean> {
    return this.retry(
      async () => {
        const sink = await this.sink();
        await sink.set(key, value);
      },
      `publishing ${what} to ${this.featuresMap}[${key}]`,
    );
  }

  /** Runs `op` until it succeeds (true) or the bridge stops (false), with capped exponential backoff. */
  private async retry(op: () => Promise<void>, what: string): Promise<boolean> {
    let failures = 0;
    const began = Date.now();
    for (;;) {
      try {
        await op();
        if (failures > 0) this.log('info', `publishing resumed: ${what} done after ${failures} failed attempt(s) over ${((Date.now() - began) / 1000).toFixed(1)} s`);
        return true;
      } catch (e) {
        this.map = undefined;
        if (this.stopped) return false;
        failures++;
        const wait = Math.min(this.retryMaxMs, 200 * 2 ** Math.min(failures, 10));
        const msg = (e as Error).message;
        this.log(failures === 1 ? 'warn' : 'debug', `${what} failed (${msg}); retrying in ${wait} ms until Hazelcast is back`);
        await this.sleep(wait);
        if (this.stopped) return false;
      }
    }
  }

  private sink(): Promise<FeaturesSink> {
    const c = this.opts.client;
    if (!isClient(c)) return Promise.resolve(c);
    this.map ??= c.getMap<string, string>(this.featuresMap) as Promise<FeaturesSink>;
    return this.map;
  }

  /** A sleep that stop() cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }
}

function isClient(c: HazelcastClient | FeaturesSink): c is HazelcastClient {
  return typeof (c as Partial<HazelcastClient>).getMap === 'function';
}

/**
 * Files looked at when starting without a backfill: the factor files, top-level (daily) files, and
 * the START_CANDIDATES most recently modified files of the newest date folder; the newest scan is
 * chosen among them by timestamp_ns.
 */
function startCandidates(all: readonly WatchedFile[]): WatchedFile[] {
  let newest = '';
  for (const f of all) {
    const slash = f.rel.indexOf('/');
    if (f.kind === 'scan' && slash > 0 && f.rel.slice(0, slash) > newest) newest = f.rel.slice(0, slash);
  }
  const recent = all.filter((f) => f.kind === 'scan' && newest !== '' && f.rel.startsWith(`${newest}/`));
  recent.sort((a, b) => b.mtimeMs - a.mtimeMs);
  return [...all.filter((f) => f.kind === 'factors' || !f.rel.includes('/')), ...recent.slice(0, START_CANDIDATES)];
}
