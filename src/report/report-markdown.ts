/** Markdown rendering of a report: the summary a trader reads in a terminal or a pull request. */
import type { Report } from './report.js';
import { executionMarkdown } from './execution-section.js';
import { dataQualityRows, fmtNum, fmtPct, fmtTs, mdTable, mdText } from './format.js';

/** Key figures as label/value pairs (also used for the CLI summary). */
export function summaryPairs(r: Report): [string, string][] {
  const m = r.metrics;
  return [
    ['Scans', `${r.fingerprint.scans} (${fmtTs(r.fingerprint.firstTs)} -> ${fmtTs(r.fingerprint.lastTs)} UTC)`],
    ['Trades', `${m.trades} (${fmtNum(m.tradesPerDay, 1)} / day)`],
    ['Final equity', `${fmtNum(m.finalEquity)} USDT (ROI ${fmtPct(m.roi)})`],
    ['Win rate', fmtPct(m.winRate, 1)],
    ['Profit factor', fmtNum(m.profitFactor, 3)],
    ['Expectancy', `${fmtNum(m.expectancy)} USDT / trade`],
    ['Max drawdown', fmtPct(m.maxDrawdown)],
    ['Sharpe / Sortino', `${fmtNum(m.sharpe, 2)} / ${fmtNum(m.sortino, 2)}`],
    ['CAGR / Calmar', `${fmtPct(m.cagr)} / ${fmtNum(m.calmar, 2)}`],
    ['Exposure', fmtPct(m.exposure, 1)],
    ['Fees', `${fmtNum(m.feesTotal)} USDT`],
    ['volThreshold', `${r.calibration.volThreshold.toPrecision(6)} (${r.calibration.mode}${r.calibration.mode === 'auto' ? `, in-sample: ${r.calibration.inSampleDays.join(', ')}` : ''})`],
  ];
}

/** Renders the whole report as Markdown. */
export function reportToMarkdown(r: Report): string {
  const out: string[] = [];
  out.push(`# DOLPHIN ${mdText(r.kind)} report`, '');
  out.push(mdTable(['metric', 'value'], summaryPairs(r)), '');
  const reasons = Object.values(r.metrics.nullReasons);
  if (reasons.length) out.push(`Not computed: ${mdText(reasons.join('; '))}.`, '');
  out.push('## Daily', '');
  out.push(
    mdTable(
      ['date', 'scans', 'closing equity', 'return', 'PnL', 'trades', 'ACB cut', 'in-sample'],
      r.daily.map((d) => [d.date, String(d.scans), fmtNum(d.closingEquity), fmtPct(d.return), fmtNum(d.pnl), String(d.tradesClosed), fmtPct(d.acbCut, 0), d.inSample ? 'yes' : '']),
    ),
    '',
  );
  const bd = (title: string, rows: typeof r.breakdowns.byAsset): void => {
    out.push(`## ${title}`, '');
    out.push(rows.length ? mdTable(['key', 'trades', 'wins', 'PnL', 'fees'], rows.map((b) => [b.key, String(b.trades), String(b.wins), fmtNum(b.pnl), fmtNum(b.fees)])) : 'No trades.', '');
  };
  bd('By exit reason', r.breakdowns.byReason);
  bd('By asset', r.breakdowns.byAsset);
  out.push('## Trades', '');
  out.push(
    r.trades.length
      ? mdTable(
          ['#', 'asset', 'entry (UTC)', 'exit (UTC)', 'entry', 'exit', 'qty', 'fees', 'PnL', 'reason'],
          r.trades.map((t, i) => [String(i + 1), t.asset, fmtTs(t.entryTs), fmtTs(t.exitTs), String(+t.entryPrice.toPrecision(8)), String(+t.exitPrice.toPrecision(8)), String(+t.qty.toPrecision(6)), fmtNum(t.fees), fmtNum(t.pnl), t.reason]),
        )
      : 'No trades.',
    '',
  );
  const dq = r.dataQuality;
  out.push('## Data quality', '');
  out.push(
    mdTable(
      ['item', 'value'],
      dataQualityRows(dq),
    ),
    '',
  );
  for (const f of dq.skippedFiles.slice(0, 20)) out.push(`- skipped ${mdText(f.source)}: ${mdText(f.reason)}`);
  for (const g of dq.gaps.slice(0, 20)) out.push(`- gap of ${fmtNum(g.seconds, 0)} s after ${fmtTs(g.fromTs)}`);
  for (const c of dq.conflicts.slice(0, 20)) out.push(`- conflicting rows at ${c.ts} dropped: ${mdText(c.sources.join(', '))}`);
  if (r.execution !== undefined) out.push('', executionMarkdown(r.execution));
  out.push('', '## Fingerprint', '', '```', JSON.stringify(r.fingerprint, null, 2), '```', '');
  return out.join('\n');
}
