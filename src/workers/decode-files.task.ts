/** Worker task: decode a chunk of scan files (a day folder or part of one) into shared-memory batches. */
import type { SourceProblem } from '../core/data-quality.js';
import { decodeFileList } from '../feeds/replay/load-replay.js';
import type { ScanBatch } from '../feeds/replay/scan-batch.js';
import type { ScanFile } from '../feeds/replay/scan-directory.js';

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

/** Decodes every file of the task; a bad file is skipped and named (thrown when strict). */
export function decodeFiles(task: DecodeFilesTask): DecodeFilesResult {
  return decodeFileList(task.files, task.strict, true);
}
