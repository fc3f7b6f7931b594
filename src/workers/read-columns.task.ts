/** Worker task: read one day-cache unit's columns straight into the replay's shared columns (checksum verified). */
import { readColumnBody, type ColumnTarget, type OpenColumnFile } from '../feeds/replay/column-file.js';

/** Input: the unit's column file (header without its record) and where its rows go. */
export interface ReadColumnsTask {
  readonly file: OpenColumnFile<unknown>;
  readonly target: ColumnTarget;
}

/** Reads the body; a checksum mismatch or short file rejects with the reason. Returns the rows read. */
export function readColumns(task: ReadColumnsTask): number {
  readColumnBody(task.file, task.target);
  return task.file.header.n;
}
