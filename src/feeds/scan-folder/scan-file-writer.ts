/** Writes scans in the scanner layout (one Arrow file per scan under YYYY-MM-DD/), atomically. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { dayOf, dayToIso, type ScanRecord } from '../../core/scan.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { OneScanEncoder } from '../replay/one-scan-encoder.js';

/** Scanner-style file name: scan_<number>_<YYYYMMDD>_<HHMMSS>_<ms>.arrow (unique across restarts). */
export function scanFileName(scan: ScanRecord): string {
  const iso = new Date(Number(scan.timestampNs / 1_000_000n)).toISOString();
  const stamp = `${iso.slice(0, 10).replace(/-/g, '')}_${iso.slice(11, 19).replace(/:/g, '')}_${iso.slice(20, 23)}`;
  return `scan_${String(scan.scanNumber).padStart(6, '0')}_${stamp}.arrow`;
}

/**
 * Scanner-layout writer: `ROOT/YYYY-MM-DD/scan_<number>_<stamp>.arrow`, one scan per file, written to a
 * dot-named temp file and renamed (readers skip dot-names, so they never see a partial scan).
 */
export class ScanFileWriter {
  readonly root: string;
  private lastDay = Number.NaN;
  /** The bytes of encodeScans([scan]), from a template after the first scan of a universe. */
  private readonly encoder = new OneScanEncoder();

  constructor(root: string) {
    this.root = root;
    mkdirSync(root, { recursive: true });
  }

  /** Writes one scan; returns its path relative to the root. */
  write(scan: ScanRecord): string {
    const day = dayToIso(dayOf(scan.timestampNs));
    const d = dayOf(scan.timestampNs);
    if (d !== this.lastDay) {
      mkdirSync(join(this.root, day), { recursive: true });
      this.lastDay = d;
    }
    const rel = `${day}/${scanFileName(scan)}`;
    writeFileAtomic(join(this.root, rel), this.encoder.encode(scan), undefined, { durable: false });
    return rel;
  }
}
