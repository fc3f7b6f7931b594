/** Plain-language readings of the walk-forward and overfitting figures, shared by sweep.md and sweep.html. */
import { DSR_SIGNIFICANCE } from '../core/overfitting/deflated-sharpe.js';
import { fmtNum, fmtPct } from './format.js';
import type { OverfittingSummary, WalkForwardSummary } from './walk-forward-model.js';

/** A config's overrides as `key=value` pairs ("(base)" without any). */
export function overridesText(o: Record<string, unknown> | null): string {
  if (o === null) return '-';
  return Object.entries(o).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ') || '(base)';
}

/** Sentences reading the walk-forward result. */
export function walkForwardReading(w: WalkForwardSummary): string[] {
  const out: string[] = [];
  const s = w.stitched;
  const testDays = w.folds.reduce((a, f) => a + f.testDays.length, 0);
  if (s) {
    out.push(`Out of sample, the configs chosen in sample returned ${fmtPct(s.roi)} over ${testDays} test day(s) (stitched: each test window compounds on the previous one), with ${s.trades} trade(s) and a maximum drawdown of ${fmtPct(s.maxDrawdown)}.`);
  } else out.push('No fold produced an out-of-sample run (no config could be calibrated or run on the training days).');
  if (w.efficiency !== null) {
    const e = w.efficiency;
    const verdict = e >= 0.5 ? 'most of the in-sample edge survived' : e > 0 ? 'a small part of the in-sample edge survived' : 'the in-sample edge did not survive out of sample';
    out.push(`Walk-forward efficiency ${fmtNum(e, 2)} (mean out-of-sample per-day return over mean in-sample per-day return of the chosen configs; 1 = no degradation): ${verdict}.`);
  }
  const changed = new Set(w.folds.map((f) => f.chosenKey)).size;
  out.push(`${changed} distinct config(s) were chosen over ${w.folds.length} fold(s)${changed > 1 ? ': the in-sample choice is not stable' : ''}.`);
  return out;
}

/** Sentences reading PBO and the deflated Sharpe ratio. */
export function overfittingReading(o: OverfittingSummary): string[] {
  const out: string[] = [];
  const p = o.pbo;
  if (p) {
    const splits = combinationsCount(o.partitions);
    const verdict = p.pbo < 0.25 ? 'the in-sample ranking mostly carries over out of sample' : p.pbo < 0.5 ? 'the in-sample winner is often not a winner out of sample' : 'picking the in-sample best is no better than chance: the sweep is overfit';
    out.push(`The best in-sample config ranks at or below the median out of sample in ${fmtPct(p.pbo, 0)} of ${splits} splits (PBO ${fmtNum(p.pbo, 3)}, CSCV over ${o.configs} configs x ${o.hours} hourly returns in ${o.partitions} blocks): ${verdict}.`);
    out.push(`Its out-of-sample Sharpe is negative in ${fmtPct(p.probabilityOfLoss, 0)} of the splits; regressed on the in-sample Sharpe over the splits, the out-of-sample Sharpe has slope ${fmtNum(p.degradationSlope, 2)} (1 = keeps its in-sample Sharpe, <= 0 = none of it carries over).`);
  }
  const d = o.dsr;
  if (d) {
    out.push(
      `The best config (${overridesText(d.overrides)}) has an hourly Sharpe of ${fmtNum(d.sharpe, 4)} over ${d.periods} hours; the best of ${d.trials} trials with Sharpe variance ${fmtNum(d.sharpeVariance, 6)} would reach ${fmtNum(d.expectedMaxSharpe, 4)} by luck alone. ` +
        `Deflated Sharpe ratio ${fmtNum(d.dsr, 3)}: ${d.significant ? `significant (>= ${DSR_SIGNIFICANCE}): its Sharpe is unlikely to be luck of the many trials` : `not significant (< ${DSR_SIGNIFICANCE}): its Sharpe is within what ${d.trials} trials give by chance`}.`,
    );
  }
  out.push(...o.notes);
  return out;
}

/** C(S, S/2). */
function combinationsCount(s: number): number {
  let c = 1;
  for (let i = 1; i <= s / 2; i++) c = (c * (s / 2 + i)) / i;
  return Math.round(c);
}
