/** Progress on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise, nothing with --quiet. */

/** A progress reporter for one long task. */
export class Progress {
  private readonly label: string;
  private readonly unit: string;
  private readonly quiet: boolean;
  private readonly tty: boolean;
  private readonly start = performance.now();
  private lastDraw = 0;
  private done = false;

  constructor(label: string, unit: string, quiet = false) {
    this.label = label;
    this.unit = unit;
    this.quiet = quiet;
    this.tty = Boolean(process.stderr.isTTY);
  }

  /** Reports `n` of `total` units done, with an optional detail (running, failed, workers). */
  update(n: number, total: number, detail?: string): void {
    if (this.quiet || this.done) return;
    const now = performance.now();
    const finished = n >= total;
    if (!finished && now - this.lastDraw < (this.tty ? 100 : 5000)) return;
    this.lastDraw = now;
    const secs = (now - this.start) / 1000;
    const rate = secs > 0 ? n / secs : 0;
    const eta = rate > 0 ? (total - n) / rate : 0;
    const pct = total > 0 ? (100 * n) / total : 100;
    const stats = `${n}/${total} ${this.unit} ${fmtRate(rate)} ${this.unit}/s${finished ? ` in ${secs.toFixed(1)} s` : ` ETA ${eta.toFixed(0)} s`}${detail ? `, ${detail}` : ''}`;
    if (this.tty) {
      const width = 24;
      const fill = Math.round((width * pct) / 100);
      process.stderr.write(`\r${this.label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${pct.toFixed(0).padStart(3)}% ${stats}\x1b[K`);
      if (finished) process.stderr.write('\n');
    } else {
      process.stderr.write(`${this.label}: ${pct.toFixed(0)}% ${stats}\n`);
    }
    if (finished) this.done = true;
  }
}

function fmtRate(r: number): string {
  return r >= 1e6 ? `${(r / 1e6).toFixed(2)}M` : r >= 1e3 ? `${(r / 1e3).toFixed(1)}k` : r.toFixed(0);
}
