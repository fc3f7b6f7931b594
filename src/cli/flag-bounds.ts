/** Documented bounds of every numeric CLI flag, and the one check every command runs before working. */
import { availableParallelism } from 'node:os';
import { boundsPhrase, inBounds, type NumericBounds } from '../core/config.js';
import { UsageError } from '../core/errors.js';
import { MAX_SYMBOL_LENGTH, symbolProblem } from '../core/scan-limits.js';
import { UNIVERSE } from '../generator/universe.js';

/** `--workers` is at most this many threads per core: more only costs memory (1000 used 9 GB). */
export const MAX_WORKERS_PER_CORE = 4;

/** A numeric flag: its bounds and what its unit or special values mean (shown in the message). */
export interface FlagSpec extends NumericBounds {
  readonly note?: string;
}

const HOUR_MS = 3_600_000;
const DAY_S = 86_400;

/**
 * Bounds of the numeric flags (README "Flags and their bounds"). The same flag name has the same
 * meaning and bounds in every command that takes it.
 */
export const FLAG_BOUNDS = Object.freeze({
  workers: {
    min: 0,
    max: MAX_WORKERS_PER_CORE * Math.max(1, availableParallelism()),
    integer: true,
    note: `0 = no worker threads; at most ${MAX_WORKERS_PER_CORE} per core`,
  },
  chunk: { min: 1, max: 100_000, integer: true, note: 'parameter sets per pool task' },
  lease: { min: 0.2, max: DAY_S, note: 'seconds a distributed sweep chunk stays with a worker that stopped heart-beating' },
  top: { min: 1, max: 1_000_000, integer: true, note: 'rows in sweep.md' },
  tolerance: { min: 0, max: 1, note: 'relative difference of final equity' },
  'stale-after': { min: 0, minOpen: true, max: DAY_S, note: 'seconds' },
  poll: { min: 50, max: HOUR_MS, note: 'milliseconds' },
  watch: { min: 0.5, max: DAY_S, note: 'seconds' },
  interval: { min: 0.2, max: 3600, note: 'seconds between samples' },
  port: { min: 0, max: 65_535, integer: true, note: '0 = any free port' },
  speed: { min: 0, max: 1_000_000, note: 'scans per second, 0 = as fast as each put completes' },
  'connect-timeout': { min: 100, max: HOUR_MS, note: 'milliseconds' },
  'reject-after': { min: 0, max: HOUR_MS, note: 'milliseconds' },
  days: { min: 1, max: 3650, integer: true, note: 'UTC days' },
  assets: { min: 2, max: UNIVERSE.length, integer: true, note: 'BTCUSDT first' },
  seed: { min: 0, max: 2 ** 32 - 1, integer: true },
  edge: { min: 0, max: 1, note: 'planted edge strength' },
  partitions: { min: 2, max: 20, integer: true, note: 'CSCV partitions, even' },
  'walk-forward': { min: 1, max: 1000, integer: true, note: 'folds' },
  'train-days': { min: 1, max: 3650, integer: true, note: 'UTC days' },
  'test-days': { min: 1, max: 3650, integer: true, note: 'UTC days' },
} satisfies Record<string, FlagSpec>);

/** A flag named in FLAG_BOUNDS. */
export type BoundedFlag = keyof typeof FLAG_BOUNDS;

/** Why `value` (as yargs parsed it) is not a valid `--flag`, or null. */
export function flagProblem(flag: BoundedFlag, value: unknown): string | null {
  const spec: FlagSpec = FLAG_BOUNDS[flag];
  if (inBounds(value, spec)) return null;
  const found = Array.isArray(value)
    ? `given ${value.length} times (${value.map(String).join(', ')})`
    : typeof value === 'number' && Number.isNaN(value)
      ? 'not a number'
      : JSON.stringify(value) ?? String(value);
  return `--${flag} must be ${boundsPhrase(spec)}${spec.note ? ` (${spec.note})` : ''}, was ${found}`;
}

/** Throws a UsageError (exit 2) listing every problem at once; does nothing when there is none. */
export function failOnProblems(problems: ReadonlyArray<string | null>): void {
  const list = problems.filter((p): p is string => p !== null);
  if (list.length === 1) throw new UsageError(list[0]);
  if (list.length > 1) throw new UsageError(`invalid options:\n  - ${list.join('\n  - ')}`);
}

/**
 * Checks the named flags of a command's parsed arguments (absent ones are skipped) and throws one
 * UsageError listing every out-of-bounds value, plus any `extra` problems the command found itself.
 */
export function checkFlags(args: Readonly<Record<string, unknown>>, flags: readonly BoundedFlag[], extra: ReadonlyArray<string | null> = []): void {
  failOnProblems([...flags.map((f) => (args[f] === undefined ? null : flagProblem(f, args[f]))), ...extra]);
}

/** Why `value` is not a usable `--run-id` (a key of DOLPHIN_STATE_PAPER shown by status), or null. */
export function runIdProblem(value: unknown): string | null {
  if (typeof value === 'string' && symbolProblem(value) === null) return null;
  return `--run-id must be plain printable text without spaces, 1 to ${MAX_SYMBOL_LENGTH} characters, was ${JSON.stringify(value) ?? String(value)}`;
}
