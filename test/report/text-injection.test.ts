/**
 * Data strings in text outputs stay data. Invariants: a symbol, file name or reason holding Markdown,
 * HTML or line breaks never adds a table row or cell, a heading, a link or an HTML tag to report.md or a
 * compare's Markdown; a CSV text cell never starts with a formula character (OWASP CSV injection); and
 * the text still reads back (the escaped Markdown shows the original characters).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mdCode, mdTable, mdText } from '../../src/report/format.js';
import { csvField, reportToCsv } from '../../src/report/report-csv.js';
import { parseReport } from '../../src/report/report-json.js';
import { reportToMarkdown } from '../../src/report/report-markdown.js';
import type { Report } from '../../src/report/report.js';
import { FIXTURES } from './fixtures/golden.js';

const HOSTILE = [
  'EVIL|USDT',
  'X\n# Injected heading',
  '[click](javascript:alert(1))',
  '<img src=x onerror=alert(1)>',
  '`code` **bold**',
  'A\r\nB\u2028C',
  "=cmd|' /C calc'!A0",
];

/** The fixture report with every trade's asset and every skipped file replaced by hostile strings. */
function hostileReport(): Report {
  const r = parseReport(readFileSync(join(FIXTURES, 'report.json'), 'utf8'), 'fixtures/report.json') as unknown as Record<string, unknown> & Report;
  const trades = r.trades.map((t, i) => ({ ...t, asset: HOSTILE[i % HOSTILE.length]! }));
  const byAsset = HOSTILE.map((key) => ({ key, trades: 1, wins: 0, pnl: 1, fees: 0.1 }));
  const skippedFiles = HOSTILE.map((source) => ({ source, reason: `bad ${source}` }));
  return { ...r, trades, breakdowns: { ...r.breakdowns, byAsset }, dataQuality: { ...r.dataQuality, skippedFiles } } as Report;
}

/** Unescapes mdText output (backslash escapes) so the original text can be checked. */
const unescape = (s: string): string => s.replace(/\\(.)/g, '$1');

describe('Markdown escaping', () => {
  it('mdText keeps one line and escapes every character that opens markup or splits a cell', () => {
    for (const s of HOSTILE) {
      const e = mdText(s);
      expect(e).not.toMatch(/[\r\n\u2028\u2029]/);
      expect(e).not.toMatch(/(^|[^\\])[|[\]<`*]/);
      expect(unescape(e)).toBe(s.replace(/[\r\n\u2028]/g, ' '));
    }
  });

  it('a table row keeps its cell count whatever the cells hold', () => {
    const table = mdTable(['a', 'b'], HOSTILE.map((s) => [s, mdCode(s)]));
    const lines = table.split('\n');
    expect(lines).toHaveLength(2 + HOSTILE.length);
    for (const line of lines) expect(line.split(/(?<!\\)\|/).length - 2).toBe(2);
  });

  it('a code span holds backticks without closing early', () => {
    expect(mdCode('a`b').markup).toBe('``a`b``');
    expect(mdCode('`x').markup).toBe('`` `x ``');
  });

  it('report.md of a report with hostile symbols and file names has no injected heading, link, tag or row', () => {
    const r = hostileReport();
    const md = reportToMarkdown(r);
    const clean = reportToMarkdown(parseReport(readFileSync(join(FIXTURES, 'report.json'), 'utf8'), 'fixtures/report.json'));
    const headings = (s: string): string[] => s.split('\n').filter((l) => l.startsWith('#'));
    expect(headings(md)).toEqual(headings(clean));
    expect(md).not.toMatch(/(^|[^\\])\]\(javascript:/);
    expect(md).not.toMatch(/(^|[^\\])<img/);
    // every trade row of the trades table still has its 10 cells
    const tradeRows = md.split('\n').filter((l) => /^\| \d+ \| /.test(l));
    expect(tradeRows.length).toBeGreaterThanOrEqual(r.trades.length);
    for (const row of tradeRows.slice(-r.trades.length)) expect(row.split(/(?<!\\)\|/).length - 2).toBe(10);
    for (const s of HOSTILE) expect(md).toContain(mdText(s));
  });
});

describe('CSV formula injection', () => {
  it('neutralises text cells starting with = + - @ tab or CR and keeps numbers numeric', () => {
    expect(csvField("=cmd|' /C calc'!A0")).toBe(`"'=cmd|' /C calc'!A0"`);
    for (const lead of ['+', '-', '@', '\t', '\r']) expect(csvField(`${lead}SUM(A1)`).startsWith(`"'${lead}`)).toBe(true);
    expect(csvField(-12.5)).toBe('-12.5');
    expect(csvField('BTCUSDT')).toBe('BTCUSDT');
  });

  it('no cell of a hostile report\'s trades.csv starts with a formula character', () => {
    const csv = reportToCsv(hostileReport()).trades;
    const assetCells = csv.split('\r\n').slice(1, -1).map((l) => l.split(',')[1] ?? '');
    expect(assetCells.some((c) => c.startsWith(`"'=`))).toBe(true);
    for (const c of assetCells) expect(c).not.toMatch(/^[=+@\t\r]/);
  });
});
