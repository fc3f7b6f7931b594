/** Worker task: decode a chunk of scan files (a day folder or part of one) into shared-memory batches. */
import { ScanFormatError } from '../core/errors.js';
import type { SourceProblem } from '../core/data-quality.js';
import { FileBytes, decodeFileInto } from '../feeds/replay/load-scan-directory.js';
import { TemplateDecoder } from '../feeds/replay/template-decoder.js';
import type { ScanBatch } from '../feeds/replay/scan-batch.js';
import { ScanBatchBuilder } from '../feeds/replay/scan-batch-builder.js';
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

/** Expected asset entries per scan file when sizing a task's columns (they grow past it). */
const ITEMS_PER_FILE = 64;

/**
 * Decodes files (of one folder) in order into one batch: what decoding each file and merging the batches
 * (mergeBatches) gives, with each column allocated once. A bad file is skipped and named (thrown when strict).
 */
export function decodeFileList(files: readonly ScanFile[], strict: boolean, shared: boolean): DecodeFilesResult {
  const skipped: SourceProblem[] = [];
  // One template per call (a chunk of one folder): no state survives between tasks.
  const template = new TemplateDecoder();
  const out = new ScanBatchBuilder({ rows: files.length, items: files.length * ITEMS_PER_FILE, shared });
  const bytes = new FileBytes();
  for (const f of files) {
    try {
      decodeFileInto(f, template, out, bytes);
    } catch (e) {
      if (strict || !(e instanceof ScanFormatError)) throw e;
      skipped.push({ source: e.source, reason: e.reason });
    }
  }
  // One batch per call: one set of shared columns crosses the thread boundary, not one per file.
  const first = files[0]?.rel ?? '';
  const folder = first.includes('/') ? `${first.slice(0, first.lastIndexOf('/'))}/` : first;
  const batch = out.result(folder);
  return { batches: batch ? [batch] : [], skipped };
}

/** Decodes every file of the task; a bad file is skipped and named (thrown when strict). */
export function decodeFiles(task: DecodeFilesTask): DecodeFilesResult {
  return decodeFileList(task.files, task.strict, true);
}
