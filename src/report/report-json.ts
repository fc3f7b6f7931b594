/** Report JSON: stable key order, bigint as decimal strings, non-finite numbers as null. */
import { ReportError } from '../core/errors.js';
import { REPORT_SCHEMA_VERSION, type Report } from './report.js';
import { jsonReplacer } from '../core/json-replacer.js';

/** Serializes a report (2-space indented, trailing newline). */
export function reportToJson(report: Report): string {
  return `${JSON.stringify(report, jsonReplacer, 2)}\n`;
}

/** Parses and sanity-checks a report file's text; throws ReportError naming the source. */
export function parseReport(text: string, source: string): Report {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new ReportError(`${source} is not valid JSON (${(e as Error).message}); pass the report.json a backtest or live run wrote`);
  }
  const r = obj as Partial<Report>;
  if (typeof r !== 'object' || r === null || typeof r.schemaVersion !== 'number' || !r.fingerprint || !r.metrics || !Array.isArray(r.trades)) {
    throw new ReportError(`${source} is not a DOLPHIN report (missing schemaVersion, fingerprint, metrics or trades)`);
  }
  if (r.schemaVersion > REPORT_SCHEMA_VERSION) {
    throw new ReportError(`${source} has report schemaVersion ${r.schemaVersion}, newer than this dolphin reads (${REPORT_SCHEMA_VERSION}); upgrade dolphin`);
  }
  return r as Report;
}
