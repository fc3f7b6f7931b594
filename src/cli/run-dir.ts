/** Output folders of runs: --out or ./runs/<UTC timestamp>. */
import { join } from 'node:path';

/** The output folder of a run: `out`, or ./runs/<prefix>YYYYMMDD-HHMMSS-mmm. Creates nothing. */
export function runDirPath(out: string | undefined, prefix = ''): string {
  return out ?? join('runs', `${prefix}${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').slice(0, 19)}`);
}
