/**
 * The reading end of the scan stream: reads the ringbuffer by sequence from where the consumer is, in
 * batches, and tells apart the three ways the sequence can break: entries overwritten or expired before
 * they were read (a loss it counts), a stream that was reset by a member restart (read again from its
 * head; what is not newer than the consumer's last scan is skipped, the publisher republishes the rest),
 * and a consumer resuming from a saved position (verified against the entry at that sequence).
 */
import type { ReadResultSet, Ringbuffer } from 'hazelcast-client';
import type { HazelcastClient } from './hazelcast-connection.js';

/** Largest batch of one readMany (hazelcast-client allows up to 1000). */
const BATCH = 1000;

/** A position in the stream: the sequence of an entry and the timestamp of the scan it holds. */
export interface StreamPosition {
  readonly seq: number;
  readonly ts: bigint;
}

/** What one drain saw. */
export interface DrainResult {
  /** Entries handed on. */
  readonly read: number;
  /** Entries that were gone (overwritten or expired) before they could be read. */
  readonly lost: number;
  /** The stream was found reset and is read again from its head. */
  readonly reset: boolean;
}

/** Options of ScanStreamReader. */
export interface ScanStreamReaderOptions {
  readonly client: HazelcastClient;
  readonly name: string;
  /** Reads the timestamp of an entry (null when it is not a scan) to verify a saved position. */
  readonly tsOf: (text: string) => bigint | null;
  /** The stream was found reset: called before the entries read again from its head are handed on. */
  readonly onReset?: () => void;
  readonly log?: (message: string) => void;
}

/** Reads the scan stream from a position, batch by batch. One drain at a time (the caller serializes). */
export class ScanStreamReader {
  private rb: Ringbuffer<string> | null = null;
  /** Next sequence to read; null until positioned. */
  private next: number | null = null;
  /** Text of the last entry read and its sequence: checked after a reconnect to detect a reset. */
  private anchor: { seq: number; text: string } | null = null;
  private suspect = false;
  /** Bumped whenever the position jumps or the connection is lost: a follow() issued before is dropped. */
  private epoch = 0;
  /** Entries read in this session. */
  entriesRead = 0;

  constructor(private readonly o: ScanStreamReaderOptions) {}

  /** The sequence of the last entry read (for the journal's position file), or null. */
  get lastSeq(): number | null {
    return this.anchor?.seq ?? null;
  }

  /**
   * Positions the reader. `saved`: where a previous run was (verified: the entry at that sequence must
   * hold that timestamp, else the stream is read from its head). `resuming`: the consumer already has
   * scans (read from the head, older entries skipped by the caller); otherwise a fresh consumer starts
   * at the newest entry, as it would with the latest key alone.
   */
  async position(saved: StreamPosition | null, resuming: boolean): Promise<'saved' | 'head' | 'newest'> {
    this.epoch++;
    const rb = await this.ringbuffer();
    if (saved !== null) {
      const r = await rb.readMany(saved.seq, 0, 1);
      const text = r.size() > 0 && Number(r.getSequence(0)) === saved.seq ? r.get(0) : null;
      if (text !== null && this.o.tsOf(text) === saved.ts) {
        this.next = saved.seq + 1;
        this.anchor = { seq: saved.seq, text };
        return 'saved';
      }
      this.o.log?.(`scan stream ${this.o.name}: the saved position (sequence ${saved.seq}) is not in the stream any more (a member restart, or overwritten); reading it from its head`);
    }
    if (resuming || saved !== null) {
      this.next = Number(await rb.headSequence());
      return 'head';
    }
    const tail = Number(await rb.tailSequence());
    this.next = Math.max(0, tail);
    return 'newest';
  }

  /** The connection was lost: before the next read, check that the stream is still the one we read. */
  markSuspect(): void {
    this.suspect = true;
    this.epoch++;
    this.rb = null;
  }

  /**
   * Reads everything available from the current position, handing each entry on in sequence order.
   * `checkReset`: also compare the tail with the position (cheap; done on the safety-net poll).
   * Throws when the cluster is away (the position is kept; the next drain goes on from it).
   */
  async drain(handle: (text: string, seq: number) => void, checkReset: boolean): Promise<DrainResult> {
    const rb = await this.ringbuffer();
    if (this.next === null) await this.position(null, false);
    let reset = false;
    if (this.suspect) {
      reset = await this.anchorGone(rb);
      this.suspect = false;
    }
    let read = 0;
    let lost = 0;
    for (;;) {
      const from = this.next as number;
      const r = await rb.readMany(from, 0, BATCH);
      const n = r.size();
      if (n === 0) {
        if (!reset && checkReset && from > 0 && Number(await rb.tailSequence()) < from - 1) {
          reset = this.restartAtHead(Number(await rb.headSequence()), 'its tail is behind our position');
          continue;
        }
        break;
      }
      const got = this.take(r, handle);
      read += got.read;
      lost += got.lost;
      if (n < BATCH) break;
    }
    return { read, lost, reset };
  }

  /**
   * Waits on the member for the next entries after the position (a blocking read: the member answers
   * as soon as one is appended, so a scan reaches the consumer one network hop after its publisher
   * appended it, without waiting for the key event and a read of its own) and hands them on in sequence
   * order. May run while a drain() is in flight: both hand on only entries past the position, so none is
   * handed on twice. Returns null, dropping the result, when the reader was repositioned or the
   * connection lost meanwhile (the next drain() checks the stream first), or when it is not positioned.
   * Throws when the cluster is away.
   */
  async follow(handle: (text: string, seq: number) => void): Promise<DrainResult | null> {
    if (this.next === null || this.suspect) return null;
    const epoch = this.epoch;
    const rb = await this.ringbuffer();
    if (epoch !== this.epoch) return null;
    const r = await rb.readMany(this.next, 1, BATCH);
    if (epoch !== this.epoch || this.suspect) return null;
    return { ...this.take(r, handle), reset: false };
  }

  /** Hands on the entries of one read that are past the position; counts the ones gone before it. */
  private take(r: ReadResultSet<string>, handle: (text: string, seq: number) => void): { read: number; lost: number } {
    let read = 0;
    let lost = 0;
    const n = r.size();
    for (let i = 0; i < n; i++) {
      const seq = Number(r.getSequence(i));
      const next = this.next as number;
      if (seq < next) continue; // handed on already by a read that overlapped this one
      if (seq > next) {
        lost += seq - next;
        this.o.log?.(`scan stream ${this.o.name}: ${seq - next} entr${seq - next === 1 ? 'y was' : 'ies were'} overwritten or expired before being read (sequences ${next}..${seq - 1})`);
      }
      const text = r.get(i);
      this.anchor = { seq, text };
      this.next = seq + 1;
      this.entriesRead++;
      read++;
      handle(text, seq);
    }
    if (n > 0) this.next = Math.max(this.next as number, Number(r.getNextSequenceToReadFrom()));
    return { read, lost };
  }

  private async ringbuffer(): Promise<Ringbuffer<string>> {
    this.rb ??= await this.o.client.getRingbuffer<string>(this.o.name);
    return this.rb;
  }

  /** After a reconnect: is the last entry we read still at its sequence? If not, read from the head. */
  private async anchorGone(rb: Ringbuffer<string>): Promise<boolean> {
    if (this.anchor === null) {
      // nothing read yet: a reset only matters if the position is beyond the new tail
      const tail = Number(await rb.tailSequence());
      if (this.next !== null && this.next > tail + 1) return this.restartAtHead(Number(await rb.headSequence()), 'it is empty or shorter than before');
      return false;
    }
    const r = await rb.readMany(this.anchor.seq, 0, 1);
    const same = r.size() > 0 && Number(r.getSequence(0)) === this.anchor.seq && r.get(0) === this.anchor.text;
    if (same) return false;
    return this.restartAtHead(Number(await rb.headSequence()), 'the last entry read is not there any more');
  }

  private restartAtHead(head: number, why: string): true {
    this.o.log?.(`scan stream ${this.o.name} was reset (${why}: a member restart?); reading it again from its head (sequence ${head})`);
    this.next = head;
    this.epoch++;
    this.anchor = null;
    this.o.onReset?.();
    return true;
  }
}
