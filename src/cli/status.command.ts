/** `dolphin status`: health of the cluster, the latest scan and every paper run, once or --watch. */
import type { Argv } from 'yargs';
import { refreshLoop } from './refresh-loop.js';
import { clusterOptions } from './shared-options.js';
import { FeedUnavailableError } from '../core/errors.js';
import { collectStatus, unreachableStatus } from '../feeds/live/cluster-status.js';
import { formatStatus } from '../feeds/live/cluster-status-format.js';
import type { ClusterStatus } from '../feeds/live/cluster-status.js';
import { connectHazelcast } from '../feeds/live/hazelcast-connection.js';
import type { HazelcastClient } from '../feeds/live/hazelcast-connection.js';
import { FEATURES_MAP, STATE_MAP } from '../feeds/live/paper-state.js';
import { SCANNER_STATE_MAP } from '../feeds/exchange/scanner-status.js';
import { EXIT } from './exit-codes.js';
import { formatJobLine, listJobs, type JobSummary } from '../app/distributed/jobs-admin.js';
import { checkFlags, FLAG_BOUNDS, flagProblem } from './flag-bounds.js';

/** A down cluster should answer fast: status is what one runs when something looks wrong. */
export const STATUS_CONNECT_TIMEOUT_MS = 3_000;
/** Refresh interval of a bare --watch. */
const DEFAULT_WATCH_SECONDS = 2;

interface Args {
  hz: string;
  cluster: string;
  watch?: string;
  json: boolean;
  'stale-after': number;
  'features-map': string;
  'state-map': string;
  'scanner-map': string;
}

export function statusCommand(y: Argv): Argv {
  return y.command<Args>(
    'status',
    'Show cluster health: the latest scan, external factors, every paper run and our own scanners (exit 1 when stale or down)',
    (a) =>
      clusterOptions(a)
        .option('watch', { type: 'string', describe: `refresh every SECONDS (default ${DEFAULT_WATCH_SECONDS}, at least ${FLAG_BOUNDS.watch.min}) until Ctrl-C; redraws on a terminal, appends on a pipe` })
        .option('json', { type: 'boolean', default: false, describe: 'print the status as JSON (one compact line per sample with --watch)' })
        .option('stale-after', { type: 'number', default: 30, describe: 'seconds after which the latest scan is stale; run heartbeats are stale after max(3, this / 2)' })
        // for tests and tenants sharing one cluster: read other map names than the contract's
        .option('features-map', { type: 'string', default: FEATURES_MAP, hidden: true, describe: 'map holding latest_eigen_scan and exf_latest' })
        .option('state-map', { type: 'string', default: STATE_MAP, hidden: true, describe: 'map of paper run states' })
        .option('scanner-map', { type: 'string', default: SCANNER_STATE_MAP, hidden: true, describe: 'map of scanner status records (dolphin scan --hz, live --feed exchange --hz)' })
        .example('$0 status', 'one-shot health check of localhost:5701 (exit 0 healthy, 1 stale or down)')
        .example('$0 status --watch 5', 'refresh every 5 s; scan progression and scanner restarts between samples') as Argv<Args>,
    async (args) => {
      const staleAfter = args['stale-after'];
      // --watch is text (a bare --watch means the default period): a number of seconds once parsed
      const watchText = args.watch;
      const watchSeconds = watchText === undefined ? undefined : watchText === '' ? DEFAULT_WATCH_SECONDS : /^\s*[0-9.eE+-]+\s*$/.test(String(watchText)) ? Number(watchText) : watchText;
      checkFlags(args, ['stale-after'], [watchSeconds === undefined ? null : flagProblem('watch', watchSeconds)]);

      const sampler = new Sampler(args.hz, args.cluster, staleAfter * 1000, args['features-map'], args['state-map'], args['scanner-map']);
      try {
        if (watchSeconds === undefined) {
          const { status, error, jobs } = await sampler.sample(undefined);
          // down: the error alone says it (main prints it, exit 1); --json still gets the DOWN status
          if (args.json) process.stdout.write(`${JSON.stringify(jobs.length ? { ...status, jobs } : status, null, 2)}\n`);
          else if (error === undefined) process.stdout.write(`${formatStatus(status)}${jobsText(jobs)}\n`);
          if (error !== undefined) throw error;
          process.exitCode = status.health === 'OK' ? EXIT.OK : EXIT.FAILED;
        } else {
          await watch(sampler, watchSeconds as number, args.json);
        }
      } finally {
        await sampler.close();
      }
    },
  );
}

/** One client kept across samples, reconnected after it loses the cluster. */
class Sampler {
  private client: HazelcastClient | undefined;

  constructor(
    private readonly address: string,
    private readonly cluster: string,
    private readonly staleAfterMs: number,
    private readonly featuresMap: string,
    private readonly stateMap: string,
    private readonly scannerMap: string,
  ) {}

  /** A status; a down cluster gives a DOWN status plus the FeedUnavailableError saying what to do. */
  async sample(previous: ClusterStatus | undefined): Promise<{ status: ClusterStatus; error?: FeedUnavailableError; jobs: JobSummary[] }> {
    const down = (message: string): ClusterStatus =>
      unreachableStatus({
        now: Date.now(),
        staleAfterMs: this.staleAfterMs,
        address: this.address,
        cluster: this.cluster,
        error: message,
        featuresMap: this.featuresMap,
        stateMap: this.stateMap,
        scannerMap: this.scannerMap,
      });
    if (this.client === undefined) {
      try {
        this.client = await connectHazelcast({ address: this.address, cluster: this.cluster, connectTimeoutMs: STATUS_CONNECT_TIMEOUT_MS });
      } catch (err) {
        if (!(err instanceof FeedUnavailableError)) throw err;
        return { status: down(err.message), error: err, jobs: [] };
      }
    }
    const status = await collectStatus(this.client, {
      now: Date.now(),
      staleAfterMs: this.staleAfterMs,
      featuresMap: this.featuresMap,
      stateMap: this.stateMap,
      scannerMap: this.scannerMap,
      address: this.address,
      ...(previous !== undefined ? { previous } : {}),
    });
    // distributed sweeps (dolphin sweep --distributed) kept in the cluster; none: the output is unchanged
    if (status.health !== 'DOWN') return { status, jobs: await listJobs(this.client).catch(() => []) };
    await this.close(); // lost the cluster: connect afresh next time
    const error = new FeedUnavailableError(
      `Hazelcast cluster '${this.cluster}' at ${this.address}: ${status.reasons[0] ?? 'unreachable'}. ` +
        `Check the member, or pass --hz host:port --cluster NAME.`,
    );
    return { status, error, jobs: [] };
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    await c?.shutdown().catch(() => undefined);
  }
}

/** Samples every `seconds` until SIGINT; the exit code is the last sample's health. */
async function watch(sampler: Sampler, seconds: number, json: boolean): Promise<void> {
  const loop = refreshLoop();
  const tty = process.stdout.isTTY === true && !json;
  let previous: ClusterStatus | undefined;
  let frames = 0;
  try {
    while (!loop.stopped()) {
      const { status, error, jobs } = await sampler.sample(previous);
      if (loop.stopped() && frames > 0) break; // Ctrl-C while sampling: keep the last frame on screen
      if (json) process.stdout.write(`${JSON.stringify(jobs.length ? { ...status, jobs } : status)}\n`);
      else {
        const text = formatStatus(status) + jobsText(jobs) + (error !== undefined ? `\n\n${error.message}` : '');
        const footer = `\n(refreshing every ${seconds} s; Ctrl-C to stop)`;
        // a terminal redraws in place; a pipe or file gets every sample appended
        process.stdout.write(tty ? `\x1b[H\x1b[2J${text}${footer}\n` : `${frames > 0 ? '\n' : ''}${text}\n`);
      }
      frames++;
      process.exitCode = status.health === 'OK' ? EXIT.OK : EXIT.FAILED;
      // progression needs a scan in both samples: keep the last one that had one
      if (status.scan.state === 'OK' || previous === undefined) previous = status;
      if (loop.stopped()) break;
      await loop.pause(seconds * 1000);
    }
  } finally {
    loop.dispose();
  }
}

/** The distributed sweep jobs as a status section (empty when there is none). */
function jobsText(jobs: readonly JobSummary[]): string {
  return jobs.length ? `\n\nDistributed jobs, sweeps and batches (dolphin jobs show ID):\n${jobs.map((j) => `  ${formatJobLine(j)}`).join('\n')}` : '';
}
