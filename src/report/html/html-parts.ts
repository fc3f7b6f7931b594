/** Small HTML building blocks for the report: escaping, tables, cards and the inline stylesheet. */

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** JSON safe to embed in <script type="application/json">: no "</script", "<!--" or line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A table cell: text (escaped), optional numeric sort value and CSS class. */
export interface Cell {
  readonly text: string;
  /** Numeric value for sorting (data-v); omitted for text columns. */
  readonly v?: number | null;
  readonly cls?: string;
  readonly title?: string;
}

/** A plain text cell. */
export function c(text: string | number, cls?: string): Cell {
  return { text: String(text), cls };
}

/** A numeric cell: formatted text, sortable value, right-aligned; `signed` colours positive/negative. */
export function n(value: number | null | undefined, text: string, signed = false): Cell {
  const v = value === null || value === undefined || !Number.isFinite(value) ? null : value;
  const cls = `num${signed && v !== null && v !== 0 ? (v > 0 ? ' pos' : ' neg') : ''}`;
  return { text, v, cls };
}

function td(cell: Cell): string {
  const attrs = [cell.cls ? ` class="${esc(cell.cls)}"` : '', cell.v !== undefined && cell.v !== null ? ` data-v="${cell.v}"` : '', cell.title ? ` title="${esc(cell.title)}"` : ''].join('');
  return `<td${attrs}>${esc(cell.text)}</td>`;
}

/** A table; `sortable` lets the script sort it by a clicked header. Empty rows render `empty` instead. */
export function table(head: readonly string[], rows: readonly (readonly Cell[])[], opts: { id?: string; sortable?: boolean; empty?: string } = {}): string {
  if (!rows.length) return `<p class="muted">${esc(opts.empty ?? 'None.')}</p>`;
  const cls = opts.sortable ? ' class="sortable"' : '';
  const id = opts.id ? ` id="${esc(opts.id)}"` : '';
  // A column whose first cell is numeric gets a right-aligned header too.
  const th = head.map((h, i) => `<th${rows[0][i]?.cls?.startsWith('num') ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map(td).join('')}</tr>`).join('\n');
  return `<div class="tbl"><table${id}${cls}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** A summary card: label, value, optional sub-line and a tooltip (e.g. why a metric is null). */
export function card(label: string, value: string, opts: { sub?: string; tone?: 'pos' | 'neg' | ''; note?: string; id?: string } = {}): string {
  const title = opts.note ? ` title="${esc(opts.note)}"` : '';
  const id = opts.id ? ` id="${esc(opts.id)}"` : '';
  const sub = opts.sub ? `<div class="sub">${esc(opts.sub)}</div>` : '';
  const note = opts.note ? `<div class="note">${esc(opts.note)}</div>` : '';
  return `<div class="card"${id}${title}><div class="lbl">${esc(label)}</div><div class="val ${opts.tone ?? ''}">${esc(value)}</div>${sub}${note}</div>`;
}

/** A <section> with a heading. */
export function section(id: string, title: string, body: string): string {
  return `<section id="${esc(id)}"><h2>${esc(title)}</h2>\n${body}\n</section>`;
}

/** The inline stylesheet (no external fonts or assets). */
export const STYLE = `
:root{--bg:#f6f7f9;--fg:#111827;--muted:#6b7280;--line:#e5e7eb;--card:#fff;--pos:#15803d;--neg:#b91c1c;--accent:#2563eb}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header{background:#0f172a;color:#e2e8f0;padding:18px 28px}
header h1{margin:0;font-size:20px;font-weight:600}
header .meta{color:#94a3b8;font-size:12.5px;margin-top:4px}
nav{display:flex;gap:14px;flex-wrap:wrap;margin-top:10px;font-size:12.5px}
nav a{color:#93c5fd;text-decoration:none}
main{max-width:1280px;margin:0 auto;padding:18px 28px 40px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 18px;margin:16px 0}
h2{font-size:15px;margin:0 0 10px;font-weight:600}
h3{font-size:13px;margin:14px 0 6px;color:#374151}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.card .lbl{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .val{font-size:22px;font-weight:600;margin-top:2px;font-variant-numeric:tabular-nums}
.card .sub{color:var(--muted);font-size:12px}
.card .note{color:#92400e;font-size:11.5px;margin-top:4px}
.pos{color:var(--pos)}.neg{color:var(--neg)}
.muted{color:var(--muted)}
.hint{color:var(--muted);font-size:12px;margin:0 0 6px}
.chart{display:block;user-select:none;cursor:crosshair}
.chart .ax{font-size:11px;fill:#6b7280}
.chart .lbl{font-size:11.5px;fill:#374151;font-weight:600}
.chart .mk{cursor:pointer}
.legend{display:flex;gap:16px;flex-wrap:wrap;font-size:12px;color:var(--muted);margin-top:6px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:5px;vertical-align:-1px}
.tbl{overflow:auto;max-height:520px;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:12.5px;font-variant-numeric:tabular-nums}
th,td{padding:5px 9px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{background:#f3f4f6;position:sticky;top:0;font-weight:600;color:#374151}
table.sortable th{cursor:pointer}
table.sortable th[data-dir=asc]::after{content:" \\25B2";font-size:9px}
table.sortable th[data-dir=desc]::after{content:" \\25BC";font-size:9px}
tbody tr:hover{background:#f9fafb}
td.num,th.num{text-align:right}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:16px}
.kv td:first-child{color:var(--muted);width:1%}
.kv td:last-child{white-space:normal;overflow-wrap:anywhere}
td.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.kv .tbl{max-height:none}
ul.issues{margin:6px 0;padding-left:20px;font-size:12.5px}
ul.issues li{margin:2px 0}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
pre{background:#f3f4f6;border-radius:6px;padding:10px;overflow:auto;margin:0}
#tip{position:fixed;display:none;pointer-events:none;background:#111827;color:#f9fafb;font-size:12px;padding:6px 8px;border-radius:6px;box-shadow:0 2px 8px rgba(0,0,0,.25);z-index:10;max-width:320px}
footer{color:var(--muted);font-size:12px;text-align:center;padding:10px}
`;

/** The opening of a self-contained page, up to `</head>`: doctype, charset, viewport, title (escaped) and style. */
export function pageHead(title: string, style: string): string[] {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${style}</style>`,
    '</head>',
  ];
}
