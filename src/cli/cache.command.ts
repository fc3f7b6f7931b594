/** `dolphin cache build|verify|clear DIR`: manage the consolidated day cache of a data folder. */
import type { Argv } from 'yargs';
import { checkOutputDir, requireDataDir } from '../feeds/fs/path-checks.js';
import { DayCache, defaultCacheRoot, groupByFolder } from '../feeds/replay/day-cache.js';
import { loadReplay } from '../feeds/replay/load-replay.js';
import { requireScanFiles } from '../feeds/replay/load-scan-directory.js';
import { poolDecoder } from '../workers/parallel-replay.js';
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
    'Build, verify or clear the consolidated day cache of a data folder (one Arrow file per date folder)',
    (a) =>
      a
        .positional('action', { choices: ['build', 'verify', 'clear'] as const, demandOption: true, describe: 'build: cache every stale or missing day; verify: report each day fresh/stale/missing/corrupt; clear: delete' })
        .positional('dir', { type: 'string', demandOption: true, describe: 'data folder of scanner-layout date folders' })
        .option('cache', { type: 'string', default: defaultCacheRoot(), describe: 'cache root folder' })
        .option('workers', { type: 'number', default: defaultWorkers(), describe: `worker threads for build (0 = main thread; at most ${FLAG_BOUNDS.workers.max})` })
        .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
        .option('quiet', { type: 'boolean', default: false, describe: 'no progress output' }) as Argv<Args>,
    async (args) => {
      checkFlags(args, ['workers']);
      // clear works for a data folder that is gone; build and verify read it
      if (args.action !== 'clear') requireDataDir(args.dir);
      if (args.action !== 'verify') checkOutputDir(args.cache, '--cache');
      const cache = new DayCache(args.cache, args.dir);
      if (args.action === 'clear') {
        cache.clear();
        process.stdout.write(args.json ? `${JSON.stringify({ cleared: cache.dir })}\n` : `cleared ${cache.dir}\n`);
        return;
      }
      if (args.action === 'build') {
        const pool = args.workers > 0 ? new WorkerPool(args.workers) : undefined;
        const progress = new Progress('caching', 'files', args.quiet);
        const rows: { folder: string; status: string; files: number }[] = [];
        try {
          await loadReplay(args.dir, {
            decode: pool ? poolDecoder(pool) : undefined,
            cacheRoot: args.cache,
            onProgress: (d, t) => progress.update(d, t),
            onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
            onFolder: (folder, status, files) => rows.push({ folder: folder || '(top-level files, not cached)', status, files }),
          });
        } finally {
          await pool?.destroy();
        }
        rows.sort((a, b) => (a.folder < b.folder ? -1 : 1));
        process.stdout.write(args.json ? `${JSON.stringify({ cache: cache.dir, folders: rows })}\n` : `${rows.map((r) => `${r.folder}  ${r.status}  (${r.files} files)`).join('\n')}\ncache: ${cache.dir}\n`);
        return;
      }
      const rows: { folder: string; status: string; reason?: string }[] = [];
      for (const [folder, files] of groupByFolder(requireScanFiles(args.dir))) {
        if (folder === '') continue;
        const r = cache.lookup(folder, files);
        rows.push({ folder, status: r.status === 'hit' ? 'fresh' : r.status, ...(r.status === 'corrupt' ? { reason: r.reason } : {}) });
      }
      process.stdout.write(args.json ? `${JSON.stringify({ cache: cache.dir, folders: rows })}\n` : `${rows.map((r) => `${r.folder}  ${r.status}${r.reason ? `: ${r.reason}` : ''}`).join('\n')}\ncache: ${cache.dir}\n`);
      if (rows.some((r) => r.status !== 'fresh')) process.exitCode = EXIT.FAILED;
    },
  );
}
