/**
 * The state step of a live run without Hazelcast (`live --feed exchange` without --hz): the run state
 * written to JOURNAL/state.json every second (atomically, as DOLPHIN_STATE_PAPER would hold it, plus the
 * scanner's status record) and a one-line summary in the log every minute.
 */
import { JOURNAL_FILES, type JournalWriter } from '../../feeds/live/journal.js';
import type { PaperState } from '../../feeds/live/paper-state.js';

/** What the state file holds: the run's state, and the scanner's record when the run has one. */
export type StateFileContent = PaperState & { readonly scanner?: unknown };

/** Periodic writer of JOURNAL/state.json; a failed write is the journal's fault (reported to onError). */
export class StateFile {
  private build: (() => StateFileContent) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private summaryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly journal: JournalWriter,
    private readonly log: (message: string) => void,
    private readonly onError: (e: Error) => void,
  ) {}

  /** Writes now, then every `periodMs`; logs a summary every `summaryEveryMs`. */
  start(build: () => StateFileContent, periodMs = 1000, summaryEveryMs = 60_000): void {
    this.build = build;
    this.publish();
    this.timer = setInterval(() => this.publish(), periodMs);
    this.summaryTimer = setInterval(() => this.summary(), summaryEveryMs);
  }

  /** Writes the state now. */
  publish(): void {
    if (!this.build) return;
    try {
      this.journal.writeJsonAtomic(JOURNAL_FILES.state, this.build(), 'write the run state');
    } catch (e) {
      this.stopTimers();
      this.onError(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private summary(): void {
    if (!this.build) return;
    const s = this.build();
    this.log(`state: ${s.counters.scansAccepted} scans (last #${s.lastScanNumber ?? '-'}), feed ${s.feedStatus}, equity ${s.equity.toFixed(2)}, ${s.trades} trades, ${s.positions.length} open`);
  }

  private stopTimers(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.summaryTimer) clearInterval(this.summaryTimer);
    this.timer = null;
    this.summaryTimer = null;
  }

  /** Stops the timers after one last write. */
  async stop(): Promise<void> {
    this.stopTimers();
    this.publish();
    this.build = null;
    return Promise.resolve();
  }
}
