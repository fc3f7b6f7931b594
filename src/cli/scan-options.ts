/**
 * The scanner's flags, shared by `dolphin scan` and `dolphin live --feed exchange`: declared once (no
 * yargs defaults, so a command can tell which were given), checked once into the scanner's settings.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Argv } from 'yargs';
import { parseWindows } from '../app/rescan.js';
import { ConfigError } from '../core/errors.js';
import { WINDOWS } from '../core/scan.js';
import type { ExchangeScannerSettings } from '../feeds/exchange/exchange-scanner.js';
import { parseUniverseSpec } from '../feeds/exchange/scan-universe.js';
import { SCANNER_STATE_MAP } from '../feeds/exchange/scanner-status.js';

/** The scanner's flags as yargs parses them (undefined: not given). */
export interface ScanFlagArgs {
  exchange?: string;
  universe?: string;
  symbols?: string;
  'symbols-file'?: string;
  cadence?: string;
  'stale-after-cadences'?: number;
  price?: 'last' | 'mark';
  out?: string;
  'scanner-id'?: string;
  'venue-url'?: string;
  'venue-ws-url'?: string;
  'start-attempts'?: number;
  'request-timeout'?: number;
  'poll-ms'?: number;
  'clock-check'?: number;
  'markets-refresh'?: number;
  windows?: string;
  verbose?: boolean;
}

/** Every scanner flag (for "applies to --feed exchange only" checks). */
export const SCAN_FLAGS: readonly (keyof ScanFlagArgs)[] = [
  'exchange',
  'universe',
  'symbols',
  'symbols-file',
  'cadence',
  'stale-after-cadences',
  'price',
  'out',
  'scanner-id',
  'venue-url',
  'venue-ws-url',
  'start-attempts',
  'request-timeout',
  'poll-ms',
  'clock-check',
  'markets-refresh',
  'windows',
  'verbose',
];

/** Defaults of the scanner's flags. */
export const SCAN_DEFAULTS = { cadence: '5s', staleAfterCadences: 6, price: 'last', startAttempts: 4, requestTimeoutMs: 5000, clockCheckS: 60, marketsRefreshS: 600 } as const;

/**
 * Parses a cadence: `5s`, `500ms`, `1m` or a number of seconds. It must be a whole number of ms, at
 * least 200 ms, dividing one day (boundaries are UTC-aligned).
 * @throws ConfigError naming --cadence.
 */
export function parseCadence(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  const ms = m === null ? NaN : Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
  if (!(Number.isInteger(ms) && ms >= 200 && 86_400_000 % ms === 0)) {
    throw new ConfigError([`--cadence must be a duration like 5s, 500ms or 1m (at least 200 ms, dividing one day), was "${text}"`]);
  }
  return ms;
}

/** Adds the scanner's flags (`group`: the help section they are listed under). */
export function scanFlagOptions<T>(y: Argv<T>, group?: string): Argv<T & ScanFlagArgs> {
  const a = y
    .option('exchange', { type: 'string', choices: ['binanceusdm'], describe: 'ccxt exchange id (Binance USDT-M perpetuals)' })
    .option('universe', { type: 'string', describe: 'topN: the N active USDT perpetuals with the largest 24 h quote volume at start, BTCUSDT always in (default top50)' })
    .option('symbols', { type: 'string', describe: 'comma-separated universe instead, e.g. BTCUSDT,ETHUSDT,SOLUSDT' })
    .option('symbols-file', { type: 'string', describe: 'file listing the universe (one symbol per line or comma-separated; # comments)' })
    .option('cadence', { type: 'string', describe: `scan every DURATION on UTC-aligned boundaries (5s, 500ms, 1m; default ${SCAN_DEFAULTS.cadence})` })
    .option('stale-after-cadences', { type: 'number', describe: `a symbol without an update for more than N cadences gets an invalid price (default ${SCAN_DEFAULTS.staleAfterCadences})` })
    .option('price', { choices: ['last', 'mark'] as const, describe: 'last trade price (24hrMiniTicker, the default) or mark price (markPrice@1s); see docs/scanner.md' })
    .option('out', { type: 'string', describe: 'folder for scanner-layout Arrow files (YYYY-MM-DD/scan_*.arrow); read back at start to restore the feature windows' })
    .option('scanner-id', { type: 'string', describe: `key of the status record in ${SCANNER_STATE_MAP} (default: the exchange id)` })
    .option('venue-url', { type: 'string', describe: 'REST root replacing https://fapi.binance.com, e.g. the emulator: http://127.0.0.1:8090 (npm run emulator)' })
    .option('venue-ws-url', { type: 'string', describe: 'stream root replacing wss://fstream.binance.com/ws (default: from --venue-url)' })
    .option('start-attempts', { type: 'number', describe: `attempts to reach the exchange at start (backoff 0.5, 1, 2 s ...) before exit 1 (default ${SCAN_DEFAULTS.startAttempts})` })
    .option('request-timeout', { type: 'number', describe: `ms per REST request (default ${SCAN_DEFAULTS.requestTimeoutMs})` })
    .option('verbose', { type: 'boolean', describe: 'log every scan on stderr' })
    .option('poll-ms', { type: 'number', hidden: true, describe: 'REST polling period while the stream is down (default max(1000, cadence / 2))' })
    .option('clock-check', { type: 'number', hidden: true, describe: `seconds between clock-offset measurements (default ${SCAN_DEFAULTS.clockCheckS})` })
    .option('markets-refresh', { type: 'number', hidden: true, describe: `seconds between market reloads, the delisting check (default ${SCAN_DEFAULTS.marketsRefreshS})` })
    .option('windows', { type: 'string', hidden: true, describe: `window lengths of the four column slots (default ${WINDOWS.join(',')})` });
  return (group === undefined ? a : a.group(['exchange', 'universe', 'symbols', 'symbols-file', 'cadence', 'stale-after-cadences', 'price', 'out', 'scanner-id', 'venue-url', 'venue-ws-url', 'start-attempts', 'request-timeout', 'verbose'], group)) as unknown as Argv<T & ScanFlagArgs>;
}

/**
 * The scanner's settings from its flags (defaults filled in). Every problem of the command line (with
 * the command's own `extra` ones) is listed at once in one ConfigError (exit 2), each naming its flag.
 */
export function scannerSettings(args: ScanFlagArgs, extra: readonly (string | null)[] = []): ExchangeScannerSettings {
  const problems: string[] = extra.filter((p): p is string => p !== null);
  const tryIt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (e instanceof ConfigError) problems.push(...e.problems);
      else throw e;
      return undefined;
    }
  };
  let symbolsFile: { path: string; text: string } | undefined;
  if (args['symbols-file'] !== undefined) {
    try {
      symbolsFile = { path: args['symbols-file'], text: readFileSync(args['symbols-file'], 'utf8') };
    } catch (e) {
      problems.push(`--symbols-file ${args['symbols-file']} cannot be read: ${(e as Error).message}`);
    }
  }
  const unreadable = args['symbols-file'] !== undefined && symbolsFile === undefined;
  const universe = unreadable ? undefined : tryIt(() => parseUniverseSpec(args.universe, args.symbols, symbolsFile));
  const cadenceMs = tryIt(() => parseCadence(args.cadence ?? SCAN_DEFAULTS.cadence));
  const windows = tryIt(() => parseWindows(args.windows ?? WINDOWS.join(',')));
  const stale = args['stale-after-cadences'] ?? SCAN_DEFAULTS.staleAfterCadences;
  if (!(Number.isInteger(stale) && stale >= 1 && stale <= 10_000)) problems.push(`--stale-after-cadences must be an integer in [1, 10000], was ${String(stale)}`);
  const attempts = args['start-attempts'] ?? SCAN_DEFAULTS.startAttempts;
  if (!(Number.isInteger(attempts) && attempts >= 1)) problems.push(`--start-attempts must be an integer >= 1, was ${String(attempts)}`);
  const timeout = args['request-timeout'] ?? SCAN_DEFAULTS.requestTimeoutMs;
  if (!(timeout >= 100)) problems.push(`--request-timeout must be >= 100 ms, was ${String(timeout)}`);
  for (const [flag, v] of [['--venue-url', args['venue-url']], ['--venue-ws-url', args['venue-ws-url']]] as const) {
    if (v === undefined) continue;
    let ok = false;
    try {
      ok = /^(https?|wss?):$/.test(new URL(v).protocol);
    } catch {
      ok = false;
    }
    if (!ok) problems.push(`${flag} must be a URL like http://127.0.0.1:8090${flag === '--venue-ws-url' ? '/ws' : ''}, was "${v}"`);
  }
  if (args.out !== undefined && existsSync(args.out) && !statSync(args.out).isDirectory()) problems.push(`--out ${args.out} exists and is not a folder`);
  if (args.exchange !== undefined && args.exchange !== 'binanceusdm') problems.push(`--exchange must be binanceusdm, was "${args.exchange}"`);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    exchange: 'binanceusdm',
    universe: universe!,
    cadenceMs: cadenceMs!,
    staleAfterCadences: stale,
    priceSource: args.price ?? SCAN_DEFAULTS.price,
    windows: windows!,
    ...(args.out !== undefined ? { out: args.out } : {}),
    ...(args['scanner-id'] !== undefined ? { scannerId: args['scanner-id'] } : {}),
    ...(args['venue-url'] !== undefined ? { restUrl: args['venue-url'] } : {}),
    ...(args['venue-ws-url'] !== undefined ? { wsUrl: args['venue-ws-url'] } : {}),
    ...(args['poll-ms'] !== undefined ? { pollMs: args['poll-ms'] } : {}),
    requestTimeoutMs: timeout,
    startAttempts: attempts,
    clockCheckMs: (args['clock-check'] ?? SCAN_DEFAULTS.clockCheckS) * 1000,
    marketsRefreshMs: (args['markets-refresh'] ?? SCAN_DEFAULTS.marketsRefreshS) * 1000,
  };
}
