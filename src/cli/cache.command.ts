/** `dolphin cache build|verify|clear DIR`: manage the day cache (column files) of a data folder. */
import type { Argv } from 'yargs';
import { checkOutputDir, requireDataDir } from '../feeds/fs/path-checks.js';
import { buildCache, clearCache, verifyCache } from '../app/cache-admin.js';
import { defaultCacheRoot } from '../feeds/replay/day-cache.js';
import { defaultWorkers, WorkerPool } from '../workers/pool.js';
import { EXIT } from './exit-codes.js';
import { checkFlags, FLAG_BOUNDS } from './flag-bounds.js';
import { Progress } from './progress.js';

interface Args {
  action: 'build' | 'verify' | 'clear';
  dir: string;
  cache: string;
  workers: number;
  json: boolean;
  quiet: boolean;
}

export function cacheCommand(y: Argv): Argv {
  return y.command<Args>(
    'cache <action> <dir>',
    'Build, verify or clear the day cache of a data folder: one column file per date folder or daily file, with a checksum. build and verify check every file; a replay trusts a closed day (two or more UTC days old) by its folder listing',
    (a) =>
      a
        .positional('action', { choices: ['build', 'verify', 'clear'] as const, demandOption: true, describe: 'build: cache every stale or missing day; verify: report each day fresh/stale/missing/corrupt; clear: delete' })
        .positional('dir', { type: 'string', demandOption: true, describe: 'data folder (date folders of scanner files and/or daily files)' })
        .option('cache', { type: 'string', default: defaultCacheRoot(), describe: 'cache root folder' })
        .option('workers', { type: 'number', default: defaultWorkers(), describe: `worker threads for build (0 = main thread; at most ${FLAG_BOUNDS.workers.max})` })
        .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
        .option('quiet', { type: 'boolean', default: false, describe: 'no progress output' }) as Argv<Args>,
    async (args) => {
      checkFlags(args, ['workers']);
      // clear works for a data folder that is gone; build and verify read it
      if (args.action !== 'clear') requireDataDir(args.dir);
      if (args.action !== 'verify') checkOutputDir(args.cache, '--cache');
      if (args.action === 'clear') {
        const cleared = clearCache(args.dir, args.cache);
        process.stdout.write(args.json ? `${JSON.stringify({ cleared })}\n` : `cleared ${cleared}\n`);
        return;
      }
      if (args.action === 'build') {
        const pool = args.workers > 0 ? new WorkerPool(args.workers) : undefined;
        const progress = new Progress('caching', 'files', args.quiet);
        const built = await buildCache(args.dir, args.cache, {
          pool,
          onProgress: (d, t) => progress.update(d, t),
          onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
        }).finally(() => pool?.destroy());
        const rows = built.folders.map((r) => ({ ...r, folder: r.folder || '(top-level files, not cached)' }));
        process.stdout.write(args.json ? `${JSON.stringify({ cache: built.cacheDir, folders: rows })}\n` : `${rows.map((r) => `${r.folder}  ${r.status}  (${r.files} files)`).join('\n')}\ncache: ${built.cacheDir}\n`);
        return;
      }
      const { cacheDir, folders: rows } = verifyCache(args.dir, args.cache);
      process.stdout.write(args.json ? `${JSON.stringify({ cache: cacheDir, folders: rows })}\n` : `${rows.map((r) => `${r.folder}  ${r.status}${r.reason ? `: ${r.reason}` : ''}`).join('\n')}\ncache: ${cacheDir}\n`);
      if (rows.some((r) => r.status !== 'fresh')) process.exitCode = EXIT.FAILED;
    },
  );
}
