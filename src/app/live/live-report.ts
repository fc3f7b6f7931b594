/**
 * Writes a live run's reports at stop: report.json and report.md (plus report.shadow-<name>.json) into
 * the journal folder, or, when the journal folder cannot be written (read-only, gone, full), into a
 * fresh folder under the system's temp folder, so a run that ends on a journal fault still leaves its
 * report behind.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionReportSection } from '../../report/execution-section.js';
import { parseReport, reportToJson } from '../../report/report-json.js';
import { reportToHtml } from '../../report/report-html.js';
import { reportToMarkdown } from '../../report/report-markdown.js';
import type { Report } from '../../report/report.js';

/** Where the reports went. */
export interface WrittenReport {
  readonly report: Report;
  /** Folder holding report.json (the journal folder, or the fallback). */
  readonly dir: string;
  /** Why the journal folder could not take it (null when it did). */
  readonly fallbackReason: string | null;
}

function writeAll(dir: string, json: string, report: Report, shadows: readonly { name: string; json: string }[]): void {
  writeFileSync(join(dir, 'report.json'), json);
  writeFileSync(join(dir, 'report.md'), reportToMarkdown(report));
  if (report.execution !== undefined) writeFileSync(join(dir, 'report.html'), reportToHtml(report));
  for (const s of shadows) writeFileSync(join(dir, `report.shadow-${s.name}.json`), s.json);
}

/**
 * Parses the main report and writes all reports; never throws for an unwritable journal folder. With the
 * order mirror's `execution` section, it is added to the report and report.html is written too.
 */
export function writeLiveReports(journalDir: string, runId: string, mainJson: string, shadows: readonly { name: string; json: string }[], execution?: ExecutionReportSection): WrittenReport {
  const parsed = parseReport(mainJson, join(journalDir, 'report.json'));
  const report: Report = execution === undefined ? parsed : { ...parsed, execution };
  const json = execution === undefined ? mainJson : reportToJson(report);
  try {
    writeAll(journalDir, json, report, shadows);
    return { report, dir: journalDir, fallbackReason: null };
  } catch (e) {
    const reason = (e as Error).message;
    const safe = runId.replace(/[^A-Za-z0-9._-]/g, '_');
    mkdirSync(tmpdir(), { recursive: true });
    const dir = mkdtempSync(join(tmpdir(), `dolphin-live-${safe}-`));
    writeAll(dir, json, report, shadows);
    return { report, dir, fallbackReason: reason };
  }
}
