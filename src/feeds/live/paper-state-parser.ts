/** Defensive parsing of DOLPHIN_STATE_PAPER entries (any writer, any version) into the fields status uses. */
import { HazelcastJsonValue } from 'hazelcast-client';
import type { FeedStatus } from '../../core/ports/data-feed.port.js';
import type { MirrorState, MissedRange, PaperCounters, PaperState, ShadowState, ValidationState } from './paper-state.js';

/** JSON text of a map value (string or HazelcastJsonValue), or why it is not. */
export function textOf(value: unknown): { text: string } | { problem: string } {
  if (typeof value === 'string') return { text: value };
  if (value instanceof HazelcastJsonValue) return { text: value.toString() };
  return { problem: `value is ${describeValue(value)}, expected JSON text` };
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)})`;
  return `a ${typeof v} (${String(v)})`;
}

// ---------------------------------------------------------------------------------------------
// Paper runs
// ---------------------------------------------------------------------------------------------

/** The fields of PaperState the status uses, validated (positions counted, not listed). */
export interface ParsedState extends Omit<PaperState, 'mode' | 'positions'> {
  readonly positions: number;
}

const FEED_STATUSES: readonly string[] = ['CONNECTED', 'STALE', 'DISCONNECTED'];
const VERDICTS: readonly string[] = ['IDENTICAL', 'WITHIN_TOLERANCE', 'DIVERGED', 'NOT_COMPARABLE'];
/** Problems listed per malformed state entry. */
const MAX_PROBLEMS = 6;
const COUNTER_FIELDS = ['scansAccepted', 'malformedMessages', 'lateOrDuplicate', 'scannerRestarts', 'invalidPrices', 'reconnects'] as const;
/** Counters added later: 0 when an older writer leaves them out. */
const OPTIONAL_COUNTER_FIELDS = ['outOfBounds', 'badTimestamps', 'scansMissed', 'fromStream', 'fromKey'] as const;
const REJECTION_KINDS: readonly string[] = ['malformed', 'out-of-bounds', 'bad-timestamp'];

/** Collects every schema problem of one object; field readers return a placeholder after a problem. */
export class Fields {
  constructor(
    private readonly obj: Record<string, unknown>,
    private readonly path = '',
    /** Shared by an object and the nested objects read through it. */
    readonly problems: string[] = [],
  ) {}

  private bad(field: string, expected: string): void {
    const v = this.obj[field];
    this.problems.push(`${this.path}${field} is ${v === undefined ? 'missing' : describeValue(v)}, expected ${expected}`);
  }
  /** A number; null (how our writers encode non-finite numbers) reads as NaN. */
  num(field: string): number {
    const v = this.obj[field];
    if (typeof v === 'number') return v;
    if (v === null) return NaN;
    this.bad(field, 'a number');
    return NaN;
  }
  int(field: string): number {
    const v = this.obj[field];
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    this.bad(field, 'an integer');
    return 0;
  }
  str(field: string): string {
    const v = this.obj[field];
    if (typeof v === 'string') return v;
    this.bad(field, 'a string');
    return '';
  }
  bool(field: string): boolean {
    const v = this.obj[field];
    if (typeof v === 'boolean') return v;
    this.bad(field, 'true or false');
    return false;
  }
  oneOf<T extends string>(field: string, allowed: readonly string[]): T {
    const v = this.obj[field];
    if (typeof v === 'string' && allowed.includes(v)) return v as T;
    this.bad(field, `one of ${allowed.join(', ')}`);
    return allowed[0] as T;
  }
  /** Whether the field is present (optional fields of newer writers). */
  /** The object read (for fields taken as written). */
  get raw(): Readonly<Record<string, unknown>> {
    return this.obj;
  }
  has(field: string): boolean {
    return this.obj[field] !== undefined;
  }
  nsOrNull(field: string): string | null {
    const v = this.obj[field];
    if (v === null) return null;
    if (typeof v === 'string' && /^-?\d+$/.test(v)) return v;
    this.bad(field, 'a decimal string of nanoseconds or null');
    return null;
  }
  intOrNull(field: string): number | null {
    const v = this.obj[field];
    if (v === null) return null;
    return this.int(field);
  }
  array(field: string): unknown[] {
    const v = this.obj[field];
    if (Array.isArray(v)) return v;
    this.bad(field, 'an array');
    return [];
  }
  object(field: string, nullable: boolean): Fields | null {
    const v = this.obj[field];
    if (v === null && nullable) return null;
    if (isRecord(v)) return this.child(v, `${this.path}${field}.`);
    this.bad(field, nullable ? 'an object or null' : 'an object');
    return null;
  }
  /** Reads an element of an array (e.g. `shadows[0]`) with its problems reported here. */
  element(v: unknown, path: string): Fields | null {
    if (isRecord(v)) return this.child(v, `${this.path}${path}.`);
    this.problems.push(`${this.path}${path} is ${describeValue(v)}, expected an object`);
    return null;
  }
  private child(v: Record<string, unknown>, path: string): Fields {
    return new Fields(v, path, this.problems);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A map value (JSON text, HazelcastJsonValue or an object) as a plain object, or why it is not one. */
export function jsonObjectOf(value: unknown): { obj: Record<string, unknown> } | { problem: string } {
  if (isRecord(value) && !(value instanceof HazelcastJsonValue)) return { obj: value };
  const text = textOf(value);
  if ('problem' in text) return text;
  let obj: unknown;
  try {
    obj = JSON.parse(text.text) as unknown;
  } catch (err) {
    return { problem: `not valid JSON: ${errorText(err)}` };
  }
  return isRecord(obj) ? { obj } : { problem: `expected a JSON object, found ${describeValue(obj)}` };
}

/** Every problem of a Fields reader as one line (the first few), or null when there is none. */
export function problemsText(f: Fields): string | null {
  if (f.problems.length === 0) return null;
  const shown = f.problems.slice(0, MAX_PROBLEMS).join('; ');
  return f.problems.length > MAX_PROBLEMS ? `${shown}; and ${f.problems.length - MAX_PROBLEMS} more` : shown;
}

/**
 * Validates one DOLPHIN_STATE_PAPER value against the PaperState schema (unknown fields ignored).
 * Every problem is listed; any problem makes the entry malformed.
 */
export function parseState(value: unknown, key: string): { state: ParsedState } | { problem: string } {
  const o = jsonObjectOf(value);
  if ('problem' in o) return o;
  const f = new Fields(o.obj);
  const runId = f.str('runId');
  if (f.problems.length === 0 && runId !== key) f.problems.push(`runId is ${JSON.stringify(runId)}, but the entry's key is ${JSON.stringify(key)}`);
  f.oneOf('mode', ['paper']);

  // top-level fields first, so the first problems listed are the telling ones
  const heartbeatMs = f.num('heartbeatMs');
  const startedAtMs = f.num('startedAtMs');
  const feedStatus = f.oneOf<FeedStatus>('feedStatus', FEED_STATUSES);
  const lastScanTs = f.nsOrNull('lastScanTs');
  const lastScanNumber = f.intOrNull('lastScanNumber');
  const equity = f.num('equity');
  const cash = f.num('cash');
  const initialCapital = f.num('initialCapital');
  const realizedPnl = f.num('realizedPnl');
  const trades = f.int('trades');
  const acbCut = f.num('acbCut');
  const journal = f.str('journal');
  const stopped = f.bool('stopped');
  const positions = f.array('positions');
  positions.forEach((p, i) => f.element(p, `positions[${i}]`)?.str('asset'));
  const c = f.object('counters', false);
  const counters = Object.fromEntries([
    ...COUNTER_FIELDS.map((k) => [k, c?.int(k) ?? 0]),
    ...OPTIONAL_COUNTER_FIELDS.map((k) => [k, c?.has(k) ? c.int(k) : 0]),
  ]) as unknown as PaperCounters;
  const missed = (f.has('missed') ? f.array('missed') : []).flatMap((m, i): MissedRange[] => {
    const e = f.element(m, `missed[${i}]`);
    return e === null ? [] : [{ fromTs: e.nsOrNull('fromTs') ?? '', toTs: e.nsOrNull('toTs') ?? '', scans: e.int('scans'), via: e.oneOf<MissedRange['via']>('via', ['stream', 'key', 'scanner']) }];
  });
  const rj = f.has('lastRejection') ? f.object('lastRejection', true) : null;
  const lastRejection = rj === null ? null : { kind: rj.oneOf<'malformed'>('kind', REJECTION_KINDS), reason: rj.str('reason'), atMs: rj.num('atMs') };
  const shadows = f.array('shadows').flatMap((s, i): ShadowState[] => {
    const e = f.element(s, `shadows[${i}]`);
    return e === null ? [] : [{ name: e.str('name'), equity: e.num('equity'), trades: e.int('trades'), openPositions: e.int('openPositions') }];
  });
  const v = f.object('validation', true);
  const validation: ValidationState | null =
    v === null ? null : { verdict: v.oneOf('verdict', VERDICTS), atMs: v.num('atMs'), summary: v.str('summary') };
  const mirror = f.has('mirror') ? parseMirror(f.object('mirror', false)) : undefined;

  const state: ParsedState = {
    runId,
    heartbeatMs,
    startedAtMs,
    feedStatus,
    lastScanTs,
    lastScanNumber,
    equity,
    cash,
    initialCapital,
    realizedPnl,
    trades,
    acbCut,
    positions: positions.length,
    counters,
    lastRejection,
    missed,
    shadows,
    validation,
    ...(mirror !== undefined ? { mirror } : {}),
    journal,
    stopped,
  };
  if (f.problems.length === 0 && !Number.isFinite(state.heartbeatMs)) f.problems.push('heartbeatMs is null, expected a number');
  const problem = problemsText(f);
  return problem === null ? { state } : { problem };
}

/** The order mirror's health as published (its counts and health checked; the rest taken as written). */
function parseMirror(m: Fields | null): MirrorState | undefined {
  if (m === null) return undefined;
  const raw = m.raw as unknown as MirrorState;
  return {
    venue: m.str('venue'),
    host: m.str('host'),
    health: m.oneOf<MirrorState['health']>('health', MIRROR_HEALTH),
    sent: m.int('sent'),
    filled: m.int('filled'),
    partial: m.int('partial'),
    rejected: m.int('rejected'),
    skipped: m.int('skipped'),
    pending: m.int('pending'),
    retries: m.int('retries'),
    lastError: typeof raw.lastError === 'string' ? raw.lastError : null,
    lastReconcile: raw.lastReconcile ?? null,
    latencyP50Ms: typeof raw.latencyP50Ms === 'number' ? raw.latencyP50Ms : null,
    latencyP99Ms: typeof raw.latencyP99Ms === 'number' ? raw.latencyP99Ms : null,
  };
}

const MIRROR_HEALTH: readonly string[] = ['STARTING', 'OK', 'DEGRADED', 'DOWN', 'FAILED'];

/** Message of an unknown thrown value. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
