/**
 * CSV export. Invariants: RFC 4180 (CRLF records, header row, quoting only where needed, quotes doubled);
 * parsing the CSV back gives one record per trade / daily row with the report's exact ns timestamps and
 * numbers; the ISO column names the same instant. Golden files for the fixture (UPDATE_GOLDEN=1 rewrites).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvDocument, csvField, isoNs, reportToCsv } from '../../src/report/report-csv.js';
import { parseReport } from '../../src/report/report-json.js';
import type { Report } from '../../src/report/report.js';
import { expectGolden, FIXTURES } from './fixtures/golden.js';

const fixture = (): Report => parseReport(readFileSync(join(FIXTURES, 'report.json'), 'utf8'), 'fixtures/report.json');

/** A strict RFC 4180 parser (the test's oracle): every record ends with CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
        else if (text[i] === '"') break;
        else if (i >= text.length) throw new Error('unterminated quote');
        else field += text[i++];
      }
      i++;
    } else while (i < text.length && text[i] !== ',' && text[i] !== '\r') field += text[i++];
    row.push(field);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) (rows.push(row), (row = []), (i += 2));
    else throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  return rows;
}

describe('reportToCsv', () => {
  it('matches the golden files', () => {
    const csv = reportToCsv(fixture());
    expectGolden('trades.csv', csv.trades);
    expectGolden('daily.csv', csv.daily);
  });

  it('round-trips trades and daily rows exactly', () => {
    const r = fixture();
    const csv = reportToCsv(r);
    const [head, ...rows] = parseCsv(csv.trades);
    expect(rows.length).toBe(r.trades.length);
    const col = (name: string): number => head.indexOf(name);
    rows.forEach((row, i) => {
      const t = r.trades[i];
      expect(row.length).toBe(head.length);
      expect(row[col('entry_ts_ns')]).toBe(t.entryTs);
      expect(row[col('exit_ts_ns')]).toBe(t.exitTs);
      expect(Date.parse(row[col('exit_time_utc')])).toBe(Number(BigInt(t.exitTs) / 1_000_000n));
      expect(Number(row[col('pnl')])).toBe(t.pnl);
      expect(Number(row[col('exit_price')])).toBe(t.exitPrice);
      expect(row[col('reason')]).toBe(t.reason);
    });
    const [dh, ...days] = parseCsv(csv.daily);
    expect(days.map((d) => d[dh.indexOf('date')])).toEqual(r.daily.map((d) => d.date));
    expect(days.map((d) => Number(d[dh.indexOf('closing_equity')]))).toEqual(r.daily.map((d) => d.closingEquity));
    expect(days.map((d) => d[dh.indexOf('day_start_utc')].slice(0, 10))).toEqual(r.daily.map((d) => d.date));
  });

  it('quotes fields with commas, quotes and line breaks, and leaves null/non-finite empty', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004');
    const doc = csvDocument(['k', 'v'], [['x,"y"', 'line\nbreak'], ['z', null]]);
    expect(doc).toBe('k,v\r\n"x,""y""","line\nbreak"\r\nz,\r\n');
    expect(parseCsv(doc)).toEqual([['k', 'v'], ['x,"y"', 'line\nbreak'], ['z', '']]);
  });

  it('writes nanosecond ISO timestamps', () => {
    expect(isoNs('1767571200000000001')).toBe('2026-01-05T00:00:00.000000001Z');
    expect(isoNs(1767571199999999999n)).toBe('2026-01-04T23:59:59.999999999Z');
    expect(isoNs(-1n)).toBe('1969-12-31T23:59:59.999999999Z');
  });

  it('writes header-only files for a run without trades', () => {
    const csv = reportToCsv({ ...fixture(), trades: [], daily: [] });
    expect(parseCsv(csv.trades)).toHaveLength(1);
    expect(parseCsv(csv.daily)).toHaveLength(1);
  });
});
