/** Parses the walk-forward flags of `dolphin sweep` (--walk-forward, --anchored/--rolling, --train-days, --test-days, --overfitting, --heatmap). */
import type { FoldOptions } from '../core/walk-forward-folds.js';
import { checkFlags } from './flag-bounds.js';

/** The walk-forward flags as yargs parsed them. */
export interface WalkForwardArgs {
  'walk-forward'?: number;
  anchored: boolean;
  rolling: boolean;
  'train-days'?: number;
  'test-days'?: number;
  overfitting: boolean;
  heatmap?: string;
  partitions: number;
}

/** The folds (none for --overfitting alone) and heat-map keys, or null when neither flag asks for them. */
export function walkForwardArgs(args: WalkForwardArgs, gridKeys: readonly string[]): { folds?: FoldOptions; heatmap?: readonly string[] } | null {
  const k = args['walk-forward'];
  const problems: Array<string | null> = [];
  if (args.anchored && args.rolling) problems.push('--anchored and --rolling exclude each other: give one');
  if (k === undefined && (args.anchored || args.rolling || args['train-days'] !== undefined || args['test-days'] !== undefined)) problems.push('--anchored, --rolling, --train-days and --test-days need --walk-forward K');
  if (k === undefined && !args.overfitting && args.heatmap !== undefined) problems.push('--heatmap needs --walk-forward K or --overfitting (it is drawn in sweep.html)');
  if (args.partitions % 2 !== 0) problems.push(`--partitions must be even, was ${args.partitions}`);
  const heatmap = args.heatmap?.split(',').map((x) => x.trim());
  if (heatmap && (heatmap.length !== 2 || heatmap.some((x) => !x))) problems.push(`--heatmap expects two grid keys, key1,key2, was ${JSON.stringify(args.heatmap)}`);
  else if (heatmap && heatmap.some((x) => !gridKeys.includes(x))) problems.push(`--heatmap keys must be --grid keys (${gridKeys.join(', ')}), was ${JSON.stringify(args.heatmap)}`);
  checkFlags(args as unknown as Record<string, unknown>, ['walk-forward', 'train-days', 'test-days', 'partitions'], problems);
  if (k === undefined && !args.overfitting) return null;
  const folds: FoldOptions | undefined = k === undefined ? undefined : { folds: k, mode: args.rolling ? 'rolling' : 'anchored', trainDays: args['train-days'], testDays: args['test-days'] };
  return { folds, heatmap };
}
