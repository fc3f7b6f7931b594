/**
 * `dolphin serve`'s HTTP surface (startServe, a real node:http server on a free loopback port, real
 * report.json files). Invariants: no request reaches a file outside RUNS_DIR, whatever the encoding
 * (`../`, %2e%2e, %2f, %5c, double-encoded, absolute, NUL) or a symlink pointing out; dot-names are not
 * served; every string from data (a run folder name, a trade's symbol) is escaped in the list, report and
 * compare pages; a Host other than loopback is refused on a loopback bind; only GET/HEAD.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathSegments } from '../../../src/app/watch/safe-path.js';
import { startServe, type RunningServer } from '../../../src/app/watch/serve.js';
import { FIXTURES } from '../../report/fixtures/golden.js';

const SECRET = 'TOP-SECRET-OUTSIDE-RUNS-DIR';
const HOSTILE_RUN = `<img src=x onerror=alert(1)>"'&run`;
const HOSTILE_SYMBOL = '<script>window.__pwned=1</script>';

let root: string;
let runs: string;
let server: RunningServer;

/** GET with the path sent exactly as written (no normalisation). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string; type: string }> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers: { host: `127.0.0.1:${u.port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dolphin-serve-'));
  runs = join(root, 'runs');
  mkdirSync(runs);
  writeFileSync(join(root, 'secret.txt'), SECRET);
  const report = readFileSync(join(FIXTURES, 'report.json'), 'utf8');
  mkdirSync(join(runs, 'plain'));
  writeFileSync(join(runs, 'plain', 'report.json'), report);
  writeFileSync(join(runs, 'plain', 'report.md'), '# plain\n');
  const hostile = JSON.parse(report) as { trades: { asset: string }[] };
  hostile.trades[0]!.asset = HOSTILE_SYMBOL;
  mkdirSync(join(runs, HOSTILE_RUN));
  writeFileSync(join(runs, HOSTILE_RUN, 'report.json'), JSON.stringify(hostile));
  mkdirSync(join(runs, '.hidden'));
  writeFileSync(join(runs, '.hidden', 'x.txt'), SECRET);
  symlinkSync(root, join(runs, 'link-out')); // a run folder that is a symlink out of RUNS_DIR
  symlinkSync(join(root, 'secret.txt'), join(runs, 'plain', 'leak.txt')); // a file symlink out
  server = await startServe({ runsDir: runs, host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('paths outside RUNS_DIR are refused', () => {
  const attempts = [
    '/runs/../secret.txt',
    '/runs/../../../../etc/passwd',
    '/runs/%2e%2e/secret.txt',
    '/runs/%2E%2E/%2e%2e/etc/passwd',
    '/runs/..%2fsecret.txt',
    '/runs/%2e%2e%2fsecret.txt',
    '/runs/..%5csecret.txt',
    '/runs/%252e%252e/secret.txt',
    '/runs/%252e%252e%252fsecret.txt',
    '/runs/%2fetc%2fpasswd',
    `/runs/${encodeURIComponent('/etc/passwd')}`,
    '/runs//etc/passwd',
    '//etc/passwd',
    '/runs/C:%5cWindows%5cwin.ini',
    '/runs/plain/%00',
    '/runs/plain/..%00/secret.txt',
    '/runs/%c0%ae%c0%ae/secret.txt',
    '/runs/link-out/secret.txt',
    '/runs/link-out/',
    '/runs/plain/leak.txt',
    '/runs/.hidden/x.txt',
    '/runs/%2ehidden/x.txt',
    '/compare?a=../&b=plain',
    '/compare?a=link-out&b=plain',
  ];
  it.each(attempts)('%s', async (path) => {
    const r = await get(path);
    expect([400, 403, 404]).toContain(r.status);
    expect(r.body).not.toContain(SECRET);
    expect(r.body).not.toContain('root:x:0');
  });
  it('pathSegments refuses traversal and double encoding, keeps plain names', () => {
    expect(pathSegments('/runs/a%20b/report.md')).toEqual({ segments: ['runs', 'a b', 'report.md'] });
    expect(pathSegments('/runs/%2e%2e')).toEqual({ refused: 'outside' });
    expect(pathSegments('/runs/%252e%252e')).toEqual({ refused: 'bad-encoding' });
    expect(pathSegments('/runs/%E0%A4%A')).toEqual({ refused: 'bad-encoding' });
  });
});

describe('pages', () => {
  it('serves a run folder, its report and files inside it', async () => {
    const r = await get('/runs/plain/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('id="equity-chart"');
    expect((await get('/runs/plain/report.md')).body).toBe('# plain\n');
    expect((await get('/runs/plain/report.md')).type).toMatch(/^text\/plain/);
    expect((await get('/runs/plain')).status).toBe(301);
  });
  it('escapes a hostile run name and symbol in the list, the report and the compare page', async () => {
    const list = await get('/');
    expect(list.status).toBe(200);
    expect(list.body).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;run');
    expect(list.body).not.toContain('<img src=x');
    expect(list.body).toContain(`href="/runs/${encodeURIComponent(HOSTILE_RUN).replace(/'/g, '&#39;')}/"`);
    const report = await get(`/runs/${encodeURIComponent(HOSTILE_RUN)}/`);
    expect(report.status).toBe(200);
    expect(report.body).not.toContain(HOSTILE_SYMBOL);
    expect(report.body).not.toContain('<img src=x');
    const cmp = await get(`/compare?a=plain&b=${encodeURIComponent(HOSTILE_RUN)}`);
    expect(cmp.status).toBe(200);
    expect(cmp.body).not.toContain('<img src=x');
    expect(cmp.body).not.toContain(HOSTILE_SYMBOL);
    expect(cmp.body).toMatch(/id="verdict"/);
  });
  it('refuses a foreign Host on a loopback bind, and anything but GET/HEAD', async () => {
    expect((await get('/', { host: 'attacker.example' })).status).toBe(403);
    expect((await get('/', {}, 'POST')).status).toBe(405);
    expect((await get('/live/x')).status).toBe(404); // no --hz: no live pages
  });
});
