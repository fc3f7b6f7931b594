/** Finds the scan files of a data folder: date folders of scanner files, daily files, or both. */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DataEmptyError } from '../../core/errors.js';

/** The config file a data or journal folder may hold (a journal's resolved live config). */
export const DIR_CONFIG_FILE = 'dolphin.config.json';

/** A data file found under the folder. */
export interface ScanFile {
  readonly path: string;
  /** Path relative to the data folder, with '/' separators (used in reports). */
  readonly rel: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Folders that hold other things than scans. */
const NOT_SCANS = new Set(['external_factors']);

/**
 * Lists *.arrow files in `dir` and its sub-folders (two levels), sorted by relative path. Names
 * starting with '.' are never read as data.
 */
export function listScanFiles(dir: string): ScanFile[] {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new DataEmptyError(`data folder ${dir} does not exist; pass a folder of Arrow scans (create one with: dolphin generate --out ${dir})`);
  }
  if (!st.isDirectory()) throw new DataEmptyError(`${dir} is not a folder; pass the folder that holds the YYYY-MM-DD/ scan folders`);
  const out: ScanFile[] = [];
  const walk = (d: string, depth: number): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (depth < 2 && !(depth === 0 && NOT_SCANS.has(e.name))) walk(p, depth + 1);
      } else if (e.isFile() && e.name.endsWith('.arrow')) {
        const s = statSync(p);
        out.push({ path: p, rel: relative(dir, p).split('\\').join('/'), size: s.size, mtimeMs: s.mtimeMs });
      }
    }
  };
  walk(dir, 0);
  out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return out;
}
