/** `dolphin scan --exchange binanceusdm`: the project's own scanner (exchange prices -> eigen scans). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Argv } from 'yargs';
import { parseWindows } from '../app/rescan.js';
import { ConfigError } from '../core/errors.js';
import { WINDOWS } from '../core/scan.js';
import type { ScannerLogLevel } from '../feeds/exchange/exchange-scanner.js';
import { parseUniverseSpec } from '../feeds/exchange/scan-universe.js';
import { SCANNER_STATE_MAP } from '../feeds/exchange/scanner-status.js';
import { DEFAULT_HZ_CLUSTER, DEFAULT_LIVE_CONNECT_TIMEOUT_MS } from '../feeds/live/hazelcast-connection.js';
import { FEATURES_MAP } from '../feeds/live/paper-state.js';

interface Args {
  exchange: string;
  universe?: string;
  symbols?: string;
  'symbols-file'?: string;
  cadence: string;
  'stale-after-cadences': number;
  price: 'last' | 'mark';
  out?: string;
  hz?: string;
  cluster: string;
  'scanner-id'?: string;
  'json-status': boolean;
  'venue-url'?: string;
  'venue-ws-url'?: string;
  scans?: number;
  verbose: boolean;
  'connect-timeout': number;
  'start-attempts': number;
  'request-timeout': number;
  'poll-ms'?: number;
  'clock-check': number;
  'markets-refresh': number;
  windows: string;
  'features-map': string;
  'state-map': string;
}

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

export function scanCommand(y: Argv): Argv {
  return y.command<Args>(
    'scan',
    "Run the project's own scanner: exchange prices through ccxt, eigen features at every UTC cadence boundary, written as scanner-layout Arrow files and/or published to Hazelcast",
    (a) =>
      a
        .option('exchange', { type: 'string', choices: ['binanceusdm'], demandOption: true, describe: 'ccxt exchange id (Binance USDT-M perpetuals)' })
        .option('universe', { type: 'string', describe: 'topN: the N active USDT perpetuals with the largest 24 h quote volume at start, BTCUSDT always in (default top50)' })
        .option('symbols', { type: 'string', describe: 'comma-separated universe instead, e.g. BTCUSDT,ETHUSDT,SOLUSDT' })
        .option('symbols-file', { type: 'string', describe: 'file listing the universe (one symbol per line or comma-separated; # comments)' })
        .option('cadence', { type: 'string', default: '5s', describe: 'scan every DURATION on UTC-aligned boundaries (5s, 500ms, 1m)' })
        .option('stale-after-cadences', { type: 'number', default: 6, describe: 'a symbol without an update for more than N cadences gets an invalid price' })
        .option('price', { choices: ['last', 'mark'] as const, default: 'last' as const, describe: 'last trade price (24hrMiniTicker) or mark price (markPrice@1s); see docs/scanner.md' })
        .option('out', { type: 'string', describe: 'folder for scanner-layout Arrow files (YYYY-MM-DD/scan_*.arrow); read back at start to restore the feature windows' })
        .option('hz', { type: 'string', describe: `publish to Hazelcast host:port: ${FEATURES_MAP}["latest_eigen_scan"] and ${SCANNER_STATE_MAP}[scanner id]` })
        .option('cluster', { type: 'string', default: DEFAULT_HZ_CLUSTER, describe: 'Hazelcast cluster name' })
        .option('scanner-id', { type: 'string', describe: `key of the status record in ${SCANNER_STATE_MAP} (default: the exchange id)` })
        .option('json-status', { type: 'boolean', default: false, describe: 'print the status record as one JSON line on stdout after every scan' })
        .option('venue-url', { type: 'string', describe: 'REST root replacing https://fapi.binance.com, e.g. the emulator: http://127.0.0.1:8090 (npm run emulator)' })
        .option('venue-ws-url', { type: 'string', describe: 'stream root replacing wss://fstream.binance.com/ws (default: from --venue-url)' })
        .option('scans', { type: 'number', describe: 'stop after N scans (default: run until Ctrl-C)' })
        .option('verbose', { type: 'boolean', default: false, describe: 'log every scan on stderr' })
        .option('connect-timeout', { type: 'number', default: DEFAULT_LIVE_CONNECT_TIMEOUT_MS, describe: 'ms to wait for the first connection to Hazelcast' })
        .option('start-attempts', { type: 'number', default: 4, describe: 'attempts to reach the exchange at start (backoff 0.5, 1, 2 s ...) before exit 1' })
        .option('request-timeout', { type: 'number', default: 5000, describe: 'ms per REST request' })
        .option('poll-ms', { type: 'number', hidden: true, describe: 'REST polling period while the stream is down (default max(1000, cadence / 2))' })
        .option('clock-check', { type: 'number', default: 60, hidden: true, describe: 'seconds between clock-offset measurements' })
        .option('markets-refresh', { type: 'number', default: 600, hidden: true, describe: 'seconds between market reloads (delisting check)' })
        .option('windows', { type: 'string', default: WINDOWS.join(','), hidden: true, describe: 'window lengths of the four column slots' })
        .option('features-map', { type: 'string', default: FEATURES_MAP, hidden: true })
        .option('state-map', { type: 'string', default: SCANNER_STATE_MAP, hidden: true })
        .example('$0 scan --exchange binanceusdm --out /data/dolphin_scans --hz 127.0.0.1:5701', 'top 50 Binance USDT-M perpetuals every 5 s, written and published')
        .example('$0 scan --exchange binanceusdm --venue-url http://127.0.0.1:8090 --out runs/scan-emu', 'against the emulated venue (npm run emulator)') as Argv<Args>,
    async (args) => {
      // every flag is checked before anything connects
      const problems: string[] = [];
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
      const cadenceMs = tryIt(() => parseCadence(args.cadence));
      const windows = tryIt(() => parseWindows(args.windows));
      const stale = args['stale-after-cadences'];
      if (!(Number.isInteger(stale) && stale >= 1 && stale <= 10_000)) problems.push(`--stale-after-cadences must be an integer in [1, 10000], was ${String(stale)}`);
      if (args.scans !== undefined && !(Number.isInteger(args.scans) && args.scans >= 1)) problems.push(`--scans must be an integer >= 1, was ${String(args.scans)}`);
      if (!(Number.isInteger(args['start-attempts']) && args['start-attempts'] >= 1)) problems.push(`--start-attempts must be an integer >= 1, was ${String(args['start-attempts'])}`);
      if (!(args['request-timeout'] >= 100)) problems.push(`--request-timeout must be >= 100 ms, was ${String(args['request-timeout'])}`);
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
      if (problems.length > 0) throw new ConfigError(problems);
      const say = (level: ScannerLogLevel, m: string): void => {
        if (level !== 'debug' || args.verbose) process.stderr.write(`scan: ${m}\n`);
      };
      if (args.out === undefined && args.hz === undefined && !args['json-status']) say('warn', 'no output chosen: pass --out DIR and/or --hz host:port (or --json-status); scans are only logged');

      // ccxt is large: load it only when scanning, so other commands start fast
      const { ExchangeScanner } = await import('../feeds/exchange/exchange-scanner.js');
      const { ScanPublisher } = await import('../feeds/exchange/scan-publisher.js');
      let printed: number | null = -1;
      const publisher =
        args.hz === undefined
          ? undefined
          : await ScanPublisher.connect({
              address: args.hz,
              cluster: args.cluster,
              scannerId: args['scanner-id'] ?? args.exchange,
              connectTimeoutMs: args['connect-timeout'],
              featuresMap: args['features-map'],
              stateMap: args['state-map'],
              log: (level, m) => say(level, m),
            });
      const scanner = new ExchangeScanner({
        exchange: 'binanceusdm',
        universe: universe!,
        cadenceMs: cadenceMs!,
        staleAfterCadences: stale,
        priceSource: args.price,
        windows: windows!,
        ...(args.out !== undefined ? { out: args.out } : {}),
        ...(publisher !== undefined ? { publisher } : {}),
        ...(args['scanner-id'] !== undefined ? { scannerId: args['scanner-id'] } : {}),
        ...(args['venue-url'] !== undefined ? { restUrl: args['venue-url'] } : {}),
        ...(args['venue-ws-url'] !== undefined ? { wsUrl: args['venue-ws-url'] } : {}),
        ...(args['poll-ms'] !== undefined ? { pollMs: args['poll-ms'] } : {}),
        ...(args.scans !== undefined ? { maxScans: args.scans } : {}),
        requestTimeoutMs: args['request-timeout'],
        startAttempts: args['start-attempts'],
        clockCheckMs: args['clock-check'] * 1000,
        marketsRefreshMs: args['markets-refresh'] * 1000,
        log: say,
        onStatus: (st) => {
          // one line per scan (and the final one), not per heartbeat
          if (!args['json-status'] || (st.lastScanNumber === printed && !st.stopped)) return;
          printed = st.lastScanNumber;
          process.stdout.write(`${JSON.stringify(st)}\n`);
        },
      });
      const onSignal = (sig: NodeJS.Signals): void => {
        say('info', `${sig}: stopping`);
        void scanner.stop();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await scanner.start();
        say('info', `scanning ${args.exchange} at ${scanner.host} every ${cadenceMs! / 1000} s${args.out !== undefined ? `, writing ${args.out}` : ''}${args.hz !== undefined ? `, publishing to ${args.hz}` : ''}; Ctrl-C to stop`);
        await scanner.done;
      } finally {
        await scanner.stop();
        await publisher?.close();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      const s = scanner.status();
      say('info', `stopped: ${s.lastScanNumber ?? 0} scans (${s.scansWritten} written, ${s.scansPublished} published), ${s.counters.invalidPrices} invalid prices, ${s.counters.socketDrops} socket drops, ${s.counters.rateLimited} rate-limited, ${s.counters.malformedMessages} malformed`);
    },
  );
}
