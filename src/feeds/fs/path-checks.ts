/**
 * Checks of the folders and files a command is pointed at, before any work: a data folder must be a
 * folder, an output folder must be creatable and writable, kernel trees (/proc, /sys, /dev) are refused,
 * and file-system errors become coded errors naming the path and what to do (no stack).
 */
import { accessSync, constants, mkdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { DolphinError, FileIoError, UsageError } from '../../core/errors.js';

/**
 * Kernel and device trees: their files are not data (reads can block forever, sizes lie) and Node's
 * recursive mkdir loops forever under /proc. /dev/shm is an ordinary RAM disk and stays allowed.
 */
const SPECIAL_TREES = ['/proc', '/sys', '/dev'];
const ALLOWED_UNDER_SPECIAL = ['/dev/shm'];

const within = (p: string, root: string): boolean => p === root || p.startsWith(root + sep);

/** The deepest existing ancestor of `abs` (itself when it exists), or null when none can be stat'ed. */
function existingAncestor(abs: string): { path: string; stats: Stats } | null {
  let p = abs;
  for (;;) {
    try {
      return { path: p, stats: statSync(p) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOTDIR: a part of the path is a file; go up to it and report it by name
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      const parent = dirname(p);
      if (parent === p) return null;
      p = parent;
    }
  }
}

/** Why `path` lies in /proc, /sys or /dev (symbolic links resolved), or null. */
export function specialTreeProblem(path: string): string | null {
  const abs = resolve(path);
  let real = abs;
  try {
    const anc = existingAncestor(abs);
    if (anc !== null) real = join(realpathSync(anc.path), relative(anc.path, abs));
  } catch {
    // unreadable ancestors are reported by the caller's own access
  }
  for (const p of new Set([abs, real])) {
    const tree = SPECIAL_TREES.find((t) => within(p, t));
    if (tree !== undefined && !ALLOWED_UNDER_SPECIAL.some((a) => within(p, a))) {
      return `${path} is under ${tree}, a kernel or device tree, not a place for data or reports`;
    }
  }
  return null;
}

const VERB: Record<string, string> = { mkdir: 'create', rename: 'write', open: 'open', write: 'write', scandir: 'list', read: 'read', stat: 'read', access: 'write to' };

/**
 * A coded error for a failed file-system call on `path`: a path that is a file where a folder is
 * needed (or the reverse) is a usage error (exit 2); permissions, read-only mounts and full disks are
 * I/O failures (exit 1). `flag` names the option that gave the path, for the message.
 */
export function fileSystemError(path: string, e: unknown, flag?: string): DolphinError {
  if (e instanceof DolphinError) return e;
  const err = e as NodeJS.ErrnoException;
  const via = flag ? ` (${flag})` : '';
  const verb = VERB[err.syscall ?? ''] ?? 'use';
  switch (err.code) {
    case 'ENOTDIR':
      return new UsageError(`${path}${via}: part of this path is a file, not a folder; pass a folder path`);
    case 'EISDIR':
      return new UsageError(`${path}${via} is a folder; pass a file name`);
    case 'EEXIST':
      return new UsageError(`${path}${via} exists and is not a folder; pass a folder path`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new FileIoError(path, `cannot ${verb} ${path}${via}: no space left on the device (${err.code}); free some space or choose a folder on another disk`);
    case 'EROFS':
      return new FileIoError(path, `cannot ${verb} ${path}${via}: the file system is read-only (EROFS); choose a folder on a writable disk`);
    case 'EACCES':
    case 'EPERM':
      return new FileIoError(path, `cannot ${verb} ${path}${via}: permission denied (${err.code}); choose a folder you may ${verb === 'list' || verb === 'read' ? 'read' : 'write'}`);
    default:
      return new FileIoError(path, `cannot ${verb} ${path}${via}: ${err.message ?? String(e)}`);
  }
}

/**
 * Checks that `dir` is an existing data folder outside the kernel trees; returns it. A missing path,
 * a file or a kernel tree is a usage error (exit 2) naming it. `what` introduces it in messages.
 */
export function requireDataDir(dir: string, what = 'data folder'): string {
  const special = specialTreeProblem(dir);
  if (special !== null) throw new UsageError(`${what} ${special}; pass a folder of Arrow scans`);
  let st: Stats;
  try {
    st = statSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsageError(`${what} ${dir} does not exist; pass a folder of Arrow scans (create one with: dolphin generate --out ${dir})`);
    }
    throw fileSystemError(dir, e);
  }
  if (!st.isDirectory()) throw new UsageError(`${what} ${dir} is not a folder; pass the folder that holds the YYYY-MM-DD/ scan folders or daily .arrow files`);
  return dir;
}

/**
 * Checks that `path` is a regular file (not a folder, FIFO, device or kernel file, whose reads can
 * block forever); returns it. Throws `make(message)` so each caller keeps its own error kind.
 */
export function requireRegularFile(path: string, what: string, make: (message: string) => DolphinError = (m) => new UsageError(m)): string {
  const special = specialTreeProblem(path);
  if (special !== null) throw make(`${what} ${special}`);
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw make(`cannot read ${what} ${path} (${code ?? (e as Error).message})`);
  }
  if (!st.isFile()) throw make(`${what} ${path} is ${st.isDirectory() ? 'a folder' : 'not a regular file (a FIFO, socket or device)'}; pass a regular file`);
  return path;
}

/**
 * Checks, without creating anything, that `dir` can become an output folder: not in a kernel tree,
 * no part of it a file, and its deepest existing part writable. Run it before long work, so a bad
 * --out fails in a second, not after the run.
 */
export function checkOutputDir(dir: string, flag: string): void {
  const special = specialTreeProblem(dir);
  if (special !== null) throw new UsageError(`${flag} ${special}; pass another folder`);
  let anc;
  try {
    anc = existingAncestor(resolve(dir));
  } catch (e) {
    throw fileSystemError(dir, e, flag);
  }
  if (anc === null) return;
  if (!anc.stats.isDirectory()) {
    throw new UsageError(anc.path === resolve(dir) ? `${flag} ${dir} is a file, not a folder; pass a folder path` : `${flag} ${dir}: ${anc.path} is a file, not a folder; pass a folder path`);
  }
  try {
    accessSync(anc.path, constants.W_OK);
  } catch (e) {
    throw fileSystemError(anc.path, Object.assign(e as Error, { syscall: 'access' }), flag);
  }
}

/**
 * Creates `dir` and its missing parents (one level at a time: Node's recursive mkdir loops forever
 * under /proc) after {@link checkOutputDir}; returns `dir`. Errors name the path and the flag.
 */
export function ensureOutputDir(dir: string, flag: string): string {
  checkOutputDir(dir, flag);
  const abs = resolve(dir);
  const missing: string[] = [];
  for (let p = abs; ; p = dirname(p)) {
    let st: Stats | undefined;
    try {
      st = statSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fileSystemError(p, e, flag);
    }
    if (st !== undefined) {
      if (!st.isDirectory()) throw new UsageError(`${flag} ${dir}: ${p} is a file, not a folder; pass a folder path`);
      break;
    }
    missing.push(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing.reverse()) {
    try {
      mkdirSync(p);
    } catch (e) {
      // created meanwhile by another process: fine when it is a folder
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(p).isDirectory()) continue;
      throw fileSystemError(p, e, flag);
    }
  }
  return dir;
}
