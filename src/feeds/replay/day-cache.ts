/**
 * The day cache (DESIGN.md): per scan unit (a date folder of scanner files, or a daily file) one column
 * file outside the data folder holding the unit's assembled columns and its data-quality record, so a
 * cached replay reads columns instead of decoding files and reports exactly what the first one did.
 *
 * When a unit's cache is trusted:
 * - full key: every file's name, size and mtime match the ones the cache was built from (one stat per
 *   file). Always used for open days, for daily files, and by `cache build` and `cache verify`;
 * - listing key, for closed days only: the folder's mtime and its file names match. A day folder is
 *   closed when its name is a date at least two UTC days before now; the scanner no longer writes to it.
 *   Adding, removing or renaming a file changes the folder's mtime; a file rewritten in place under the
 *   same name does not, and only the full key (`dolphin cache verify`, `dolphin cache build`) sees it.
 * - always: the column file's header hash and body checksum (column-file.ts); a mismatch is reported
 *   and the unit rebuilt.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DataQuality, MalformedRow, SourceProblem, TimestampGroup } from '../../core/data-quality.js';
import { readColumnHeader, writeColumnFile, type DayColumns, type OpenColumnFile } from './column-file.js';
import type { ScanFile, ScanUnit } from './scan-directory.js';

/** Cache format; bump when what the readers accept or how a unit is assembled changes (3: column files; 4: with market returns and content hashes). */
const CACHE_FORMAT = 4;
const DAY_MS = 86_400_000;
const DATE_NAME = /^(?:.*\/)?(\d{4}-\d{2}-\d{2})$/;

/** Default cache root: $XDG_CACHE_HOME/dolphin, else ~/.cache/dolphin. */
export function defaultCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'dolphin');
}

/** What a unit's assembly recorded (its part of the replay's data quality). */
export interface DayRecord {
  readonly format: number;
  readonly unit: string;
  /** Full key (names, sizes, mtimes) and listing key (folder mtime, names). */
  readonly key: string;
  readonly listing: string;
  readonly filesRead: number;
  readonly rowsRead: number;
  readonly skipped: SourceProblem[];
  readonly malformed: MalformedRow[];
  readonly duplicatesDropped: number;
  readonly duplicates: TimestampGroup[];
  readonly conflictsDropped: number;
  readonly conflicts: TimestampGroup[];
  readonly invalidPrices: { readonly count: number; readonly byAsset: Record<string, number> };
}

/** A unit's column file as found in the cache. */
export type DayFile = OpenColumnFile<DayRecord>;

/** What a cache lookup found. */
export type CacheLookup =
  | { readonly status: 'hit'; readonly file: DayFile }
  | { readonly status: 'missing' | 'stale' }
  | { readonly status: 'corrupt'; readonly reason: string };

/** How hard a lookup checks the unit's files. */
export interface LookupOptions {
  /** Always compare every file's size and mtime (`cache build`, `cache verify`). */
  readonly full?: boolean;
  /** Now, in ms since the epoch (decides which day folders are closed). */
  readonly nowMs: number;
}

/** Whether a unit is a day folder closed at nowMs (see the module comment). */
export function isClosedDay(unit: ScanUnit, nowMs: number): boolean {
  const m = unit.kind === 'folder' ? DATE_NAME.exec(unit.name) : null;
  if (!m) return false;
  const start = Date.parse(`${m[1]}T00:00:00Z`);
  return Number.isFinite(start) && start + 2 * DAY_MS <= nowMs;
}

/** Cache of one data folder. */
export class DayCache {
  readonly dir: string;
  private readonly dataDir: string;

  constructor(root: string, dataDir: string) {
    this.dataDir = resolve(dataDir);
    this.dir = join(root, createHash('sha256').update(this.dataDir).digest('hex').slice(0, 16));
  }

  /** Full key of a unit's current files: path, names, sizes, mtimes. */
  keyFor(unit: ScanUnit, files: readonly ScanFile[]): string {
    const h = createHash('sha256').update(`${CACHE_FORMAT}\n${this.dataDir}\n${unit.name}\n`);
    for (const f of files) h.update(`${f.rel}\t${f.size}\t${f.mtimeMs}\n`);
    return h.digest('hex');
  }

  /** Listing key of a unit: its folder's mtime and file names (no stat of the files). */
  listingFor(unit: ScanUnit): string {
    const h = createHash('sha256').update(`${CACHE_FORMAT}\n${this.dataDir}\n${unit.name}\n${unit.mtimeMs}\n`);
    for (const r of unit.rels) h.update(`${r}\n`);
    return h.digest('hex');
  }

  /** Path of a unit's column file. */
  pathOf(unit: ScanUnit): string {
    return join(this.dir, `${unit.name.replace(/[^A-Za-z0-9._-]/g, '_')}.cols`);
  }

  /** Looks a unit up (header only; the body checksum is checked when the body is read). */
  lookup(unit: ScanUnit, o: LookupOptions): CacheLookup {
    const path = this.pathOf(unit);
    if (!existsSync(path)) return { status: 'missing' };
    let file: DayFile;
    try {
      file = readColumnHeader<DayRecord>(path);
    } catch (e) {
      return { status: 'corrupt', reason: `${path}: ${(e as Error).message}` };
    }
    const r = file.header.record;
    if (r?.format !== CACHE_FORMAT || r.unit !== unit.name) return { status: 'stale' };
    if (!o.full && isClosedDay(unit, o.nowMs) && r.listing === this.listingFor(unit)) return { status: 'hit', file };
    return r.key === this.keyFor(unit, unit.files()) ? { status: 'hit', file } : { status: 'stale' };
  }

  /**
   * Writes a unit's columns and its data-quality part (dq holds the unit's filesRead, rowsRead, skipped,
   * malformed, duplicates, conflicts and invalid prices). A failure costs speed next time, not this run.
   */
  write(unit: ScanUnit, cols: DayColumns, dq: DataQuality): { failure: string | null } {
    const record: DayRecord = {
      format: CACHE_FORMAT,
      unit: unit.name,
      key: this.keyFor(unit, unit.files()),
      listing: this.listingFor(unit),
      filesRead: dq.filesRead,
      rowsRead: dq.rowsRead,
      skipped: dq.skippedFiles,
      malformed: dq.malformedRows,
      duplicatesDropped: dq.duplicatesDropped,
      duplicates: dq.duplicates,
      conflictsDropped: dq.conflictsDropped,
      conflicts: dq.conflicts,
      invalidPrices: dq.invalidPrices,
    };
    const path = this.pathOf(unit);
    try {
      mkdirSync(this.dir, { recursive: true });
      writeColumnFile(path, cols, record, '--cache');
      return { failure: null };
    } catch (e) {
      rmSync(path, { force: true });
      return { failure: `${(e as Error).message}; this day is not cached` };
    }
  }

  /** Removes every cached file of this data folder. */
  clear(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
