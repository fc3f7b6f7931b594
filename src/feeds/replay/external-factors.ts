/** Reads external_factors/YYYY-MM-DD.json of a data folder into factor records (in effect from the day's start). */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceProblem } from '../../core/data-quality.js';
import { DAY_NS, isoToDay } from '../../core/scan.js';
import { factorRecordFrom, factorRecordFromJournalLine } from '../../core/factor-record.js';
import type { FactorRecord } from '../../core/trade.js';

/** Kept for src/feeds/live/scan-bridge.ts (live area) until it imports the codec itself. */
export { factorRecordFrom };

/** Loads every external_factors/D.json; bad files are reported in `problems` and skipped. */
export function loadExternalFactors(dir: string, problems: SourceProblem[]): FactorRecord[] {
  const fdir = join(dir, 'external_factors');
  if (!existsSync(fdir)) return [];
  const out: FactorRecord[] = [];
  for (const name of readdirSync(fdir).sort()) {
    if (name.startsWith('.') || !name.endsWith('.json')) continue;
    const source = `external_factors/${name}`;
    const day = isoToDay(name.slice(0, -5));
    if (!Number.isFinite(day)) {
      problems.push({ source, reason: 'file name is not a YYYY-MM-DD date; skipped' });
      continue;
    }
    try {
      const obj: unknown = JSON.parse(readFactorFile(join(fdir, name)));
      out.push(factorRecordFrom(obj, day, BigInt(day) * DAY_NS));
    } catch (e) {
      problems.push({ source, reason: `${(e as Error).message}; skipped (the day counts as without factors)` });
    }
  }
  return out;
}

/** Largest external-factor file read (a day's record is a few hundred bytes). */
const MAX_FACTOR_FILE_BYTES = 1 << 16;

/** A factor file's text; a FIFO, device or folder (a read could block forever) or an oversized file is refused. */
function readFactorFile(path: string): string {
  const st = statSync(path);
  if (!st.isFile()) throw new Error('is not a regular file');
  if (st.size > MAX_FACTOR_FILE_BYTES) throw new Error(`is ${st.size} bytes, more than ${MAX_FACTOR_FILE_BYTES}`);
  return readFileSync(path, 'utf8');
}

/** Journal folders: factors.ndjson lines, each in effect from the scan that first saw it (live semantics). */
export function loadJournalFactors(dir: string, problems: SourceProblem[]): FactorRecord[] {
  const path = join(dir, 'factors.ndjson');
  if (!existsSync(path)) return [];
  const out: FactorRecord[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      const source = `factors.ndjson:${i + 1}`;
      try {
        out.push(factorRecordFromJournalLine(line));
      } catch (e) {
        problems.push({ source, reason: `${(e as Error).message}; skipped` });
      }
    });
  return out;
}
