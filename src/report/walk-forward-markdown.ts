/** Markdown sections of sweep.md for the walk-forward folds and the overfitting statistics. */
import { fmtNum, fmtPct, mdTable } from './format.js';
import type { WalkForwardResult } from './walk-forward-model.js';
import { overfittingReading, overridesText, walkForwardReading } from './walk-forward-readings.js';

/** The walk-forward and overfitting sections (deterministic: same result, same text). */
export function walkForwardMarkdown(r: WalkForwardResult): string {
  const parts: string[] = [];
  const w = r.walkForward;
  if (w) {
    const rows = w.folds.map((f) => [
      String(f.index + 1),
      `${f.trainDays[0]} .. ${f.trainDays[f.trainDays.length - 1]} (${f.trainDays.length})`,
      `${f.testDays[0]} .. ${f.testDays[f.testDays.length - 1]} (${f.testDays.length})`,
      overridesText(f.chosenOverrides),
      fmtNum(f.volThreshold, 8),
      fmtPct(f.inSample?.roi),
      fmtPct(f.outOfSample?.roi),
      String(f.inSample?.trades ?? '-'),
      String(f.outOfSample?.trades ?? '-'),
      fmtPct(f.isDailyReturn, 3),
      fmtPct(f.oosDailyReturn, 3),
    ]);
    const s = w.stitched;
    parts.push(
      `## Walk-forward (${w.mode}, ${w.folds.length} folds, chosen by ${w.rank})\n\n` +
        `volThreshold "auto" is calibrated on each fold's training days only; the chosen config then runs on the test days with that threshold.\n\n` +
        mdTable(['fold', 'training days', 'test days', 'chosen config', 'volThreshold', 'IS ROI', 'OOS ROI', 'IS trades', 'OOS trades', 'IS per day', 'OOS per day'], rows) +
        `\n\nStitched out-of-sample: ROI ${fmtPct(s?.roi)}, max drawdown ${fmtPct(s?.maxDrawdown)}, ${s?.trades ?? 0} trades, win rate ${fmtPct(s?.winRate)}, profit factor ${fmtNum(s?.profitFactor, 3)}, Sharpe ${fmtNum(s?.sharpe, 2)}${s?.sharpe === null ? ' (needs 14 daily rows and 10 trades)' : ''}.\n\n` +
        walkForwardReading(w).map((x) => `- ${x}`).join('\n') +
        '\n',
    );
  }
  const o = r.overfitting;
  const pb = o.pbo;
  const d = o.dsr;
  const figures = [
    ['PBO (CSCV)', pb ? fmtNum(pb.pbo, 3) : '-'],
    ['probability of out-of-sample loss', pb ? fmtNum(pb.probabilityOfLoss, 3) : '-'],
    ['mean logit', pb ? fmtNum(pb.meanLogit, 3) : '-'],
    ['degradation slope', pb ? fmtNum(pb.degradationSlope, 3) : '-'],
    ['deflated Sharpe ratio', d ? fmtNum(d.dsr, 3) : '-'],
    ['best hourly Sharpe / expected max of the trials', d ? `${fmtNum(d.sharpe, 4)} / ${fmtNum(d.expectedMaxSharpe, 4)}` : '-'],
    ['trials, hours, partitions', `${o.configs}, ${o.hours}, ${o.partitions}`],
  ];
  parts.push(`## Overfitting\n\n${mdTable(['statistic', 'value'], figures)}\n\n${overfittingReading(o).map((x) => `- ${x}`).join('\n')}\n`);
  return parts.join('\n');
}
