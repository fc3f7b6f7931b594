/**
 * The replay loader: date folders come from the day cache when it is fresh, otherwise they are decoded
 * (on this thread or the pool, through `decode`) and written to the cache; then ordered and assembled.
 */
import { emptyDataQuality } from '../../core/data-quality.js';
import { ScanFormatError } from '../../core/errors.js';
import { DayCache, groupByFolder } from './day-cache.js';
import { FileBytes, decodeFile, decodeFileInto, finishReplay, requireScanFiles, type ReplayData } from './load-scan-directory.js';
import { shareBatch } from './shared-arrays.js';
import type { ScanBatch } from './scan-batch.js';
import { ScanBatchBuilder } from './scan-batch-builder.js';
import { TemplateDecoder } from './template-decoder.js';
import type { SourceProblem } from '../../core/data-quality.js';
import type { ScanFile } from './scan-directory.js';

/** Decodes a list of files (one folder), returning batches in file order and the skipped files. */
export type DecodeFn = (files: readonly ScanFile[], strict: boolean) => Promise<{ batches: ScanBatch[]; skipped: SourceProblem[] }>;

/** Files above this size hold many scans (daily files): decoded on their own, never copied into a builder. */
const MULTI_ROW_BYTES = 1 << 20;
/** Expected asset entries per scan file when sizing a task's columns (they grow past it). */
const ITEMS_PER_FILE = 64;

/**
 * Decodes files (of one folder) in order: small one-scan files into one builder (what decoding each file
 * and mergeBatches gives, each column allocated once), big multi-scan files each on their own. A bad file
 * is skipped and named (thrown when strict). `shared` puts the columns in SharedArrayBuffers (pool tasks).
 */
export function decodeFileList(files: readonly ScanFile[], strict: boolean, shared: boolean): { batches: ScanBatch[]; skipped: SourceProblem[] } {
  const skipped: SourceProblem[] = [];
  const batches: ScanBatch[] = [];
  const template = new TemplateDecoder();
  const small = files.filter((f) => f.size <= MULTI_ROW_BYTES);
  const out = new ScanBatchBuilder({ rows: small.length, items: small.length * ITEMS_PER_FILE, shared });
  const bytes = new FileBytes();
  for (const f of files) {
    try {
      if (f.size <= MULTI_ROW_BYTES) decodeFileInto(f, template, out, bytes);
      else batches.push(shared ? shareBatch(decodeFile(f, template)) : decodeFile(f, template));
    } catch (e) {
      if (strict || !(e instanceof ScanFormatError)) throw e;
      skipped.push({ source: e.source, reason: e.reason });
    }
  }
  const first = small[0]?.rel ?? '';
  const batch = out.result(first.includes('/') ? `${first.slice(0, first.lastIndexOf('/'))}/` : first);
  if (batch) batches.push(batch);
  return { batches, skipped };
}

/** Decodes on this thread. */
export const decodeSerial: DecodeFn = async (files, strict) => decodeFileList(files, strict, false);

/** Options of loadReplay. */
export interface LoadReplayOptions {
  readonly decode?: DecodeFn;
  /** Cache root; no caching when undefined. */
  readonly cacheRoot?: string;
  readonly strict?: boolean;
  /** Progress in files (cached folders count all their files at once). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Warnings (a corrupted cache file being rebuilt). */
  readonly onWarning?: (message: string) => void;
  /** Per-folder outcome, for `dolphin cache build`. */
  readonly onFolder?: (folder: string, status: 'hit' | 'built' | 'uncached', files: number) => void;
}

/** Loads a data folder through the cache; same ReplayData as loadScanDirectory, whatever was cached. */
export async function loadReplay(dir: string, o: LoadReplayOptions = {}): Promise<ReplayData> {
  const files = requireScanFiles(dir);
  const decode = o.decode ?? decodeSerial;
  const strict = Boolean(o.strict);
  const cache = o.cacheRoot ? new DayCache(o.cacheRoot, dir) : null;
  const dq = emptyDataQuality();
  const groups = [...groupByFolder(files)];
  const results: ScanBatch[][] = new Array(groups.length);
  let done = 0;
  const progress = (n: number): void => {
    done += n;
    o.onProgress?.(done, files.length);
  };
  await Promise.all(
    groups.map(async ([folder, fs], gi) => {
      if (cache && folder !== '') {
        const hit = cache.lookup(folder, fs);
        if (hit.status === 'corrupt') o.onWarning?.(`cache file for ${folder} is corrupt (${hit.reason}); rebuilding it from ${fs.length} scan files`);
        if (hit.status === 'hit') {
          if (strict && hit.record.skipped.length) throw new ScanFormatError(hit.record.skipped[0].source, hit.record.skipped[0].reason);
          results[gi] = [hit.batch];
          dq.filesRead += hit.record.filesRead;
          dq.skippedFiles.push(...hit.record.skipped);
          dq.malformedRows.push(...hit.record.malformed);
          dq.rowsRead += hit.record.malformed.length;
          progress(fs.length);
          o.onFolder?.(folder, 'hit', fs.length);
          return;
        }
      }
      const r = await decode(fs, strict);
      results[gi] = r.batches;
      dq.filesRead += fs.length - r.skipped.length;
      dq.skippedFiles.push(...r.skipped);
      if (cache && folder !== '') {
        const { record: rec, failure } = cache.write(folder, fs, r.batches, r.skipped);
        if (failure !== null) o.onWarning?.(`cache for ${folder}: ${failure}`);
        // Use exactly what a cached replay would see, so first and cached replays cannot differ.
        results[gi] = r.batches.map((b) => stripMalformed(b));
        dq.malformedRows.push(...rec.malformed);
        dq.rowsRead += rec.malformed.length;
        o.onFolder?.(folder, 'built', fs.length);
      } else o.onFolder?.(folder, 'uncached', fs.length);
      progress(fs.length);
    }),
  );
  return finishReplay(dir, files, results.flat(), dq);
}

/** A batch whose malformed rows were already recorded (the cache keeps them in its record). */
function stripMalformed(b: ScanBatch): ScanBatch {
  if (b.malformed.size === 0) return b;
  const keep: number[] = [];
  for (let r = 0; r < b.n; r++) if (!b.malformed.has(r)) keep.push(r);
  return selectRows(b, keep);
}

/** A batch of the given rows of b (with their original file and row kept). */
export function selectRows(b: ScanBatch, rows: readonly number[]): ScanBatch {
  const n = rows.length;
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + b.offsets[rows[i] + 1] - b.offsets[rows[i]];
  const symbolIds = new Int32Array(offsets[n]);
  const prices = new Float64Array(offsets[n]);
  rows.forEach((r, i) => {
    symbolIds.set(b.symbolIds.subarray(b.offsets[r], b.offsets[r + 1]), offsets[i]);
    prices.set(b.prices.subarray(b.offsets[r], b.offsets[r + 1]), offsets[i]);
  });
  const pick = <T extends Float64Array | BigInt64Array>(a: T, make: (k: number) => T): T => {
    const out = make(n);
    rows.forEach((r, i) => (out[i] = a[r]));
    return out;
  };
  return {
    source: b.source,
    n,
    ts: pick(b.ts, (k) => new BigInt64Array(k)),
    scanNumber: pick(b.scanNumber, (k) => new Float64Array(k)),
    timestampIso: rows.map((r) => b.timestampIso[r]),
    schemaVersion: rows.map((r) => b.schemaVersion[r]),
    velDiv: pick(b.velDiv, (k) => new Float64Array(k)),
    features: b.features.map((f) => pick(f, (k) => new Float64Array(k))),
    offsets,
    symbolIds,
    symbols: b.symbols,
    prices,
    malformed: new Map(),
    rowSource: rows.map((r) => (b.rowSource ? b.rowSource[r] : b.source)),
    rowIndex: Int32Array.from(rows, (r) => (b.rowIndex ? b.rowIndex[r] : r)),
  };
}
