/** The rescan use case: recompute the eigen features of a scan folder from its prices, into a new folder. */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { MIN_RETURNS } from '../core/eigen/eigen-scanner.js';
import { ConfigError, DataEmptyError } from '../core/errors.js';
import { WINDOWS, type ScanRecord } from '../core/scan.js';
import { ScanFileWriter } from '../feeds/scan-folder/scan-file-writer.js';
import { readOrderedScans } from '../feeds/scan-folder/scan-folder-reader.js';
import { replayFeatures } from '../feeds/scan-folder/feature-replay.js';
import type { SourceProblem } from '../core/data-quality.js';

/** Longest window accepted by --windows (a week of 5 s scans is ~121k). */
export const MAX_WINDOW = 1_000_000;

/** Options of rescan. */
export interface RescanOptions {
  /** Scan folder to read (date folders and/or daily files, external_factors/). */
  readonly dir: string;
  /** New folder to write (must not exist or be empty; not inside `dir`). */
  readonly out: string;
  /** Window lengths of the four column slots (default 50, 150, 300, 750). */
  readonly windows?: readonly number[];
  /** A file that does not decode is fatal instead of skipped. */
  readonly strict?: boolean;
  /** Called every 1000 scans with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What rescan read and wrote. */
export interface RescanSummary {
  readonly scans: number;
  /** Universe segments: a scan listing a symbol outside the current universe starts a new feature stream. */
  readonly segments: number;
  readonly windows: readonly number[];
  readonly skippedFiles: readonly SourceProblem[];
  readonly malformedRows: number;
  readonly duplicates: number;
  readonly conflicts: number;
  readonly factorFiles: number;
  readonly firstTs: bigint | null;
  readonly lastTs: bigint | null;
}

/**
 * Parses `--windows 50,150,300,750`: exactly four integers in [MIN_RETURNS, MAX_WINDOW] (they fill the
 * column slots w50, w150, w300, w750 in order).
 * @throws ConfigError naming the flag and the value.
 */
export function parseWindows(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const ws = parts.map(Number);
  if (ws.length !== WINDOWS.length || ws.some((w) => !Number.isInteger(w) || w < MIN_RETURNS || w > MAX_WINDOW)) {
    throw new ConfigError([
      `--windows must be ${WINDOWS.length} comma-separated integers in [${MIN_RETURNS}, ${MAX_WINDOW}] (the slots ${WINDOWS.map((w) => `w${w}`).join(', ')}), was "${text}"`,
    ]);
  }
  return ws;
}

/** Checks `out` is a new or empty folder outside `dir`. */
function checkOut(dir: string, out: string): void {
  const d = resolve(dir);
  const o = resolve(out);
  const rel = relative(d, o);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    throw new ConfigError([`--out ${out} is ${rel === '' ? 'the input folder' : 'inside the input folder'} ${dir}; pick a folder outside it`]);
  }
  if (existsSync(o)) {
    if (!statSync(o).isDirectory()) throw new ConfigError([`--out ${out} exists and is not a folder; pick a new folder`]);
    if (readdirSync(o).length > 0) throw new ConfigError([`--out ${out} is not empty; pick a new folder (rescan never overwrites scans)`]);
  }
}

/**
 * Recomputes the 16 eigen features and vel_div of every accepted scan of `dir` from its prices with the
 * shared streaming scanner ({@link PriceFeatureStream}) and writes the scans, otherwise unchanged
 * (scan_number, timestamps, assets, prices), to `out` in the scanner layout; external factor files are
 * copied. Scans are taken in replay order (timestamp_ns, duplicates merged, conflicts dropped). The
 * stream continues across gaps and scanner restarts and starts anew when a scan lists a symbol outside
 * the current universe (a scan listing fewer symbols has invalid prices for the others). A folder written
 * by `dolphin scan` rescans to its own features bit for bit.
 */
export function rescan(o: RescanOptions): RescanSummary {
  const windows = o.windows ?? WINDOWS;
  checkOut(o.dir, o.out);
  const scans = readOrderedScans(o.dir, { strict: o.strict });
  if (scans.count === 0) {
    throw new DataEmptyError(`no valid scan in ${o.dir}: ${scans.files.length} file(s), ${scans.skippedFiles.length} skipped, ${scans.malformedRows} malformed row(s)`);
  }
  const writer = new ScanFileWriter(o.out);
  const { segments } = replayFeatures(scans, windows, (rec, features, velDiv, i) => {
    const out: ScanRecord = { ...rec, features, velDiv };
    writer.write(out);
    if ((i + 1) % 1000 === 0) o.onProgress?.(i + 1, scans.count);
  });
  const factorFiles = copyFactors(o.dir, o.out);
  return {
    scans: scans.count,
    segments,
    windows,
    skippedFiles: scans.skippedFiles,
    malformedRows: scans.malformedRows,
    duplicates: scans.duplicates,
    conflicts: scans.conflicts,
    factorFiles,
    firstTs: scans.ts(0),
    lastTs: scans.ts(scans.count - 1),
  };
}

/** Copies external_factors/*.json; returns the number of files copied. */
function copyFactors(dir: string, out: string): number {
  const from = join(dir, 'external_factors');
  if (!existsSync(from) || !statSync(from).isDirectory()) return 0;
  const to = join(out, 'external_factors');
  mkdirSync(to, { recursive: true });
  let n = 0;
  for (const name of readdirSync(from)) {
    if (name.startsWith('.') || !name.endsWith('.json')) continue;
    copyFileSync(join(from, name), join(to, name));
    n++;
  }
  return n;
}
