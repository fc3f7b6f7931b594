/**
 * Attribution: turns the input differences into dated causes, finds the first divergence of the trade
 * lists, and splits the final-equity difference into matched-trade deltas, one-sided trades and initial
 * capital, each tied to the nearest cause at or before the point where the two sides first behaved
 * differently for it (a trade's entry, or its exit when only the exit moved).
 */
import type { Report } from '../report.js';
import type { Comparability, InputDiff, Side } from './comparability.js';
import type { Alignment, MatchedTrade, SideTrade } from './trade-alignment.js';

/** Kinds of causes, strongest first at equal times. */
export type CauseKind = 'missing-scans' | 'content' | 'factors' | 'carried-state' | 'config' | 'window' | 'engine';

/** An input difference with the time from which it can act. */
export interface Cause {
  readonly id: number;
  readonly kind: CauseKind;
  /** First timestamp (ns, decimal) at which it acts. */
  readonly ts: string;
  readonly toTs?: string;
  /** For missing scans: the side that lacks them. */
  readonly lacking?: Side;
  readonly count?: number;
  /** For config: the differing keys. */
  readonly keys?: readonly string[];
  readonly description: string;
}

/** A cause as tied to one effect: the cause and the precise timestamp of it that precedes the effect. */
export interface CauseRef {
  readonly causeId: number;
  readonly kind: CauseKind;
  readonly ts: string;
  readonly description: string;
}

/** One part of the final-equity difference (B minus A). */
export interface PnlComponent {
  readonly kind: 'matched' | 'only-A' | 'only-B' | 'initial-capital';
  readonly asset?: string;
  readonly entryTs?: string;
  /** Where the two sides first behaved differently for this component. */
  readonly anchorTs?: string;
  readonly what: string;
  readonly delta: number;
  readonly cause: CauseRef | null;
}

/** The final-equity difference split into parts that sum to it (the residual is float rounding). */
export interface PnlSplit {
  readonly total: number;
  readonly matched: number;
  readonly onlyA: number;
  readonly onlyB: number;
  readonly initialCapital: number;
  /** total minus the parts: floating-point rounding only (|residual| is tiny). */
  readonly residual: number;
  readonly components: readonly PnlComponent[];
  readonly byCause: readonly { readonly causeId: number | null; readonly kind: CauseKind | 'unexplained'; readonly delta: number; readonly items: number; readonly description: string }[];
}

/** The earliest point where the trade lists differ. */
export interface Divergence {
  readonly ts: string;
  readonly what: string;
  readonly cause: CauseRef | null;
}

const PRIORITY: Record<CauseKind, number> = { engine: 0, window: 1, config: 2, 'carried-state': 3, factors: 4, content: 5, 'missing-scans': 6 };

const tsText = (ts: bigint | string): string => {
  const ms = Number(BigInt(ts) / 1_000_000n);
  return `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
};

const show = (v: unknown): string => JSON.stringify(v) ?? 'undefined';

/** Builds the dated causes of the differences between A and B. */
export function buildCauses(a: Report, b: Report, c: Comparability, d: InputDiff): Cause[] {
  const causes: Cause[] = [];
  const add = (x: Omit<Cause, 'id'>): void => void causes.push({ id: causes.length, ...x });
  const from = c.overlap ? c.overlap.fromTs : (a.fingerprint.firstTs ?? '0');
  if (c.engineVersion[0] !== c.engineVersion[1]) add({ kind: 'engine', ts: '0', description: `engine versions differ (A ${c.engineVersion[0]}, B ${c.engineVersion[1]})` });
  if (c.configDiff.length) {
    const parts = c.configDiff.map((k) => `${k.key} (A ${show(k.a)}, B ${show(k.b)}${k.derived ? ', calibrated from different data' : ''})`);
    add({ kind: 'config', ts: from, keys: c.configDiff.map((k) => k.key), description: `different config: ${parts.join(', ')}` });
  }
  if (c.overlap && a.fingerprint.firstTs !== b.fingerprint.firstTs) {
    const early: Side = BigInt(a.fingerprint.firstTs as string) < BigInt(b.fingerprint.firstTs as string) ? 'A' : 'B';
    const r = early === 'A' ? a : b;
    const before = early === 'A' ? d.outsideOverlap.a : d.outsideOverlap.b;
    const f = BigInt(c.overlap.fromTs);
    const held = [...r.trades.filter((t) => BigInt(t.entryTs) < f && BigInt(t.exitTs) >= f), ...(r.openPositions ?? []).filter((p) => BigInt(p.entryTs) < f)];
    const heldText = held.length ? `; ${early} holds ${held.map((p) => `${p.asset} (entered ${tsText(p.entryTs)})`).join(', ')} at the start of the overlap` : '';
    add({ kind: 'carried-state', ts: c.overlap.fromTs, description: `${early} started earlier (${before > 0 ? `${before} scan(s) before the overlap` : 'before the overlap'}): it carries state in (warm-up windows, bar-of-day counts${held.length ? ', open positions' : ''})${heldText}` });
  }
  for (const run of d.missingRuns) {
    const r = run.lacking === 'A' ? a : b;
    const other = run.lacking === 'A' ? 'B' : 'A';
    const why = r.kind === 'live' ? ' (late or dropped live scans)' : (r.dataQuality?.gaps ?? []).some((g) => BigInt(g.fromTs) < BigInt(run.fromTs) && BigInt(g.toTs) > BigInt(run.toTs)) ? ` (a gap in ${run.lacking}'s data)` : '';
    const span = run.count === 1 ? `the scan at ${tsText(run.fromTs)}` : `${run.count} consecutive scans ${tsText(run.fromTs)} .. ${tsText(run.toTs)}`;
    add({ kind: 'missing-scans', ts: run.fromTs, toTs: run.toTs, lacking: run.lacking, count: run.count, description: `${run.lacking} lacks ${span} that ${other} has${why}` });
  }
  for (const t of d.contentDiffers) add({ kind: 'content', ts: t.toString(), description: `different scan content (prices or features) at the same timestamp ${tsText(t)} (${t})` });
  for (const f of d.factorDiffs) add({ kind: 'factors', ts: f.effectiveFromNs, description: `different external factors (ACB) for ${f.date}: ${f.fields.join(', ')}` });
  return causes;
}

/** Finds, for a time, the nearest cause at or before it. */
export class CauseIndex {
  private readonly points: { ts: bigint; cause: Cause }[] = [];
  private readonly windowCause: (ts: bigint) => Cause | null;

  constructor(
    readonly causes: readonly Cause[],
    missingTs: { readonly lackingInA: readonly bigint[]; readonly lackingInB: readonly bigint[] },
    overlap: Comparability['overlap'],
    makeWindowCause: (where: 'before' | 'after') => Cause,
  ) {
    for (const c of causes) if (c.kind !== 'missing-scans') this.points.push({ ts: BigInt(c.ts), cause: c });
    // Every missing timestamp is its own point, tied to the run (of the same lacking side) holding it.
    for (const side of ['A', 'B'] as const) {
      const runs = causes.filter((c) => c.kind === 'missing-scans' && c.lacking === side);
      let r = 0;
      for (const t of side === 'A' ? missingTs.lackingInA : missingTs.lackingInB) {
        while (r < runs.length && BigInt(runs[r].toTs as string) < t) r++;
        if (r < runs.length && BigInt(runs[r].ts) <= t) this.points.push({ ts: t, cause: runs[r] });
      }
    }
    this.points.sort((x, y) => (x.ts < y.ts ? -1 : x.ts > y.ts ? 1 : PRIORITY[x.cause.kind] - PRIORITY[y.cause.kind]));
    let before: Cause | null = null;
    let after: Cause | null = null;
    this.windowCause = (ts) => {
      if (!overlap) return null;
      if (ts < BigInt(overlap.fromTs)) return (before ??= makeWindowCause('before'));
      if (ts > BigInt(overlap.toTs)) return (after ??= makeWindowCause('after'));
      return null;
    };
  }

  /** The nearest cause at or before ts (outside the overlap: the window itself). */
  at(ts: bigint): CauseRef | null {
    const w = this.windowCause(ts);
    if (w) return { causeId: w.id, kind: w.kind, ts: w.ts, description: w.description };
    let lo = 0;
    let hi = this.points.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.points[mid].ts <= ts) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return null;
    const p = this.points[best];
    return { causeId: p.cause.id, kind: p.cause.kind, ts: p.ts.toString(), description: p.cause.description };
  }
}

const minTs = (x: string, y: string): string => (BigInt(x) <= BigInt(y) ? x : y);

/** Where a matched pair first differs, and how. */
export function matchedAnchor(m: MatchedTrade): { ts: string; what: string } | null {
  const { a, b } = m;
  const label = `${a.asset} entered ${tsText(a.entryTs)}`;
  if (a.entryTs !== b.entryTs) return { ts: minTs(a.entryTs, b.entryTs), what: `${a.asset}: entry moved from ${tsText(a.entryTs)} (A) to ${tsText(b.entryTs)} (B)` };
  if (a.exitTs !== b.exitTs || a.reason !== b.reason || a.open !== b.open) {
    return { ts: minTs(a.exitTs, b.exitTs), what: `${label}: exit ${a.open ? 'still open' : `${a.reason} at ${tsText(a.exitTs)}`} (A) vs ${b.open ? 'still open' : `${b.reason} at ${tsText(b.exitTs)}`} (B)` };
  }
  if (a.entryPrice !== b.entryPrice) return { ts: a.entryTs, what: `${label}: entry price ${a.entryPrice} (A) vs ${b.entryPrice} (B)` };
  if (a.qty !== b.qty) return { ts: a.entryTs, what: `${label}: size ${a.qty} (A) vs ${b.qty} (B)` };
  if (a.exitPrice !== b.exitPrice) return { ts: a.exitTs, what: `${label}: ${a.open ? 'mark' : 'exit price'} ${a.exitPrice} (A) vs ${b.exitPrice} (B)` };
  if (a.pnl !== b.pnl) return { ts: a.entryTs, what: `${label}: PnL ${a.pnl} (A) vs ${b.pnl} (B)` };
  return null;
}

const oneSidedWhat = (t: SideTrade, side: Side): string =>
  `${t.asset} entered ${tsText(t.entryTs)} only in ${side} (${t.open ? 'still open' : `${t.reason} at ${tsText(t.exitTs)}`}, PnL ${t.pnl.toFixed(2)})`;

/** The first divergence of the trade lists, with its cause; null when the trades are the same. */
export function firstDivergence(al: Alignment, index: CauseIndex): Divergence | null {
  const items: { ts: string; what: string }[] = [];
  for (const m of al.matched) {
    if (m.sameTrade) continue;
    const an = matchedAnchor(m);
    if (an) items.push(an);
  }
  for (const t of al.onlyA) items.push({ ts: t.entryTs, what: oneSidedWhat(t, 'A') });
  for (const t of al.onlyB) items.push({ ts: t.entryTs, what: oneSidedWhat(t, 'B') });
  if (!items.length) {
    const m = al.matched.find((x) => !x.identical);
    if (!m) return null;
    const an = matchedAnchor(m);
    if (!an) return null;
    items.push(an);
  }
  items.sort((x, y) => (BigInt(x.ts) < BigInt(y.ts) ? -1 : BigInt(x.ts) > BigInt(y.ts) ? 1 : 0));
  return { ...items[0], cause: index.at(BigInt(items[0].ts)) };
}

/** Splits finalEquity(B) - finalEquity(A) into parts, each tied to its first cause. */
export function splitPnl(a: Report, b: Report, al: Alignment, index: CauseIndex): PnlSplit {
  const total = b.metrics.finalEquity - a.metrics.finalEquity;
  const components: PnlComponent[] = [];
  let matched = 0;
  let onlyA = 0;
  let onlyB = 0;
  for (const m of al.matched) {
    if (m.identical) continue;
    const an = matchedAnchor(m);
    const ts = an?.ts ?? m.a.entryTs;
    const delta = m.b.pnl - m.a.pnl;
    matched += delta;
    components.push({ kind: 'matched', asset: m.a.asset, entryTs: m.a.entryTs, anchorTs: ts, what: an?.what ?? `${m.a.asset}`, delta, cause: index.at(BigInt(ts)) });
  }
  for (const t of al.onlyA) {
    onlyA -= t.pnl;
    components.push({ kind: 'only-A', asset: t.asset, entryTs: t.entryTs, anchorTs: t.entryTs, what: oneSidedWhat(t, 'A'), delta: -t.pnl, cause: index.at(BigInt(t.entryTs)) });
  }
  for (const t of al.onlyB) {
    onlyB += t.pnl;
    components.push({ kind: 'only-B', asset: t.asset, entryTs: t.entryTs, anchorTs: t.entryTs, what: oneSidedWhat(t, 'B'), delta: t.pnl, cause: index.at(BigInt(t.entryTs)) });
  }
  const initialCapital = b.config.initialCapital - a.config.initialCapital;
  if (initialCapital !== 0) {
    const cfg = index.causes.find((c) => c.kind === 'config');
    components.push({ kind: 'initial-capital', what: `initialCapital ${a.config.initialCapital} (A) vs ${b.config.initialCapital} (B)`, delta: initialCapital, cause: cfg ? { causeId: cfg.id, kind: cfg.kind, ts: cfg.ts, description: cfg.description } : null });
  }
  components.sort((x, y) => {
    const tx = BigInt(x.anchorTs ?? '0');
    const ty = BigInt(y.anchorTs ?? '0');
    return tx < ty ? -1 : tx > ty ? 1 : 0;
  });
  const agg = new Map<number | null, { causeId: number | null; kind: CauseKind | 'unexplained'; delta: number; items: number; description: string }>();
  for (const comp of components) {
    const id = comp.cause?.causeId ?? null;
    const e = agg.get(id) ?? { causeId: id, kind: comp.cause?.kind ?? 'unexplained', delta: 0, items: 0, description: comp.cause?.description ?? 'no input difference found before it' };
    e.delta += comp.delta;
    e.items++;
    agg.set(id, e);
  }
  const residual = total - (matched + onlyA + onlyB + initialCapital);
  return { total, matched, onlyA, onlyB, initialCapital, residual, components, byCause: [...agg.values()] };
}
