/** Worker task: decode a chunk of scan files (a day folder or part of one) into shared-memory batches. */
import { ScanFormatError } from '../core/errors.js';
import type { SourceProblem } from '../core/data-quality.js';
import { decodeFile } from '../feeds/replay/load-scan-directory.js';
import { TemplateDecoder } from '../feeds/replay/template-decoder.js';
import { mergeBatches, type ScanBatch } from '../feeds/replay/scan-batch.js';
import type { ScanFile } from '../feeds/replay/scan-directory.js';
import { toShared } from '../feeds/replay/shared-arrays.js';

/** Input: the files of one chunk. */
export interface DecodeFilesTask {
  readonly files: readonly ScanFile[];
  readonly strict: boolean;
}

/** Output: decoded batches (columns in shared memory, so nothing large is cloned back) and skipped files. */
export interface DecodeFilesResult {
  readonly batches: ScanBatch[];
  readonly skipped: SourceProblem[];
}

/** Moves a batch's columns to shared memory. */
export function shareBatch(b: ScanBatch): ScanBatch {
  return {
    ...b,
    ts: toShared(b.ts),
    scanNumber: toShared(b.scanNumber),
    velDiv: toShared(b.velDiv),
    features: b.features.map((f) => toShared(f)),
    offsets: toShared(b.offsets),
    symbolIds: toShared(b.symbolIds),
    prices: toShared(b.prices),
  };
}

/** Decodes every file of the task; a bad file is skipped and named (thrown when strict). */
export function decodeFiles(task: DecodeFilesTask): DecodeFilesResult {
  const batches: ScanBatch[] = [];
  const skipped: SourceProblem[] = [];
  // One template per task (a chunk of one folder): no state survives between tasks.
  const template = new TemplateDecoder();
  for (const f of task.files) {
    try {
      batches.push(decodeFile(f, template));
    } catch (e) {
      if (task.strict || !(e instanceof ScanFormatError)) throw e;
      skipped.push({ source: e.source, reason: e.reason });
    }
  }
  // One merged batch per task: one set of shared columns crosses the thread boundary, not one per file.
  const first = task.files[0]?.rel ?? '';
  const folder = first.includes('/') ? `${first.slice(0, first.lastIndexOf('/'))}/` : first;
  return { batches: batches.length > 1 ? [shareBatch(mergeBatches(batches, folder))] : batches.map(shareBatch), skipped };
}
