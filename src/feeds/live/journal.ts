/**
 * The live journal: every accepted scan in the scan file format (scanner layout), the factor records with
 * the scan from which each took effect, the resolved config, and fills and trades as NDJSON, flushed per
 * scan. `dolphin backtest JOURNAL_DIR` replays it to the same PnL; a restarted run resumes from it.
 * Every write goes through a small file-system port (node:fs by default) and fails as a JournalError
 * naming the step, the file and what to do; a failed scan write leaves no file behind.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { CONFIG_KEYS, canonicalConfigJson, type EngineConfig } from '../../core/config.js';
import { ConfigError, JournalError } from '../../core/errors.js';
import { dayOf, dayToIso, type ScanRecord } from '../../core/scan.js';
import type { FactorRecord, Fill, Trade } from '../../core/trade.js';
import { DIR_CONFIG_FILE } from '../replay/scan-directory.js';
import { OneScanEncoder } from '../replay/one-scan-encoder.js';
import { jsonReplacer } from '../../core/json-replacer.js';
import { factorJournalLine } from '../../core/factor-record.js';

/** File names inside a journal folder. */
export const JOURNAL_FILES = {
  meta: 'journal.json',
  factors: 'factors.ndjson',
  fills: 'fills.ndjson',
  trades: 'trades.ndjson',
  config: DIR_CONFIG_FILE,
  /** Where the run is in the scan stream (a hint; timestamps decide). */
  position: 'stream-position.json',
  /** The run state, every second, when no Hazelcast member takes it (live --feed exchange without --hz). */
  state: 'state.json',
  /** Exclusive lock of the running live process (a dot-name: never read as data). */
  lock: '.live.lock',
} as const;

/** The file operations the journal uses (node:fs by default; tests inject faults through it). */
export interface JournalFs {
  mkdirSync(path: string): void;
  openSync(path: string, flags: string): number;
  writeSync(fd: number, data: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  appendFileSync(path: string, data: string): void;
  writeFileSync(path: string, data: string): void;
  unlinkSync(path: string): void;
}

/** node:fs as a JournalFs. */
export const nodeJournalFs: JournalFs = {
  mkdirSync: (p) => void fs.mkdirSync(p),
  openSync: (p, f) => fs.openSync(p, f),
  writeSync: (fd, d, o, l) => fs.writeSync(fd, d, o, l),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (a, b) => fs.renameSync(a, b),
  appendFileSync: (p, d) => fs.appendFileSync(p, d),
  writeFileSync: (p, d) => fs.writeFileSync(p, d),
  unlinkSync: (p) => fs.unlinkSync(p),
};

/** Journal file name of a scan: ordered by timestamp, unique per scan. */
export function journalScanName(scan: ScanRecord): string {
  return `scan_${scan.timestampNs.toString()}.arrow`;
}

/** What to do about an errno met while writing the journal. */
function advice(code: string | undefined): string {
  switch (code) {
    case 'EROFS':
    case 'EACCES':
    case 'EPERM':
      return 'the journal folder is read-only or not writable by this user: make it writable (or pass another --journal), then restart; the run resumes from the journal';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk holding the journal is full: free space, then restart; the run resumes from the journal';
    case 'ENOENT':
    case 'ENOTDIR':
      return 'the journal folder was removed or replaced while the run was writing it: restore it, or start a new --journal folder';
    default:
      return 'check the journal folder, then restart; the run resumes from the journal';
  }
}

/** The JournalError of a failed step. */
export function journalFault(dir: string, step: string, path: string, e: unknown): JournalError {
  const code = (e as NodeJS.ErrnoException).code;
  const msg = e instanceof Error ? e.message : String(e);
  return new JournalError(`journal ${dir}: could not ${step} (${path}): ${msg}. ${advice(code)}`);
}

/** Writes a journal folder; one instance per live run. */
export class JournalWriter {
  readonly dir: string;
  private readonly fs: JournalFs;
  /** Day folders known to exist (created or found) by this writer. */
  private readonly days = new Set<string>();
  private readonly durable: boolean;
  /** The bytes of encodeScans([scan]), from a template after the first scan of a universe. */
  private readonly encoder = new OneScanEncoder();

  /**
   * Creates the folder when missing. `durable`: fsync each scan file before it is renamed into place
   * (default true), so a journaled scan survives a machine crash, not only a process crash.
   */
  constructor(dir: string, options: { fs?: JournalFs; durable?: boolean } = {}) {
    this.dir = dir;
    this.fs = options.fs ?? nodeJournalFs;
    this.durable = options.durable ?? true;
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw journalFault(dir, 'create the journal folder', dir, e);
    }
  }

  /** Writes the resolved config, or checks it equals the one a resumed journal was written with. */
  writeOrCheckConfig(config: EngineConfig): void {
    const path = join(this.dir, JOURNAL_FILES.config);
    const json = `${JSON.stringify(JSON.parse(canonicalConfigJson(config)), null, 2)}\n`;
    if (fs.existsSync(path)) {
      const old = JSON.parse(fs.readFileSync(path, 'utf8')) as Record<string, unknown>;
      const differ = CONFIG_KEYS.filter((k) => JSON.stringify(old[k]) !== JSON.stringify(config[k]));
      if (differ.length) {
        throw new ConfigError([
          `journal ${this.dir} was written with another config (${differ.map((k) => `${k}: ${JSON.stringify(old[k])} -> ${JSON.stringify(config[k])}`).join(', ')}); resume with the same config or use a new --journal folder`,
        ]);
      }
      return;
    }
    this.step('write the config', path, () => this.fs.writeFileSync(path, json));
  }

  /** Writes run metadata (informational). */
  writeMeta(meta: Record<string, unknown>): void {
    const path = join(this.dir, JOURNAL_FILES.meta);
    this.step('write the run metadata', path, () => this.fs.writeFileSync(path, `${JSON.stringify(meta, jsonReplacer, 2)}\n`));
  }

  /**
   * Journals one accepted scan atomically (temp file, fsync, rename): a crash or a fault never leaves a
   * half-written scan file behind, and a failed write removes its temp file.
   * @throws JournalError naming the step and the file.
   */
  writeScan(scan: ScanRecord): void {
    const day = dayToIso(dayOf(scan.timestampNs));
    const folder = join(this.dir, day);
    if (!this.days.has(day)) {
      // not recursive: a journal folder that disappeared must fail, not be silently recreated empty
      this.step('create the day folder', folder, () => {
        try {
          this.fs.mkdirSync(folder);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
      });
      this.days.add(day);
    }
    const name = journalScanName(scan);
    const tmp = join(folder, `.${name}.tmp`);
    const bytes = this.encoder.encode(scan);
    let fd = -1;
    try {
      fd = this.step('create the scan file', tmp, () => this.fs.openSync(tmp, 'w'));
      this.step('write the scan file', tmp, () => {
        for (let off = 0; off < bytes.length; ) off += this.fs.writeSync(fd, bytes, off, bytes.length - off);
      });
      if (this.durable) this.step('sync the scan file', tmp, () => this.fs.fsyncSync(fd));
      const f = fd;
      fd = -1;
      this.step('close the scan file', tmp, () => this.fs.closeSync(f));
      this.step('rename the scan file into place', join(folder, name), () => this.fs.renameSync(tmp, join(folder, name)));
    } catch (e) {
      if (fd >= 0) ignore(() => this.fs.closeSync(fd));
      ignore(() => this.fs.unlinkSync(tmp));
      this.days.delete(day); // look at the folder again next time
      throw e;
    }
  }

  /** Journals factor records that took effect at a scan. */
  writeFactors(records: readonly FactorRecord[]): void {
    if (records.length) this.append('append factor records', JOURNAL_FILES.factors, records.map((r) => `${factorJournalLine(r)}\n`).join(''));
  }

  appendFills(fills: readonly Fill[]): void {
    if (fills.length) this.append('append fills', JOURNAL_FILES.fills, fills.map((f) => `${JSON.stringify(f, jsonReplacer)}\n`).join(''));
  }

  appendTrades(trades: readonly Trade[]): void {
    if (trades.length) this.append('append trades', JOURNAL_FILES.trades, trades.map((t) => `${JSON.stringify(t, jsonReplacer)}\n`).join(''));
  }

  /** Rewrites the derived NDJSON files (fills, trades) from a replay of the journal on resume. */
  rewriteDerived(fills: readonly Fill[], trades: readonly Trade[]): void {
    const p1 = join(this.dir, JOURNAL_FILES.fills);
    const p2 = join(this.dir, JOURNAL_FILES.trades);
    this.step('rewrite fills', p1, () => this.fs.writeFileSync(p1, fills.map((f) => `${JSON.stringify(f, jsonReplacer)}\n`).join('')));
    this.step('rewrite trades', p2, () => this.fs.writeFileSync(p2, trades.map((t) => `${JSON.stringify(t, jsonReplacer)}\n`).join('')));
  }

  /** Writes a small JSON file atomically (temp file, rename). */
  writeJsonAtomic(file: string, value: unknown, step: string): void {
    const path = join(this.dir, file);
    const tmp = join(this.dir, `.${file}.tmp`);
    try {
      this.step(step, tmp, () => this.fs.writeFileSync(tmp, `${JSON.stringify(value, jsonReplacer)}\n`));
      this.step(step, path, () => this.fs.renameSync(tmp, path));
    } catch (e) {
      ignore(() => this.fs.unlinkSync(tmp));
      throw e;
    }
  }

  /** The last factors line of a journal as the source would have seen it, to avoid re-applying it. */
  lastFactorsLine(): string | null {
    const p = join(this.dir, JOURNAL_FILES.factors);
    if (!fs.existsSync(p)) return null;
    const lines = fs.readFileSync(p, 'utf8').trim().split('\n').filter(Boolean);
    return lines.length ? lines[lines.length - 1] : null;
  }

  private append(step: string, file: string, text: string): void {
    const path = join(this.dir, file);
    this.step(step, path, () => this.fs.appendFileSync(path, text));
  }

  /** Runs one I/O step; an error becomes a JournalError naming the step and the file (once). */
  private step<T>(step: string, path: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof JournalError) throw e;
      throw journalFault(this.dir, step, path, e);
    }
  }
}

function ignore(fn: () => void): void {
  try {
    fn();
  } catch {
    // best effort (cleanup after a fault)
  }
}
