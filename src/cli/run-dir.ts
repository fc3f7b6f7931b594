/** Output folders of runs: --out or ./runs/<UTC timestamp>. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Creates and returns the output folder (default ./runs/YYYYMMDD-HHMMSS-mmm). */
export function makeRunDir(out: string | undefined, prefix = ''): string {
  const dir = out ?? join('runs', `${prefix}${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').slice(0, 19)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
