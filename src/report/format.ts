/** Number and time formatting shared by the text renderers. */

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

/** A Markdown table. */
export function mdTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
