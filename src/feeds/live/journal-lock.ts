/**
 * One live run per journal: an exclusive lock file in the journal folder holding the holder's pid, run
 * id, host and start time. It is created atomically with its content (written to a private temp file,
 * then hard-linked into place, which fails when a lock exists). A lock whose process is gone (same host,
 * pid not alive) is taken over; the takeover itself is serialized by a second exclusive file so two
 * starters never both remove a stale lock and both win.
 */
import { closeSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { JournalError } from '../../core/errors.js';
import { JOURNAL_FILES, journalFault } from './journal.js';

/** What a lock file says about its holder. */
export interface LockHolder {
  readonly pid: number;
  readonly runId: string;
  readonly host: string;
  readonly startedAt: string;
  /** Random token telling this holder's lock from a later one with the same pid. */
  readonly token: string;
}

/** A lock held by this process. */
export interface JournalLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Removes the lock if it is still ours. Idempotent, never throws. */
  release(): void;
}

/** Whether a process with this pid exists on this machine (EPERM: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): LockHolder | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof o.pid !== 'number' || typeof o.token !== 'string') return null;
    return { pid: o.pid, runId: String(o.runId ?? '?'), host: String(o.host ?? '?'), startedAt: String(o.startedAt ?? '?'), token: o.token };
  } catch {
    return null;
  }
}

/** Creates `path` holding `text` only if it does not exist (false when it does). */
function createExclusive(dir: string, path: string, text: string): boolean {
  const tmp = join(dir, `.lock-${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
  writeFileSync(tmp, text);
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
  }
}

/** Why the current holder keeps the lock, or null when the lock is stale and may be taken over. */
function liveHolder(path: string, holder: LockHolder | null, me: string): string | null {
  if (holder === null) {
    // unreadable: being written right now (link makes that impossible for our own locks) or damaged
    let ageMs = Infinity;
    try {
      ageMs = Date.now() - statSync(path).mtimeMs;
    } catch {
      return null;
    }
    return ageMs < 10_000 ? 'an unreadable lock file written less than 10 s ago' : null;
  }
  if (holder.host !== me) return `live run ${holder.runId} on host ${holder.host} (pid ${holder.pid}, since ${holder.startedAt}); if that host's run is gone, delete ${path}`;
  if (holder.pid === process.pid || pidAlive(holder.pid)) return `live run ${holder.runId} (pid ${holder.pid}, since ${holder.startedAt})`;
  return null;
}

/**
 * Takes the journal's lock for `runId`.
 * @throws JournalError naming the holder (pid, run id) when another live process uses the journal, or
 *   the step that failed when the folder cannot be written.
 */
export function acquireJournalLock(dir: string, runId: string, log?: (m: string) => void): JournalLock {
  const path = join(dir, JOURNAL_FILES.lock);
  const me = hostname();
  const holder: LockHolder = { pid: process.pid, runId, host: me, startedAt: new Date().toISOString(), token: Math.random().toString(36).slice(2) + Date.now().toString(36) };
  const text = `${JSON.stringify(holder)}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    let created: boolean;
    try {
      created = createExclusive(dir, path, text);
    } catch (e) {
      throw journalFault(dir, 'create the journal lock', path, e);
    }
    if (created) return lockOf(path, holder);
    const seen = readHolder(path);
    const why = liveHolder(path, seen, me);
    if (why !== null) throw new JournalError(`journal ${dir} is in use by ${why}: one live run per journal; stop it first, or pass another --journal folder`);
    if (takeOver(dir, path, seen)) log?.(`journal ${dir}: took over the lock of ${seen ? `run ${seen.runId} (pid ${seen.pid}, no longer running)` : 'a damaged lock file'}`);
  }
  throw new JournalError(`journal ${dir}: could not take the lock ${path} (other starters keep racing for it); retry`);
}

/** Removes a stale lock under the takeover guard; true when this call removed it. */
function takeOver(dir: string, path: string, seen: LockHolder | null): boolean {
  const guard = `${path}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw journalFault(dir, 'create the lock takeover guard', guard, e);
    // another starter is taking over; a guard left by a crash mid-takeover is old: remove it
    try {
      if (Date.now() - statSync(guard).mtimeMs > 10_000) unlinkSync(guard);
    } catch {
      // gone meanwhile
    }
    return false;
  }
  try {
    const now = readHolder(path);
    // still the same stale holder (no one took over and re-locked meanwhile)?
    if ((now === null && seen === null) || (now !== null && seen !== null && now.token === seen.token)) {
      unlinkSync(path);
      return true;
    }
    return false;
  } catch {
    return false;
  } finally {
    closeSync(fd);
    try {
      unlinkSync(guard);
    } catch {
      // already gone
    }
  }
}

function lockOf(path: string, holder: LockHolder): JournalLock {
  let held = true;
  return {
    path,
    holder,
    release() {
      if (!held) return;
      held = false;
      try {
        if (readHolder(path)?.token === holder.token) unlinkSync(path);
      } catch {
        // the folder is gone or read-only: nothing more to do
      }
    },
  };
}
