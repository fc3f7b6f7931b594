/**
 * `dolphin live --paper`: trade on paper the scans published to Hazelcast (`--feed hazelcast`, the
 * default) or those of the own scanner run in this process (`--feed exchange`), journaling every
 * accepted scan.
 */
import { basename, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { loadConfig } from '../app/config-files.js';
import { startLive } from '../app/live.js';
import { checkOutputDir } from '../feeds/fs/path-checks.js';
import { parseDuration } from '../app/live-validation.js';
import { defaultCacheRoot } from '../feeds/replay/day-cache.js';
import { ConfigError, DolphinError } from '../core/errors.js';
import { parseTruncateAt } from '../feeds/live/journal-repair.js';
import { DEFAULT_MAX_AHEAD_MS } from '../feeds/live/scan-acceptance.js';
import { DEFAULT_HZ_ADDRESS, DEFAULT_HZ_CLUSTER } from '../feeds/live/hazelcast-connection.js';
import { FEATURES_MAP, STATE_MAP } from '../feeds/live/paper-state.js';
import { SCANNER_STATE_MAP } from '../feeds/exchange/scanner-status.js';
import { reportToJson } from '../report/report-json.js';
import { summaryPairs } from '../report/report-markdown.js';
import { WorkerPool } from '../workers/pool.js';
import { checkFlags, runIdProblem } from './flag-bounds.js';
import { SCAN_FLAGS, scanFlagOptions, scannerSettings, type ScanFlagArgs } from './scan-options.js';
import { configOptions, type ConfigArgs } from './shared-options.js';
import type { MirrorOptions } from '../app/live/mirror-step.js';
import { DEMO_KEY_ENV, DEMO_SECRET_ENV, DEMO_URL_ENV, demoOrigin } from '../feeds/exchange/demo-venue-env.js';

/** Safety-net poll of latest_eigen_scan when --poll is not given, ms. */
const DEFAULT_POLL_MS = 2000;

interface Args extends ConfigArgs, ScanFlagArgs {
  paper: boolean;
  feed: 'hazelcast' | 'exchange';
  hz?: string;
  cluster?: string;
  journal: string;
  'run-id'?: string;
  shadow?: string[];
  'stale-after': number;
  poll?: number;
  json: boolean;
  quiet: boolean;
  'validate-against'?: string;
  'validate-every': string;
  'features-map': string;
  'state-map': string;
  'scanner-map': string;
  'max-ahead': number;
  'scan-stream'?: string;
  'truncate-journal-at'?: string;
  mirror?: 'binance-demo';
  'mirror-reconcile-every': string;
  'mirror-timeout': number;
}

export function liveCommand(y: Argv): Argv {
  return y.command<Args>(
    'live',
    'Paper-trade the scans published to Hazelcast (DOLPHIN_FEATURES.latest_eigen_scan), or those of its own scanner (--feed exchange); resumes from its journal',
    (a) =>
      scanFlagOptions(configOptions(a), 'Exchange feed (--feed exchange; the flags of dolphin scan):')
        .option('paper', { type: 'boolean', default: false, describe: 'paper trading (required: the only mode; no order leaves this machine, except the copies --mirror sends to Binance demo trading)' })
        .option('feed', { choices: ['hazelcast', 'exchange'] as const, default: 'hazelcast' as const, describe: 'where scans come from: Hazelcast (a scanner or the bridge publishes them), or the own scanner run in this process (no Hazelcast needed)' })
        .option('hz', { type: 'string', describe: `Hazelcast member host:port (default ${DEFAULT_HZ_ADDRESS}); with --feed exchange optional: the run state, scans and scanner status are published there` })
        .option('cluster', { type: 'string', describe: `Hazelcast cluster name (default ${DEFAULT_HZ_CLUSTER})` })
        .option('journal', { type: 'string', default: 'journal', describe: 'journal folder: accepted scans, factors, config, fills, trades; an existing one is resumed' })
        .option('run-id', { type: 'string', describe: 'key of this run in DOLPHIN_STATE_PAPER (default paper-<journal folder name>)' })
        .option('shadow', { type: 'string', array: true, describe: 'config file of a shadow portfolio run beside the main one (repeatable)' })
        .option('stale-after', { type: 'number', default: 30, describe: 'seconds without a new scan before the feed is STALE' })
        .option('poll', { type: 'number', describe: `safety-net poll period of latest_eigen_scan in ms (the entry listener is primary; default ${DEFAULT_POLL_MS})` })
        .option('validate-against', { type: 'string', describe: "scanner folder (Arrow scans) to replay over the live window and compare with the live run; verdict in the state and dolphin status" })
        .option('validate-every', { type: 'string', default: '1h', describe: 'validation period: 90s, 15m, 1h ...' })
        .option('max-ahead', { type: 'number', default: DEFAULT_MAX_AHEAD_MS / 1000, describe: "seconds a scan may be ahead of this machine's clock; later ones are refused (and a journal holding one is not resumed)" })
        .option('truncate-journal-at', { type: 'string', describe: 'before resuming, cut the journal at this time (ISO-8601 UTC or epoch ns): later scans are moved to JOURNAL/.truncated-*/' })
        .option('mirror', { choices: ['binance-demo'] as const, describe: `also send every fill of the main portfolio to Binance USDT-M demo trading (keys from ${DEMO_KEY_ENV} / ${DEMO_SECRET_ENV}); observes only, never changes the paper book (docs/mirror.md)` })
        .option('mirror-reconcile-every', { type: 'string', default: '5m', describe: 'how often the mirror compares the venue positions with the paper book: 90s, 5m ...' })
        .option('mirror-timeout', { type: 'number', default: 10, describe: 'seconds before a mirror request counts as timed out (the order is then asked for by its client id)' })
        .option('json', { type: 'boolean', default: false, describe: 'print the final report JSON on stdout at stop' })
        .option('quiet', { type: 'boolean', default: false, describe: 'no log lines' })
        .option('features-map', { type: 'string', default: FEATURES_MAP, hidden: true })
        .option('state-map', { type: 'string', default: STATE_MAP, hidden: true })
        .option('scanner-map', { type: 'string', default: SCANNER_STATE_MAP, hidden: true, describe: 'map of scanner status records (--feed exchange --hz)' })
        .option('scan-stream', { type: 'string', hidden: true, describe: 'ringbuffer to read scans from (default: the scan stream of --features-map)' })
        .example('$0 live --paper --set volThreshold=0.0004 --journal journal/main', 'paper-trade the default strategy with a calibrated threshold')
        .example('$0 live --paper --mirror binance-demo --set volThreshold=0.0004 --journal journal/main', 'paper-trade and mirror every fill to Binance demo trading (DOLPHIN_BINANCE_DEMO_API_KEY, DOLPHIN_BINANCE_DEMO_SECRET)')
        .example('$0 live --paper --feed exchange --exchange binanceusdm --out runs/scans --set volThreshold=0.0004', 'scan Binance USDT-M in this process and paper-trade its scans, no Hazelcast') as unknown as Argv<Args>,
    async (args) => {
      if (!args.paper) throw new DolphinError('USAGE', 'only paper trading exists: pass --paper (no live-money orders are ever sent; --mirror sends copies to Binance demo trading only)');
      const exchangeFeed = args.feed === 'exchange';
      const mirror = args.mirror === undefined ? undefined : mirrorOptions(args);
      checkFlags(args, ['stale-after', 'poll'], [args['run-id'] === undefined ? null : runIdProblem(args['run-id']), ...feedProblems(args)]);
      checkOutputDir(args.journal, '--journal');
      const scanner = exchangeFeed ? scannerSettings(args) : undefined;
      const log = (m: string): void => {
        if (!args.quiet) process.stderr.write(`${new Date().toISOString()} ${m}\n`);
      };
      const { config } = loadConfig({ file: args.config, sets: args.set, dataDir: args.journal });
      const shadows = (args.shadow ?? []).map((f) => ({ name: basename(f).replace(/\.json$/, ''), config: loadConfig({ file: f }).config }));
      const maxAhead = args['max-ahead'];
      if (!(maxAhead >= 0 && Number.isFinite(maxAhead))) throw new ConfigError([`--max-ahead must be a number of seconds >= 0, was ${String(maxAhead)}`]);
      const truncateAt = args['truncate-journal-at'] === undefined ? undefined : parseTruncateAt(args['truncate-journal-at']);
      const everyMs = parseDuration(args['validate-every']);
      if (!(everyMs > 0)) throw new DolphinError('USAGE', `--validate-every must be a duration such as 90s, 15m or 1h, was ${JSON.stringify(args['validate-every'])}`);
      const pool = shadows.length || args['validate-against'] ? new WorkerPool(Math.max(1, Math.min(2, shadows.length + (args['validate-against'] ? 1 : 0)))) : undefined;
      const session = await startLive({
        config,
        shadows,
        pool,
        address: exchangeFeed ? args.hz : (args.hz ?? DEFAULT_HZ_ADDRESS),
        cluster: args.cluster ?? DEFAULT_HZ_CLUSTER,
        ...(scanner !== undefined ? { exchange: { scanner, scannerMap: args['scanner-map'], verbose: args.verbose === true } } : {}),
        journalDir: args.journal,
        runId: args['run-id'] ?? `paper-${basename(resolve(args.journal))}`,
        staleAfterMs: args['stale-after'] * 1000,
        pollMs: args.poll ?? DEFAULT_POLL_MS,
        featuresMap: args['features-map'],
        stateMap: args['state-map'],
        maxAheadMs: maxAhead * 1000,
        ...(args['scan-stream'] !== undefined ? { scanStream: args['scan-stream'] } : {}),
        ...(truncateAt !== undefined ? { truncateJournalAt: truncateAt } : {}),
        validate: args['validate-against'] ? { scannerDir: args['validate-against'], everyMs, cacheRoot: defaultCacheRoot() } : undefined,
        ...(mirror !== undefined ? { mirror } : {}),
        log,
      }).catch(async (e: unknown) => {
        await pool?.destroy();
        throw e;
      });
      const stopAndReport = async (why: string): Promise<void> => {
        log(`${why}: stopping`);
        const report = await session.stop();
        await pool?.destroy();
        const lat = session.latenciesMs().sort((a, b) => a - b);
        if (lat.length) log(`scan -> decision latency over ${lat.length} scans: median ${lat[lat.length >> 1].toFixed(2)} ms, p99 ${lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))].toFixed(2)} ms`);
        if (args.json) process.stdout.write(reportToJson(report));
        else process.stdout.write(`Live paper run ${session.runId}\n${summaryPairs(report).map(([k, v]) => `  ${k.padEnd(17)} ${v}`).join('\n')}\n  Report            ${session.reportFolder ?? session.journalDir}/report.json\n`);
      };
      await new Promise<void>((resolveRun, reject) => {
        const onSignal = (sig: string) => () => {
          stopAndReport(sig).then(resolveRun, reject);
        };
        process.once('SIGINT', onSignal('SIGINT'));
        process.once('SIGTERM', onSignal('SIGTERM'));
        session.failed.then(async (e) => {
          if (session.canReport) {
            // a journal fault: the engine holds every durable scan; end with their report, then exit 1
            await stopAndReport(`the journal failed (${e.message})`).catch((err: Error) => log(`could not write the report: ${err.message}`));
          } else {
            log(`the engine failed: ${e.message}; stopping`);
            await session.abort();
            await pool?.destroy();
          }
          reject(e);
        });
      });
    },
  );
}

/**
 * The mirror's settings, checked before anything starts (exit 2): both key variables set, the venue
 * override (if any) a loopback URL, the period and timeout in range. The keys are never echoed.
 */
function mirrorOptions(args: Args): MirrorOptions {
  const [K, S, U] = [DEMO_KEY_ENV, DEMO_SECRET_ENV, DEMO_URL_ENV];
  const apiKey = process.env[K] ?? '';
  const secret = process.env[S] ?? '';
  const missing = [apiKey === '' ? K : null, secret === '' ? S : null].filter((x): x is string => x !== null);
  if (missing.length) throw new DolphinError('USAGE', `--mirror binance-demo needs the demo account's API key and secret in ${missing.join(' and ')} (create them at https://demo.binance.com, API management)`);
  const override = process.env[U];
  if (override !== undefined && override !== '') demoOrigin(override);
  const everyMs = parseDuration(args['mirror-reconcile-every']);
  if (!(everyMs >= 1000)) throw new DolphinError('USAGE', `--mirror-reconcile-every must be a duration of at least 1s such as 90s or 5m, was ${JSON.stringify(args['mirror-reconcile-every'])}`);
  const t = args['mirror-timeout'];
  if (!(t >= 0.1 && t <= 120)) throw new DolphinError('USAGE', `--mirror-timeout must be a number of seconds in [0.1, 120], was ${String(t)}`);
  return { apiKey, secret, ...(override !== undefined && override !== '' ? { overrideUrl: override } : {}), timeoutMs: Math.round(t * 1000), reconcileEveryMs: everyMs };
}

/** Flags that do not go with the chosen --feed, each named (exit 2). */
function feedProblems(args: Args): string[] {
  const given = (k: string): boolean => (args as unknown as Record<string, unknown>)[k] !== undefined;
  const problems: string[] = [];
  if (args.feed === 'exchange') {
    if (!given('exchange')) problems.push('--feed exchange needs --exchange binanceusdm (the venue its scanner reads)');
    for (const f of ['scan-stream', 'poll'] as const) if (given(f)) problems.push(`--${f} applies to --feed hazelcast only (the exchange feed reads no Hazelcast scans)`);
    if (!given('hz') && given('cluster')) problems.push('--cluster needs --hz with --feed exchange (Hazelcast only receives the state there)');
    if (args.out !== undefined && resolve(args.out) === resolve(args.journal)) problems.push(`--out must be another folder than --journal (${args.journal}): the journal already holds every accepted scan`);
  } else {
    for (const f of SCAN_FLAGS) if (given(f)) problems.push(`--${f} applies to --feed exchange only (with --feed hazelcast the scans come from Hazelcast)`);
  }
  return problems;
}
