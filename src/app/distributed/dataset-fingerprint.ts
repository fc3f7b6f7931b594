/** Content fingerprint of a loaded replay: the same scans and factor records give the same hex on any machine. */
import { createHash } from 'node:crypto';
import { jsonReplacer } from '../../core/json-replacer.js';
import { scanContentHash, symbolHash } from '../../core/scan-hash.js';
import { cachedColumnsOf } from '../../feeds/replay/load-scan-directory.js';
import type { ReplayData } from '../replay-input.js';

/** What a distributed job says about its data, so a worker can tell whether it holds the same. */
export interface DatasetFingerprint {
  /** sha256 hex (first 24 digits) of the scan timestamps, each scan's content hash and the factor records. */
  readonly hash: string;
  readonly scans: number;
  readonly firstTs: string | null;
  readonly lastTs: string | null;
  /** The folder it was computed from (on the machine that computed it; for messages only). */
  readonly dir: string;
}

/**
 * Fingerprint of what a replay feeds the engine: the ordered timestamps, the report's per-scan content
 * hash (`scanContentHash`: valid prices by symbol, features, vel_div) and the factor records. Paths,
 * file names, mtimes and the day cache do not enter it, so two machines holding the same scans agree.
 */
export function datasetFingerprint(replay: ReplayData): DatasetFingerprint {
  const { store } = replay;
  const n = store.n;
  const h = createHash('sha256');
  h.update(new Uint8Array(store.ts.buffer, store.ts.byteOffset, n * 8));
  const content = contentHashes(replay);
  h.update(new Uint8Array(content.buffer, content.byteOffset, n * 4));
  h.update(JSON.stringify(replay.factors, jsonReplacer));
  return {
    hash: h.digest('hex').slice(0, 24),
    scans: n,
    firstTs: n > 0 ? store.ts[0].toString() : null,
    lastTs: n > 0 ? store.ts[n - 1].toString() : null,
    dir: replay.dir,
  };
}

/** The scans' content hashes: the day cache's column when the replay came from it (the same values), else computed. */
function contentHashes(replay: ReplayData): Uint32Array {
  const cached = cachedColumnsOf(replay);
  if (cached && cached.hashes.length >= replay.store.n) return cached.hashes;
  const { store } = replay;
  const content = new Uint32Array(store.n);
  const symHashes = store.symbols.map(symbolHash);
  for (let t = 0; t < store.n; t++) content[t] = scanContentHash(store, t, symHashes);
  return content;
}

/** `hash (N scans, DIR)` for messages. */
export function describeFingerprint(f: DatasetFingerprint): string {
  return `${f.hash} (${f.scans} scans, ${f.dir})`;
}
