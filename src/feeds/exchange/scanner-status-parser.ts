/** Defensive parsing of DOLPHIN_SCANNER_STATE entries (any writer, any version) for `dolphin status`. */
import { Fields, jsonObjectOf, problemsText } from '../live/paper-state-parser.js';
import type { ScannerConnection, ScannerCounters, ScannerStatus } from './scanner-status.js';

const CONNECTIONS: readonly ScannerConnection[] = ['STARTING', 'WEBSOCKET', 'REST_FALLBACK', 'DOWN', 'STOPPED'];
const COUNTERS: readonly (keyof ScannerCounters)[] = [
  'socketDrops',
  'resubscribes',
  'scansWithoutStream',
  'restPolls',
  'restErrors',
  'rateLimited',
  'malformedMessages',
  'invalidPrices',
  'delisted',
  'missedBoundaries',
  'writeErrors',
  'publishErrors',
];

/** A list of strings (symbols); each other element is a problem. */
function strings(f: Fields, field: string): string[] {
  return f.array(field).flatMap((v, i) => {
    if (typeof v === 'string') return [v];
    f.problems.push(`${field}[${i}] is not a string`);
    return [];
  });
}

/**
 * Validates one DOLPHIN_SCANNER_STATE value against ScannerStatus (unknown fields ignored; counters a
 * newer writer adds are not required, missing ones read 0). Every problem is listed; any problem makes
 * the entry malformed. The entry's key must be its scannerId.
 */
export function parseScannerStatus(value: unknown, key: string): { status: ScannerStatus } | { problem: string } {
  const o = jsonObjectOf(value);
  if ('problem' in o) return o;
  const f = new Fields(o.obj);
  const scannerId = f.str('scannerId');
  if (f.problems.length === 0 && scannerId !== key) f.problems.push(`scannerId is ${JSON.stringify(scannerId)}, but the entry's key is ${JSON.stringify(key)}`);
  f.oneOf('mode', ['scanner']);
  const heartbeatMs = f.num('heartbeatMs');
  const cadenceMs = f.num('cadenceMs');
  const c = f.object('counters', false);
  const counters = Object.fromEntries(COUNTERS.map((k) => [k, c?.has(k) ? c.int(k) : 0])) as unknown as ScannerCounters;
  const status: ScannerStatus = {
    scannerId,
    mode: 'scanner',
    exchange: f.str('exchange'),
    venue: f.str('venue'),
    priceSource: f.oneOf<'last'>('priceSource', ['last', 'mark']),
    cadenceMs,
    heartbeatMs,
    startedAtMs: f.num('startedAtMs'),
    connection: f.oneOf<ScannerConnection>('connection', CONNECTIONS),
    lastTickAgeMs: f.has('lastTickAgeMs') && o.obj['lastTickAgeMs'] !== null ? f.num('lastTickAgeMs') : null,
    lastScanTs: f.nsOrNull('lastScanTs'),
    lastScanNumber: f.intOrNull('lastScanNumber'),
    scansWritten: f.int('scansWritten'),
    scansPublished: f.int('scansPublished'),
    universeSize: f.int('universeSize'),
    staleSymbols: strings(f, 'staleSymbols'),
    delistedSymbols: strings(f, 'delistedSymbols'),
    clockOffsetMs: f.has('clockOffsetMs') && o.obj['clockOffsetMs'] !== null ? f.num('clockOffsetMs') : null,
    clockRttMs: f.has('clockRttMs') && o.obj['clockRttMs'] !== null ? f.num('clockRttMs') : null,
    restoredScans: f.has('restoredScans') ? f.int('restoredScans') : 0,
    out: f.has('out') && o.obj['out'] !== null ? f.str('out') : null,
    counters,
    stopped: f.bool('stopped'),
  };
  if (f.problems.length === 0 && !(Number.isFinite(heartbeatMs) && cadenceMs > 0)) f.problems.push(`heartbeatMs and cadenceMs must be numbers (cadenceMs > 0), were ${heartbeatMs} and ${cadenceMs}`);
  const problem = problemsText(f);
  return problem === null ? { status } : { problem };
}
