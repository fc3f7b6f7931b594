/**
 * The live journal: every accepted scan in the scan file format (scanner layout), the factor records with
 * the scan from which each took effect, the resolved config, and fills and trades as NDJSON, flushed per
 * scan. `dolphin backtest JOURNAL_DIR` replays it to the same PnL; a restarted run resumes from it.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_KEYS, canonicalConfigJson, type EngineConfig } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import { dayOf, dayToIso, type ScanRecord } from '../../core/scan.js';
import type { FactorRecord, Fill, Trade } from '../../core/trade.js';
import { DIR_CONFIG_FILE } from '../../app/config-files.js';
import { encodeScans } from '../replay/arrow-scan.codec.js';
import { jsonReplacer } from '../../report/report-json.js';

/** File names inside a journal folder. */
export const JOURNAL_FILES = {
  meta: 'journal.json',
  factors: 'factors.ndjson',
  fills: 'fills.ndjson',
  trades: 'trades.ndjson',
  config: DIR_CONFIG_FILE,
  /** Where the run is in the scan stream (a hint; timestamps decide). */
  position: 'stream-position.json',
  /** Exclusive lock of the running live process (a dot-name: never read as data). */
  lock: '.live.lock',
} as const;

/** A factor record as a journal line (ns as a decimal string). */
export function factorLine(f: FactorRecord): string {
  return JSON.stringify({
    date: dayToIso(f.day),
    effectiveFromNs: f.effectiveFromNs.toString(),
    funding_btc: f.fundingBtc ?? null,
    dvol_btc: f.dvolBtc ?? null,
    fng: f.fng ?? null,
    taker_ratio: f.takerRatio ?? null,
  });
}

/** Journal file name of a scan: ordered by timestamp, unique per scan. */
export function journalScanName(scan: ScanRecord): string {
  return `scan_${scan.timestampNs.toString()}.arrow`;
}

/** Writes a journal folder; one instance per live run. */
export class JournalWriter {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  /** Writes the resolved config, or checks it equals the one a resumed journal was written with. */
  writeOrCheckConfig(config: EngineConfig): void {
    const path = join(this.dir, JOURNAL_FILES.config);
    const json = `${JSON.stringify(JSON.parse(canonicalConfigJson(config)), null, 2)}\n`;
    if (existsSync(path)) {
      const old = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      const differ = CONFIG_KEYS.filter((k) => JSON.stringify(old[k]) !== JSON.stringify(config[k]));
      if (differ.length) {
        throw new ConfigError([
          `journal ${this.dir} was written with another config (${differ.map((k) => `${k}: ${JSON.stringify(old[k])} -> ${JSON.stringify(config[k])}`).join(', ')}); resume with the same config or use a new --journal folder`,
        ]);
      }
      return;
    }
    writeFileSync(path, json);
  }

  /** Writes run metadata (informational). */
  writeMeta(meta: Record<string, unknown>): void {
    writeFileSync(join(this.dir, JOURNAL_FILES.meta), `${JSON.stringify(meta, jsonReplacer, 2)}\n`);
  }

  /** Journals one accepted scan (atomic: a crash never leaves a half-written scan file behind). */
  writeScan(scan: ScanRecord): void {
    const folder = join(this.dir, dayToIso(dayOf(scan.timestampNs)));
    mkdirSync(folder, { recursive: true });
    const name = journalScanName(scan);
    const tmp = join(folder, `.${name}.tmp`);
    writeFileSync(tmp, encodeScans([scan]));
    renameSync(tmp, join(folder, name));
  }

  /** Journals factor records that took effect at a scan. */
  writeFactors(records: readonly FactorRecord[]): void {
    if (records.length) appendFileSync(join(this.dir, JOURNAL_FILES.factors), records.map((r) => `${factorLine(r)}\n`).join(''));
  }

  appendFills(fills: readonly Fill[]): void {
    if (fills.length) appendFileSync(join(this.dir, JOURNAL_FILES.fills), fills.map((f) => `${JSON.stringify(f, jsonReplacer)}\n`).join(''));
  }

  appendTrades(trades: readonly Trade[]): void {
    if (trades.length) appendFileSync(join(this.dir, JOURNAL_FILES.trades), trades.map((t) => `${JSON.stringify(t, jsonReplacer)}\n`).join(''));
  }

  /** Rewrites the derived NDJSON files (fills, trades) from a replay of the journal on resume. */
  rewriteDerived(fills: readonly Fill[], trades: readonly Trade[]): void {
    writeFileSync(join(this.dir, JOURNAL_FILES.fills), fills.map((f) => `${JSON.stringify(f, jsonReplacer)}\n`).join(''));
    writeFileSync(join(this.dir, JOURNAL_FILES.trades), trades.map((t) => `${JSON.stringify(t, jsonReplacer)}\n`).join(''));
  }

  /** The last factors line of a journal as the source would have seen it, to avoid re-applying it. */
  lastFactorsLine(): string | null {
    const p = join(this.dir, JOURNAL_FILES.factors);
    if (!existsSync(p)) return null;
    const lines = readFileSync(p, 'utf8').trim().split('\n').filter(Boolean);
    return lines.length ? lines[lines.length - 1] : null;
  }
}
