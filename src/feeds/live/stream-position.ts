/**
 * The scan-stream position a live run saves in its journal (`stream-position.json`: stream, sequence,
 * timestamp of the last scan read from it): a hint for the next start, verified against the stream.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JOURNAL_FILES, type JournalWriter } from './journal.js';
import type { StreamPosition } from './scan-stream-reader.js';

/** The saved position for `stream`, or null (none, another stream, or unreadable: the stream is then read from its head). */
export function readStreamPosition(journalDir: string, stream: string, log?: (m: string) => void): StreamPosition | null {
  const path = join(journalDir, JOURNAL_FILES.position);
  if (!existsSync(path)) return null;
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as { stream?: unknown; seq?: unknown; ts?: unknown };
    if (o.stream !== stream) return null;
    if (typeof o.seq !== 'number' || !Number.isInteger(o.seq) || o.seq < 0 || typeof o.ts !== 'string' || !/^\d+$/.test(o.ts)) throw new Error('expected {stream, seq, ts}');
    return { seq: o.seq, ts: BigInt(o.ts) };
  } catch (e) {
    log?.(`ignoring ${path} (${(e as Error).message}); the scan stream is read from its head`);
    return null;
  }
}

/** Saves the position through the journal when it moved: every `everyMs`, and once more at stop. */
export class StreamPositionSaver {
  private timer: NodeJS.Timeout | null = null;
  private saved = '';

  constructor(
    private readonly journal: JournalWriter,
    private readonly stream: string,
    private readonly current: () => StreamPosition | null,
  ) {}

  /** Saves every `everyMs`; a failed save (a JournalError) goes to `onError` and stops the timer. */
  start(everyMs: number, onError: (e: Error) => void): void {
    this.timer = setInterval(() => {
      try {
        this.save();
      } catch (e) {
        this.stop();
        onError(e instanceof Error ? e : new Error(String(e)));
      }
    }, everyMs);
  }

  /** Saves now if the position moved. @throws JournalError */
  save(): void {
    const p = this.current();
    if (p === null) return;
    const value = { stream: this.stream, seq: p.seq, ts: p.ts.toString() };
    const text = JSON.stringify(value);
    if (text === this.saved) return;
    this.journal.writeJsonAtomic(JOURNAL_FILES.position, value, 'save the stream position');
    this.saved = text;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
