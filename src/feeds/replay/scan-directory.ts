/** Finds the scan files of a data folder: date folders of scanner files, daily files, or both. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
 * A unit of the day cache: a folder of scan files (usually one UTC day of scanner files) or one file at
 * the top level (a daily file). Listing units stats folders and top-level files only; a folder's files
 * are stat-ed when `files()` is first called.
 */
export interface ScanUnit {
  /** Folder path ('2026-01-05', 'a/b') or top-level file name ('2026-01-05.arrow'), relative, '/'-separated. */
  readonly name: string;
  readonly kind: 'folder' | 'file';
  /** Relative paths of the unit's files, ascending. */
  readonly rels: readonly string[];
  /** mtime of the folder (changes when a file is added, removed or renamed into it) or of the file. */
  readonly mtimeMs: number;
  /** The unit's files with size and mtime. */
  files(): readonly ScanFile[];
}

const byRel = (a: { rel: string }, b: { rel: string }): number => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0);

/** A ScanFile from a stat of its path. */
function statFile(dir: string, rel: string): ScanFile {
  const path = join(dir, rel);
  const s = statSync(path);
  return { path, rel, size: s.size, mtimeMs: s.mtimeMs };
}

/**
 * Lists the scan units of `dir`: *.arrow files in it and its sub-folders (two levels), a folder's files
 * forming one unit, a top-level file its own; sorted by name. Names starting with '.' are never data.
 */
export function listScanUnits(dir: string): ScanUnit[] {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new DataEmptyError(`data folder ${dir} does not exist; pass a folder of Arrow scans (create one with: dolphin generate --out ${dir})`);
  }
  if (!st.isDirectory()) throw new DataEmptyError(`${dir} is not a folder; pass the folder that holds the YYYY-MM-DD/ scan folders`);
  const units: ScanUnit[] = [];
  const walk = (d: string, rel: string, depth: number): void => {
    const rels: string[] = [];
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (depth < 2 && !(depth === 0 && NOT_SCANS.has(e.name))) walk(join(d, e.name), childRel, depth + 1);
      } else if (e.isFile() && e.name.endsWith('.arrow')) {
        if (depth === 0) {
          const f = statFile(dir, childRel);
          units.push({ name: childRel, kind: 'file', rels: [childRel], mtimeMs: f.mtimeMs, files: () => [f] });
        } else rels.push(childRel);
      }
    }
    if (depth === 0 || rels.length === 0) return;
    rels.sort();
    let files: ScanFile[] | null = null;
    units.push({ name: rel, kind: 'folder', rels, mtimeMs: statSync(d).mtimeMs, files: () => (files ??= rels.map((r) => statFile(dir, r))) });
  };
  walk(dir, '', 0);
  return units.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Lists every *.arrow file of `dir` (see listScanUnits) with its size and mtime, sorted by relative path. */
export function listScanFiles(dir: string): ScanFile[] {
  return listScanUnits(dir)
    .flatMap((u) => u.files())
    .sort(byRel);
}

/** Groups scan files by their folder ('' for top-level files), in the files' order. */
export function groupFilesByFolder(files: readonly ScanFile[]): Map<string, ScanFile[]> {
  const m = new Map<string, ScanFile[]>();
  for (const f of files) {
    const i = f.rel.lastIndexOf('/');
    const folder = i < 0 ? '' : f.rel.slice(0, i);
    if (!m.has(folder)) m.set(folder, []);
    m.get(folder)!.push(f);
  }
  return m;
}
