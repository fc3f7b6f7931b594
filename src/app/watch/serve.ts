/**
 * `dolphin serve`: a small read-only web server over a runs folder (node:http, no framework). Routes:
 * `/` the runs list; `/runs/<dir>/` a run's report (its report.html, else rendered from report.json);
 * `/runs/<dir>/<file>` a file of the run; `/compare?a=<dir>&b=<dir>` the compare page of two runs;
 * `/live/<runId>` a running paper run's live page and `/live/<runId>/events` its server-sent events.
 * Binds to loopback unless told otherwise; every path is checked to stay inside RUNS_DIR.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, sep } from 'node:path';
import { realpathSync } from 'node:fs';
import { compareReports } from '../../report/compare/compare.js';
import { compareToHtml } from '../../report/compare/compare-html.js';
import { reportToHtml } from '../../report/report-html.js';
import { livePageHtml, livePayload } from './live-page.js';
import { LiveRuns, type LiveListener } from './live-runs.js';
import { readReport, listRuns } from './runs-index.js';
import { isInside, pathSegments, resolveInside } from './safe-path.js';
import { listPageHtml, messagePageHtml, runHref } from './serve-pages.js';

/** Options of startServe. */
export interface ServeOptions {
  readonly runsDir: string;
  readonly host: string;
  /** 0 = any free port. */
  readonly port: number;
  /** The cluster whose paper runs get live pages (none without it). */
  readonly hz?: { readonly address: string; readonly cluster: string; readonly stateMap: string };
  readonly log?: (line: string) => void;
}

/** A started server. */
export interface RunningServer {
  /** http://host:port */
  readonly url: string;
  close(): Promise<void>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.csv': 'text/plain; charset=utf-8',
  '.ndjson': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
};
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
/** A comment line on idle event streams, so proxies and browsers keep them open. */
const SSE_KEEPALIVE_MS = 15_000;

/** Starts the server; resolves once it listens. */
export async function startServe(o: ServeOptions): Promise<RunningServer> {
  const live = o.hz === undefined ? null : new LiveRuns({ ...o.hz, ...(o.log ? { log: o.log } : {}) });
  live?.start();
  const streams = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      o.log?.(`serve: ${req.url ?? ''}: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) send(res, 500, messagePageHtml('Server error', 'The page could not be built; see the server log.'));
      else res.end();
    }
  });
  const loopbackOnly = LOOPBACK_HOSTS.has(o.host);

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, messagePageHtml('Method not allowed', 'dolphin serve is read-only: GET only.'), { Allow: 'GET, HEAD' });
    // bound to loopback: refuse other Host names (a web page elsewhere rebinding its name to 127.0.0.1)
    const hostName = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (loopbackOnly && !LOOPBACK_HOSTS.has(hostName)) return send(res, 403, messagePageHtml('Forbidden', 'This server answers only to localhost / 127.0.0.1.'));
    const url = req.url ?? '/';
    const [pathPart, query = ''] = url.split('?', 2) as [string, string?];
    const parsed = pathSegments(pathPart);
    if ('refused' in parsed) return refuse(res, parsed.refused);
    const seg = parsed.segments;
    if (seg.length === 0) return listPage(res);
    if (seg.length === 1 && seg[0] === 'favicon.ico') return send(res, 204, ''); // browsers ask; there is none
    if (seg[0] === 'runs') return runPath(res, seg.slice(1), pathPart.endsWith('/'));
    if (seg[0] === 'compare' && seg.length === 1) return comparePage(res, new URLSearchParams(query));
    if (seg[0] === 'live' && seg.length === 2) return livePage(res, seg[1] as string);
    if (seg[0] === 'live' && seg.length === 3 && seg[2] === 'events') return events(req, res, seg[1] as string);
    return send(res, 404, messagePageHtml('Not found', 'No such page.'));
  }

  function listPage(res: ServerResponse): void {
    const runs = listRuns(o.runsDir);
    const listLive = live === null ? null : { member: live.memberState(), runs: live.list(), reportHref: reportHrefOf, nowMs: Date.now() };
    send(res, 200, listPageHtml(o.runsDir, runs, listLive));
  }

  function runPath(res: ServerResponse, seg: string[], dirSlash: boolean): void {
    if (seg.length === 0) return send(res, 302, '', { Location: '/' });
    const r = resolveInside(o.runsDir, seg);
    if ('refused' in r) return refuse(res, r.refused);
    const st = statSync(r.path);
    if (st.isDirectory()) {
      if (!dirSlash) return send(res, 301, '', { Location: runHref(seg) });
      const html = join(r.path, 'report.html');
      if (isFile(html)) return sendFile(res, html);
      const { report, problem } = readReport(r.path);
      if (report !== null) return send(res, 200, reportToHtml(report, { title: `DOLPHIN ${report.kind} report: ${seg.join('/')}` }));
      return send(res, 404, messagePageHtml('No report yet', problem ?? `${seg.join('/')} has no report yet (a running paper run writes it when it stops).`));
    }
    if (!st.isFile()) return refuse(res, 'missing');
    sendFile(res, r.path);
  }

  function comparePage(res: ServerResponse, q: URLSearchParams): void {
    const side = (key: string): { name: string; dir: string } | { error: string } => {
      const name = q.get(key) ?? '';
      const p = pathSegments(`/${name}`);
      if ('refused' in p || p.segments.length === 0) return { error: `?${key} must name a run folder` };
      const r = resolveInside(o.runsDir, p.segments);
      if ('refused' in r) return { error: `?${key}: no such run folder` };
      return { name, dir: r.path };
    };
    const a = side('a');
    const b = side('b');
    if ('error' in a || 'error' in b) return send(res, 400, messagePageHtml('Bad compare request', 'error' in a ? a.error : (b as { error: string }).error));
    const ra = readReport(a.dir);
    const rb = readReport(b.dir);
    if (ra.report === null || rb.report === null) return send(res, 404, messagePageHtml('No report to compare', ra.problem ?? rb.problem ?? 'both runs need a report.json'));
    send(res, 200, compareToHtml(compareReports(ra.report, rb.report), `DOLPHIN compare: ${a.name} vs ${b.name}`));
  }

  function livePage(res: ServerResponse, runId: string): void {
    if (live === null) return send(res, 404, messagePageHtml('No live view', 'Start dolphin serve with --hz host:port --cluster NAME to watch running paper runs.'));
    const s = live.snapshot(runId);
    if (s === undefined) return send(res, 404, messagePageHtml('Unknown run', `No paper run with this id has published a state on the cluster (member: ${live.memberState().detail}).`));
    send(res, 200, livePageHtml(livePayload(s, reportHrefOf(runId))));
  }

  function events(req: IncomingMessage, res: ServerResponse, runId: string): void {
    if (live === null) return send(res, 404, messagePageHtml('No live view', 'dolphin serve runs without --hz.'));
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Content-Type-Options': 'nosniff' });
    streams.add(res);
    const event = (name: string, data: unknown): void => void res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    res.write('retry: 2000\n\n');
    const m = live.memberState();
    event('member', m);
    const listener: LiveListener = {
      onRun: (s) => event('state', livePayload(s, reportHrefOf(runId))),
      onMember: (state, detail) => event('member', { state, detail }),
    };
    const first = live.snapshot(runId);
    if (first !== undefined) listener.onRun(first);
    const off = live.subscribe(runId, listener);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), SSE_KEEPALIVE_MS);
    const end = (): void => {
      clearInterval(keepalive);
      off();
      streams.delete(res);
    };
    req.on('close', end);
    res.on('error', end);
  }

  /** The served report of a run whose journal is inside RUNS_DIR. */
  function reportHrefOf(runId: string): string | null {
    const s = live?.snapshot(runId);
    if (s === undefined || s.state.journal === '') return null;
    try {
      const root = realpathSync(o.runsDir);
      const j = realpathSync(s.state.journal);
      if (!isInside(root, j) || j === root) return null;
      return runHref(relative(root, j).split(sep));
    } catch {
      return null;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    async close() {
      for (const s of streams) s.end();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections(); // browsers keep idle connections open: close() alone would wait for them
      await closed;
      await live?.close();
    },
  };
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function refuse(res: ServerResponse, why: 'bad-encoding' | 'outside' | 'hidden' | 'missing'): void {
  if (why === 'missing') return send(res, 404, messagePageHtml('Not found', 'No such run or file.'));
  send(res, why === 'bad-encoding' ? 400 : 403, messagePageHtml('Refused', 'Only files inside the served runs folder can be opened.'));
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function sendFile(res: ServerResponse, path: string): void {
  const type = TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
  if (res.req.method === 'HEAD') return void res.end();
  // small files in one read; a large one (an ndjson log) streamed
  if (statSync(path).size < 1 << 20) res.end(readFileSync(path));
  else createReadStream(path).pipe(res);
}
