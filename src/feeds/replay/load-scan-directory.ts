/** Loads a data folder into a ScanStore: list, decode, order, dedupe, assess (serial path). */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { emptyDataQuality, type DataQuality } from '../../core/data-quality.js';
import { DataEmptyError, DolphinError, ScanFormatError } from '../../core/errors.js';
import type { ScanStore } from '../../core/scan-store.js';
import { assessTimeline } from '../../core/timeline-quality.js';
import type { FactorRecord } from '../../core/trade.js';
import { decodeScans } from './arrow-scan.codec.js';
import { TemplateDecoder, decodeScanFile, decodeScanFileInto } from './template-decoder.js';
import type { ScanBatchBuilder } from './scan-batch-builder.js';
import { loadExternalFactors, loadJournalFactors } from './external-factors.js';
import type { ScanBatch } from './scan-batch.js';
import { assembleScans } from './scan-assembler.js';
import { listScanFiles, type ScanFile } from './scan-directory.js';

/** Options of loadScanDirectory. */
export interface LoadOptions {
  /** A bad file is fatal instead of skipped. */
  readonly strict?: boolean;
  /** Called after each file with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A loaded replay: the accepted scans, the factor records and what was dropped on the way. */
export interface ReplayData {
  readonly dir: string;
  readonly store: ScanStore;
  readonly factors: readonly FactorRecord[];
  readonly dataQuality: DataQuality;
  /**
   * From the day cache: every scan's market return m[t] and content hash, valid for `store` only (a
   * replay rebuilt with another store keeps this object, so users check `columnsOf`).
   */
  readonly cached?: CachedColumns;
}

/** Config-free columns the day cache keeps, and the store they belong to. */
export interface CachedColumns {
  readonly store: ScanStore;
  readonly market: Float64Array;
  readonly hashes: Uint32Array;
}

/** The cached columns of a replay when they belong to its store, else null. */
export function cachedColumnsOf(replay: ReplayData): CachedColumns | null {
  return replay.cached && replay.cached.store === replay.store ? replay.cached : null;
}

/**
 * Decodes one file, turning any failure into a ScanFormatError naming it. With a TemplateDecoder (one per
 * thread and load), one-scan files take the template fast path; anything else falls back to apache-arrow.
 */
export function decodeFile(file: ScanFile, template?: TemplateDecoder): ScanBatch {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file.path);
  } catch (e) {
    throw new ScanFormatError(file.rel, `cannot read file: ${(e as Error).message}`);
  }
  try {
    return template ? decodeScanFile(template, bytes, file.rel) : decodeScans(bytes, file.rel);
  } catch (e) {
    if (e instanceof DolphinError) throw e;
    throw new ScanFormatError(file.rel, `cannot decode: ${(e as Error).message}`);
  }
}

/** Reads whole files into one reused buffer (no per-file allocation); a view is valid until the next read. */
export class FileBytes {
  private buf = Buffer.allocUnsafe(64 * 1024);

  /** The file's bytes (throws like readFileSync when it cannot be read). */
  read(path: string): Uint8Array {
    const fd = openSync(path, 'r');
    try {
      let len = 0;
      for (;;) {
        if (len === this.buf.length) {
          const bigger = Buffer.allocUnsafe(this.buf.length * 2);
          this.buf.copy(bigger, 0, 0, len);
          this.buf = bigger;
        }
        const want = this.buf.length - len;
        const got = readSync(fd, this.buf, len, want, null);
        len += got;
        // A regular file reads short only at its end: no second read to see 0 bytes.
        if (got < want) break;
      }
      return this.buf.subarray(0, len);
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * Decodes one file into `out` (all its rows or none), like `out.appendBatch(decodeFile(file, template))`:
 * same ScanFormatError for a file that cannot be read or decoded. `bytes` reads through a reused buffer.
 */
export function decodeFileInto(file: ScanFile, template: TemplateDecoder, out: ScanBatchBuilder, bytes: FileBytes): void {
  let data: Uint8Array;
  try {
    data = bytes.read(file.path);
  } catch (e) {
    throw new ScanFormatError(file.rel, `cannot read file: ${(e as Error).message}`);
  }
  try {
    decodeScanFileInto(template, out, data, file.rel);
  } catch (e) {
    if (e instanceof DolphinError) throw e;
    throw new ScanFormatError(file.rel, `cannot decode: ${(e as Error).message}`);
  }
}

/** Finishes a replay from decoded batches (shared by the serial and the parallel loaders). */
export function finishReplay(dir: string, fileCount: number, batches: readonly ScanBatch[], dq: DataQuality): ReplayData {
  return finishStore(dir, fileCount, assembleScans(batches, dq), dq);
}

/** Finishes a replay from its assembled store: refuses an empty one, reads the factor records, assesses the timeline. */
export function finishStore(dir: string, fileCount: number, store: ScanStore, dq: DataQuality): ReplayData {
  requireScans(dir, fileCount, store.n, dq);
  const factors = readReplayFactors(dir, dq);
  assessTimeline(store, new Set(factors.map((f) => f.day)), dq);
  return { dir, store, factors, dataQuality: dq };
}

/** Throws DataEmptyError when no scan was accepted, saying what was read and skipped. */
export function requireScans(dir: string, fileCount: number, scans: number, dq: DataQuality): void {
  if (scans > 0) return;
  throw new DataEmptyError(`no valid scan in ${dir}: ${fileCount} file(s) read, ${dq.skippedFiles.length} skipped, ${dq.malformedRows.length} malformed row(s)` +
    (dq.skippedFiles[0] ? ` (first: ${dq.skippedFiles[0].source}: ${dq.skippedFiles[0].reason})` : ''));
}

/** The factor records of a data folder (external_factors/ and a journal's), problems noted in dq. */
export function readReplayFactors(dir: string, dq: DataQuality): FactorRecord[] {
  return [...loadExternalFactors(dir, dq.factorProblems), ...loadJournalFactors(dir, dq.factorProblems)];
}

/** Lists the data files of dir or throws DataEmptyError saying what was expected. */
export function requireScanFiles(dir: string): ScanFile[] {
  const files = listScanFiles(dir);
  if (files.length === 0) {
    throw new DataEmptyError(`no scan files (*.arrow) under ${dir}; expected YYYY-MM-DD/ folders of Arrow scans or daily .arrow files (make some with: dolphin generate --out ${dir} --days 3)`);
  }
  return files;
}

/** Loads every scan of a data folder on this thread. */
export function loadScanDirectory(dir: string, options: LoadOptions = {}): ReplayData {
  const files = requireScanFiles(dir);
  const dq: DataQuality = emptyDataQuality();
  const batches: ScanBatch[] = [];
  const template = new TemplateDecoder();
  for (let i = 0; i < files.length; i++) {
    try {
      batches.push(decodeFile(files[i], template));
      dq.filesRead++;
    } catch (e) {
      if (options.strict || !(e instanceof ScanFormatError)) throw e;
      dq.skippedFiles.push({ source: e.source, reason: e.reason });
    }
    options.onProgress?.(i + 1, files.length);
  }
  return finishReplay(dir, files.length, batches, dq);
}
