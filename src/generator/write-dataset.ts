/** Writes a generated market to disk in the scan file format: scanner layout (a file per scan) or daily files. */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { dayOf, dayToIso, type ScanRecord } from '../core/scan.js';
import { encodeScans } from '../feeds/replay/arrow-scan.codec.js';
import { writeFileAtomic } from '../feeds/fs/atomic-write.js';
import { scanFileName } from '../feeds/scan-folder/scan-file-writer.js';
import { generateFactors } from './factors.js';
import { generateScans, type MarketOptions } from './market.js';

/** Layout of a generated dataset. */
export type Layout = 'scanner' | 'daily';

/** Options of writeDataset: the market plus layout and file-level imperfections. */
export interface DatasetOptions extends MarketOptions {
  readonly out: string;
  readonly layout: Layout;
  /** Scanner layout: also write one scan twice under another file name. */
  readonly duplicateFile?: boolean;
  /** Called every ~1000 scans with the number written so far. */
  readonly onProgress?: (scans: number) => void;
}

// One file per scan: the rename keeps files whole; an fsync each would make generating a month take minutes.
const FAST = { durable: false } as const;

/** What writeDataset wrote. */
export interface DatasetSummary {
  readonly scans: number;
  readonly files: number;
  readonly days: readonly string[];
}

/** Generates and writes a dataset; deterministic: same options, byte-identical files. */
export function writeDataset(o: DatasetOptions): DatasetSummary {
  mkdirSync(o.out, { recursive: true });
  let scans = 0;
  let files = 0;
  const days: string[] = [];
  let dayBuf: ScanRecord[] = [];
  let curDay = Number.NaN;
  let duplicated = false;
  const flushDay = (): void => {
    if (dayBuf.length === 0) return;
    writeFileAtomic(join(o.out, `${dayToIso(curDay)}.arrow`), encodeScans(dayBuf, { dictionary: true }));
    files++;
    dayBuf = [];
  };
  for (const scan of generateScans(o)) {
    const d = dayOf(scan.timestampNs);
    if (d !== curDay) {
      if (o.layout === 'daily') flushDay();
      curDay = d;
      days.push(dayToIso(d));
      if (o.layout === 'scanner') mkdirSync(join(o.out, dayToIso(d)), { recursive: true });
    }
    if (o.layout === 'daily') dayBuf.push(scan);
    else {
      const path = join(o.out, dayToIso(d), scanFileName(scan));
      writeFileAtomic(path, encodeScans([scan]), undefined, FAST);
      files++;
      // One duplicated file a little into the second half of the first day, as a copying tool would leave it.
      if (o.duplicateFile && !duplicated && scans === 9000) {
        copyFileSync(path, path.replace(/\.arrow$/, '_copy.arrow'));
        files++;
        duplicated = true;
      }
    }
    scans++;
    if (scans % 1000 === 0) o.onProgress?.(scans);
  }
  if (o.layout === 'daily') flushDay();
  const fdir = join(o.out, 'external_factors');
  mkdirSync(fdir, { recursive: true });
  for (const f of generateFactors(o)) writeFileAtomic(join(fdir, `${f.date}.json`), `${JSON.stringify(f, null, 2)}\n`);
  return { scans, files, days };
}
