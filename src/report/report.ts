/** The report model: everything a run produced, built from the engine's recorder (same for live and replay). */
import { createHash } from 'node:crypto';
import { canonicalConfigJson, type EngineConfig } from '../core/config.js';
import type { DataQuality } from '../core/data-quality.js';
import type { Engine } from '../core/engine.js';
import { factorRecordFromValues, factorValuesOf } from '../core/factor-record.js';
import { dayToIso, isoToDay } from '../core/scan.js';
import type { FactorRecord, Trade } from '../core/trade.js';
import { ENGINE_VERSION, STRATEGY_VERSION } from '../core/version.js';
import { dailyRows, type DailyRow, type RunSeries } from './daily.js';
import { computeMetrics, type Metrics } from './metrics.js';
import type { ExecutionReportSection } from './execution-section.js';
import { encodeScanLog, type ScanLog } from './scan-log.js';
import { sortTrades, tradeBreakdowns, type TradeBreakdowns } from './trade-stats.js';

/** Report JSON schema version (docs/report-schema.md). */
export const REPORT_SCHEMA_VERSION = 1;

/** Identifies what a report was computed from, so compare knows whether two reports are comparable. */
export interface Fingerprint {
  readonly engineVersion: string;
  readonly strategyVersion: number;
  readonly configHash: string;
  readonly firstTs: string | null;
  readonly lastTs: string | null;
  readonly scans: number;
  readonly scanHash: string;
}

/** A trade as written in the report (timestamps as decimal strings of nanoseconds). */
export type ReportTrade = Omit<Trade, 'entryTs' | 'exitTs'> & { readonly entryTs: string; readonly exitTs: string };

/** How volThreshold was obtained. */
export interface CalibrationInfo {
  readonly mode: 'auto' | 'config';
  readonly volThreshold: number;
  readonly sampleSize: number | null;
  readonly inSampleDays: readonly string[];
}

/** An open position at the end of a run (live, or closeAtEnd false). */
export interface ReportPosition {
  readonly asset: string;
  readonly entryTs: string;
  readonly entryPrice: number;
  readonly qty: number;
  readonly mark: number;
}

/** The full report; contains no wall-clock field, so equal inputs give byte-identical JSON. */
export interface Report {
  readonly schemaVersion: number;
  readonly kind: 'backtest' | 'live';
  readonly fingerprint: Fingerprint;
  readonly config: EngineConfig;
  readonly calibration: CalibrationInfo;
  readonly metrics: Metrics;
  readonly breakdowns: TradeBreakdowns;
  readonly trades: readonly ReportTrade[];
  readonly openPositions: readonly ReportPosition[];
  readonly daily: readonly DailyRow[];
  readonly dataQuality: DataQuality;
  /** Per-scan equity downsampled to at most EQUITY_CURVE_POINTS points (min/max per bucket), for charts. */
  readonly equityCurve: { readonly ts: readonly string[]; readonly equity: readonly number[] };
  /** External-factor records the run used, with the timestamp each took effect from. */
  readonly factors: readonly ReportFactor[];
  /** Every processed scan's timestamp and content hash, compactly (compare's attribution). */
  readonly scanLog: ScanLog;
  /** Paper vs venue fills of the order mirror (live --mirror only; absent otherwise). */
  readonly execution?: ExecutionReportSection;
}

/** A factor record as written in the report. */
export interface ReportFactor {
  readonly date: string;
  readonly effectiveFromNs: string;
  readonly fundingBtc: number | null;
  readonly dvolBtc: number | null;
  readonly fng: number | null;
  readonly takerRatio: number | null;
}

/** A factor record as the report writes it (the codec: core/factor-record.ts). */
export function reportFactorOf(f: FactorRecord): ReportFactor {
  return { date: dayToIso(f.day), effectiveFromNs: f.effectiveFromNs.toString(), ...factorValuesOf(f) };
}

/** A report's factor row back as the record the engine took. */
export function factorRecordOfReport(f: ReportFactor): FactorRecord {
  return factorRecordFromValues(f, isoToDay(f.date), BigInt(f.effectiveFromNs));
}

/** Points kept in report.equityCurve. */
export const EQUITY_CURVE_POINTS = 2000;

/** Min/max-per-bucket downsampling of an equity series, first and last points kept. */
export function downsampleEquity(ts: BigInt64Array, equity: Float64Array, maxPoints = EQUITY_CURVE_POINTS): { ts: string[]; equity: number[] } {
  const n = equity.length;
  const keep: number[] = [];
  if (n <= maxPoints) for (let i = 0; i < n; i++) keep.push(i);
  else {
    const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
    keep.push(0);
    for (let b = 0; b < buckets; b++) {
      const from = 1 + Math.floor(((n - 2) * b) / buckets);
      const to = 1 + Math.floor(((n - 2) * (b + 1)) / buckets);
      let lo = from;
      let hi = from;
      for (let i = from; i < to; i++) {
        if (equity[i] < equity[lo]) lo = i;
        if (equity[i] > equity[hi]) hi = i;
      }
      if (to > from) keep.push(Math.min(lo, hi), ...(lo !== hi ? [Math.max(lo, hi)] : []));
    }
    keep.push(n - 1);
  }
  return { ts: keep.map((i) => ts[i].toString()), equity: keep.map((i) => equity[i]) };
}

/** sha256 hex of the canonical config JSON. */
export function configHash(config: EngineConfig): string {
  return createHash('sha256').update(canonicalConfigJson(config)).digest('hex');
}

/** sha256 hex of the scan timestamps (8-byte little-endian each), in order. */
export function scanHash(ts: BigInt64Array, n: number): string {
  const view = new BigInt64Array(ts.buffer, ts.byteOffset, n);
  const bytes = new Uint8Array(view.buffer, view.byteOffset, n * 8);
  return createHash('sha256').update(bytes).digest('hex');
}

/** Inputs of buildReport besides the engine. */
export interface ReportInputs {
  readonly kind: 'backtest' | 'live';
  readonly calibration: CalibrationInfo;
  readonly inSampleDays: ReadonlySet<number>;
  readonly dataQuality: DataQuality;
  /** Content hashes of every scan (streamed replays: the store no longer holds the early rows). */
  readonly contentHashes?: Uint32Array;
  /** The scan log encoded ahead (encodeScanLogAsync during the run); used when it covers the run's scans. */
  readonly scanLog?: ScanLog;
}

/** The run's per-scan series as the metrics want them. */
export function runSeries(engine: Engine, inSampleDays: ReadonlySet<number>): RunSeries {
  const n = engine.recorder.n;
  const rec = engine.recorder;
  return {
    initialCapital: engine.config.initialCapital,
    ts: engine.store.ts.subarray(0, n),
    equity: rec.equity.subarray(0, n),
    openPositions: rec.openPositions.subarray(0, n),
    acbCut: rec.acbCut.subarray(0, n),
    trades: rec.trades,
    inSampleDays,
  };
}

/** Builds the report of a finished (or stopped) run. */
export function buildReport(engine: Engine, inputs: ReportInputs): Report {
  const series = runSeries(engine, inputs.inSampleDays);
  const rows = dailyRows(series);
  const n = series.ts.length;
  const trades = sortTrades(engine.recorder.trades).map((t) => ({
    asset: t.asset,
    entryTs: t.entryTs.toString(),
    exitTs: t.exitTs.toString(),
    entryIndex: t.entryIndex,
    exitIndex: t.exitIndex,
    entryPrice: t.entryPrice,
    exitPrice: t.exitPrice,
    qty: t.qty,
    entryFee: t.entryFee,
    exitFee: t.exitFee,
    fees: t.fees,
    pnl: t.pnl,
    reason: t.reason,
    acbCut: t.acbCut,
  }));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    kind: inputs.kind,
    fingerprint: {
      engineVersion: ENGINE_VERSION,
      strategyVersion: STRATEGY_VERSION,
      configHash: configHash(engine.config),
      firstTs: n ? series.ts[0].toString() : null,
      lastTs: n ? series.ts[n - 1].toString() : null,
      scans: n,
      scanHash: scanHash(series.ts, n),
    },
    config: engine.config,
    calibration: inputs.calibration,
    metrics: computeMetrics(series, rows),
    breakdowns: tradeBreakdowns(engine.recorder.trades),
    trades,
    openPositions: engine.positions().map((p) => ({ asset: p.asset, entryTs: p.entryTs.toString(), entryPrice: p.entryPrice, qty: p.qty, mark: p.mark })),
    daily: rows,
    dataQuality: inputs.dataQuality,
    equityCurve: downsampleEquity(series.ts, series.equity),
    factors: engine.factors.all().map(reportFactorOf),
    scanLog: inputs.scanLog?.count === n ? inputs.scanLog : encodeScanLog(engine.store, n, inputs.contentHashes),
  };
}

/** Days as ISO dates. */
export function isoDays(days: Iterable<number>): string[] {
  return [...days].sort((a, b) => a - b).map(dayToIso);
}
