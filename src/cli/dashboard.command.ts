/** `dolphin dashboard`: the full-screen terminal view of the scanner feed and every paper run (read-only). */
import type { Argv } from 'yargs';
import { refreshLoop } from './refresh-loop.js';
import { clusterOptions } from './shared-options.js';
import { SCANNER_STATE_MAP } from '../feeds/exchange/scanner-status.js';
import { FEATURES_MAP, STATE_MAP } from '../feeds/live/paper-state.js';
import { formatFrame } from '../app/watch/watch-frame.js';
import { WatchSampler } from '../app/watch/watch-sampler.js';
import { EXIT } from './exit-codes.js';
import { checkFlags } from './flag-bounds.js';

interface Args {
  hz: string;
  cluster: string;
  run?: string;
  interval: number;
  'stale-after': number;
  'connect-timeout': number;
  'features-map': string;
  'state-map': string;
  'scanner-map': string;
}

export function dashboardCommand(y: Argv): Argv {
  return y.command<Args>(
    'dashboard',
    'Full-screen terminal view of the scanner feed, every paper run (equity sparkline, positions, trades, ACB cut, validation), shadows and warnings; read-only',
    (a) =>
      clusterOptions(a)
        .option('run', { type: 'string', describe: 'run id to show first (arrows/tab switch runs)' })
        .option('interval', { type: 'number', default: 1, describe: 'seconds between samples' })
        .option('stale-after', { type: 'number', default: 30, describe: 'seconds after which the latest scan is stale (as in dolphin status)' })
        .option('connect-timeout', { type: 'number', default: 3000, describe: 'milliseconds to wait for the member at each (re)connect attempt' })
        .option('features-map', { type: 'string', default: FEATURES_MAP, hidden: true })
        .option('state-map', { type: 'string', default: STATE_MAP, hidden: true })
        .option('scanner-map', { type: 'string', default: SCANNER_STATE_MAP, hidden: true })
        .epilog(
          'Keys: left/right arrows or tab switch run, q quits. The screen follows the terminal size. A lost member is shown ' +
            '(MEMBER GONE) and reconnected every sample; a stopped run is shown stopped with its final report. When stdout ' +
            'is not a terminal, plain text frames are appended every interval until Ctrl-C. It never writes to the cluster. ' +
            'Exit codes: 0 on q or Ctrl-C, 2 for bad flags.',
        )
        .example('$0 dashboard --hz 10.0.0.5:5701 --cluster dolphin', 'watch every paper run on that cluster')
        .example('$0 dashboard --run paper-1 > frames.txt', 'plain text frames, one per second, into a file') as Argv<Args>,
    async (args) => {
      checkFlags(args, ['interval', 'stale-after', 'connect-timeout']);
      const sampler = new WatchSampler({
        address: args.hz,
        cluster: args.cluster,
        staleAfterMs: args['stale-after'] * 1000,
        featuresMap: args['features-map'],
        stateMap: args['state-map'],
        scannerMap: args['scanner-map'],
        connectTimeoutMs: args['connect-timeout'],
      });
      try {
        if (process.stdout.isTTY === true && process.stdin.isTTY === true) await runInk(sampler, args);
        else await plainFrames(sampler, args);
      } finally {
        await sampler.close();
      }
      process.exitCode = EXIT.OK;
    },
  );
}

/** The ink UI on the alternate screen (restored on exit). */
async function runInk(sampler: WatchSampler, args: Args): Promise<void> {
  // ink draws only its last frame when it believes it runs in CI (is-in-ci reads CI and
  // CONTINUOUS_INTEGRATION when ink is first imported); this is an interactive terminal, so it is not
  for (const key of ['CI', 'CONTINUOUS_INTEGRATION']) if (key in process.env) process.env[key] = 'false';
  // loaded here so that other commands never pay for ink and react at start-up
  const [{ render }, { createElement }, { Dashboard }] = await Promise.all([import('ink'), import('react'), import('../app/watch/dashboard-app.js')]);
  process.stdout.write('\x1b[?1049h\x1b[H');
  try {
    const app = render(createElement(Dashboard, { sample: () => sampler.sample(), intervalMs: args.interval * 1000, ...(args.run !== undefined ? { initialRun: args.run } : {}) }), { exitOnCtrlC: true });
    await app.waitUntilExit();
  } finally {
    process.stdout.write('\x1b[?1049l');
  }
}

/** Not a terminal: one plain frame per interval until SIGINT (or the reader goes away). */
async function plainFrames(sampler: WatchSampler, args: Args): Promise<void> {
  const loop = refreshLoop(['SIGINT', 'SIGTERM']);
  try {
    let frames = 0;
    while (!loop.stopped()) {
      const view = await sampler.sample();
      const selected = Math.max(0, view.runs.findIndex((r) => r.runId === args.run));
      process.stdout.write(`${frames++ > 0 ? '\n' : ''}${formatFrame(view, selected, process.stdout.columns || 120)}\n`);
      if (loop.stopped()) break;
      await loop.pause(args.interval * 1000);
    }
  } finally {
    loop.dispose();
  }
}
