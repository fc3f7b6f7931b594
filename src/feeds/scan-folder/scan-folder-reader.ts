/** Reads a scan folder as one timestamp-ordered sequence of scan records (rescan, scanner restore). */
import type { SourceProblem } from '../../core/data-quality.js';
import { ScanFormatError } from '../../core/errors.js';
import type { ScanRecord } from '../../core/scan.js';
import { decodeFile } from '../replay/load-scan-directory.js';
import { batchRow, rowsEqual, type ScanBatch } from '../replay/scan-batch.js';
import { listScanFiles, type ScanFile } from '../replay/scan-directory.js';
import { TemplateDecoder } from '../replay/template-decoder.js';

/** The accepted scans of a folder in timestamp order, and what was left out on the way. */
export interface OrderedScans {
  readonly dir: string;
  readonly files: readonly ScanFile[];
  /** Accepted scans. */
  readonly count: number;
  /** timestamp_ns of accepted scan i. */
  ts(i: number): bigint;
  /** Accepted scan i as a record (allocates; features and prices are copies). */
  record(i: number): ScanRecord;
  /** Relative path of the file accepted scan i came from. */
  source(i: number): string;
  /** Files that could not be read or decoded (skipped, named). */
  readonly skippedFiles: readonly SourceProblem[];
  /** Malformed rows (skipped). */
  readonly malformedRows: number;
  /** Rows merged into an identical row with the same timestamp_ns. */
  readonly duplicates: number;
  /** Rows dropped because another row had the same timestamp_ns and other content. */
  readonly conflicts: number;
}

/**
 * Reads every scan file of `dir` (date folders and daily files; dot-names skipped) and orders the rows as
 * a replay does (STRATEGY.md 7): by timestamp_ns, malformed rows skipped, identical duplicates merged,
 * conflicting rows with the same timestamp dropped. Columns stay in their decoded batches; `record(i)`
 * builds one scan at a time. A file that does not decode is skipped (`strict`: thrown).
 */
export function readOrderedScans(dir: string, options: { readonly strict?: boolean } = {}): OrderedScans {
  const files = listScanFiles(dir);
  const template = new TemplateDecoder();
  const batches: ScanBatch[] = [];
  const skippedFiles: SourceProblem[] = [];
  let malformedRows = 0;
  const rb: number[] = [];
  const rr: number[] = [];
  const tsList: bigint[] = [];
  for (const f of files) {
    let b: ScanBatch;
    try {
      b = decodeFile(f, template);
    } catch (e) {
      if (options.strict || !(e instanceof ScanFormatError)) throw e;
      skippedFiles.push({ source: e.source, reason: e.reason });
      continue;
    }
    const bi = batches.push(b) - 1;
    for (let r = 0; r < b.n; r++) {
      if (b.malformed.has(r)) {
        malformedRows++;
        continue;
      }
      rb.push(bi);
      rr.push(r);
      tsList.push(b.ts[r]);
    }
  }
  const order = Array.from({ length: tsList.length }, (_, i) => i);
  order.sort((x, y) => (tsList[x] < tsList[y] ? -1 : tsList[x] > tsList[y] ? 1 : x - y));
  const keptB: number[] = [];
  const keptR: number[] = [];
  let duplicates = 0;
  let conflicts = 0;
  for (let i = 0; i < order.length; ) {
    let j = i + 1;
    while (j < order.length && tsList[order[j]] === tsList[order[i]]) j++;
    const first = order[i];
    let same = true;
    for (let q = i + 1; q < j && same; q++) same = rowsEqual(batches[rb[first]], rr[first], batches[rb[order[q]]], rr[order[q]]);
    if (same) {
      keptB.push(rb[first]);
      keptR.push(rr[first]);
      duplicates += j - i - 1;
    } else {
      conflicts += j - i;
    }
    i = j;
  }
  return {
    dir,
    files,
    count: keptB.length,
    ts: (i) => batches[keptB[i]].ts[keptR[i]],
    record: (i) => batchRow(batches[keptB[i]], keptR[i]),
    source: (i) => {
      const b = batches[keptB[i]];
      return b.rowSource ? b.rowSource[keptR[i]] : b.source;
    },
    skippedFiles,
    malformedRows,
    duplicates,
    conflicts,
  };
}
