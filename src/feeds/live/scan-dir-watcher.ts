/** Watches a scanner folder (ARROW_DIR, its YYYY-MM-DD/ folders, external_factors/) by fs events plus polling. */
import { readdirSync, statSync, watch } from 'node:fs';
import type { Dirent, FSWatcher } from 'node:fs';
import { join, resolve } from 'node:path';

/** What a watched file holds. */
export type WatchedKind = 'scan' | 'factors';

/** One file as seen by a look at the folder. */
export interface WatchedFile {
  readonly path: string;
  /** Path relative to the data folder with '/' separators (used in messages). */
  readonly rel: string;
  readonly kind: WatchedKind;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Options of ScanDirWatcher. */
export interface ScanDirWatcherOptions {
  /** Date folders before this YYYY-MM-DD are ignored (and not watched). */
  readonly from?: string;
  /** Called when a file system event suggests something changed (debounce on the caller's side). */
  readonly onEvent?: () => void;
  /** Called when a watcher cannot be set up or fails (the poll still covers the folder). */
  readonly onWarning?: (message: string) => void;
}

const DATE_DIR = /^\d{4}-\d{2}-\d{2}$/;
const FACTORS_DIR = 'external_factors';
const FACTORS_FILE = /^\d{4}-\d{2}-\d{2}\.json$/;
/** Date folders re-listed on every poll whatever their mtime (mtime granularity on network mounts is coarse). */
const ALWAYS_RELIST = 2;

/**
 * Finds new and changed files in a scanner folder. fs.watch is not recursive on Linux, so ARROW_DIR,
 * each date folder and external_factors/ get a watcher of their own, added as folders appear; events
 * only mark paths or folders dirty. `look()` (called on events and on every poll) returns the files
 * worth a stat: names not seen before, paths named by events, top-level files and the factor files.
 * A folder is re-listed when events name it, its mtime changed, or it is one of the two newest date
 * folders, so a poll stays cheap on folders of thousands of files. Names starting with '.' are never
 * returned. The caller decides, by size and mtime, what is really new.
 */
export class ScanDirWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  /** Per folder (relative name, '' = root): names already returned, and the folder mtime when listed. */
  private readonly listed = new Map<string, { names: Set<string>; mtimeMs: number }>();
  private readonly dirtyPaths = new Set<string>();
  private readonly dirtyFolders = new Set<string>();
  private watching = false;

  /** The watched folder, resolved. */
  readonly dir: string;

  constructor(
    dir: string,
    private readonly options: ScanDirWatcherOptions = {},
  ) {
    this.dir = resolve(dir);
  }

  /** Starts the fs watchers on the folder and its current date and factor folders. */
  startWatching(): void {
    this.watching = true;
    this.watchFolder('');
    for (const e of this.readdir(this.dir)) {
      if (e.isDirectory() && this.wantedFolder(e.name)) this.watchFolder(e.name);
    }
  }

  /** Closes every watcher. */
  stopWatching(): void {
    this.watching = false;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** Every file under the folder now (scan and factor files), and remembers them as listed. */
  listAll(): WatchedFile[] {
    return this.collect(true);
  }

  /** Files that may be new or changed since the last look (see the class comment). */
  look(): WatchedFile[] {
    return this.collect(false);
  }

  /** Stats one path; undefined when it is gone or not a file. */
  static stat(path: string, rel: string, kind: WatchedKind): WatchedFile | undefined {
    try {
      const s = statSync(path);
      return s.isFile() ? { path, rel, kind, size: s.size, mtimeMs: s.mtimeMs } : undefined;
    } catch {
      return undefined;
    }
  }

  private wantedFolder(name: string): boolean {
    if (name === FACTORS_DIR) return true;
    return DATE_DIR.test(name) && (this.options.from === undefined || name >= this.options.from);
  }

  private readdir(path: string): Dirent[] {
    try {
      return readdirSync(path, { withFileTypes: true });
    } catch {
      return [];
    }
  }

  private collect(all: boolean): WatchedFile[] {
    const out: WatchedFile[] = [];
    const seen = new Set<string>();
    const add = (f: WatchedFile | undefined): void => {
      if (f !== undefined && !seen.has(f.path)) {
        seen.add(f.path);
        out.push(f);
      }
    };
    const dates: string[] = [];
    let factors = false;
    for (const e of this.readdir(this.dir)) {
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) {
        if (!this.wantedFolder(e.name)) continue;
        if (e.name === FACTORS_DIR) factors = true;
        else dates.push(e.name);
        if (this.watching && !this.watchers.has(e.name)) this.watchFolder(e.name);
      } else if (e.isFile() && e.name.endsWith('.arrow')) {
        // top-level (daily) files: few, and they may grow, so always stat them
        add(ScanDirWatcher.stat(join(this.dir, e.name), e.name, 'scan'));
      }
    }
    dates.sort();
    const always = new Set(dates.slice(-ALWAYS_RELIST));
    for (const d of dates) this.listFolder(d, 'scan', all || always.has(d), add);
    if (factors) this.listFolder(FACTORS_DIR, 'factors', true, add, true);
    for (const p of this.dirtyPaths) {
      const rel = p.slice(this.dir.length + 1).split('\\').join('/');
      const kind: WatchedKind = rel.startsWith(`${FACTORS_DIR}/`) ? 'factors' : 'scan';
      add(ScanDirWatcher.stat(p, rel, kind));
    }
    this.dirtyPaths.clear();
    this.dirtyFolders.clear();
    return out;
  }

  /**
   * Lists one folder when needed (forced, dirty, or mtime changed) and adds the names not returned
   * before; `statAll` adds every file (factor files may be rewritten in place).
   */
  private listFolder(name: string, kind: WatchedKind, force: boolean, add: (f: WatchedFile | undefined) => void, statAll = false): void {
    const path = join(this.dir, name);
    let mtimeMs: number;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      return;
    }
    const prev = this.listed.get(name);
    if (!force && prev !== undefined && prev.mtimeMs === mtimeMs && !this.dirtyFolders.has(name)) return;
    const names = prev?.names ?? new Set<string>();
    for (const e of this.readdir(path)) {
      if (e.name.startsWith('.') || !e.isFile()) continue;
      if (kind === 'scan' ? !e.name.endsWith('.arrow') : !FACTORS_FILE.test(e.name)) continue;
      if (!statAll && names.has(e.name)) continue;
      names.add(e.name);
      add(ScanDirWatcher.stat(join(path, e.name), `${name}/${e.name}`, kind));
    }
    this.listed.set(name, { names, mtimeMs });
  }

  /** Adds a watcher on the root ('') or a sub-folder; failures are warnings (the poll covers it). */
  private watchFolder(name: string): void {
    const path = name === '' ? this.dir : join(this.dir, name);
    let w: FSWatcher;
    try {
      w = watch(path, { persistent: false }, (_event, filename) => this.onFsEvent(name, filename === null ? null : String(filename)));
    } catch (e) {
      this.options.onWarning?.(`cannot watch ${path} (${(e as Error).message}); relying on polling`);
      return;
    }
    w.on('error', (e: Error) => {
      w.close();
      this.watchers.delete(name);
      // a folder deleted under us is not worth a warning
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'EPERM') {
        this.options.onWarning?.(`watcher on ${path} failed (${e.message}); relying on polling`);
      }
    });
    this.watchers.set(name, w);
    // files created before the watcher existed are found by listing the folder
    if (name !== '') this.dirtyFolders.add(name);
  }

  private onFsEvent(folder: string, filename: string | null): void {
    if (!this.watching) return;
    if (filename === null) {
      this.dirtyFolders.add(folder);
    } else if (!filename.startsWith('.')) {
      if (folder === '') {
        if (this.wantedFolder(filename)) {
          if (!this.watchers.has(filename)) this.watchFolder(filename);
          this.dirtyFolders.add(filename);
        } else if (filename.endsWith('.arrow')) {
          this.dirtyPaths.add(join(this.dir, filename));
        }
      } else if (folder === FACTORS_DIR ? FACTORS_FILE.test(filename) : filename.endsWith('.arrow')) {
        this.dirtyPaths.add(join(this.dir, folder, filename));
      }
    }
    this.options.onEvent?.();
  }
}
