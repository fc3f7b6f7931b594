/**
 * The publishing end of the scan stream (a Hazelcast ringbuffer of scan JSON, see SCAN_STREAM). Every
 * publisher appends each scan here before writing `latest_eigen_scan`. A member restart loses the
 * ringbuffer; the writer notices before its next append (the tail went back behind the last sequence it
 * appended) and republishes, in order, the scans it had appended to the lost stream (up to its
 * capacity), so a consumer that was behind catches up without a gap. Publishers are the only ones who
 * can do this: they know what they published.
 */
import type { Ringbuffer } from 'hazelcast-client';
import type { HazelcastClient } from './hazelcast-connection.js';

/** What the writer remembers of an appended scan so it can publish it again. */
export interface StreamRef {
  /** timestamp_ns of the scan. */
  readonly ts: bigint;
}

/** Options of ScanStreamWriter. */
export interface ScanStreamWriterOptions<R extends StreamRef> {
  /** A connected client (read lazily, so a publisher can create the writer before connecting). */
  readonly client: () => HazelcastClient | undefined;
  /** Ringbuffer name (scanStreamName(featuresMap)). */
  readonly name: string;
  /** The scan JSON of a remembered scan, or null when it is gone (its file deleted): it is skipped. */
  readonly reload: (ref: R) => string | null;
  /** Scans remembered for a republish (default: the ringbuffer's capacity, read on first use). */
  readonly window?: number;
  readonly log?: (level: 'info' | 'warn' | 'debug', message: string) => void;
}

/** Counters of a writer. */
export interface StreamWriterStats {
  /** Scans appended (republished ones included). */
  readonly appended: number;
  /** Times the stream was found reset (a member restart) and republished. */
  readonly resets: number;
  /** Scans appended again after a reset. */
  readonly republished: number;
}

/** A bounded FIFO of refs (the last `capacity` appended). */
class RefWindow<R> {
  private buf: R[] = [];
  private start = 0;
  constructor(private capacity: number) {}
  setCapacity(c: number): void {
    this.capacity = c;
    this.trim();
  }
  push(r: R): void {
    this.buf.push(r);
    this.trim();
  }
  items(): R[] {
    return this.buf.slice(this.start);
  }
  private trim(): void {
    const extra = this.buf.length - this.start - this.capacity;
    if (extra > 0) this.start += extra;
    // compact now and then so memory stays flat
    if (this.start > 4096 && this.start * 2 > this.buf.length) {
      this.buf = this.buf.slice(this.start);
      this.start = 0;
    }
  }
}

/** Appends scans to the stream; republishes after a reset. Calls may throw while the cluster is away. */
export class ScanStreamWriter<R extends StreamRef> {
  private rb: Ringbuffer<string> | null = null;
  private lastSeq = -1;
  /** The tail must be checked before the next append (start, a failure, a reconnect). */
  private suspect = true;
  /** A reset was found and the republish has not completed yet (it restarts after a failure). */
  private republishPending = false;
  private readonly window: RefWindow<R>;
  private windowKnown: boolean;
  private appended = 0;
  private resets = 0;
  private republished = 0;

  constructor(private readonly o: ScanStreamWriterOptions<R>) {
    this.window = new RefWindow<R>(o.window ?? 10_000);
    this.windowKnown = o.window !== undefined;
  }

  /** Counters so far. */
  stats(): StreamWriterStats {
    return { appended: this.appended, resets: this.resets, republished: this.republished };
  }

  /** The connection was lost (or may have been): check the stream before the next append. */
  markSuspect(): void {
    this.suspect = true;
    this.rb = null;
  }

  /**
   * Appends one scan (after republishing what a reset lost). Throws when the cluster is away; the caller
   * retries the same scan, and the writer checks the stream again first.
   */
  async append(json: string, ref: R): Promise<void> {
    try {
      const rb = await this.ringbuffer();
      if (this.suspect) {
        await this.checkTail(rb);
        this.suspect = false;
      }
      if (this.republishPending) {
        await this.republish(rb);
        this.republishPending = false;
      }
      const seq = Number(await rb.add(json));
      if (this.lastSeq >= 0 && seq <= this.lastSeq) {
        // reset between the check and the add (a restart in that instant): republish, then this one again
        this.o.log?.('warn', `scan stream ${this.o.name} went back to sequence ${seq} (last ${this.lastSeq}) during an append; republishing`);
        this.republishPending = true;
        await this.republish(rb);
        this.republishPending = false;
        this.lastSeq = Number(await rb.add(json));
      } else this.lastSeq = seq;
      this.window.push(ref);
      this.appended++;
    } catch (e) {
      this.markSuspect();
      throw e;
    }
  }

  private async ringbuffer(): Promise<Ringbuffer<string>> {
    if (this.rb !== null) return this.rb;
    const client = this.o.client();
    if (client === undefined) throw new Error('not connected');
    const rb = await client.getRingbuffer<string>(this.o.name);
    if (!this.windowKnown) {
      this.window.setCapacity(Number(await rb.capacity()));
      this.windowKnown = true;
    }
    this.rb = rb;
    return rb;
  }

  /** A tail behind the last sequence appended means the stream lost what we appended: publish it again. */
  private async checkTail(rb: Ringbuffer<string>): Promise<void> {
    if (this.lastSeq < 0) return;
    const tail = Number(await rb.tailSequence());
    if (tail >= this.lastSeq) return;
    this.resets++;
    this.o.log?.('warn', `scan stream ${this.o.name} was reset (tail ${tail}, we had appended up to ${this.lastSeq}: a member restart?); republishing the last ${this.window.items().length} scan(s)`);
    this.lastSeq = tail;
    this.republishPending = true;
  }

  private async republish(rb: Ringbuffer<string>): Promise<void> {
    let n = 0;
    let skipped = 0;
    for (const ref of this.window.items()) {
      const json = this.o.reload(ref);
      if (json === null) {
        skipped++;
        continue;
      }
      this.lastSeq = Number(await rb.add(json));
      n++;
    }
    this.republished += n;
    this.appended += n;
    this.o.log?.('info', `scan stream ${this.o.name}: republished ${n} scan(s)${skipped ? `, ${skipped} no longer readable` : ''}`);
  }
}
