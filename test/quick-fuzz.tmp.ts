import { ArrowOracle } from './support/fuzz-arrow-oracle.js';
import { inputRandom, mutateBytes } from './support/fuzz-mutate.js';
import { writeFileSync, mkdirSync } from 'node:fs';
const o = new ArrowOracle();
const seedBytes = o.seeds.map((s) => s.bytes);
const counts: Record<string, number> = {};
const N = Number(process.argv[2] ?? 20000);
const base = Number(process.argv[3] ?? 1);
mkdirSync('/tmp/h1/fails', { recursive: true });
let shown = 0;
const t0 = Date.now();
let maxMs = 0;
for (let i = 0; i < N; i++) {
  const r = inputRandom(base, i);
  const s = Math.floor(r() * seedBytes.length);
  const { bytes, ops } = mutateBytes(seedBytes[s], r, seedBytes);
  const t = performance.now();
  const v = o.judge(bytes, s);
  maxMs = Math.max(maxMs, performance.now() - t);
  counts[v.outcome] = (counts[v.outcome] ?? 0) + 1;
  if (['altered', 'disagree', 'crash', 'arrow-error'].includes(v.outcome)) {
    writeFileSync(`/tmp/h1/fails/${v.outcome}-${i}-s${s}.arrow`, bytes);
    if (shown++ < 15) console.log(i, s, v.outcome, ops.join(','), v.detail);
  }
}
console.log(counts, (Date.now() - t0) / N, 'ms/input', 'max', maxMs.toFixed(1));
