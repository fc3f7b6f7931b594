/** Writes a walk-forward sweep's outputs: walk-forward.json and sweep.html; returns the sweep.md sections. */
import { join } from 'node:path';
import type { Metrics } from '../report/metrics.js';
import { sweepToHtml } from '../report/sweep-html.js';
import { walkForwardMarkdown } from '../report/walk-forward-markdown.js';
import type { WalkForwardResult } from '../report/walk-forward-model.js';
import { jsonReplacer } from '../core/json-replacer.js';
import { writeFileAtomic } from '../feeds/fs/atomic-write.js';
import type { GridAxis, SweepLine } from './sweep.js';

/** Options of writeWalkForwardOutputs. */
export interface WalkForwardOutputOptions {
  readonly lines: readonly SweepLine[];
  readonly axes: readonly GridAxis[];
  /** Heat-map keys; default the first two grid keys. */
  readonly heatmap?: readonly string[];
  readonly rank: keyof Metrics;
  readonly title: string;
}

/** Writes walk-forward.json and sweep.html to `outDir`; returns the Markdown sections and the paths written. */
export function writeWalkForwardOutputs(outDir: string, r: WalkForwardResult, o: WalkForwardOutputOptions): { markdown: string; paths: string[] } {
  const json = join(outDir, 'walk-forward.json');
  writeFileAtomic(json, `${JSON.stringify(r, jsonReplacer, 2)}\n`, '--out');
  const keys = o.heatmap ?? o.axes.map((a) => a.key);
  const heatmap = keys.length >= 2 ? ([keys[0], keys[1]] as const) : undefined;
  const html = join(outDir, 'sweep.html');
  writeFileAtomic(html, sweepToHtml(o.lines, r, { title: o.title, rank: o.rank, heatmap }), '--out');
  return { markdown: walkForwardMarkdown(r), paths: [json, html] };
}
