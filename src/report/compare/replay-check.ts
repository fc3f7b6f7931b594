/**
 * Checks an attribution by replay instead of trusting it: rebuild the other side's input from one side's
 * data folder (drop exactly the scans the other lacks; take the other's differing or extra scans from its
 * own folder when given; the other's config and factor records), run the same engine, and require the
 * other side's trades and open positions to come out exactly.
 */
import type { EngineConfig } from '../../core/config.js';
import { ScanStore, type ScanRowRef } from '../../core/scan-store.js';
import type { FactorRecord } from '../../core/trade.js';
import { factorRecordOfReport, type Report } from '../report.js';
import { jsonReplacer } from '../../core/json-replacer.js';
import { encodeScanLog } from '../scan-log.js';
import { scanLogOf, type InputDiff, type Side } from './comparability.js';

/** A data folder replayed by a ReplayRunner: its report and its scans. */
export interface ReplayedFolder {
  readonly dir: string;
  readonly report: Report;
  readonly store: ScanStore;
}

/**
 * How the check replays, passed in by the caller (`app/replay-input.ts` has the one implementation), so
 * that reports never depend on the loader or the engine's composition.
 */
export interface ReplayRunner {
  /** Backtests a data folder with a config. Throws when the folder does not load or replay. */
  replayFolder(dir: string, config: EngineConfig): Promise<ReplayedFolder>;
  /** Backtests rebuilt scans with a config and factor records, keeping the base folder's data quality. */
  replayScans(base: ReplayedFolder, store: ScanStore, config: EngineConfig, factors: readonly FactorRecord[]): Promise<Report>;
}

/** Outcome of the replay check. */
export interface Verification {
  /** verified: the replay reproduced the other side exactly; not-reproduced: it ran and did not; unverified: no replay possible. */
  readonly status: 'verified' | 'not-reproduced' | 'unverified';
  /** One sentence for humans. */
  readonly statement: string;
  /** The side whose data was replayed, and the side it had to reproduce. */
  readonly base?: Side;
  readonly target?: Side;
  readonly dataDir?: string;
  /** Scans removed from the base data, scans taken from the target's data. */
  readonly removed?: number;
  readonly substituted?: number;
  /** The rebuilt input's scan log equals the target's (timestamps and content hashes). */
  readonly inputMatchesScanLog?: boolean;
  /** Trades of the replay that differ from the target's (first few, as text). */
  readonly mismatches?: readonly string[];
  /** Everything tried, in order. */
  readonly log: readonly string[];
}

/** Data folders known for each side (flags, run.json, live journal). */
export interface DataDirs {
  readonly a?: string;
  readonly b?: string;
}

/** Factor records of a report, as the engine takes them. */
export function factorRecordsOf(r: Report): FactorRecord[] {
  return (r.factors ?? []).map(factorRecordOfReport);
}

/** JSON of what must be reproduced: the trades and open positions. */
function outcome(r: Report): string[] {
  return [...r.trades.map((t) => JSON.stringify(t, jsonReplacer)), ...(r.openPositions ?? []).map((p) => `open ${JSON.stringify(p, jsonReplacer)}`)];
}

function sameScanLog(x: Report['scanLog'], y: Report['scanLog']): boolean {
  const a = scanLogOf({ scanLog: x } as Report);
  const b = scanLogOf({ scanLog: y } as Report);
  if (!a || !b || a.ts.length !== b.ts.length) return false;
  for (let i = 0; i < a.ts.length; i++) if (a.ts[i] !== b.ts[i] || a.hash[i] !== b.hash[i]) return false;
  return true;
}

/** Loads a side's data folder and checks it holds the scans that side's report ran on. */
async function loadSide(runner: ReplayRunner, dir: string, r: Report, side: Side, log: string[]): Promise<ReplayedFolder | null> {
  let res: ReplayedFolder;
  try {
    res = await runner.replayFolder(dir, r.config as EngineConfig);
  } catch (e) {
    log.push(`cannot replay ${side}'s data folder ${dir}: ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
  if (!sameScanLog(res.report.scanLog, r.scanLog)) {
    log.push(`${side}'s data folder ${dir} does not hold the scans ${side}'s report ran on (${res.store.n} scans there, ${r.fingerprint.scans} in the report, or different content)`);
    return null;
  }
  log.push(`${side}'s data folder ${dir} holds exactly the ${r.fingerprint.scans} scans of ${side}'s report` + (outcome(res.report).join('\n') === outcome(r).join('\n') ? ' and replays to its trades' : ', but replaying it does not give its trades (engine differs?)'));
  return res;
}

/**
 * Tries to reproduce one side from the other side's data, fuller side first. Never throws for bad data:
 * the outcome says what was tried.
 */
export async function verifyByReplay(a: Report, b: Report, diff: InputDiff, dirs: DataDirs, runner: ReplayRunner | undefined): Promise<Verification> {
  const log: string[] = [];
  if (!diff.scanLogs) return { status: 'unverified', statement: 'unverified: a report has no scan log, so its input cannot be rebuilt', log };
  if (!dirs.a && !dirs.b) {
    return { status: 'unverified', statement: 'unverified: no data folder known for either side (pass --data-a/--data-b, or compare run folders with run.json)', log };
  }
  if (!runner) return { status: 'unverified', statement: 'unverified: no replay runner was given to replay the data folders', log };
  const loaded: Partial<Record<Side, ReplayedFolder | null>> = {};
  const load = async (side: Side): Promise<ReplayedFolder | null> => {
    const dir = side === 'A' ? dirs.a : dirs.b;
    if (!dir) return null;
    if (!(side in loaded)) loaded[side] = await loadSide(runner, dir, side === 'A' ? a : b, side, log);
    return loaded[side] ?? null;
  };
  // Fuller side first: removing scans needs only the fuller side's data.
  const order: Side[] = diff.allLackingInB.length >= diff.allLackingInA.length ? ['A', 'B'] : ['B', 'A'];
  let last: Verification | null = null;
  for (const base of order) {
    const target: Side = base === 'A' ? 'B' : 'A';
    const baseData = await load(base);
    if (!baseData) continue;
    const baseReport = base === 'A' ? a : b;
    const targetReport = base === 'A' ? b : a;
    const extra = target === 'A' ? diff.allLackingInB.length : diff.allLackingInA.length; // scans target has, base lacks
    const removed = base === 'A' ? diff.allLackingInB.length : diff.allLackingInA.length;
    const needTarget = extra + diff.contentDiffers.length;
    let targetData: ReplayedFolder | null = null;
    if (needTarget > 0) {
      targetData = await load(target);
      if (!targetData) {
        log.push(`replaying ${base}'s data cannot rebuild ${target}: ${target} has ${extra} scan(s) ${base} lacks and ${diff.contentDiffers.length} with different content, and ${target}'s data folder is not available`);
        continue;
      }
    }
    // Rebuild the target's input row by row from its scan log.
    const tl = scanLogOf(targetReport)!;
    const bl = scanLogOf(baseReport)!;
    const rows: ScanRowRef[] = [];
    let j = 0;
    let k = 0;
    for (let i = 0; i < tl.ts.length; i++) {
      while (j < bl.ts.length && bl.ts[j] < tl.ts[i]) j++;
      if (j < bl.ts.length && bl.ts[j] === tl.ts[i] && bl.hash[j] === tl.hash[i]) rows.push({ store: baseData.store, t: j });
      else {
        while (k < targetData!.store.n && targetData!.store.ts[k] < tl.ts[i]) k++;
        rows.push({ store: targetData!.store, t: k });
      }
    }
    const store = ScanStore.fromRows(rows);
    const inputMatchesScanLog = sameScanLog(encodeScanLog(store, store.n), targetReport.scanLog);
    const configKeys = Object.keys(targetReport.config).filter((key) => JSON.stringify((targetReport.config as unknown as Record<string, unknown>)[key]) !== JSON.stringify((baseReport.config as unknown as Record<string, unknown>)[key]));
    const factorsDiffer = diff.factorDiffs.length > 0;
    let replayed: Report;
    try {
      replayed = await runner.replayScans(baseData, store, targetReport.config as EngineConfig, factorRecordsOf(targetReport));
    } catch (e) {
      log.push(`replay of ${base}'s rebuilt input failed: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    const got = outcome(replayed);
    const want = outcome(targetReport);
    const mismatches: string[] = [];
    for (let i = 0; i < Math.max(got.length, want.length) && mismatches.length < 5; i++) {
      if (got[i] !== want[i]) mismatches.push(`#${i + 1}: replay ${got[i] ?? '(none)'} vs ${target} ${want[i] ?? '(none)'}`);
    }
    const how = [
      removed ? `removing the ${removed} scan(s) ${target} lacks from ${base}` : `replaying ${base}'s scans`,
      extra ? `adding the ${extra} scan(s) only ${target} has` : '',
      diff.contentDiffers.length ? `taking ${target}'s ${diff.contentDiffers.length} scan(s) with different content` : '',
      configKeys.length ? `with ${target}'s config (${configKeys.join(', ')})` : '',
      factorsDiffer ? `with ${target}'s factor records` : '',
    ]
      .filter(Boolean)
      .join(', ');
    const common = { base, target, dataDir: base === 'A' ? dirs.a : dirs.b, removed, substituted: needTarget, inputMatchesScanLog, log };
    if (!mismatches.length) {
      return { status: 'verified', statement: `verified by replay: ${how} reproduces ${target}'s trades exactly (${want.length} trades and open positions)`, mismatches, ...common };
    }
    log.push(`${how} did not reproduce ${target}: ${got.length} vs ${want.length} trades/positions, first difference ${mismatches[0]}`);
    last = { status: 'not-reproduced', statement: `not reproduced: ${how} does not give ${target}'s trades (${mismatches.length} difference(s) shown), so the attribution is unverified`, mismatches, ...common };
  }
  return last ?? { status: 'unverified', statement: `unverified: ${log.length ? log.join('; ') : 'no usable data folder'}`, log };
}
