/** `dolphin scan --exchange binanceusdm`: the project's own scanner (exchange prices -> eigen scans). */
import type { Argv } from 'yargs';
import type { ScannerLogLevel } from '../feeds/exchange/exchange-scanner.js';
import { SCANNER_STATE_MAP } from '../feeds/exchange/scanner-status.js';
import { DEFAULT_HZ_CLUSTER, DEFAULT_LIVE_CONNECT_TIMEOUT_MS } from '../feeds/live/hazelcast-connection.js';
import { FEATURES_MAP } from '../feeds/live/paper-state.js';
import { scanFlagOptions, scannerSettings, type ScanFlagArgs } from './scan-options.js';

export { parseCadence } from './scan-options.js';

interface Args extends ScanFlagArgs {
  exchange: string;
  hz?: string;
  cluster: string;
  'json-status': boolean;
  scans?: number;
  'connect-timeout': number;
  'features-map': string;
  'state-map': string;
}

export function scanCommand(y: Argv): Argv {
  return y.command<Args>(
    'scan',
    "Run the project's own scanner: exchange prices through ccxt, eigen features at every UTC cadence boundary, written as scanner-layout Arrow files and/or published to Hazelcast",
    (a) =>
      scanFlagOptions(a)
        .demandOption('exchange')
        .option('hz', { type: 'string', describe: `publish to Hazelcast host:port: ${FEATURES_MAP}["latest_eigen_scan"] and ${SCANNER_STATE_MAP}[scanner id]` })
        .option('cluster', { type: 'string', default: DEFAULT_HZ_CLUSTER, describe: 'Hazelcast cluster name' })
        .option('json-status', { type: 'boolean', default: false, describe: 'print the status record as one JSON line on stdout after every scan' })
        .option('scans', { type: 'number', describe: 'stop after N scans (default: run until Ctrl-C)' })
        .option('connect-timeout', { type: 'number', default: DEFAULT_LIVE_CONNECT_TIMEOUT_MS, describe: 'ms to wait for the first connection to Hazelcast' })
        .option('features-map', { type: 'string', default: FEATURES_MAP, hidden: true })
        .option('state-map', { type: 'string', default: SCANNER_STATE_MAP, hidden: true })
        .example('$0 scan --exchange binanceusdm --out /data/dolphin_scans --hz 127.0.0.1:5701', 'top 50 Binance USDT-M perpetuals every 5 s, written and published')
        .example('$0 scan --exchange binanceusdm --venue-url http://127.0.0.1:8090 --out runs/scan-emu', 'against the emulated venue (npm run emulator)') as Argv<Args>,
    async (args) => {
      // every flag is checked before anything connects
      const settings = scannerSettings(args, [args.scans !== undefined && !(Number.isInteger(args.scans) && args.scans >= 1) ? `--scans must be an integer >= 1, was ${String(args.scans)}` : null]);
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
        ...settings,
        ...(publisher !== undefined ? { publisher } : {}),
        ...(args.scans !== undefined ? { maxScans: args.scans } : {}),
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
        say('info', `scanning ${args.exchange} at ${scanner.host} every ${settings.cadenceMs / 1000} s${args.out !== undefined ? `, writing ${args.out}` : ''}${args.hz !== undefined ? `, publishing to ${args.hz}` : ''}; Ctrl-C to stop`);
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
