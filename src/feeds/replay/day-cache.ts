/**
 * The consolidated day cache (DESIGN.md): one Arrow file per date folder of scanner files, outside the
 * data folder, keyed by the folder's path and its files' names, sizes and mtimes, with the folder's
 * data-quality record beside it so a cached replay reports exactly what the first one did.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { MalformedRow, SourceProblem } from '../../core/data-quality.js';
import type { ScanRecord } from '../../core/scan.js';
import { decodeScans, encodeScans } from './arrow-scan.codec.js';
import { batchRow, fileOf, rowOf, type ScanBatch } from './scan-batch.js';
import type { ScanFile } from './scan-directory.js';

/**
 * Cache format version; bump when the cached layout or what the readers accept changes (2: strict Arrow
 * file check and scan-format bounds, null scan_number kept as null).
 */
const CACHE_FORMAT = 2;

/** Default cache root: $XDG_CACHE_HOME/dolphin, else ~/.cache/dolphin. */
export function defaultCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'dolphin');
}

/** The data-quality record of one cached folder. */
export interface DayRecord {
  readonly format: number;
  readonly folder: string;
  readonly key: string;
  readonly rows: number;
  readonly filesRead: number;
  readonly skipped: SourceProblem[];
  readonly malformed: MalformedRow[];
}

/** What a cache lookup found. */
export type CacheLookup =
  | { readonly status: 'hit'; readonly batch: ScanBatch; readonly record: DayRecord }
  | { readonly status: 'missing' | 'stale' }
  | { readonly status: 'corrupt'; readonly reason: string };

/** Groups scan files by their date folder; top-level files (already consolidated) get folder ''. */
export function groupByFolder(files: readonly ScanFile[]): Map<string, ScanFile[]> {
  const m = new Map<string, ScanFile[]>();
  for (const f of files) {
    const i = f.rel.lastIndexOf('/');
    const folder = i < 0 ? '' : f.rel.slice(0, i);
    if (!m.has(folder)) m.set(folder, []);
    m.get(folder)!.push(f);
  }
  return m;
}

/** Cache of one data folder. */
export class DayCache {
  readonly dir: string;
  private readonly dataDir: string;

  constructor(root: string, dataDir: string) {
    this.dataDir = resolve(dataDir);
    this.dir = join(root, createHash('sha256').update(this.dataDir).digest('hex').slice(0, 16));
  }

  /** Key of a folder's current files: path, names, sizes, mtimes. */
  keyFor(folder: string, files: readonly ScanFile[]): string {
    const h = createHash('sha256').update(`${CACHE_FORMAT}\n${this.dataDir}\n${folder}\n`);
    for (const f of files) h.update(`${f.rel}\t${f.size}\t${f.mtimeMs}\n`);
    return h.digest('hex');
  }

  private paths(folder: string): { arrow: string; json: string } {
    const safe = folder.replace(/[^A-Za-z0-9._-]/g, '_');
    return { arrow: join(this.dir, `${safe}.arrow`), json: join(this.dir, `${safe}.json`) };
  }

  /** Looks a folder up; a record or file that does not decode is 'corrupt' with the reason. */
  lookup(folder: string, files: readonly ScanFile[]): CacheLookup {
    const p = this.paths(folder);
    if (!existsSync(p.json) || !existsSync(p.arrow)) return { status: 'missing' };
    let record: DayRecord;
    try {
      record = JSON.parse(readFileSync(p.json, 'utf8')) as DayRecord;
    } catch (e) {
      return { status: 'corrupt', reason: `${p.json}: ${(e as Error).message}` };
    }
    if (record.format !== CACHE_FORMAT || record.key !== this.keyFor(folder, files)) return { status: 'stale' };
    try {
      const batch = decodeScans(readFileSync(p.arrow), `${folder}/`, { allowEmpty: true });
      if (batch.n !== record.rows || !batch.rowSource) throw new Error(`holds ${batch.n} rows, the record says ${record.rows}`);
      return { status: 'hit', batch, record };
    } catch (e) {
      return { status: 'corrupt', reason: `${p.arrow}: ${(e as Error).message}` };
    }
  }

  /** Writes a folder's decoded batches (well-formed rows, in file order) and its data-quality record. */
  write(folder: string, files: readonly ScanFile[], batches: readonly ScanBatch[], skipped: readonly SourceProblem[]): DayRecord {
    mkdirSync(this.dir, { recursive: true });
    const records: ScanRecord[] = [];
    const rowSource: string[] = [];
    const rowIndex: number[] = [];
    const malformed: MalformedRow[] = [];
    for (const b of batches) {
      for (let r = 0; r < b.n; r++) {
        const why = b.malformed.get(r);
        if (why !== undefined) {
          malformed.push({ source: fileOf(b, r), row: rowOf(b, r), reason: why });
          continue;
        }
        records.push(batchRow(b, r));
        rowSource.push(fileOf(b, r));
        rowIndex.push(rowOf(b, r));
      }
    }
    const record: DayRecord = {
      format: CACHE_FORMAT,
      folder,
      key: this.keyFor(folder, files),
      rows: records.length,
      filesRead: files.length - skipped.length,
      skipped: [...skipped],
      malformed,
    };
    const p = this.paths(folder);
    const tmp = `${p.arrow}.${process.pid}.tmp`;
    writeFileSync(tmp, encodeScans(records, { dictionary: true, rowSource, rowIndex: Int32Array.from(rowIndex) }));
    renameSync(tmp, p.arrow);
    writeFileSync(`${p.json}.${process.pid}.tmp`, `${JSON.stringify(record, null, 1)}\n`);
    renameSync(`${p.json}.${process.pid}.tmp`, p.json);
    return record;
  }

  /** Removes every cached file of this data folder. */
  clear(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
