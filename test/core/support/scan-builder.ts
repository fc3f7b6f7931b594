/** Test helper: builds ScanRecords / ScanStores from compact price paths and runs the engine on them. */
import { resolveConfig, withVolThreshold, type EngineConfig } from '../../../src/core/config.js';
import { Engine } from '../../../src/core/engine.js';
import { PaperExecutor } from '../../../src/core/paper-executor.js';
import { FEATURE_COUNT, FEATURE_NAMES, dayOf, type ScanRecord } from '../../../src/core/scan.js';
import { ScanStore } from '../../../src/core/scan-store.js';
import type { FactorRecord, Trade } from '../../../src/core/trade.js';

/** Nanoseconds per second. */
export const SEC_NS = 1_000_000_000n;
/** Default scan cadence: 5 s. */
export const CADENCE_NS = 5n * SEC_NS;

/** Epoch nanoseconds of an ISO instant ("2026-01-01" = UTC midnight, or a full ISO timestamp). */
export function tsOf(iso: string): bigint {
  const full = iso.length === 10 ? `${iso}T00:00:00Z` : iso;
  const ms = Date.parse(full);
  if (!Number.isFinite(ms)) throw new Error(`bad date ${iso}`);
  return BigInt(ms) * 1_000_000n;
}

/** UTC day number of an ISO date. */
export function dayNum(iso: string): number {
  return dayOf(tsOf(iso));
}

/** One scan: prices by symbol (null = listed with a null price; symbols not given are absent). */
export interface ScanSpec {
  readonly ts: bigint;
  readonly prices: Readonly<Record<string, number | null>>;
  /** Listing order of the assets; defaults to Object.keys(prices). */
  readonly order?: readonly string[];
  /** vel_div column; undefined/NaN = absent. */
  readonly velDiv?: number;
  /** Feature values by name, e.g. { w50_velocity: 0.1 }. Missing features are NaN. */
  readonly features?: Readonly<Record<string, number>>;
  readonly scanNumber?: number;
}

/** Builds one ScanRecord. */
export function makeScan(spec: ScanSpec): ScanRecord {
  const assets = [...(spec.order ?? Object.keys(spec.prices))];
  const prices = new Float64Array(assets.length);
  assets.forEach((a, i) => {
    const p = spec.prices[a];
    prices[i] = p === null || p === undefined ? NaN : p;
  });
  const features = new Float64Array(FEATURE_COUNT).fill(NaN);
  for (const [name, v] of Object.entries(spec.features ?? {})) {
    const idx = FEATURE_NAMES.indexOf(name);
    if (idx < 0) throw new Error(`unknown feature ${name}`);
    features[idx] = v;
  }
  return {
    scanNumber: spec.scanNumber ?? 0,
    timestampNs: spec.ts,
    timestampIso: '',
    schemaVersion: '5.0.0',
    features,
    velDiv: spec.velDiv ?? NaN,
    assets,
    prices,
  };
}

/** A price in a path: number = price, null = listed with a null price, undefined = asset absent. */
export type PathPrice = number | null | undefined;

/** Options of pathScans. */
export interface PathOptions {
  /** Per-symbol price paths, all of the same length. */
  readonly paths: Readonly<Record<string, readonly PathPrice[]>>;
  /** First timestamp (ISO or bigint ns); default 2026-01-01T00:00:00Z. */
  readonly start?: string | bigint;
  /** Spacing; default 5 s. */
  readonly cadenceNs?: bigint;
  /** Explicit timestamps (overrides start/cadence). */
  readonly ts?: readonly bigint[];
  /** vel_div column: one value for every scan or one per scan (NaN = absent). Default 0 (gate closed). */
  readonly velDiv?: number | readonly number[];
  /** Extra features per scan (same for all when an object). */
  readonly features?: Readonly<Record<string, number>> | ReadonlyArray<Readonly<Record<string, number>>>;
  readonly scanNumbers?: readonly number[];
  /** Reverse the listing order of the assets in every scan (order must not matter). */
  readonly reverseOrder?: boolean;
}

/** Builds a sequence of scans from per-asset price paths at a fixed cadence. */
export function pathScans(o: PathOptions): ScanRecord[] {
  const syms = Object.keys(o.paths);
  const n = syms.length === 0 ? (o.ts?.length ?? 0) : o.paths[syms[0]].length;
  for (const s of syms) if (o.paths[s].length !== n) throw new Error(`path ${s} has length ${o.paths[s].length}, expected ${n}`);
  const start = typeof o.start === 'bigint' ? o.start : tsOf(o.start ?? '2026-01-01');
  const cad = o.cadenceNs ?? CADENCE_NS;
  const out: ScanRecord[] = [];
  for (let t = 0; t < n; t++) {
    const prices: Record<string, number | null> = {};
    for (const s of syms) {
      const p = o.paths[s][t];
      if (p !== undefined) prices[s] = p;
    }
    const order = Object.keys(prices);
    if (o.reverseOrder) order.reverse();
    const vd = o.velDiv === undefined ? 0 : typeof o.velDiv === 'number' ? o.velDiv : o.velDiv[t];
    const feats = o.features === undefined ? undefined : Array.isArray(o.features) ? o.features[t] : (o.features as Record<string, number>);
    out.push(
      makeScan({
        ts: o.ts ? o.ts[t] : start + BigInt(t) * cad,
        prices,
        order,
        velDiv: vd,
        features: feats,
        scanNumber: o.scanNumbers ? o.scanNumbers[t] : t + 1,
      }),
    );
  }
  return out;
}

/** Appends records to a fresh store (small initial capacity so growth paths are exercised). */
export function storeOf(records: readonly ScanRecord[]): ScanStore {
  const s = new ScanStore(4, 2);
  for (const r of records) s.append(r);
  return s;
}

/**
 * Engine-test config: everything permissive unless overridden (no warm-up, 2-scan windows,
 * volThreshold -1, minAlignment -2, BTCUSDT excluded), so a gate is closed only when a test closes it.
 */
export function testConfig(overrides: Record<string, unknown> = {}): EngineConfig {
  // volThreshold -1 and minAlignment -2 are below the documented config bounds (a real run has no use
  // for them): they open those gates whatever the rounding, so this test-only config sets them after
  // validation. Every other key is validated as usual.
  const { volThreshold = -1, minAlignment = -2, ...rest } = overrides;
  const c = resolveConfig({ warmupBars: 0, volWindow: 2, alignWindow: 2, excludeAssets: ['BTCUSDT'] }, rest);
  if (typeof volThreshold !== 'number' || typeof minAlignment !== 'number') throw new Error('testConfig needs numeric volThreshold and minAlignment');
  return withVolThreshold(Object.freeze({ ...c, minAlignment }), volThreshold);
}

/** Result of a synchronous backtest over records. */
export interface RunResult {
  readonly engine: Engine;
  readonly store: ScanStore;
  readonly trades: readonly Trade[];
  /** Equity sampled after each scan (after finish on the last one). */
  readonly equity: number[];
  /** Open position count after each scan (before finish). */
  readonly openAfter: number[];
  /** Indices of scans where a position was opened. */
  readonly entries: number[];
}

/** Runs the engine over the records (onScan for each, then finish). */
export function runOn(records: readonly ScanRecord[], config: EngineConfig, factors: readonly FactorRecord[] = []): RunResult {
  const store = storeOf(records);
  const engine = new Engine(store, config, new PaperExecutor(config), factors);
  const openAfter: number[] = [];
  for (let t = 0; t < store.n; t++) {
    engine.onScan(t);
    openAfter.push(engine.openCount);
  }
  engine.finish();
  const r = engine.recorder;
  const entries = r.fills.filter((f) => f.side === 'SELL').map((f) => f.scanIndex);
  return { engine, store, trades: r.trades, equity: Array.from(r.equity.subarray(0, r.n)), openAfter, entries };
}

/** A factor record effective from the start of its day (replay semantics). */
export function factorDay(iso: string, f: Omit<FactorRecord, 'day' | 'effectiveFromNs'>, effectiveFromNs?: bigint): FactorRecord {
  return { day: dayNum(iso), effectiveFromNs: effectiveFromNs ?? tsOf(iso), ...f };
}

/** Relative closeness: |a - b| <= tol * max(1, |b|). */
export function expectClose(a: number, b: number, tol = 1e-12): void {
  const d = Math.abs(a - b);
  if (!(d <= tol * Math.max(1, Math.abs(b)))) throw new Error(`expected ${a} to be within ${tol} (relative) of ${b}`);
}

/** Alternating "noise" path so returns vary and variances are non-zero: base * (1 + amp * pattern). */
export function wiggle(n: number, base: number, amp = 0.01, phase = 0): number[] {
  const pat = [0, 1, -0.5, 0.7, -1, 0.3, 0.9, -0.2];
  return Array.from({ length: n }, (_, i) => base * (1 + amp * pat[(i + phase) % pat.length]));
}
