/**
 * Health snapshot of a DOLPHIN cluster: the latest scan, external factors and every paper run's
 * published state, judged OK / STALE / DOWN. Collection (`collectStatus`) is separate from the pure
 * rendering (`formatStatus`); time is passed in.
 *
 * Health rules (the first matching level wins, every reason is listed):
 * - DOWN: the cluster cannot be reached, or the client lost it while reading.
 * - STALE, any of:
 *   - `latest_eigen_scan` is missing or malformed, or older than `staleAfterMs`
 *     (or more than `staleAfterMs` in the future: the clocks disagree);
 *   - `exf_latest` is malformed (a missing one is only a note: factors are optional);
 *   - a state entry is malformed (a writer is broken; the entry is listed with its key and problem);
 *   - a run that is not stopped has a heartbeat older than max(3 s, staleAfter / 2), a feedStatus
 *     other than CONNECTED, a last accepted scan more than `staleAfterMs` behind the latest scan,
 *     or a validation verdict DIVERGED.
 *   Stopped runs are shown but never affect health (their entry may linger in the map for ever);
 *   - a scanner's status record (`DOLPHIN_SCANNER_STATE`, written by `dolphin scan` and by
 *     `live --feed exchange --hz`) that is not stopped and whose heartbeat is older than
 *     max(run heartbeat limit, 3 of its beats), or a scanner record that is malformed.
 *   A scanner without its price stream (REST fallback) is a note, not a health problem.
 * - OK otherwise. A scanner restart (scan_number went down while timestamp_ns went up since the
 *   previous sample) is a note, not a health problem.
 */

import type { FeedStatus } from '../../core/ports/data-feed.port.js';
import { parseScannerStatus } from '../exchange/scanner-status-parser.js';
import { SCANNER_STATE_MAP, scannerHealth, scannerHeartbeatLimitMs, type ScannerHealth, type ScannerStatus } from '../exchange/scanner-status.js';
import type { HazelcastClient } from './hazelcast-connection.js';
import type { MirrorState, MissedRange, PaperCounters, RejectionState, ShadowState, ValidationState } from './paper-state.js';
import { EXF_KEY, FEATURES_MAP, SCAN_KEY, STATE_MAP, scanStreamName } from './paper-state.js';
import { parseFactorsJson, parseScanJson } from './scan-json.js';
import { errorText, parseState, textOf, type ParsedState } from './paper-state-parser.js';

/** Overall health: OK, STALE (something is old, broken or diverging) or DOWN (cluster unreachable). */
export type Health = 'OK' | 'STALE' | 'DOWN';

/** Where the status came from. */
export interface ClusterInfo {
  /** Address the client was pointed at (`host:port`). */
  readonly address: string;
  readonly clusterName: string;
  readonly reachable: boolean;
  /** Members the client sees; null when unreachable. */
  readonly members: number | null;
  readonly memberAddresses: readonly string[];
  /** Why the cluster is unreachable (DOWN only). */
  readonly error: string | null;
}

/** Progression of `latest_eigen_scan` since the previous sample. */
export interface ScanProgression {
  /** Wall time between the two samples. */
  readonly intervalSeconds: number;
  readonly previousTimestampNs: string;
  readonly previousScanNumber: number;
  /** timestamp_ns moved forward. */
  readonly advanced: boolean;
  /** scan_number difference when it can be trusted (no restart, both known), else null. */
  readonly scansAdvanced: number | null;
  /** timestamp_ns moved forward while scan_number went down: the scanner restarted. */
  readonly scannerRestart: boolean;
  /** timestamp_ns moved backward: an older scan was published over a newer one. */
  readonly wentBack: boolean;
}

/** `DOLPHIN_FEATURES["latest_eigen_scan"]`. */
export interface LatestScanStatus {
  /** UNKNOWN when the cluster could not be read. */
  readonly state: 'OK' | 'MISSING' | 'MALFORMED' | 'UNKNOWN';
  /** What is wrong with a MALFORMED payload. */
  readonly problem: string | null;
  /** UTC epoch ns as a decimal string. */
  readonly timestampNs: string | null;
  /** timestamp_ns as UTC ISO-8601 (ms precision). */
  readonly timestampIso: string | null;
  readonly scanNumber: number | null;
  /** now - timestamp_ns / 1e6, in seconds (negative when the scan is from the future). */
  readonly ageSeconds: number | null;
  readonly assets: number | null;
  /** Null without a previous sample holding a valid scan. */
  readonly progression: ScanProgression | null;
}

/** The scan stream (ringbuffer) of the features map. */
export interface StreamStatus {
  readonly name: string;
  /** Entries held, and their sequences (head > tail when empty). */
  readonly size: number;
  readonly headSequence: number;
  readonly tailSequence: number;
  readonly capacity: number;
}

/** `DOLPHIN_FEATURES["exf_latest"]`. */
export interface ExfStatus {
  readonly state: 'OK' | 'MISSING' | 'MALFORMED' | 'UNKNOWN';
  readonly problem: string | null;
  /** UTC date of the factors, YYYY-MM-DD. */
  readonly date: string | null;
}

/** One paper run as read from `DOLPHIN_STATE_PAPER[runId]`. Non-finite numbers are NaN (null in JSON). */
export interface PaperRunStatus {
  /** Map key (the run id). */
  readonly runId: string;
  readonly stopped: boolean;
  readonly heartbeatMs: number;
  readonly heartbeatAgeSeconds: number;
  readonly startedAtMs: number;
  readonly feedStatus: FeedStatus;
  /** ns decimal string of the last accepted scan, null before the first. */
  readonly lastScanTs: string | null;
  readonly lastScanAgeSeconds: number | null;
  readonly lastScanNumber: number | null;
  readonly equity: number;
  readonly cash: number;
  readonly initialCapital: number;
  readonly realizedPnl: number;
  /** equity - initialCapital. */
  readonly pnl: number;
  /** pnl / initialCapital * 100. */
  readonly pnlPct: number;
  readonly trades: number;
  readonly openPositions: number;
  readonly acbCut: number;
  readonly counters: PaperCounters;
  /** The last message the run refused and why (null when none or an older writer). */
  readonly lastRejection: RejectionState | null;
  /** Most recent ranges of scans the run knows it missed. */
  readonly missed: readonly MissedRange[];
  readonly shadows: readonly ShadowState[];
  readonly validation: ValidationState | null;
  /** The order mirror's health (runs with --mirror only). */
  readonly mirror?: MirrorState;
  readonly journal: string;
  /** STALE when this run contributes a reason to the overall health. */
  readonly health: 'OK' | 'STALE';
  readonly reasons: readonly string[];
}

/** One scanner as read from `DOLPHIN_SCANNER_STATE[scannerId]`, judged. */
export interface ScannerEntryStatus {
  /** OK, DEGRADED (no price stream: REST polling), STALE (heartbeat too old: counts for health) or STOPPED. */
  readonly health: ScannerHealth;
  readonly heartbeatAgeSeconds: number;
  /** The heartbeat age beyond which this scanner is STALE. */
  readonly heartbeatLimitSeconds: number;
  /** The record as the scanner wrote it. */
  readonly status: ScannerStatus;
}

/** A map entry that could not be read as what it should be. */
export interface MalformedEntry {
  readonly key: string;
  readonly problem: string;
}

/** Everything `dolphin status` shows; JSON-serializable as it is. */
export interface ClusterStatus {
  /** Wall-clock epoch ms of the sample (passed in). */
  readonly atMs: number;
  readonly atIso: string;
  readonly staleAfterSeconds: number;
  readonly health: Health;
  /** Why health is not OK, one line each. */
  readonly reasons: readonly string[];
  /** Observations that do not affect health (scanner restart, no exf, stopped runs). */
  readonly notes: readonly string[];
  readonly cluster: ClusterInfo;
  readonly maps: { readonly features: string; readonly state: string; readonly scanners: string };
  readonly scan: LatestScanStatus;
  /** The scan stream of the features map; null when it could not be read. */
  readonly stream: StreamStatus | null;
  readonly exf: ExfStatus;
  /** Readable runs, by run id. */
  readonly runs: readonly PaperRunStatus[];
  /** State entries that are not a valid PaperState, by key. */
  readonly malformedRuns: readonly MalformedEntry[];
  /** The scanners' status records (our own scanner: `dolphin scan`, `live --feed exchange`), by id. */
  readonly scanners: readonly ScannerEntryStatus[];
  /** Scanner records that are not a valid ScannerStatus, by key. */
  readonly malformedScanners: readonly MalformedEntry[];
}

/** Options of collectStatus. */
export interface CollectStatusOptions {
  /** Wall-clock epoch ms of this sample. */
  readonly now: number;
  /** A scan older than this is STALE; run heartbeats are judged against max(3 s, staleAfterMs / 2). */
  readonly staleAfterMs: number;
  /** Default FEATURES_MAP; other names isolate tests or tenants sharing a cluster. */
  readonly featuresMap?: string;
  /** Default STATE_MAP. */
  readonly stateMap?: string;
  /** Default SCANNER_STATE_MAP. */
  readonly scannerMap?: string;
  /** The previous sample, for scan progression (scans advanced, scanner restart). */
  readonly previous?: ClusterStatus;
  /** Address shown in the status; default the client's first configured member. */
  readonly address?: string;
}

/** Heartbeat age beyond which a running paper run is STALE. */
export function heartbeatLimitMs(staleAfterMs: number): number {
  return Math.max(3_000, staleAfterMs / 2);
}

/**
 * Reads the latest scan, external factors and every paper run's state and judges health.
 * Never throws for bad payloads (they are reported); a client that loses the cluster while reading
 * gives a DOWN status.
 */
export async function collectStatus(client: HazelcastClient, opts: CollectStatusOptions): Promise<ClusterStatus> {
  const featuresMap = opts.featuresMap ?? FEATURES_MAP;
  const stateMap = opts.stateMap ?? STATE_MAP;
  const scannerMap = opts.scannerMap ?? SCANNER_STATE_MAP;
  const config = client.getConfig();
  const address = opts.address ?? config.network?.clusterMembers?.[0] ?? '';
  const clusterName = config.clusterName ?? '';

  let scanRaw: Read;
  let exfRaw: Read;
  let stateRaw: (Read & { key: string })[];
  let scannerRaw: (Read & { key: string })[];
  let memberAddresses: string[];
  let stream: StreamStatus | null = null;
  try {
    const features = await client.getMap<string, unknown>(featuresMap);
    const state = await client.getMap<string, unknown>(stateMap);
    [scanRaw, exfRaw] = await Promise.all([read(() => features.get(SCAN_KEY)), read(() => features.get(EXF_KEY))]);
    stream = await readStream(client, scanStreamName(featuresMap));
    const keys = (await state.keySet()).map(String).sort();
    // one get per key: a value the client cannot deserialize spoils only its own entry
    stateRaw = await Promise.all(keys.map(async (key) => ({ key, ...(await read(() => state.get(key))) })));
    const scanners = await client.getMap<string, unknown>(scannerMap);
    const scannerKeys = (await scanners.keySet()).map(String).sort();
    scannerRaw = await Promise.all(scannerKeys.map(async (key) => ({ key, ...(await read(() => scanners.get(key))) })));
    for (const r of [scanRaw, exfRaw, ...stateRaw, ...scannerRaw]) if (r.error !== undefined && !clientRunning(client)) throw r.error;
    memberAddresses = client
      .getCluster()
      .getMembers()
      .map((m) => m.address.toString());
  } catch (err) {
    return unreachableStatus({
      now: opts.now,
      staleAfterMs: opts.staleAfterMs,
      address,
      cluster: clusterName,
      error: `lost the cluster while reading: ${errorText(err)}`,
      featuresMap,
      stateMap,
      scannerMap,
    });
  }

  const reasons: string[] = [];
  const notes: string[] = [];
  const scan = scanStatus(scanRaw, opts, featuresMap, reasons, notes);
  const exf = exfStatus(exfRaw, featuresMap, reasons, notes);
  if (stream !== null && stream.size === 0 && scan.state === 'OK') {
    notes.push(`scan stream ${stream.name} is empty: the publisher writes ${SCAN_KEY} alone (the external scanner?); live runs then see only the latest scan and count what they miss`);
  }
  const runs: PaperRunStatus[] = [];
  const malformedRuns: MalformedEntry[] = [];
  for (const r of stateRaw) {
    const parsed = r.error !== undefined ? { problem: `could not read: ${errorText(r.error)}` } : parseState(r.value, r.key);
    if ('problem' in parsed) {
      malformedRuns.push({ key: r.key, problem: parsed.problem });
      reasons.push(`state entry '${r.key}' in ${stateMap} is malformed: ${parsed.problem}`);
      continue;
    }
    const run = runStatus(r.key, parsed.state, scan, opts);
    runs.push(run);
    for (const why of run.reasons) reasons.push(`run ${run.runId}: ${why}`);
    if (run.stopped) notes.push(`run ${run.runId} stopped (heartbeat ${fmtAge(run.heartbeatAgeSeconds)} ago)`);
    if (run.counters.scansMissed > 0) {
      const last = run.missed[run.missed.length - 1];
      const range = last === undefined ? '' : `; last: ${last.scans} between ${isoOfNs(last.fromTs)} and ${isoOfNs(last.toTs)} (${missedWhy(last.via)})`;
      notes.push(`run ${run.runId} missed ${run.counters.scansMissed} scan(s) in ${run.missed.length} gap(s) it could not fill${range}`);
    }
    const refused = run.counters.malformedMessages + run.counters.outOfBounds + run.counters.badTimestamps;
    if (refused > 0) {
      const last = run.lastRejection === null ? '' : `; last ${fmtAge((opts.now - run.lastRejection.atMs) / 1000)} ago: ${run.lastRejection.reason}`;
      notes.push(
        `run ${run.runId} refused ${refused} message(s): ${run.counters.malformedMessages} malformed, ${run.counters.outOfBounds} out of bounds, ${run.counters.badTimestamps} with a bad timestamp${last}`,
      );
    }
  }

  const { scanners, malformedScanners } = scannerStatuses(scannerRaw, scannerMap, opts, reasons, notes);

  return {
    atMs: opts.now,
    atIso: isoOfMs(opts.now) ?? '',
    staleAfterSeconds: opts.staleAfterMs / 1000,
    health: reasons.length > 0 ? 'STALE' : 'OK',
    reasons,
    notes,
    cluster: {
      address,
      clusterName,
      reachable: true,
      members: memberAddresses.length,
      memberAddresses,
      error: null,
    },
    maps: { features: featuresMap, state: stateMap, scanners: scannerMap },
    scan,
    stream,
    exf,
    runs,
    malformedRuns,
    scanners,
    malformedScanners,
  };
}

/** The status of a cluster that cannot be reached: health DOWN, `error` as the one reason. */
export function unreachableStatus(opts: {
  readonly now: number;
  readonly staleAfterMs: number;
  readonly address: string;
  readonly cluster: string;
  readonly error: string;
  readonly featuresMap?: string;
  readonly stateMap?: string;
  readonly scannerMap?: string;
}): ClusterStatus {
  return {
    atMs: opts.now,
    atIso: isoOfMs(opts.now) ?? '',
    staleAfterSeconds: opts.staleAfterMs / 1000,
    health: 'DOWN',
    reasons: [opts.error],
    notes: [],
    cluster: {
      address: opts.address,
      clusterName: opts.cluster,
      reachable: false,
      members: null,
      memberAddresses: [],
      error: opts.error,
    },
    maps: { features: opts.featuresMap ?? FEATURES_MAP, state: opts.stateMap ?? STATE_MAP, scanners: opts.scannerMap ?? SCANNER_STATE_MAP },
    scan: { ...EMPTY_SCAN, state: 'UNKNOWN' },
    stream: null,
    exf: { state: 'UNKNOWN', problem: null, date: null },
    runs: [],
    malformedRuns: [],
    scanners: [],
    malformedScanners: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

interface Read {
  readonly value?: unknown;
  readonly error?: unknown;
}

async function read(get: () => Promise<unknown>): Promise<Read> {
  try {
    return { value: await get() };
  } catch (error) {
    return { error };
  }
}

/** Size and sequences of the scan stream (null when it cannot be read: it is informational). */
async function readStream(client: HazelcastClient, name: string): Promise<StreamStatus | null> {
  try {
    const rb = await client.getRingbuffer<string>(name);
    const [size, head, tail, capacity] = await Promise.all([rb.size(), rb.headSequence(), rb.tailSequence(), rb.capacity()]);
    return { name, size: Number(size), headSequence: Number(head), tailSequence: Number(tail), capacity: Number(capacity) };
  } catch {
    return null;
  }
}

function clientRunning(client: HazelcastClient): boolean {
  try {
    return client.getLifecycleService().isRunning();
  } catch {
    return false;
  }
}


/** JSON text of a map value (a string or HazelcastJsonValue), or why it is not text. */
// ---------------------------------------------------------------------------------------------
// Scan and factors
// ---------------------------------------------------------------------------------------------

const EMPTY_SCAN: LatestScanStatus = {
  state: 'MISSING',
  problem: null,
  timestampNs: null,
  timestampIso: null,
  scanNumber: null,
  ageSeconds: null,
  assets: null,
  progression: null,
};

function scanStatus(
  raw: Read,
  opts: CollectStatusOptions,
  map: string,
  reasons: string[],
  notes: string[],
): LatestScanStatus {
  const where = `${map}["${SCAN_KEY}"]`;
  if (raw.error !== undefined) {
    const problem = `could not read: ${errorText(raw.error)}`;
    reasons.push(`${where} is malformed: ${problem}`);
    return { ...EMPTY_SCAN, state: 'MALFORMED', problem };
  }
  if (raw.value === undefined || raw.value === null) {
    reasons.push(`no ${where}: no scanner or bridge is publishing`);
    return EMPTY_SCAN;
  }
  const text = textOf(raw.value);
  let problem: string;
  if ('text' in text) {
    try {
      const scan = parseScanJson(text.text, SCAN_KEY);
      const ageSeconds = (opts.now - nsToMs(scan.timestampNs)) / 1000;
      const staleAfter = opts.staleAfterMs / 1000;
      if (ageSeconds > staleAfter) {
        reasons.push(`latest scan is ${fmtAge(ageSeconds)} old (stale after ${fmtSeconds(staleAfter)}): is the scanner or bridge running?`);
      } else if (ageSeconds < -staleAfter) {
        reasons.push(`latest scan is ${fmtAge(-ageSeconds)} in the future: the scanner's clock and this machine's disagree`);
      }
      const tsNs = scan.timestampNs.toString();
      const scanNumber = scan.scanNumber >= 0 ? scan.scanNumber : null;
      const progression = scanProgression(opts.previous, tsNs, scanNumber, opts.now);
      if (progression?.scannerRestart === true) {
        notes.push(`scanner restart: scan_number went from ${progression.previousScanNumber} to ${scanNumber ?? '?'} since the previous sample`);
      }
      if (progression?.wentBack === true) {
        notes.push(`latest scan went back in time since the previous sample (${progression.previousTimestampNs} -> ${tsNs})`);
      }
      return {
        state: 'OK',
        problem: null,
        timestampNs: tsNs,
        timestampIso: isoOfMs(nsToMs(scan.timestampNs)),
        scanNumber,
        ageSeconds: round3(ageSeconds),
        assets: scan.assets.length,
        progression,
      };
    } catch (err) {
      problem = errorText(err);
    }
  } else problem = text.problem;
  reasons.push(`${where} is malformed: ${problem}`);
  return { ...EMPTY_SCAN, state: 'MALFORMED', problem };
}

/**
 * Progression of the latest scan between two samples. Pure.
 * - timestamp_ns unchanged: not advanced, 0 scans;
 * - forward, scan_number down: scanner restart (scans advanced unknown);
 * - forward otherwise: scans advanced = scan_number difference (null when either is unknown);
 * - backward: wentBack.
 * Null when the previous sample had no valid scan.
 */
export function scanProgression(
  previous: ClusterStatus | undefined,
  timestampNs: string,
  scanNumber: number | null,
  now: number,
): ScanProgression | null {
  const prev = previous?.scan;
  if (prev === undefined || prev.state !== 'OK' || prev.timestampNs === null) return null;
  const before = BigInt(prev.timestampNs);
  const after = BigInt(timestampNs);
  const prevNumber = prev.scanNumber;
  const advanced = after > before;
  const scannerRestart = advanced && scanNumber !== null && prevNumber !== null && scanNumber < prevNumber;
  let scansAdvanced: number | null = null;
  if (after === before) scansAdvanced = 0;
  else if (advanced && !scannerRestart && scanNumber !== null && prevNumber !== null) scansAdvanced = scanNumber - prevNumber;
  return {
    intervalSeconds: round3((now - (previous?.atMs ?? now)) / 1000),
    previousTimestampNs: prev.timestampNs,
    previousScanNumber: prevNumber ?? -1,
    advanced,
    scansAdvanced,
    scannerRestart,
    wentBack: after < before,
  };
}

function exfStatus(raw: Read, map: string, reasons: string[], notes: string[]): ExfStatus {
  const where = `${map}["${EXF_KEY}"]`;
  if (raw.error === undefined && (raw.value === undefined || raw.value === null)) {
    notes.push(`no ${where} (external factors are optional)`);
    return { state: 'MISSING', problem: null, date: null };
  }
  let problem: string;
  if (raw.error !== undefined) problem = `could not read: ${errorText(raw.error)}`;
  else {
    const text = textOf(raw.value);
    if ('text' in text) {
      try {
        return { state: 'OK', problem: null, date: parseFactorsJson(text.text, EXF_KEY).date };
      } catch (err) {
        problem = errorText(err);
      }
    } else problem = text.problem;
  }
  reasons.push(`${where} is malformed: ${problem}`);
  return { state: 'MALFORMED', problem, date: null };
}

function runStatus(key: string, s: ParsedState, scan: LatestScanStatus, opts: CollectStatusOptions): PaperRunStatus {
  const heartbeatAgeSeconds = (opts.now - s.heartbeatMs) / 1000;
  const lastScanMs = s.lastScanTs === null ? null : nsToMs(BigInt(s.lastScanTs));
  const reasons: string[] = [];
  if (!s.stopped) {
    const limit = heartbeatLimitMs(opts.staleAfterMs) / 1000;
    if (heartbeatAgeSeconds > limit) {
      reasons.push(`heartbeat is ${fmtAge(heartbeatAgeSeconds)} old (limit ${fmtSeconds(limit)}): the run is hung or died without stopping`);
    }
    if (s.feedStatus !== 'CONNECTED') reasons.push(`feed is ${s.feedStatus}`);
    if (scan.state === 'OK' && scan.timestampNs !== null && lastScanMs !== null) {
      const behind = (nsToMs(BigInt(scan.timestampNs)) - lastScanMs) / 1000;
      if (behind > opts.staleAfterMs / 1000) reasons.push(`last accepted scan is ${fmtAge(behind)} behind the latest scan`);
    }
    if (s.validation?.verdict === 'DIVERGED') reasons.push(`validation DIVERGED: ${s.validation.summary}`);
  }
  const pnl = s.equity - s.initialCapital;
  return {
    runId: key,
    stopped: s.stopped,
    heartbeatMs: s.heartbeatMs,
    heartbeatAgeSeconds: round3(heartbeatAgeSeconds),
    startedAtMs: s.startedAtMs,
    feedStatus: s.feedStatus,
    lastScanTs: s.lastScanTs,
    lastScanAgeSeconds: lastScanMs === null ? null : round3((opts.now - lastScanMs) / 1000),
    lastScanNumber: s.lastScanNumber,
    equity: s.equity,
    cash: s.cash,
    initialCapital: s.initialCapital,
    realizedPnl: s.realizedPnl,
    pnl,
    pnlPct: s.initialCapital !== 0 ? (pnl / s.initialCapital) * 100 : NaN,
    trades: s.trades,
    openPositions: s.positions,
    acbCut: s.acbCut,
    counters: s.counters,
    lastRejection: s.lastRejection ?? null,
    missed: s.missed ?? [],
    shadows: s.shadows,
    validation: s.validation,
    ...(s.mirror !== undefined ? { mirror: s.mirror } : {}),
    journal: s.journal,
    health: reasons.length > 0 ? 'STALE' : 'OK',
    reasons,
  };
}

// ---------------------------------------------------------------------------------------------
// Scanners
// ---------------------------------------------------------------------------------------------

/** Parses and judges the scanner records; a stale heartbeat or a malformed record is a reason. */
function scannerStatuses(
  raw: readonly (Read & { key: string })[],
  map: string,
  opts: CollectStatusOptions,
  reasons: string[],
  notes: string[],
): { scanners: ScannerEntryStatus[]; malformedScanners: MalformedEntry[] } {
  const scanners: ScannerEntryStatus[] = [];
  const malformedScanners: MalformedEntry[] = [];
  const floorMs = heartbeatLimitMs(opts.staleAfterMs);
  for (const r of raw) {
    const parsed = r.error !== undefined ? { problem: `could not read: ${errorText(r.error)}` } : parseScannerStatus(r.value, r.key);
    if ('problem' in parsed) {
      malformedScanners.push({ key: r.key, problem: parsed.problem });
      reasons.push(`scanner entry '${r.key}' in ${map} is malformed: ${parsed.problem}`);
      continue;
    }
    const s = parsed.status;
    const age = (opts.now - s.heartbeatMs) / 1000;
    const limit = scannerHeartbeatLimitMs(s.cadenceMs, floorMs) / 1000;
    const health = scannerHealth(s, opts.now, floorMs);
    scanners.push({ health, heartbeatAgeSeconds: round3(age), heartbeatLimitSeconds: limit, status: s });
    if (health === 'STALE') reasons.push(`scanner ${s.scannerId}: heartbeat is ${fmtAge(age)} old (limit ${fmtSeconds(limit)}): the scanner is hung or died without stopping`);
    else if (health === 'STOPPED') notes.push(`scanner ${s.scannerId} stopped (heartbeat ${fmtAge(age)} ago)`);
    else if (health === 'DEGRADED') notes.push(`scanner ${s.scannerId}: connection ${s.connection}: prices by REST polling until the price stream is back`);
    if (health !== 'STOPPED' && s.staleSymbols.length > 0) {
      notes.push(`scanner ${s.scannerId}: ${s.staleSymbols.length} symbol(s) without a price in its last scan (${s.staleSymbols.slice(0, 5).join(', ')}${s.staleSymbols.length > 5 ? ', ...' : ''})`);
    }
  }
  return { scanners, malformedScanners };
}

// ---------------------------------------------------------------------------------------------
// Time helpers
// ---------------------------------------------------------------------------------------------

/** Why a run missed a range of scans, as status explains it. */
function missedWhy(via: MissedRange['via']): string {
  if (via === 'key') return 'only the latest key showed them';
  if (via === 'scanner') return 'its own scanner took none: the process was stalled or not running';
  return 'the scan stream lost them';
}

/** Epoch ns to ms (floor), exact for any real timestamp. */
function nsToMs(ns: bigint): number {
  return Number(ns / 1_000_000n);
}

function isoOfNs(ns: string): string {
  return /^\d+$/.test(ns) ? (isoOfMs(nsToMs(BigInt(ns))) ?? ns) : ns;
}

function isoOfMs(ms: number): string | null {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function fmtSeconds(s: number): string {
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

export function fmtAge(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s < 60) return `${sign}${s.toFixed(1)} s`;
  if (s < 3600) return `${sign}${Math.floor(s / 60)} min ${Math.floor(s % 60)} s`;
  if (s < 86_400) return `${sign}${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${sign}${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}
