/**
 * What two reports have in common and where their inputs differ: versions, config keys, the overlapping
 * time window, and, from the two scan logs and factor lists, the scans one side lacks, the scans whose
 * content differs at the same timestamp and the external-factor records that differ.
 */
import { CONFIG_KEYS } from '../../core/config.js';
import { FACTOR_FIELDS as FACTOR_FIELDS_OF_RECORD } from '../../core/factor-record.js';
import type { Report, ReportFactor } from '../report.js';
import { decodeScanLog } from '../scan-log.js';

/** A side of the comparison. */
export type Side = 'A' | 'B';

/** One config key whose values differ. */
export interface ConfigKeyDiff {
  readonly key: string;
  readonly a: unknown;
  readonly b: unknown;
  /** Set when the difference follows from the data, not from the user (auto-calibrated volThreshold). */
  readonly derived?: string;
}

/** A run's time window. */
export interface RunWindow {
  readonly firstTs: string | null;
  readonly lastTs: string | null;
  readonly scans: number;
}

/** Whether two reports can be compared, and what differs in their setup. */
export interface Comparability {
  readonly comparable: boolean;
  /** Why not comparable (empty when comparable). */
  readonly reasons: readonly string[];
  /** Warnings that do not prevent the comparison. */
  readonly notes: readonly string[];
  readonly engineVersion: readonly [string, string];
  readonly strategyVersion: readonly [number, number];
  readonly configHashEqual: boolean;
  readonly configDiff: readonly ConfigKeyDiff[];
  readonly windowA: RunWindow;
  readonly windowB: RunWindow;
  /** Overlapping window [fromTs, toTs], null when the runs do not overlap. */
  readonly overlap: { readonly fromTs: string; readonly toTs: string } | null;
  readonly scanHashEqual: boolean;
}

/** Consecutive scans (in the fuller side's order) that one side lacks. */
export interface MissingRun {
  /** The side that lacks the scans. */
  readonly lacking: Side;
  readonly fromTs: string;
  readonly toTs: string;
  readonly count: number;
}

/** A factor record that differs between the sides (or exists on one side only). */
export interface FactorDiff {
  readonly date: string;
  /** Earliest time from which either side's record took effect. */
  readonly effectiveFromNs: string;
  readonly a: ReportFactor | null;
  readonly b: ReportFactor | null;
  /** Which fields differ ("effectiveFromNs", "dvolBtc", ... or "missing on A"). */
  readonly fields: readonly string[];
}

/** Scan-level input differences inside the overlap (from the scan logs) and factor differences. */
export interface InputDiff {
  /** False when a report has no scan log (older reports): scan differences are then unknown. */
  readonly scanLogs: boolean;
  /** Timestamps inside the overlap that B lacks (A has them), ascending. */
  readonly lackingInB: readonly bigint[];
  /** Timestamps inside the overlap that A lacks. */
  readonly lackingInA: readonly bigint[];
  /** Timestamps present on both sides whose content hash differs. */
  readonly contentDiffers: readonly bigint[];
  /** Scans present on both sides with the same content, inside the overlap. */
  readonly common: number;
  /** Scans of each side outside the overlap. */
  readonly outsideOverlap: { readonly a: number; readonly b: number };
  /** All timestamps each side lacks, whole runs (what a replay must remove or add). */
  readonly allLackingInB: readonly bigint[];
  readonly allLackingInA: readonly bigint[];
  readonly missingRuns: readonly MissingRun[];
  readonly factorDiffs: readonly FactorDiff[];
}

const json = (v: unknown): string => JSON.stringify(v) ?? 'undefined';

/** Config keys whose values differ, in canonical key order. */
export function diffConfig(a: Report, b: Report): ConfigKeyDiff[] {
  const out: ConfigKeyDiff[] = [];
  const ca = a.config as unknown as Record<string, unknown>;
  const cb = b.config as unknown as Record<string, unknown>;
  const keys = [...CONFIG_KEYS, ...Object.keys(ca).filter((k) => !(CONFIG_KEYS as string[]).includes(k)), ...Object.keys(cb).filter((k) => !(CONFIG_KEYS as string[]).includes(k) && !(k in ca))];
  for (const key of keys) {
    if (json(ca[key]) === json(cb[key])) continue;
    const derived =
      key === 'volThreshold' && a.calibration?.mode === 'auto' && b.calibration?.mode === 'auto'
        ? `both sides calibrated volThreshold ("auto") from their own data (in-sample days A: ${a.calibration.inSampleDays.join(', ') || '-'}, B: ${b.calibration.inSampleDays.join(', ') || '-'}), so it differs because the data differs`
        : undefined;
    out.push(derived ? { key, a: ca[key], b: cb[key], derived } : { key, a: ca[key], b: cb[key] });
  }
  return out;
}

const big = (s: string | null): bigint | null => (s === null || s === undefined ? null : BigInt(s));

/** Versions, config, windows: can these two reports be compared at all? */
export function assessComparability(a: Report, b: Report): Comparability {
  const fa = a.fingerprint;
  const fb = b.fingerprint;
  const reasons: string[] = [];
  const notes: string[] = [];
  if (fa.strategyVersion !== fb.strategyVersion) {
    reasons.push(`different strategy versions (A v${fa.strategyVersion}, B v${fb.strategyVersion}): the trading rules differ, so trades cannot be compared`);
  }
  if (fa.engineVersion !== fb.engineVersion) notes.push(`different engine versions (A ${fa.engineVersion}, B ${fb.engineVersion}): results may differ for reasons outside the data`);
  const a0 = big(fa.firstTs);
  const a1 = big(fa.lastTs);
  const b0 = big(fb.firstTs);
  const b1 = big(fb.lastTs);
  let overlap: Comparability['overlap'] = null;
  if (a0 === null || b0 === null || a1 === null || b1 === null) {
    reasons.push(`${a0 === null ? 'A' : 'B'} has no scans, so the runs share no time window`);
  } else {
    const from = a0 > b0 ? a0 : b0;
    const to = a1 < b1 ? a1 : b1;
    if (from > to) reasons.push(`no overlapping time window (A ${fa.firstTs}..${fa.lastTs}, B ${fb.firstTs}..${fb.lastTs} ns)`);
    else overlap = { fromTs: from.toString(), toTs: to.toString() };
  }
  if (a.kind !== b.kind) notes.push(`A is a ${a.kind} report, B a ${b.kind} report`);
  return {
    comparable: reasons.length === 0,
    reasons,
    notes,
    engineVersion: [fa.engineVersion, fb.engineVersion],
    strategyVersion: [fa.strategyVersion, fb.strategyVersion],
    configHashEqual: fa.configHash === fb.configHash,
    configDiff: diffConfig(a, b),
    windowA: { firstTs: fa.firstTs, lastTs: fa.lastTs, scans: fa.scans },
    windowB: { firstTs: fb.firstTs, lastTs: fb.lastTs, scans: fb.scans },
    overlap,
    scanHashEqual: fa.scanHash === fb.scanHash,
  };
}

/** Decoded scan log, or null when the report has none. */
export function scanLogOf(r: Report): { ts: BigInt64Array; hash: Uint32Array } | null {
  return r.scanLog && r.scanLog.count > 0 ? decodeScanLog(r.scanLog) : r.scanLog ? { ts: new BigInt64Array(0), hash: new Uint32Array(0) } : null;
}

const FACTOR_FIELDS: readonly (keyof ReportFactor)[] = ['effectiveFromNs', ...FACTOR_FIELDS_OF_RECORD.map(([, key]) => key)];

/** Factor records that differ, for dates touching the overlap (all dates when there is none). */
export function diffFactors(a: Report, b: Report, overlap: Comparability['overlap']): FactorDiff[] {
  const byDate = (r: Report): Map<string, ReportFactor> => {
    // Several live records may share a date; the last one (latest in effect) stands for the date here,
    // and differing sequences still show up as a differing effectiveFromNs or value.
    const m = new Map<string, ReportFactor[]>();
    for (const f of r.factors ?? []) m.set(f.date, [...(m.get(f.date) ?? []), f]);
    return new Map([...m].map(([d, list]) => [d, list.length === 1 ? list[0] : { ...list[list.length - 1], effectiveFromNs: list.map((x) => x.effectiveFromNs).join('|') }]));
  };
  const ma = byDate(a);
  const mb = byDate(b);
  const dates = [...new Set([...ma.keys(), ...mb.keys()])].sort();
  const fromDate = overlap ? isoDate(BigInt(overlap.fromTs)) : null;
  const toDate = overlap ? isoDate(BigInt(overlap.toTs)) : null;
  const out: FactorDiff[] = [];
  for (const date of dates) {
    if (fromDate && toDate && (date < fromDate || date > toDate)) continue;
    const fa = ma.get(date) ?? null;
    const fb = mb.get(date) ?? null;
    const fields: string[] = [];
    if (!fa) fields.push('missing on A');
    else if (!fb) fields.push('missing on B');
    else for (const k of FACTOR_FIELDS) if (json(fa[k]) !== json(fb[k])) fields.push(k);
    if (!fields.length) continue;
    const eff = [fa, fb].filter((f): f is ReportFactor => f !== null).map((f) => BigInt(f.effectiveFromNs.split('|')[0]));
    out.push({ date, effectiveFromNs: eff.reduce((x, y) => (y < x ? y : x)).toString(), a: fa, b: fb, fields });
  }
  return out;
}

/** UTC date of a ns timestamp. */
export function isoDate(ts: bigint): string {
  return new Date(Number(ts / 1_000_000n)).toISOString().slice(0, 10);
}

/** Merge-walks the two scan logs: scans one side lacks and scans whose content differs. */
export function diffInputs(a: Report, b: Report, c: Comparability): InputDiff {
  const la = scanLogOf(a);
  const lb = scanLogOf(b);
  const factorDiffs = diffFactors(a, b, c.overlap);
  const empty: InputDiff = { scanLogs: false, lackingInA: [], lackingInB: [], contentDiffers: [], common: 0, outsideOverlap: { a: 0, b: 0 }, allLackingInA: [], allLackingInB: [], missingRuns: [], factorDiffs };
  if (!la || !lb) return empty;
  const from = c.overlap ? BigInt(c.overlap.fromTs) : 1n;
  const to = c.overlap ? BigInt(c.overlap.toTs) : 0n;
  const inside = (t: bigint): boolean => t >= from && t <= to;
  const lackingInA: bigint[] = [];
  const lackingInB: bigint[] = [];
  const allA: bigint[] = [];
  const allB: bigint[] = [];
  const contentDiffers: bigint[] = [];
  const runs: MissingRun[] = [];
  let common = 0;
  let outA = 0;
  let outB = 0;
  let run: { lacking: Side; from: bigint; to: bigint; count: number } | null = null;
  const flush = (): void => {
    if (run) runs.push({ lacking: run.lacking, fromTs: run.from.toString(), toTs: run.to.toString(), count: run.count });
    run = null;
  };
  const miss = (lacking: Side, t: bigint): void => {
    (lacking === 'B' ? allB : allA).push(t);
    if (!inside(t)) {
      flush();
      return;
    }
    (lacking === 'B' ? lackingInB : lackingInA).push(t);
    if (run && run.lacking === lacking) {
      run.to = t;
      run.count++;
    } else {
      flush();
      run = { lacking, from: t, to: t, count: 1 };
    }
  };
  let i = 0;
  let j = 0;
  while (i < la.ts.length || j < lb.ts.length) {
    const ta = i < la.ts.length ? la.ts[i] : null;
    const tb = j < lb.ts.length ? lb.ts[j] : null;
    if (ta !== null && (tb === null || ta < tb)) {
      if (!inside(ta)) outA++;
      miss('B', ta);
      i++;
    } else if (tb !== null && (ta === null || tb < ta)) {
      if (!inside(tb)) outB++;
      miss('A', tb);
      j++;
    } else {
      flush();
      if (la.hash[i] !== lb.hash[j]) contentDiffers.push(ta as bigint);
      else common++;
      i++;
      j++;
    }
  }
  flush();
  return { scanLogs: true, lackingInA, lackingInB, contentDiffers, common, outsideOverlap: { a: outA, b: outB }, allLackingInA: allA, allLackingInB: allB, missingRuns: runs, factorDiffs };
}
