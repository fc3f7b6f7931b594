/**
 * What the viewers show beyond `dolphin status`: a run's open positions as published in its state entry,
 * and, when its journal is on this machine, today's closed trades and its final report.
 */
import { existsSync, openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import { JOURNAL_FILES } from '../../feeds/live/journal.js';
import { Fields, jsonObjectOf } from '../../feeds/live/paper-state-parser.js';
import type { PaperPosition } from '../../feeds/live/paper-state.js';

/** The open positions of a DOLPHIN_STATE_PAPER value; [] when the entry is malformed (status says why). */
export function positionsOf(value: unknown): PaperPosition[] {
  const o = jsonObjectOf(value);
  if ('problem' in o) return [];
  const f = new Fields(o.obj);
  const list = f.array('positions').flatMap((p, i): PaperPosition[] => {
    const e = f.element(p, `positions[${i}]`);
    if (e === null) return [];
    return [{ asset: e.str('asset'), qty: e.num('qty'), entryPrice: e.num('entryPrice'), entryTs: e.nsOrNull('entryTs') ?? '', mark: e.num('mark'), unrealizedPnl: e.num('unrealizedPnl') }];
  });
  return f.problems.length === 0 ? list : [];
}

/** A journal's final report files, the most readable first (live writes report.json and report.md). */
const REPORT_FILES = ['report.html', 'report.md', 'report.json'];

/** Epoch ns (decimal) to a UTC day number. */
function dayOfNs(ns: string): number | null {
  return /^\d+$/.test(ns) ? Number(BigInt(ns) / 86_400_000_000_000n) : null;
}

/** A closed trade as the viewers show it (from trades.ndjson). */
export interface TradeRow {
  readonly asset: string;
  /** ns decimal strings. */
  readonly entryTs: string;
  readonly exitTs: string;
  readonly entryPrice: number;
  readonly exitPrice: number;
  readonly pnl: number;
  readonly reason: string;
}

/**
 * Reads a journal's trades.ndjson as it grows (only the new bytes each time): today's count and the
 * trade rows. The file is read when asked (once a second by the dashboard, on a state update by serve),
 * never polled. A line that is not a trade is skipped.
 */
export class JournalTrades {
  private offset = 0;
  private partial = '';
  private readonly exitDays: number[] = [];
  private readonly rows: TradeRow[] = [];

  constructor(readonly journal: string) {}

  /** Whether the journal folder exists on this machine. */
  readable(): boolean {
    return this.journal !== '' && existsSync(this.journal);
  }

  /** Trades closed on the UTC day of `lastScanTs`; null when the journal is not here. */
  closedOnDayOf(lastScanTs: string | null): number | null {
    if (!this.readable()) return null;
    this.readNew();
    const day = lastScanTs === null ? null : dayOfNs(lastScanTs);
    if (day === null) return 0;
    let n = 0;
    for (const d of this.exitDays) if (d === day) n++;
    return n;
  }

  /** Every trade read so far (reads what was appended since the last call). */
  trades(): readonly TradeRow[] {
    if (this.readable()) this.readNew();
    return this.rows;
  }

  /** The final report the run wrote into its journal (report.html, else report.md, else report.json), or null. */
  reportPath(): string | null {
    if (this.journal === '') return null;
    for (const name of REPORT_FILES) {
      const p = join(this.journal, name);
      if (existsSync(p)) return p;
    }
    return null;
  }

  private readNew(): void {
    const path = join(this.journal, JOURNAL_FILES.trades);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return; // no trade yet
    }
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) {
        // rewritten (a resumed run rewrites it from the journal): read again from the start
        this.offset = 0;
        this.partial = '';
        this.exitDays.length = 0;
        this.rows.length = 0;
      }
      if (size === this.offset) return;
      const buf = Buffer.alloc(size - this.offset);
      const got = readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += got;
      const text = this.partial + buf.subarray(0, got).toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        const row = tradeRow(line);
        const d = row === null ? null : dayOfNs(row.exitTs);
        if (row === null || d === null) continue;
        this.exitDays.push(d);
        this.rows.push(row);
      }
    } finally {
      closeSync(fd);
    }
  }
}

/** One trades.ndjson line as a TradeRow, or null when it is not one. */
function tradeRow(line: string): TradeRow | null {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null) return null;
  const r = o as Record<string, unknown>;
  const ns = (v: unknown): string | null => (typeof v === 'string' && /^\d+$/.test(v) ? v : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : null);
  const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);
  const entryTs = ns(r['entryTs']);
  const exitTs = ns(r['exitTs']);
  if (entryTs === null || exitTs === null) return null;
  return { asset: String(r['asset'] ?? ''), entryTs, exitTs, entryPrice: num(r['entryPrice']), exitPrice: num(r['exitPrice']), pnl: num(r['pnl']), reason: String(r['reason'] ?? '') };
}
