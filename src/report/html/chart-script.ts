/**
 * The HTML report's inline script (vanilla JS, no dependencies): draws the equity/drawdown chart with
 * trade markers, drag-to-zoom and double-click reset, the daily PnL and ACB cut bars, and sorts tables.
 * It reads the JSON in <script id="dolphin-data"> (see report-html.ts, ChartData). Written as plain ES2017
 * so it runs in any current browser; the browser test (test/report/html.browser.test.ts) executes it.
 */

/** The data the script reads; numbers only, timestamps in ms since epoch. */
export interface ChartData {
  readonly eq: { readonly t: number[]; readonly e: number[]; readonly dd: number[]; readonly n: number; readonly src: 'scans' | 'reconstructed' };
  readonly tr: { readonly en: number[]; readonly ex: number[]; readonly pnl: number[]; readonly a: string[]; readonly r: string[] };
  readonly day: { readonly t: number[]; readonly date: string[]; readonly pnl: number[]; readonly acb: number[]; readonly close: number[] };
  /** Initial capital (dashed reference line). */
  readonly init: number;
}

// String.raw: the JS below keeps its backslashes; it must contain no backtick and no dollar-brace.
export const CHART_SCRIPT = String.raw`(function () {
'use strict';
var D = JSON.parse(document.getElementById('dolphin-data').textContent);
var SVGNS = 'http://www.w3.org/2000/svg';
var C = { eq: '#2563eb', dd: '#dc2626', win: '#16a34a', loss: '#dc2626', grid: '#e5e7eb', axis: '#6b7280', acb: '#d97706', sel: 'rgba(37,99,235,0.12)' };
var tip = document.getElementById('tip');

function el(tag, attrs, parent) {
  var e = document.createElementNS(SVGNS, tag);
  for (var k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}
function text(parent, x, y, s, anchor, cls) {
  var t = el('text', { x: x, y: y, 'text-anchor': anchor || 'start', 'class': cls || 'ax' }, parent);
  t.textContent = s;
  return t;
}
function pad2(n) { return n < 10 ? '0' + n : '' + n; }
function fmtTime(ms, withTime) {
  var d = new Date(ms);
  var s = d.getUTCFullYear() + '-' + pad2(d.getUTCMonth() + 1) + '-' + pad2(d.getUTCDate());
  return withTime ? s + ' ' + pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes()) : s;
}
function fmtNum(v, dig) {
  var p = Math.abs(v) >= 1e6 ? (v / 1e6).toFixed(2) + 'M' : Math.abs(v) >= 1e4 ? (v / 1e3).toFixed(1) + 'k' : v.toFixed(dig === undefined ? 0 : dig);
  return p.replace(/\.0+(?=[kM]?$)/, '');
}
function niceStep(span, n) {
  var raw = span / Math.max(1, n), mag = Math.pow(10, Math.floor(Math.log10(raw))), r = raw / mag;
  return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10) * mag;
}
function ticks(lo, hi, n) {
  if (!(hi > lo)) return [lo];
  var s = niceStep(hi - lo, n), out = [];
  for (var v = Math.ceil(lo / s) * s; v <= hi + s * 1e-9; v += s) out.push(Math.abs(v) < s * 1e-9 ? 0 : v);
  return out;
}
var MIN = 60000, HOUR = 3600000, DAY = 86400000;
var TSTEPS = [MIN, 5 * MIN, 15 * MIN, 30 * MIN, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 365 * DAY];
function timeTicks(lo, hi, n) {
  var step = TSTEPS[TSTEPS.length - 1];
  for (var i = 0; i < TSTEPS.length; i++) if ((hi - lo) / TSTEPS[i] <= n) { step = TSTEPS[i]; break; }
  var out = [];
  for (var v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(v);
  return { v: out, withTime: step < DAY };
}
function lowerBound(a, x) {
  var lo = 0, hi = a.length;
  while (lo < hi) { var m = (lo + hi) >> 1; if (a[m] < x) lo = m + 1; else hi = m; }
  return lo;
}
function showTip(evt, html) {
  tip.innerHTML = html;
  tip.style.display = 'block';
  var x = evt.clientX + 14, y = evt.clientY + 14, w = tip.offsetWidth;
  if (x + w > window.innerWidth - 8) x = evt.clientX - w - 14;
  tip.style.left = x + 'px';
  tip.style.top = y + 'px';
}
function hideTip() { tip.style.display = 'none'; }
function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }

// ---- equity + drawdown ----
var eqBox = document.getElementById('equity-chart');
var E = D.eq, STEP = E.src === 'reconstructed';
var full = E.t.length ? [E.t[0], E.t[E.t.length - 1]] : [0, 1];
if (full[1] <= full[0]) full = [full[0] - HOUR, full[0] + HOUR];
var view = full.slice();
var drag = null, finishDrag = null;
window.addEventListener('mouseup', function (evt) {
  if (drag === null) return;
  var f = finishDrag;
  finishDrag = null;
  if (f) f(evt);
  drag = null;
});

function equityAt(ms) {
  var i = lowerBound(E.t, ms);
  if (i < E.t.length && E.t[i] === ms) { while (i + 1 < E.t.length && E.t[i + 1] === ms) i++; return E.e[i]; }
  return E.e[Math.max(0, i - 1)];
}

function drawEquity() {
  if (!eqBox) return;
  eqBox.innerHTML = '';
  var W = Math.max(320, eqBox.clientWidth), L = 64, R = 14, T = 20, H1 = 270, G = 30, H2 = 100, B = 22;
  var H = T + H1 + G + H2 + B, pw = W - L - R;
  var svg = el('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, 'class': 'chart', id: 'equity-svg' }, eqBox);
  if (!E.t.length) { text(svg, W / 2, H / 2, 'no scans', 'middle'); svg.setAttribute('data-points', '0'); return; }
  var x0 = view[0], x1 = view[1];
  var i0 = Math.max(0, lowerBound(E.t, x0) - 1), i1 = Math.min(E.t.length, lowerBound(E.t, x1) + 1);
  var lo = Infinity, hi = -Infinity, ddMax = 0;
  for (var i = i0; i < i1; i++) { if (E.e[i] < lo) lo = E.e[i]; if (E.e[i] > hi) hi = E.e[i]; if (E.dd[i] > ddMax) ddMax = E.dd[i]; }
  var padY = (hi - lo) * 0.06 || Math.abs(hi) * 0.01 || 1;
  lo -= padY; hi += padY;
  ddMax = Math.max(ddMax * 1.1, 0.001);
  function X(t) { return L + (t - x0) / (x1 - x0) * pw; }
  function Y(v) { return T + (hi - v) / (hi - lo) * H1; }
  function YD(d) { return T + H1 + G + d / ddMax * H2; }
  var clipId = 'clip-eq';
  var defs = el('defs', {}, svg);
  el('rect', { x: L, y: 0, width: pw, height: H }, el('clipPath', { id: clipId }, defs));
  // grid and axes
  var yt = ticks(lo, hi, 6);
  for (var k = 0; k < yt.length; k++) {
    el('line', { x1: L, x2: L + pw, y1: Y(yt[k]), y2: Y(yt[k]), stroke: C.grid }, svg);
    text(svg, L - 6, Y(yt[k]) + 4, fmtNum(yt[k]), 'end');
  }
  var dt = ticks(0, ddMax, 3);
  for (k = 0; k < dt.length; k++) {
    el('line', { x1: L, x2: L + pw, y1: YD(dt[k]), y2: YD(dt[k]), stroke: C.grid }, svg);
    text(svg, L - 6, YD(dt[k]) + 4, (dt[k] === 0 ? '0' : '-' + (dt[k] * 100).toFixed(dt[k] < 0.1 ? 1 : 0)) + '%', 'end');
  }
  var tt = timeTicks(x0, x1, Math.max(2, Math.floor(pw / 110)));
  for (k = 0; k < tt.v.length; k++) {
    var xx = X(tt.v[k]);
    el('line', { x1: xx, x2: xx, y1: T, y2: T + H1, stroke: C.grid }, svg);
    el('line', { x1: xx, x2: xx, y1: T + H1 + G, y2: T + H1 + G + H2, stroke: C.grid }, svg);
    text(svg, xx, H - 6, fmtTime(tt.v[k], tt.withTime), 'middle');
  }
  text(svg, L, T - 7, 'equity (USDT)', 'start', 'lbl');
  text(svg, L, T + H1 + G - 7, 'drawdown', 'start', 'lbl');
  el('rect', { x: L, y: T, width: pw, height: H1, fill: 'none', stroke: C.axis, 'stroke-width': 0.5 }, svg);
  el('rect', { x: L, y: T + H1 + G, width: pw, height: H2, fill: 'none', stroke: C.axis, 'stroke-width': 0.5 }, svg);
  // series
  var g = el('g', { 'clip-path': 'url(#' + clipId + ')' }, svg);
  var d = '', a = '', n = 0, px, py, pdy;
  for (i = i0; i < i1; i++) {
    var x = X(E.t[i]).toFixed(1), y = Y(E.e[i]).toFixed(1), dy = YD(E.dd[i]).toFixed(1);
    if (!n) { d = 'M' + x + ' ' + y; a = 'M' + x + ' ' + YD(0).toFixed(1) + 'L' + x + ' ' + dy; }
    else if (STEP) { d += 'H' + x + 'V' + y; a += 'H' + x + 'V' + dy; }
    else { d += 'L' + x + ' ' + y; a += 'L' + x + ' ' + dy; }
    px = x; py = y; pdy = dy; n++;
  }
  if (n) a += 'L' + px + ' ' + YD(0).toFixed(1) + 'Z';
  el('path', { d: a, fill: 'rgba(220,38,38,0.25)', stroke: C.dd, 'stroke-width': 1, id: 'drawdown-path' }, g);
  el('path', { d: d, fill: 'none', stroke: C.eq, 'stroke-width': 1.5, 'stroke-linejoin': 'round', id: 'equity-path' }, g);
  el('line', { x1: L, x2: L + pw, y1: Y(D.init), y2: Y(D.init), stroke: C.axis, 'stroke-dasharray': '4 3', 'stroke-width': 0.8 }, g);
  svg.setAttribute('data-points', String(n));
  svg.setAttribute('data-source', E.src);
  // trade markers: entry (hollow) linked to exit (filled, green win / red loss)
  var T_ = D.tr, mk = el('g', { 'class': 'markers' }, g), shown = 0, vis = 0;
  for (i = 0; i < T_.ex.length; i++) if (T_.ex[i] >= x0 && T_.en[i] <= x1) vis++;
  // markers shrink as trades crowd the plot; the entry-exit links are drawn only when there is room
  var rad = Math.max(1.6, Math.min(3.5, pw / Math.max(1, vis) / 2.5)), links = vis * 12 < pw;
  for (i = 0; i < T_.ex.length; i++) {
    if (T_.ex[i] < x0 || T_.en[i] > x1) continue;
    var col = T_.pnl[i] > 0 ? C.win : C.loss;
    var ex = X(T_.ex[i]), ey = Y(equityAt(T_.ex[i])), nx = X(T_.en[i]), ny = Y(equityAt(T_.en[i]));
    if (links) el('line', { x1: nx, y1: ny, x2: ex, y2: ey, stroke: col, 'stroke-opacity': 0.35, 'stroke-width': 1 }, mk);
    el('circle', { cx: nx, cy: ny, r: rad * 0.85, fill: '#fff', stroke: col, 'stroke-width': 1.1, 'data-i': i, 'class': 'mk' }, mk);
    el('circle', { cx: ex, cy: ey, r: rad, fill: col, 'data-i': i, 'class': 'mk' }, mk);
    shown++;
  }
  svg.setAttribute('data-markers', String(shown));
  // crosshair, selection and hover
  var cross = el('line', { y1: T, y2: T + H1 + G + H2, stroke: C.axis, 'stroke-width': 0.6, visibility: 'hidden' }, svg);
  var sel = el('rect', { y: T, height: H1 + G + H2, fill: C.sel, visibility: 'hidden' }, svg);
  function mx(evt) { var r = svg.getBoundingClientRect(); return Math.min(L + pw, Math.max(L, evt.clientX - r.left)); }
  function tAt(px_) { return x0 + (px_ - L) / pw * (x1 - x0); }
  svg.addEventListener('mousedown', function (evt) {
    drag = mx(evt);
    evt.preventDefault();
    finishDrag = function (e2) {
      var p = mx(e2), a0 = Math.min(drag, p), a1 = Math.max(drag, p);
      sel.setAttribute('visibility', 'hidden');
      if (a1 - a0 > 4) { view = [tAt(a0), tAt(a1)]; drawEquity(); }
    };
  });
  svg.addEventListener('mousemove', function (evt) {
    var p = mx(evt);
    cross.setAttribute('x1', p); cross.setAttribute('x2', p); cross.setAttribute('visibility', 'visible');
    if (drag !== null) {
      sel.setAttribute('x', Math.min(drag, p)); sel.setAttribute('width', Math.abs(p - drag)); sel.setAttribute('visibility', 'visible');
    }
    var tgt = evt.target, ti = tgt && tgt.getAttribute && tgt.getAttribute('data-i');
    if (ti !== null && ti !== undefined && ti !== '') {
      var j = +ti;
      showTip(evt, '<b>' + esc(T_.a[j]) + '</b> ' + esc(T_.r[j]) + '<br>PnL <b style="color:' + (T_.pnl[j] > 0 ? C.win : C.loss) + '">' + T_.pnl[j].toFixed(2) + '</b><br>' + fmtTime(T_.en[j], true) + ' &rarr; ' + fmtTime(T_.ex[j], true));
      return;
    }
    var t = tAt(p), idx = Math.max(0, lowerBound(E.t, t) - (STEP ? 1 : 0));
    if (idx >= E.t.length) idx = E.t.length - 1;
    if (!STEP && idx > 0 && Math.abs(E.t[idx - 1] - t) < Math.abs(E.t[idx] - t)) idx--;
    showTip(evt, fmtTime(t, true) + ' UTC<br>equity <b>' + E.e[idx].toFixed(2) + '</b><br>drawdown <b>' + (E.dd[idx] * 100).toFixed(2) + '%</b>');
  });
  svg.addEventListener('mouseleave', function () { cross.setAttribute('visibility', 'hidden'); hideTip(); });
  svg.addEventListener('dblclick', function () { view = full.slice(); drawEquity(); });
  var zoomed = view[0] > full[0] || view[1] < full[1];
  var note = document.getElementById('zoom-note');
  if (note) note.textContent = zoomed ? 'zoomed: ' + fmtTime(view[0], true) + ' to ' + fmtTime(view[1], true) + ' UTC (double-click to reset)' : 'drag across the chart to zoom, double-click to reset';
}

// ---- daily PnL and ACB cut ----
var dayBox = document.getElementById('daily-chart');
function drawDaily() {
  if (!dayBox) return;
  dayBox.innerHTML = '';
  var Dd = D.day, nd = Dd.t.length;
  var W = Math.max(320, dayBox.clientWidth), L = 64, R = 14, T = 20, H1 = 170, G = 30, H2 = 60, B = 22, H = T + H1 + G + H2 + B, pw = W - L - R;
  var svg = el('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, 'class': 'chart', id: 'daily-svg', 'data-days': nd }, dayBox);
  if (!nd) { text(svg, W / 2, H / 2, 'no daily rows', 'middle'); return; }
  var lo = 0, hi = 0;
  for (var i = 0; i < nd; i++) { lo = Math.min(lo, Dd.pnl[i]); hi = Math.max(hi, Dd.pnl[i]); }
  var p = (hi - lo) * 0.08 || 1; if (hi > 0) hi += p; if (lo < 0) lo -= p;
  if (hi === lo) hi = lo + 1;
  var bw = pw / nd;
  function Y(v) { return T + (hi - v) / (hi - lo) * H1; }
  function YA(c) { return T + H1 + G + H2 - c * H2; }
  var yt = ticks(lo, hi, 5);
  for (var k = 0; k < yt.length; k++) {
    el('line', { x1: L, x2: L + pw, y1: Y(yt[k]), y2: Y(yt[k]), stroke: yt[k] === 0 ? C.axis : C.grid }, svg);
    text(svg, L - 6, Y(yt[k]) + 4, fmtNum(yt[k]), 'end');
  }
  [0, 0.5, 1].forEach(function (c) {
    el('line', { x1: L, x2: L + pw, y1: YA(c), y2: YA(c), stroke: C.grid }, svg);
    text(svg, L - 6, YA(c) + 4, (c * 100) + '%', 'end');
  });
  text(svg, L, T - 7, 'daily PnL (USDT)', 'start', 'lbl');
  text(svg, L, T + H1 + G - 7, 'ACB cut', 'start', 'lbl');
  var every = Math.max(1, Math.ceil(nd / Math.max(1, Math.floor(pw / 80))));
  for (i = 0; i < nd; i++) {
    var x = L + i * bw, w = Math.max(1, bw * 0.72), xo = x + (bw - w) / 2, v = Dd.pnl[i];
    var r = el('rect', { x: xo, y: Math.min(Y(v), Y(0)), width: w, height: Math.max(0.5, Math.abs(Y(v) - Y(0))), fill: v >= 0 ? C.win : C.loss, 'class': 'bar' }, svg);
    el('title', {}, r).textContent = Dd.date[i] + ': PnL ' + v.toFixed(2) + ', close ' + Dd.close[i].toFixed(2);
    var c = Dd.acb[i];
    if (c > 0) {
      var ra = el('rect', { x: xo, y: YA(c), width: w, height: c * H2, fill: C.acb, 'class': 'bar' }, svg);
      el('title', {}, ra).textContent = Dd.date[i] + ': ACB cut ' + (c * 100).toFixed(0) + '%';
    }
    if (i % every === 0) text(svg, x + bw / 2, H - 6, Dd.date[i].slice(5), 'middle');
  }
  el('rect', { x: L, y: T, width: pw, height: H1, fill: 'none', stroke: C.axis, 'stroke-width': 0.5 }, svg);
  el('rect', { x: L, y: T + H1 + G, width: pw, height: H2, fill: 'none', stroke: C.axis, 'stroke-width': 0.5 }, svg);
}

// ---- sortable tables: click a header; cells may carry data-v with the numeric value ----
Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    th.addEventListener('click', function () {
      var dir = th.getAttribute('data-dir') === 'asc' ? 'desc' : 'asc';
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute('data-dir'); });
      th.setAttribute('data-dir', dir);
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      function key(row) { var c = row.cells[col]; var v = c.getAttribute('data-v'); return v !== null ? +v : c.textContent; }
      rows.sort(function (a, b) { var x = key(a), y = key(b); var r = x < y ? -1 : x > y ? 1 : 0; return dir === 'asc' ? r : -r; });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});

function drawAll() { drawEquity(); drawDaily(); }
var pending = 0;
window.addEventListener('resize', function () { clearTimeout(pending); pending = setTimeout(drawAll, 100); });
drawAll();
document.documentElement.setAttribute('data-ready', '1');
})();
`;
