/** Atomic output files: written under a temporary name in the same folder, flushed, then renamed. */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileSystemError } from './path-checks.js';

let sequence = 0;

/** How hard a write tries to survive a power loss. */
export interface AtomicWriteOptions {
  /**
   * fsync before the rename (default true). The scanner's per-scan files pass false: the rename alone
   * keeps readers from ever seeing a partial file, and an fsync per scan would cost milliseconds.
   */
  readonly durable?: boolean;
}

/**
 * Writes `data` (one string or buffer, or buffers in order) to `path` so that a reader (or a later run) sees either the old file or the whole new
 * one, never a truncated one: a full disk, a kill or a crash mid-write leaves the previous file as it
 * was and no temporary file behind (best effort on a kill). A failure throws a coded error naming the
 * path, `flag` (the option that chose it) and what to do: a usage error (exit 2) when the path is a
 * folder or under a file, an I/O error (exit 1) for permissions, read-only mounts and full disks.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[], flag?: string, options: AtomicWriteOptions = {}): void {
  // dot-name: never read as data (names starting with '.' are skipped); pid + sequence: unique per writer
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${sequence++}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    if (typeof data === 'string' || data instanceof Uint8Array) writeFileSync(fd, data);
    else for (const chunk of data) for (let done = 0; done < chunk.length; ) done += writeSync(fd, chunk, done);
    if (options.durable !== false) fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    try {
      if (fd !== undefined) closeSync(fd);
      rmSync(tmp, { force: true });
    } catch {
      // the original failure is the one to report
    }
    throw fileSystemError(path, e, flag);
  }
}
