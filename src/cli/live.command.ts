/** `dolphin live --paper`: trade the scans published to Hazelcast on paper, journaling every accepted scan. */
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
import { reportToJson } from '../report/report-json.js';
import { summaryPairs } from '../report/report-markdown.js';
import { WorkerPool } from '../workers/pool.js';
import { checkFlags, runIdProblem } from './flag-bounds.js';
import { configOptions, type ConfigArgs } from './shared-options.js';

interface Args extends ConfigArgs {
  paper: boolean;
  hz: string;
  cluster: string;
  journal: string;
  'run-id'?: string;
  shadow?: string[];
  'stale-after': number;
  poll: number;
  json: boolean;
  quiet: boolean;
  'validate-against'?: string;
  'validate-every': string;
  'features-map': string;
  'state-map': string;
  'max-ahead': number;
  'scan-stream'?: string;
  'truncate-journal-at'?: string;
}

export function liveCommand(y: Argv): Argv {
  return y.command<Args>(
    'live',
    'Paper-trade the scans published to Hazelcast (DOLPHIN_FEATURES.latest_eigen_scan); resumes from its journal',
    (a) =>
      configOptions(a)
        .option('paper', { type: 'boolean', default: false, describe: 'paper trading (required: the only mode; no order ever leaves this machine)' })
        .option('hz', { type: 'string', default: DEFAULT_HZ_ADDRESS, describe: 'Hazelcast member host:port' })
        .option('cluster', { type: 'string', default: DEFAULT_HZ_CLUSTER, describe: 'Hazelcast cluster name' })
        .option('journal', { type: 'string', default: 'journal', describe: 'journal folder: accepted scans, factors, config, fills, trades; an existing one is resumed' })
        .option('run-id', { type: 'string', describe: 'key of this run in DOLPHIN_STATE_PAPER (default paper-<journal folder name>)' })
        .option('shadow', { type: 'string', array: true, describe: 'config file of a shadow portfolio run beside the main one (repeatable)' })
        .option('stale-after', { type: 'number', default: 30, describe: 'seconds without a new scan before the feed is STALE' })
        .option('poll', { type: 'number', default: 2000, describe: 'safety-net poll period of latest_eigen_scan in ms (the entry listener is primary)' })
        .option('validate-against', { type: 'string', describe: "scanner folder (Arrow scans) to replay over the live window and compare with the live run; verdict in the state and dolphin status" })
        .option('validate-every', { type: 'string', default: '1h', describe: 'validation period: 90s, 15m, 1h ...' })
        .option('max-ahead', { type: 'number', default: DEFAULT_MAX_AHEAD_MS / 1000, describe: "seconds a scan may be ahead of this machine's clock; later ones are refused (and a journal holding one is not resumed)" })
        .option('truncate-journal-at', { type: 'string', describe: 'before resuming, cut the journal at this time (ISO-8601 UTC or epoch ns): later scans are moved to JOURNAL/.truncated-*/' })
        .option('json', { type: 'boolean', default: false, describe: 'print the final report JSON on stdout at stop' })
        .option('quiet', { type: 'boolean', default: false, describe: 'no log lines' })
        .option('features-map', { type: 'string', default: FEATURES_MAP, hidden: true })
        .option('state-map', { type: 'string', default: STATE_MAP, hidden: true })
        .option('scan-stream', { type: 'string', hidden: true, describe: 'ringbuffer to read scans from (default: the scan stream of --features-map)' })
        .example('$0 live --paper --set volThreshold=0.0004 --journal journal/main', 'paper-trade the default strategy with a calibrated threshold') as Argv<Args>,
    async (args) => {
      if (!args.paper) throw new DolphinError('USAGE', 'only paper trading exists: pass --paper (no live orders are ever sent)');
      checkFlags(args, ['stale-after', 'poll'], [args['run-id'] === undefined ? null : runIdProblem(args['run-id'])]);
      checkOutputDir(args.journal, '--journal');
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
        address: args.hz,
        cluster: args.cluster,
        journalDir: args.journal,
        runId: args['run-id'] ?? `paper-${basename(resolve(args.journal))}`,
        staleAfterMs: args['stale-after'] * 1000,
        pollMs: args.poll,
        featuresMap: args['features-map'],
        stateMap: args['state-map'],
        maxAheadMs: maxAhead * 1000,
        ...(args['scan-stream'] !== undefined ? { scanStream: args['scan-stream'] } : {}),
        ...(truncateAt !== undefined ? { truncateJournalAt: truncateAt } : {}),
        validate: args['validate-against'] ? { scannerDir: args['validate-against'], everyMs, cacheRoot: defaultCacheRoot() } : undefined,
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
