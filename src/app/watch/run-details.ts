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

/**
 * Reads a journal's trades.ndjson as it grows (only the new bytes each time) and counts the trades
 * closed on a given UTC day. The file is read when asked (once a second by the viewers), never polled.
 */
export class JournalTrades {
  private offset = 0;
  private partial = '';
  private readonly exitDays: number[] = [];

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
      }
      if (size === this.offset) return;
      const buf = Buffer.alloc(size - this.offset);
      const got = readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += got;
      const text = this.partial + buf.subarray(0, got).toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        const m = /"exitTs"\s*:\s*"?(\d+)/.exec(line);
        const d = m === null ? null : dayOfNs(m[1] as string);
        if (d !== null) this.exitDays.push(d);
      }
    } finally {
      closeSync(fd);
    }
  }
}
