/**
 * Checks an attribution by replay instead of trusting it: rebuild the other side's input from one side's
 * data folder (drop exactly the scans the other lacks; take the other's differing or extra scans from its
 * own folder when given; the other's config and factor records), run the same engine, and require the
 * other side's trades and open positions to come out exactly.
 */
import { backtest, type BacktestResult } from '../../app/backtest.js';
import type { EngineConfig } from '../../core/config.js';
import { FEATURE_COUNT, isoToDay } from '../../core/scan.js';
import { ScanStore } from '../../core/scan-store.js';
import type { FactorRecord } from '../../core/trade.js';
import type { Report, ReportFactor } from '../report.js';
import { jsonReplacer } from '../report-json.js';
import { encodeScanLog } from '../scan-log.js';
import { scanLogOf, type InputDiff, type Side } from './comparability.js';

type ReplayData = BacktestResult['replay'];

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
  return (r.factors ?? []).map((f: ReportFactor) => {
    const rec: { -readonly [K in keyof FactorRecord]: FactorRecord[K] } = { day: isoToDay(f.date), effectiveFromNs: BigInt(f.effectiveFromNs) };
    if (f.fundingBtc !== null) rec.fundingBtc = f.fundingBtc;
    if (f.dvolBtc !== null) rec.dvolBtc = f.dvolBtc;
    if (f.fng !== null) rec.fng = f.fng;
    if (f.takerRatio !== null) rec.takerRatio = f.takerRatio;
    return rec;
  });
}

/** A row of some store. */
interface RowRef {
  readonly store: ScanStore;
  readonly t: number;
}

/**
 * Builds a store from rows of one or two stores (ascending timestamps). Symbols are the union, ascending,
 * keeping only those with a valid price in some selected row; day and bar of day are recomputed.
 */
export function storeFromRows(rows: readonly RowRef[]): ScanStore {
  const n = rows.length;
  const used = new Set<string>();
  for (const { store, t } of rows) for (let k = 0; k < store.symbols.length; k++) if (store.price(t, k) === store.price(t, k)) used.add(store.symbols[k]);
  const symbols = [...used].sort();
  const col = new Map(symbols.map((s, i) => [s, i]));
  const S = Math.max(1, symbols.length);
  const ts = new BigInt64Array(n);
  const scanNumber = new Float64Array(n);
  const velDiv = new Float64Array(n);
  const features = Array.from({ length: FEATURE_COUNT }, () => new Float64Array(n));
  const prices = new Float64Array(n * S).fill(NaN);
  const nAssets = new Int32Array(n);
  const maps = new Map<ScanStore, Int32Array>();
  rows.forEach(({ store, t }, i) => {
    let m = maps.get(store);
    if (!m) {
      m = Int32Array.from(store.symbols, (s) => col.get(s) ?? -1);
      maps.set(store, m);
    }
    ts[i] = store.ts[t];
    scanNumber[i] = store.scanNumber[t];
    velDiv[i] = store.velDiv[t];
    for (let f = 0; f < FEATURE_COUNT; f++) features[f][i] = store.features[f][t];
    for (let k = 0; k < store.symbols.length; k++) if (m[k] >= 0) prices[i * S + m[k]] = store.price(t, k);
    nAssets[i] = store.nAssets[t];
  });
  return ScanStore.fromColumns({ n, symbols, ts, scanNumber, velDiv, features, prices, nAssets });
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
async function loadSide(dir: string, r: Report, side: Side, log: string[]): Promise<ReplayData | null> {
  let res: BacktestResult;
  try {
    res = await backtest(dir, r.config as EngineConfig);
  } catch (e) {
    log.push(`cannot replay ${side}'s data folder ${dir}: ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
  if (!sameScanLog(res.report.scanLog, r.scanLog)) {
    log.push(`${side}'s data folder ${dir} does not hold the scans ${side}'s report ran on (${res.replay.store.n} scans there, ${r.fingerprint.scans} in the report, or different content)`);
    return null;
  }
  log.push(`${side}'s data folder ${dir} holds exactly the ${r.fingerprint.scans} scans of ${side}'s report` + (outcome(res.report).join('\n') === outcome(r).join('\n') ? ' and replays to its trades' : ', but replaying it does not give its trades (engine differs?)'));
  return res.replay;
}

/**
 * Tries to reproduce one side from the other side's data, fuller side first. Never throws for bad data:
 * the outcome says what was tried.
 */
export async function verifyByReplay(a: Report, b: Report, diff: InputDiff, dirs: DataDirs): Promise<Verification> {
  const log: string[] = [];
  if (!diff.scanLogs) return { status: 'unverified', statement: 'unverified: a report has no scan log, so its input cannot be rebuilt', log };
  if (!dirs.a && !dirs.b) {
    return { status: 'unverified', statement: 'unverified: no data folder known for either side (pass --data-a/--data-b, or compare run folders with run.json)', log };
  }
  const loaded: Partial<Record<Side, ReplayData | null>> = {};
  const load = async (side: Side): Promise<ReplayData | null> => {
    const dir = side === 'A' ? dirs.a : dirs.b;
    if (!dir) return null;
    if (!(side in loaded)) loaded[side] = await loadSide(dir, side === 'A' ? a : b, side, log);
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
    let targetData: ReplayData | null = null;
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
    const rows: RowRef[] = [];
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
    const store = storeFromRows(rows);
    const inputMatchesScanLog = sameScanLog(encodeScanLog(store, store.n), targetReport.scanLog);
    const configKeys = Object.keys(targetReport.config).filter((key) => JSON.stringify((targetReport.config as unknown as Record<string, unknown>)[key]) !== JSON.stringify((baseReport.config as unknown as Record<string, unknown>)[key]));
    const factorsDiffer = diff.factorDiffs.length > 0;
    let res: BacktestResult;
    try {
      res = await backtest(baseData.dir, targetReport.config as EngineConfig, { replay: { ...baseData, store, factors: factorRecordsOf(targetReport) } });
    } catch (e) {
      log.push(`replay of ${base}'s rebuilt input failed: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    const got = outcome(res.report);
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
