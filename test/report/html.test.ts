/**
 * HTML report (no browser): golden files for the Markdown and the HTML (inline chart script stripped) of
 * the fixture report, plus invariants: every text is escaped, the output is deterministic, the embedded
 * data is safe JSON, the reconstructed equity curve passes through initial capital + cumulative PnL at
 * each exit and each daily close, and downsampling keeps the extremes. UPDATE_GOLDEN=1 rewrites goldens.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CHART_SCRIPT } from '../../src/report/html/chart-script.js';
import { STYLE } from '../../src/report/html/html-parts.js';
import { downsampleIndexes, drawdownOf, plotSeries, reconstructEquity } from '../../src/report/html/equity-series.js';
import { reportToHtml } from '../../src/report/report-html.js';
import { parseReport } from '../../src/report/report-json.js';
import { reportToMarkdown } from '../../src/report/report-markdown.js';
import type { Report } from '../../src/report/report.js';
import { expectGolden, FIXTURES } from './fixtures/golden.js';

const fixtureText = readFileSync(join(FIXTURES, 'report.json'), 'utf8');
const fixture = (): Report => parseReport(fixtureText, 'fixtures/report.json');

/** The HTML without the chart script's code and the stylesheet (the browser test covers how they behave and look). */
function stripScript(html: string): string {
  expect(html).toContain(`<script>${CHART_SCRIPT}</script>`);
  expect(html).toContain(`<style>${STYLE}</style>`);
  return html.replace(`<script>${CHART_SCRIPT}</script>`, '<script>/* CHART_SCRIPT */</script>').replace(`<style>${STYLE}</style>`, '<style>/* STYLE */</style>');
}

function embeddedData(html: string): { eq: { t: number[]; e: number[]; dd: number[]; n: number; src: string }; tr: { en: number[] } } {
  const m = /<script type="application\/json" id="dolphin-data">([^<]*)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]);
}

describe('golden files of the fixture report', () => {
  it('Markdown', () => expectGolden('report.md', reportToMarkdown(fixture())));
  it('HTML without the inline script', () => expectGolden('report.html', stripScript(reportToHtml(fixture()))));
});

describe('reportToHtml', () => {
  it('is deterministic and self-contained (no external URL, no network fetch)', () => {
    const a = reportToHtml(fixture());
    expect(reportToHtml(fixture())).toBe(a);
    expect(a).not.toMatch(/\b(src|href)="(https?:)?\/\//);
    expect(a).not.toMatch(/@import|url\(http|fetch\(|XMLHttpRequest/);
    expect(a.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  it('escapes every text taken from the report', () => {
    const r = fixture();
    const evil = '</script><img src=x onerror=alert(1)>&"\'';
    const bad: Report = { ...r, trades: r.trades.map((t, i) => (i === 0 ? { ...t, asset: evil } : t)), dataQuality: { ...r.dataQuality, skippedFiles: [{ source: evil, reason: evil }] } };
    const html = reportToHtml(bad, { title: evil });
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;');
    // the embedded JSON cannot close its script element
    expect(html.match(/<\/script>/g)!.length).toBe(2);
    expect(embeddedData(html).tr.en.length).toBe(r.trades.length);
    // the fixture's own special characters (a conflicting file name) come out escaped
    expect(reportToHtml(r)).toContain('2026-01-07 &lt;copy&gt; &amp; &quot;old&quot;.arrow#12');
  });

  it('shows why a null metric is null, as a note and a tooltip', () => {
    const r = fixture();
    const reason = 'sharpe: fewer than 14 daily rows (3)';
    const html = reportToHtml({ ...r, metrics: { ...r.metrics, sharpe: null, nullReasons: { sharpe: reason } } });
    expect(html).toContain(`<div class="card" id="card-sharpe" title="${reason}"><div class="lbl">Sharpe</div><div class="val ">-</div>`);
    expect(html).toContain(`<div class="note">${reason}</div>`);
  });

  it('has every section and a sortable trade table with one row per trade', () => {
    const r = fixture();
    const html = reportToHtml(r);
    for (const id of ['summary', 'equity', 'daily', 'breakdowns', 'trades', 'data-quality', 'run']) expect(html).toContain(`<section id="${id}">`);
    const trades = /<table id="trades-table" class="sortable">[\s\S]*?<\/table>/.exec(html)![0];
    expect(trades.match(/<tr>/g)!.length).toBe(r.trades.length + 1);
    expect(html).toContain(r.fingerprint.scanHash);
    expect(html).toContain('<div id="equity-chart" data-source="reconstructed"');
  });

  it('ships a chart script that parses', () => {
    expect(() => new Script(CHART_SCRIPT)).not.toThrow();
  });

  it('plots a given per-scan series, downsampled to maxPoints with its extremes kept', () => {
    const r = fixture();
    const n = 50_000;
    const first = BigInt(r.fingerprint.firstTs!);
    const step = (BigInt(r.fingerprint.lastTs!) - first) / BigInt(n - 1);
    const ts = BigInt64Array.from({ length: n }, (_, i) => first + BigInt(i) * step);
    const equity = Float64Array.from({ length: n }, (_, i) => 25_000 + 2000 * Math.sin(i / 900) + (i === 31_337 ? -5000 : 0));
    const d = embeddedData(reportToHtml(r, { equity: { ts, equity }, maxPoints: 1000 })).eq;
    expect(d.src).toBe('scans');
    expect(d.n).toBe(n);
    expect(d.t.length).toBeLessThanOrEqual(1000);
    expect(d.t.length).toBeGreaterThan(600); // up to 3 per bucket (min, max, deepest drawdown), fewer where they coincide
    expect(Math.min(...d.e)).toBe(20_000 + Math.round(2000 * Math.sin(31_337 / 900) * 1e4) / 1e4);
    expect(Math.max(...d.dd)).toBeCloseTo(Math.max(...drawdownOf(equity)), 6);
    for (let i = 1; i < d.t.length; i++) expect(d.t[i]).toBeGreaterThanOrEqual(d.t[i - 1]);
  });
});

describe('equity reconstruction from report.json', () => {
  it('passes through initial capital, initial + cumulative PnL at every exit, and every daily close', () => {
    const r = fixture();
    const rec = reconstructEquity(r);
    expect(rec.ts[0]).toBe(BigInt(r.fingerprint.firstTs!));
    expect(rec.equity[0]).toBe(r.config.initialCapital);
    for (let i = 1; i < rec.ts.length; i++) expect(rec.ts[i] >= rec.ts[i - 1]).toBe(true);
    let cum = r.config.initialCapital;
    for (const t of r.trades) {
      cum += t.pnl;
      expect(rec.equity).toContain(cum);
    }
    for (const d of r.daily) expect(rec.equity).toContain(d.closingEquity);
    expect(rec.equity.at(-1)).toBeCloseTo(r.metrics.finalEquity, 6);
    expect(rec.ts.at(-1)).toBe(BigInt(r.fingerprint.lastTs!));
    const s = plotSeries(r);
    expect(s.source).toBe('reconstructed');
    expect(s.sourcePoints).toBe(1 + r.trades.length + r.daily.length);
  });

  it('is empty for a report without scans', () => {
    const r = fixture();
    const empty: Report = { ...r, fingerprint: { ...r.fingerprint, firstTs: null, lastTs: null, scans: 0 }, trades: [], daily: [] };
    expect(reconstructEquity(empty)).toEqual({ ts: [], equity: [] });
    expect(() => reportToHtml(empty)).not.toThrow();
  });
});

describe('downsampleIndexes', () => {
  it('keeps first, last, global min, max and deepest drawdown, ascending, within the cap', () => {
    const eq = Array.from({ length: 10_007 }, (_, i) => Math.cos(i / 37) * 100 + i / 50);
    const dd = drawdownOf(eq);
    const idx = downsampleIndexes(eq, dd, 500);
    expect(idx.length).toBeLessThanOrEqual(500);
    expect(idx[0]).toBe(0);
    expect(idx.at(-1)).toBe(eq.length - 1);
    for (let i = 1; i < idx.length; i++) expect(idx[i]).toBeGreaterThan(idx[i - 1]);
    const argOf = (xs: ArrayLike<number>, better: (a: number, b: number) => boolean): number => {
      let k = 0;
      for (let i = 1; i < xs.length; i++) if (better(xs[i], xs[k])) k = i;
      return k;
    };
    expect(idx).toContain(argOf(eq, (a, b) => a < b));
    expect(idx).toContain(argOf(eq, (a, b) => a > b));
    expect(idx).toContain(argOf(dd, (a, b) => a > b));
    expect(downsampleIndexes([1, 2, 3], [0, 0, 0], 500)).toEqual([0, 1, 2]);
  });
});
