/** `dolphin bridge ARROW_DIR`: publish a scanner folder's newest scans and factors to Hazelcast. */
import type { Argv } from 'yargs';
import { clusterOptions } from './shared-options.js';
import { requireDataDir } from '../feeds/fs/path-checks.js';
import { DEFAULT_CLI_CONNECT_TIMEOUT_MS, connectHazelcast } from '../feeds/live/hazelcast-connection.js';
import type { HazelcastClient } from '../feeds/live/hazelcast-connection.js';
import { FEATURES_MAP } from '../feeds/live/paper-state.js';
import { ScanBridge } from '../feeds/live/scan-bridge.js';
import type { BridgeLogLevel, BridgeStats } from '../feeds/live/scan-bridge.js';
import { checkFlags } from './flag-bounds.js';

interface Args {
  dir: string;
  poll: number;
  hz: string;
  cluster: string;
  backfill: boolean;
  speed: number;
  from?: string;
  once: boolean;
  json: boolean;
  verbose: boolean;
  'connect-timeout': number;
  'features-map': string;
  'scan-stream'?: string;
  'reject-after': number;
}

export function bridgeCommand(y: Argv): Argv {
  return y.command<Args>(
    'bridge <dir>',
    'Watch a scanner folder and publish each new scan (and external factors) to Hazelcast DOLPHIN_FEATURES',
    (a) =>
      clusterOptions(a)
        .positional('dir', { type: 'string', demandOption: true, describe: 'scanner folder: YYYY-MM-DD/ folders of scan files, daily .arrow files, external_factors/' })
        .option('poll', { type: 'number', default: 1000, describe: 'safety-net poll of the folder every MS (events may not arrive on network mounts)' })
        .option('backfill', { type: 'boolean', default: false, describe: 'first publish the existing scans in timestamp order (demos, live tests)' })
        .option('speed', { type: 'number', default: 20, describe: 'backfill speed in scans per second (0 = as fast as each put completes)' })
        .option('from', { type: 'string', describe: 'first UTC day YYYY-MM-DD to backfill and watch' })
        .option('once', { type: 'boolean', default: false, describe: 'exit after the backfill (or after publishing the newest scan) instead of watching' })
        .option('json', { type: 'boolean', default: false, describe: 'print the final counts as JSON on stdout' })
        .option('verbose', { type: 'boolean', default: false, describe: 'log every publish and retry on stderr' })
        .option('connect-timeout', { type: 'number', default: DEFAULT_CLI_CONNECT_TIMEOUT_MS, describe: 'ms to wait for the first connection to Hazelcast' })
        .option('features-map', { type: 'string', default: FEATURES_MAP, hidden: true })
        .option('scan-stream', { type: 'string', hidden: true, describe: 'ringbuffer the scans are appended to (default: the scan stream of --features-map)' })
        .option('reject-after', { type: 'number', default: 3000, hidden: true })
        .example('$0 bridge /data/arrow_scans', 'publish each new scan of the scanner to the local member')
        .example('$0 bridge data/sample --backfill --speed 50', 'replay the sample into Hazelcast at 50 scans/s, then keep watching') as Argv<Args>,
    async (args) => {
      const say = (level: BridgeLogLevel, m: string): void => {
        if (level !== 'debug' || args.verbose) process.stderr.write(`bridge: ${m}\n`);
      };
      // fail on a bad folder or option before waiting for the cluster
      checkFlags(args, ['poll', 'speed', 'connect-timeout', 'reject-after']);
      requireDataDir(args.dir, 'scanner folder');
      let client: HazelcastClient | undefined;
      const target = {
        set: async (key: string, value: string): Promise<void> => {
          if (client === undefined) throw new Error('not connected');
          const map = await client.getMap<string, string>(args['features-map']);
          await map.set(key, value);
        },
      };
      const bridge = new ScanBridge({
        dir: args.dir,
        client: target,
        pollMs: args.poll,
        featuresMap: args['features-map'],
        rejectAfterMs: args['reject-after'],
        stream: { client: () => client, ...(args['scan-stream'] !== undefined ? { name: args['scan-stream'] } : {}) },
        ...(args.from !== undefined ? { from: args.from } : {}),
        log: say,
      });
      let connected = true;
      let closing = false;
      client = await connectHazelcast({
        address: args.hz,
        cluster: args.cluster,
        connectTimeoutMs: args['connect-timeout'],
        reconnect: true,
        instanceName: 'dolphin-bridge',
        onLifecycle: (state) => {
          if (state === 'DISCONNECTED' && connected && !closing) {
            connected = false;
            bridge.connectionLost();
            say('warn', `lost Hazelcast at ${args.hz}; reconnecting, publishing waits until it is back`);
          } else if (state === 'CONNECTED' && !connected) {
            connected = true;
            say('info', `reconnected to Hazelcast at ${args.hz}`);
          }
        },
      });
      say('info', `connected to Hazelcast cluster '${args.cluster}' at ${args.hz}; map ${args['features-map']}`);

      let stopping: Promise<void> | undefined;
      let onSignal: ((sig: NodeJS.Signals) => void) | undefined;
      const stopped = new Promise<void>((resolve) => {
        onSignal = (sig) => {
          say('info', `${sig}: stopping`);
          stopping ??= bridge.stop();
          resolve();
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
      });
      try {
        if (args.backfill) await Promise.race([bridge.backfill(args.speed), stopped]);
        // --once: after the backfill, or after publishing the newest scan and factors
        if (stopping === undefined && !(args.once && args.backfill)) {
          await Promise.race([bridge.start(), stopped]);
          if (!args.once && stopping === undefined) {
            say('info', `watching ${args.dir} (poll every ${args.poll} ms); Ctrl-C to stop`);
            await stopped;
          }
        }
      } finally {
        await (stopping ?? bridge.stop());
        closing = true;
        await client.shutdown().catch(() => undefined);
        if (onSignal !== undefined) {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      }
      printStats(bridge.stats(), args.json);
    },
  );
}

function printStats(s: BridgeStats, json: boolean): void {
  if (json) {
    process.stdout.write(
      `${JSON.stringify({
        published: s.published,
        rejected: s.rejected,
        stale: s.stale,
        lastTs: s.lastTs === null ? null : s.lastTs.toString(),
        factorsPublished: s.factorsPublished,
        lastFactorsDate: s.lastFactorsDate,
        stream: s.stream,
      })}\n`,
    );
    return;
  }
  process.stdout.write(
    `bridge: published ${s.published} scan(s)${s.lastTs === null ? '' : ` (last timestamp_ns ${s.lastTs})`}, ` +
      `${s.rejected} rejected, ${s.stale} stale, ${s.factorsPublished} factor record(s)${s.lastFactorsDate === null ? '' : ` (last ${s.lastFactorsDate})`}` +
      `${s.stream === null ? '' : `; scan stream: ${s.stream.appended} appended, ${s.stream.resets} reset(s), ${s.stream.republished} republished`}\n`,
  );
}
