/** Reads the scan-stream position a live run saved in its journal (`stream-position.json`): a hint, verified against the stream. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JOURNAL_FILES } from './journal.js';
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
