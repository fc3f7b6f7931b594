/** `dolphin compare-scans A B`: how far two scan folders agree (features, entry gate) and their backtest verdict. */
import type { Argv } from 'yargs';
import { loadConfig } from '../app/config-files.js';
import { compareScans } from '../app/compare-scans.js';
import { defaultCacheRoot } from '../feeds/replay/day-cache.js';
import { scanComparisonJson, scanComparisonMarkdown, scanComparisonText } from '../report/scan-agreement-render.js';
import { parseCadence } from './scan-options.js';
import { configOptions, type ConfigArgs } from './shared-options.js';

interface Args extends ConfigArgs {
  a: string;
  b: string;
  json: boolean;
  md: boolean;
  cadence?: string;
  backtest: boolean;
  cache: boolean;
}

export function compareScansCommand(y: Argv): Argv {
  return y.command<Args>(
    'compare-scans <a> <b>',
    "Compare two scan folders (e.g. the external scanner's and dolphin scan's over the same hours): scans matched by time, per-feature agreement, entry-gate agreement, and both backtests through compare",
    (p) =>
      configOptions(
        p
          .positional('a', { type: 'string', demandOption: true, describe: 'scan folder A (e.g. the external scanner)' })
          .positional('b', { type: 'string', demandOption: true, describe: 'scan folder B (e.g. dolphin scan --out)' })
          .option('json', { type: 'boolean', default: false, describe: 'print the comparison as JSON on stdout' })
          .option('md', { type: 'boolean', default: false, describe: 'print the comparison as Markdown on stdout' })
          .option('cadence', { type: 'string', describe: "scan cadence for matching (5s, 500ms); default A's median spacing; scans match within half of it" })
          .option('backtest', { type: 'boolean', default: true, describe: 'backtest both folders and compare the reports (--no-backtest: agreement only)' })
          .option('cache', { type: 'boolean', default: true, describe: 'use the day cache for the loads (--no-cache to read every file)' })
          .check((a) => {
            if (a.json && a.md) throw new Error('--json and --md both print on stdout; pick one');
            return true;
          }),
      )
        .example('$0 compare-scans /data/arrow_scans runs/scan --cadence 5s', 'external scanner vs ours over the same hours')
        .example('$0 compare-scans runs/scan runs/rescan --md > agreement.md', 'a Markdown report') as Argv<Args>,
    async (args) => {
      const cadenceMs = args.cadence === undefined ? undefined : parseCadence(args.cadence);
      const { config } = loadConfig({ file: args.config, sets: args.set });
      const r = await compareScans({
        a: args.a,
        b: args.b,
        config,
        ...(cadenceMs !== undefined ? { cadenceMs } : {}),
        ...(args.cache ? { cacheRoot: defaultCacheRoot() } : {}),
        noBacktest: !args.backtest,
      });
      process.stdout.write(args.json ? scanComparisonJson(r) : args.md ? scanComparisonMarkdown(r) : scanComparisonText(r));
    },
  );
}
