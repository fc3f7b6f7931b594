/**
 * The mirror's execution journal: JOURNAL/execution.ndjson, one JSON record per line (start, sent, ack,
 * filled, rejected, retry, skipped, reconcile), appended and fsynced record by record. A "sent" record
 * is durable before its order leaves the machine, so a restart after SIGKILL knows every order that may
 * be at the venue and asks the venue for it by its client order id instead of sending it again. A torn
 * last line (a kill during a write) is cut off at open.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { RejectReason } from '../../core/execution-stats.js';
import { journalFault } from '../live/journal.js';

/** File name inside the live journal folder. */
export const EXECUTION_JOURNAL_FILE = 'execution.ndjson';

/** The mirror attached to this journal (first line; written once per journal). */
export interface StartRecord {
  readonly ev: 'start';
  readonly atMs: number;
  readonly venue: string;
  /** Random per journal: with the run id it makes client order ids unique across journals. */
  readonly nonce: string;
  /** Paper fills that existed before the mirror attached (not mirrored). */
  readonly baselineFills: number;
}

/** What a record of one mirrored leg says of the paper fill it mirrors. */
export interface LegFields {
  readonly atMs: number;
  readonly id: string;
  readonly trade: number;
  readonly leg: 'open' | 'close';
  /** Index of the paper fill in the run's fill sequence. */
  readonly fill: number;
  readonly asset: string;
  readonly side: 'SELL' | 'BUY';
  readonly paperPrice: number;
  readonly paperQty: number;
  readonly paperFee: number;
}

/** An order about to be sent (durable before the request). */
export interface SentRecord extends LegFields {
  readonly ev: 'sent';
  /** Quantity sent, after the venue's precision (decimal string). */
  readonly qty: string;
  /** Paper fill's scan timestamp, ns decimal string. */
  readonly tsEvent: string;
  /** 1 for the first send, higher for a re-send after the venue said it did not have the order. */
  readonly attempt: number;
}

/** The venue answered with the order (from the POST, or found by client order id). */
export interface AckRecord {
  readonly ev: 'ack';
  readonly atMs: number;
  readonly id: string;
  readonly orderId: string;
  readonly status: string;
  readonly latencyMs: number;
  /** How the order was known: the POST's answer, or a query by client order id (after a timeout or restart). */
  readonly via: 'post' | 'query';
}

/** The order's final fill. */
export interface FilledRecord {
  readonly ev: 'filled';
  readonly atMs: number;
  readonly id: string;
  readonly avgPrice: number;
  readonly qty: number;
  readonly fee: number;
  readonly feeAsset: string | null;
  readonly status: string;
  readonly partial: boolean;
  readonly latencyMs: number;
}

/** The venue refused the order, or the mirror gave up on it. */
export interface RejectedRecord {
  readonly ev: 'rejected';
  readonly atMs: number;
  readonly id: string;
  readonly reason: RejectReason;
  readonly code: number | null;
  readonly message: string;
  readonly latencyMs: number | null;
}

/** A transient failure; the mirror asks the venue for the order by its id, then re-sends only if absent. */
export interface RetryRecord {
  readonly ev: 'retry';
  readonly atMs: number;
  readonly id: string;
  readonly why: string;
  readonly waitMs: number;
}

/** A leg the mirror did not send (a close with no venue quantity to close). */
export interface SkippedRecord extends LegFields {
  readonly ev: 'skipped';
  readonly reason: string;
}

/** Venue positions vs the paper book for the traded symbols. */
export interface ReconcileRecord {
  readonly ev: 'reconcile';
  readonly atMs: number;
  readonly ok: boolean;
  readonly rows: readonly ReconcileRow[];
  readonly error?: string;
}

/** One symbol of a reconciliation (short quantities as positive numbers). */
export interface ReconcileRow {
  readonly asset: string;
  /** The paper book's open short. */
  readonly paperQty: number;
  /** What the mirror's own fills leave open at the venue. */
  readonly mirroredQty: number;
  /** The venue's short (-positionAmt). */
  readonly venueQty: number;
  /** venueQty - mirroredQty: quantity the venue holds that the mirror cannot account for. */
  readonly drift: number;
}

/** Any execution journal record. */
export type ExecutionRecord = StartRecord | SentRecord | AckRecord | FilledRecord | RejectedRecord | RetryRecord | SkippedRecord | ReconcileRecord;

/** What reading the journal found. */
export interface ExecutionJournalRead {
  readonly records: ExecutionRecord[];
  /** Bytes of a torn last line that were cut off (0 when none). */
  readonly tornBytes: number;
}

/** Reads a journal's execution records (none when the file is absent); cuts a torn last line off the file. */
export function readExecutionJournal(dir: string): ExecutionJournalRead {
  const path = join(dir, EXECUTION_JOURNAL_FILE);
  if (!fs.existsSync(path)) return { records: [], tornBytes: 0 };
  const text = fs.readFileSync(path, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  const torn = Buffer.byteLength(text.slice(end));
  if (torn > 0) {
    try {
      fs.truncateSync(path, Buffer.byteLength(text.slice(0, end)));
    } catch (e) {
      throw journalFault(dir, 'cut the torn last line of the execution journal', path, e);
    }
  }
  const records: ExecutionRecord[] = [];
  for (const line of text.slice(0, end).split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as ExecutionRecord);
    } catch {
      // a line cut by a crash before an older version repaired it: skip it (the order is asked for by id)
    }
  }
  return { records, tornBytes: torn };
}

/** Appends execution records, each fsynced before append() returns. */
export class ExecutionJournal {
  readonly path: string;
  private fd: number;

  constructor(readonly dir: string) {
    this.path = join(dir, EXECUTION_JOURNAL_FILE);
    try {
      this.fd = fs.openSync(this.path, 'a');
    } catch (e) {
      throw journalFault(dir, 'open the execution journal', this.path, e);
    }
  }

  /** Appends one record and fsyncs it: after append() returns, the record survives SIGKILL and power loss. */
  append(r: ExecutionRecord): void {
    const bytes = Buffer.from(`${JSON.stringify(r)}\n`);
    try {
      for (let off = 0; off < bytes.length; ) off += fs.writeSync(this.fd, bytes, off, bytes.length - off);
      fs.fsyncSync(this.fd);
    } catch (e) {
      throw journalFault(this.dir, `append a ${r.ev} record to the execution journal`, this.path, e);
    }
  }

  close(): void {
    if (this.fd < 0) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = -1;
  }
}
