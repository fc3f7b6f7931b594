/**
 * Maps a request path onto a file inside the served folder, or refuses it. Refused: anything that
 * decodes to a parent step (`..`, `%2e%2e`, `%2f`, `%5c`, double-encoded forms), an absolute or drive
 * path, NUL or control characters, dot-names (journal locks, temp files), and any symlink whose target
 * lies outside the folder. The folder's real path is compared with the file's real path.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

/** Why a path was refused (the server answers 403 or 404 with it; never echoes the path raw). */
export type Refusal = 'bad-encoding' | 'outside' | 'hidden' | 'missing';

/**
 * The decoded segments of a URL path, or a refusal. Decodes once; a '%' left after decoding (a
 * double-encoded request) is refused rather than decoded again. Pure.
 */
export function pathSegments(urlPath: string): { segments: string[] } | { refused: Refusal } {
  const raw = urlPath.split('?')[0] ?? '';
  const segments: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '') continue;
    let s: string;
    try {
      s = decodeURIComponent(part);
    } catch {
      return { refused: 'bad-encoding' };
    }
    if (s.includes('%')) return { refused: 'bad-encoding' };
    if (/[\u0000-\u001f\u007f/\\:]/.test(s)) return { refused: 'outside' };
    if (s === '..' || s === '.') return { refused: 'outside' };
    if (s.startsWith('.')) return { refused: 'hidden' };
    segments.push(s);
  }
  return { segments };
}

/**
 * The real path of `segments` inside `root`, or a refusal: 'outside' when it (or a symlink on the way)
 * resolves outside the real root, 'missing' when it does not exist.
 */
export function resolveInside(root: string, segments: readonly string[]): { path: string } | { refused: Refusal } {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return { refused: 'missing' };
  }
  const joined = join(realRoot, ...segments);
  if (!isInside(realRoot, joined)) return { refused: 'outside' };
  let real: string;
  try {
    real = realpathSync(joined);
  } catch {
    return { refused: 'missing' };
  }
  return isInside(realRoot, real) ? { path: real } : { refused: 'outside' };
}

/** Whether `p` is `root` or below it (both absolute, normalized). Pure. */
export function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
