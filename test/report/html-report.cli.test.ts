/**
 * `dolphin report` through the real CLI (dist/). Invariants: Markdown on stdout by default and with --md
 * (byte-equal to the golden), HTML and CSV files equal to the library's output, "written" lines on stdout
 * or, when stdout carries Markdown, on stderr; a missing, non-JSON or non-report file exits 2 naming it.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportToCsv } from '../../src/report/report-csv.js';
import { reportToHtml } from '../../src/report/report-html.js';
import { parseReport } from '../../src/report/report-json.js';
import { dolphin } from '../support/cli.js';
import { FIXTURES } from './fixtures/golden.js';

const REPORT = join(FIXTURES, 'report.json');
const golden = (name: string): string => readFileSync(join(FIXTURES, 'golden', name), 'utf8');
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-report-cli-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('dolphin report', () => {
  it('prints Markdown when no output flag is given', () => {
    const r = dolphin(['report', REPORT]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(golden('report.md'));
  });

  it('writes HTML and CSV and says where', () => {
    const html = join(root, 'out', 'nested', 'report.html');
    const csv = join(root, 'csv');
    const r = dolphin(['report', REPORT, '--html', html, '--csv', csv, '--title', 'Fixture <run>']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`written to ${html}`);
    expect(r.stdout).toContain(join(csv, 'trades.csv'));
    expect(r.stdout).not.toContain('# DOLPHIN');
    const report = parseReport(readFileSync(REPORT, 'utf8'), REPORT);
    expect(readFileSync(html, 'utf8')).toBe(reportToHtml(report, { title: 'Fixture <run>' }));
    expect(readFileSync(join(csv, 'trades.csv'), 'utf8')).toBe(reportToCsv(report).trades);
    expect(readFileSync(join(csv, 'daily.csv'), 'utf8')).toBe(golden('daily.csv'));
  });

  it('keeps stdout pure Markdown with --md plus files, and accepts a run folder', () => {
    const run = join(root, 'run');
    mkdirSync(run, { recursive: true });
    copyFileSync(REPORT, join(run, 'report.json'));
    const r = dolphin(['report', run, '--md', '--html', join(run, 'report.html')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(golden('report.md'));
    expect(r.stderr).toContain(`written to ${join(run, 'report.html')}`);
  });

  it('exits 2 naming a missing, non-JSON or non-report file', () => {
    const missing = join(root, 'nope', 'report.json');
    const bad = join(root, 'bad.json');
    const other = join(root, 'other.json');
    writeFileSync(bad, '{"schemaVersion": 1,');
    writeFileSync(other, '{"hello": "world"}');
    for (const f of [missing, bad, other]) {
      const r = dolphin(['report', f, '--html', join(root, 'never.html')]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(f);
      expect(r.stdout).toBe('');
    }
    expect(dolphin(['report']).code).toBe(2);
  });
});
