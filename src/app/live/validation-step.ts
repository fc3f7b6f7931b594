/**
 * The validation step of a live run: every `everyMs` (or on demand), the engine's live report as it
 * stands is compared with a replay of the scanner's own files over the live window; the verdict goes
 * into the run's state. One validation at a time; a failed one is logged, the run goes on.
 */
import { DolphinError } from '../../core/errors.js';
import type { ValidationState } from '../../feeds/live/paper-state.js';
import { parseReport } from '../../report/report-json.js';
import type { WorkerPool } from '../../workers/pool.js';
import { validateLive } from '../live-validation.js';

/** Options of ValidationStep. */
export interface ValidationStepOptions {
  /** Scanner folder and period; undefined: validateNow() refuses (no folder configured). */
  readonly validate?: { readonly scannerDir: string; readonly everyMs: number; readonly cacheRoot?: string };
  readonly pool?: WorkerPool;
  /** The live report as it stands (JSON), from the engine. */
  readonly snapshot: () => Promise<string>;
  /** A new verdict is in (publish the state). */
  readonly onVerdict: (v: ValidationState) => void;
  readonly log: (message: string) => void;
}

/** Periodic live-vs-replay validation. */
export class ValidationStep {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ValidationState> | null = null;
  /** The latest verdict, or null. */
  latest: ValidationState | null = null;

  constructor(private readonly o: ValidationStepOptions) {}

  /** Starts the period (no-op without a folder). */
  start(): void {
    const v = this.o.validate;
    if (!v) return;
    this.timer = setInterval(() => void this.now().catch((e: Error) => this.o.log(`validation failed: ${e.message}`)), v.everyMs);
  }

  /** Runs one validation now (joins the one running). */
  now(): Promise<ValidationState> {
    return (this.running ??= (async () => {
      try {
        const v = this.o.validate;
        if (!v) throw new DolphinError('USAGE', 'no --validate-against folder configured');
        const live = parseReport(await this.o.snapshot(), 'live snapshot');
        const r = await validateLive(live, { scannerDir: v.scannerDir, pool: this.o.pool, cacheRoot: v.cacheRoot, nowMs: Date.now() });
        this.latest = r.state;
        this.o.log(`validation against ${v.scannerDir}: ${r.state.verdict}${r.state.verdict === 'DIVERGED' || r.state.verdict === 'NOT_COMPARABLE' ? `\n${r.state.summary}` : ''}`);
        this.o.onVerdict(r.state);
        return r.state;
      } finally {
        this.running = null;
      }
    })());
  }

  /** Stops the period and waits for a validation in flight (its failure ignored). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }
}
