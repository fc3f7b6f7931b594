/**
 * Bench-only instrumentation of the live scan path: records, per scan timestamp, when each hop from the
 * putter's IMap/ringbuffer calls to the engine worker's reply happened (performance.now, one process,
 * one clock), by wrapping prototype methods of the real classes; restored by the returned function.
 */
import { Worker } from 'node:worker_threads';
import { LiveRun } from '../../src/app/live/live-session.js';
import type { ScanRecord } from '../../src/core/scan.js';
import { JournalWriter } from '../../src/feeds/live/journal.js';
import { ScanAcceptance } from '../../src/feeds/live/scan-acceptance.js';
import { ScanStreamWriter } from '../../src/feeds/live/scan-stream-writer.js';

/**
 * The marks of one scan (ms on this thread's performance clock; NaN when not seen): the path in order
 * (put, received, accepted, journaled, posted, computed: the worker done with it, decision: its reply
 * handled on the main thread), and `appended`, when the putter's ringbuffer add resolved (off the path:
 * the putter shares this process, so its reply can be handled after the session has already taken the
 * scan).
 */
export const HOPS = ['put', 'received', 'accepted', 'journaled', 'posted', 'computed', 'decision', 'appended'] as const;
/** One mark. */
export type Hop = (typeof HOPS)[number];

/** The steps the bench reports, each from one mark to another, with what it covers. */
export const HOP_STEPS: readonly (readonly [Hop, Hop, string])[] = [
  ['put', 'received', 'put start -> scan text reaches acceptance (ringbuffer add + the member handing it to the live client)'],
  ['received', 'accepted', 'parse + acceptance (judge start -> session onAccepted)'],
  ['accepted', 'journaled', 'journal write (factors + scan file: encode, write, fsync, rename)'],
  ['journaled', 'posted', 'journal written -> scan posted to the engine worker'],
  ['posted', 'computed', 'engine worker: post -> engines done with the scan (worker clock: wake-up + compute)'],
  ['computed', 'decision', 'worker done -> its reply handled on the main thread'],
  ['put', 'appended', 'putter ringbuffer add round trip (off the path; same process, so delayed by the session\'s work)'],
];

/** Per-scan hop times, by timestamp_ns. */
export class HopLog {
  private readonly rows = new Map<bigint, Float64Array>();

  /** Records a hop once (the first time it is seen for this scan). */
  mark(ts: bigint, hop: Hop, t = performance.now()): void {
    let r = this.rows.get(ts);
    if (r === undefined) {
      r = new Float64Array(HOPS.length).fill(NaN);
      this.rows.set(ts, r);
    }
    const i = HOPS.indexOf(hop);
    if (Number.isNaN(r[i])) r[i] = t;
  }

  /** Count of scans with a decision. */
  get decisions(): number {
    const d = HOPS.indexOf('decision');
    let n = 0;
    for (const r of this.rows.values()) if (!Number.isNaN(r[d])) n++;
    return n;
  }

  /** ms from hop a to hop b for each scan of `tss` that has both. */
  between(tss: readonly bigint[], a: Hop, b: Hop): number[] {
    const ia = HOPS.indexOf(a);
    const ib = HOPS.indexOf(b);
    const out: number[] = [];
    for (const ts of tss) {
      const r = this.rows.get(ts);
      if (r !== undefined && !Number.isNaN(r[ia]) && !Number.isNaN(r[ib])) out.push(r[ib] - r[ia]);
    }
    return out;
  }
}

type Fn = (...a: never[]) => unknown;

/** Wraps one method of a prototype; returns the undo. */
function wrap<T extends object>(proto: T, name: string, make: (orig: Fn) => Fn): () => void {
  const p = proto as unknown as Record<string, Fn>;
  const orig = p[name];
  p[name] = make(orig);
  return () => {
    p[name] = orig;
  };
}

/** Instruments the live path into `log`; returns the undo. */
export function instrumentLivePath(log: HopLog): () => void {
  const seqTs = new Map<number, bigint>();
  const undo = [
    wrap(ScanStreamWriter.prototype, 'append', (orig) =>
      async function (this: unknown, ...a: never[]) {
        const r = await (orig.apply(this, a) as Promise<void>);
        log.mark((a[1] as unknown as { ts: bigint }).ts, 'appended');
        return r;
      },
    ),
    wrap(ScanAcceptance.prototype, 'judge', (orig) =>
      function (this: unknown, ...a: never[]) {
        const t = performance.now();
        const scan = orig.apply(this, a) as ScanRecord | null;
        if (scan !== null) log.mark(scan.timestampNs, 'received', t);
        return scan;
      },
    ),
    wrap(LiveRun.prototype, 'onAccepted', (orig) =>
      function (this: unknown, ...a: never[]) {
        log.mark((a[0] as unknown as ScanRecord).timestampNs, 'accepted');
        return orig.apply(this, a);
      },
    ),
    wrap(JournalWriter.prototype, 'writeScan', (orig) =>
      function (this: unknown, ...a: never[]) {
        const r = orig.apply(this, a);
        log.mark((a[0] as unknown as ScanRecord).timestampNs, 'journaled');
        return r;
      },
    ),
    wrap(Worker.prototype, 'postMessage', (orig) =>
      function (this: unknown, ...a: never[]) {
        const m = a[0] as unknown as { type?: string; seq?: number; scan?: ScanRecord };
        if (m && m.type === 'scan' && m.scan && typeof m.seq === 'number') {
          seqTs.set(m.seq, m.scan.timestampNs);
          log.mark(m.scan.timestampNs, 'posted');
        }
        return orig.apply(this, a);
      },
    ),
    wrap(Worker.prototype, 'emit', (orig) =>
      function (this: unknown, ...a: never[]) {
        if ((a[0] as unknown) === 'message') {
          const m = a[1] as unknown as { type?: string; seq?: number; doneAtMs?: number };
          const ts = m && m.type === 'scanDone' && typeof m.seq === 'number' ? seqTs.get(m.seq) : undefined;
          if (ts !== undefined) {
            log.mark(ts, 'decision');
            if (typeof m.doneAtMs === 'number') log.mark(ts, 'computed', m.doneAtMs - performance.timeOrigin);
          }
        }
        return orig.apply(this, a);
      },
    ),
  ];
  return () => {
    for (const u of undo.reverse()) u();
  };
}
