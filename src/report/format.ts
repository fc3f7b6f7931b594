/** Number and time formatting shared by the text renderers. */
import type { DataQuality } from '../core/data-quality.js';

/** ns timestamp (decimal string or bigint) as "YYYY-MM-DD HH:MM:SS" UTC. */
export function fmtTs(ts: string | bigint | null): string {
  if (ts === null) return '-';
  const ms = Number(BigInt(ts) / 1_000_000n);
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** Fixed decimals, '-' for null/non-finite. */
export function fmtNum(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

/** Percentage of a fraction, '-' for null. */
export function fmtPct(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(digits)} %`;
}

/** Markdown the renderer wrote on purpose (a code span), as opposed to data text that gets escaped. */
export interface MdMarkup {
  readonly markup: string;
}

// Control characters (line breaks included) would end a table row or start a new block (a heading).
const MD_BREAKS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// Characters that open inline markup able to inject links, images, HTML or code, or split a table cell.
const MD_SPECIAL = /[\\`*[\]<|]/g;

/** Data text (a symbol, a file name, a reason) made inert in Markdown: one line, no markup, no cell break. */
export function mdText(s: string): string {
  return s.replace(MD_BREAKS, ' ').replace(MD_SPECIAL, (c) => `\\${c}`);
}

/** A code span holding `s` verbatim (fence longer than any backtick run inside; `|` escaped for tables). */
export function mdCode(s: string): MdMarkup {
  const text = s.replace(MD_BREAKS, ' ');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return { markup: `${fence}${pad}${text.replace(/\|/g, '\\|')}${pad}${fence}` };
}

/** A Markdown table; string cells are data and are escaped with mdText, MdMarkup cells are kept. */
export function mdTable(head: readonly string[], rows: readonly (readonly (string | MdMarkup)[])[]): string {
  const cell = (c: string | MdMarkup): string => (typeof c === 'string' ? mdText(c) : c.markup);
  const line = (cells: readonly (string | MdMarkup)[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The data-quality counts as label/value rows (Markdown and HTML show the same table). */
export function dataQualityRows(dq: DataQuality): [string, string][] {
  return [
    ['files read / skipped', `${dq.filesRead} / ${dq.skippedFiles.length}`],
    ['rows read / scans accepted', `${dq.rowsRead} / ${dq.scansAccepted}`],
    ['duplicates merged', String(dq.duplicatesDropped)],
    ['conflicting rows dropped', String(dq.conflictsDropped)],
    ['malformed rows', String(dq.malformedRows.length)],
    ['late or duplicate live scans', String(dq.lateOrDuplicateLive)],
    ...liveFeedRows(dq),
    ['cadence', dq.cadenceSeconds === null ? '-' : `${fmtNum(dq.cadenceSeconds, 2)} s`],
    ['gaps > 3 x cadence', String(dq.gaps.length)],
    ['scanner restarts', String(dq.scannerRestarts.length)],
    ['invalid prices', String(dq.invalidPrices.count)],
    ['factor problems', String(dq.factorProblems.length)],
    ['days without external factors', listOrCount(dq.daysWithoutFactors)],
  ];
}

/** Live runs only: missed scans (with the last range) and refused messages. */
function liveFeedRows(dq: DataQuality): [string, string][] {
  const f = dq.liveFeed;
  if (f === undefined) return [];
  const last = f.missed[f.missed.length - 1];
  return [
    ['live scans missed', f.scansMissed === 0 ? '0' : `${f.scansMissed} in ${f.missed.length} gap(s)${last ? `, last ${last.scans} from ${fmtTs(last.fromTs)} to ${fmtTs(last.toTs)} (${last.via})` : ''}`],
    ['live messages refused', `${f.malformed + f.outOfBounds + f.badTimestamps} (${f.malformed} malformed, ${f.outOfBounds} out of bounds, ${f.badTimestamps} bad timestamp)`],
  ];
}

/** "none", the items when few, or the count and the first ones. */
function listOrCount(items: readonly string[], max = 5): string {
  if (items.length === 0) return 'none';
  return items.length <= max ? items.join(', ') : `${items.length} (${items.slice(0, max).join(', ')}, ...)`;
}
