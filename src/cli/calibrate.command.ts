/** `dolphin calibrate DIR`: print the volatility threshold volThreshold "auto" resolves to. */
import type { Argv } from 'yargs';
import { loadConfig } from '../app/config-files.js';
import { calibrateFolder } from '../app/replay-input.js';
import { requireDataDir } from '../feeds/fs/path-checks.js';
import { configOptions, type ConfigArgs } from './shared-options.js';

interface Args extends ConfigArgs {
  dir: string;
  json: boolean;
}

export function calibrateCommand(y: Argv): Argv {
  return y.command<Args>(
    'calibrate <dir>',
    'Print the BTC volatility threshold that volThreshold "auto" computes from the first calibrationDays of DIR',
    (a) =>
      configOptions(a)
        .positional('dir', { type: 'string', demandOption: true, describe: 'data folder of Arrow scans' })
        .option('json', { type: 'boolean', default: false, describe: 'print {volThreshold, sampleSize, days} as JSON' }) as Argv<Args>,
    async (args) => {
      requireDataDir(args.dir);
      const { config } = loadConfig({ file: args.config, sets: args.set, dataDir: args.dir });
      // calibrate always calibrates, even when the config carries a number.
      const info = await calibrateFolder(args.dir, config);
      if (args.json) process.stdout.write(`${JSON.stringify({ volThreshold: info.volThreshold, sampleSize: info.sampleSize, days: info.inSampleDays })}\n`);
      else process.stdout.write(`${info.volThreshold}\n`);
      process.stderr.write(`calibrated on ${info.inSampleDays.join(', ')} from ${info.sampleSize} btcVol values (window ${config.volWindow}, asset ${config.volAsset})\n`);
    },
  );
}
