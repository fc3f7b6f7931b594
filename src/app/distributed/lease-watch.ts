/**
 * Lease expiry -> requeue. A worker holds a chunk by an entry in the job's leases map whose TTL it renews
 * while it works; when the worker stops (SIGKILL, lost host) Hazelcast expires the entry and sends an
 * EXPIRED event to every listener. The first listener to claim the lease id (putIfAbsent in the
 * requeued map) puts the chunk back on the queue, unless all its results are in already.
 */
import type { HazelcastClient } from '../../feeds/live/hazelcast-connection.js';
import { retrying } from './cluster-retry.js';
import { jobStructures, type ChunkLease, type SweepJob } from './sweep-job.js';

/** How long a requeue claim is remembered (longer than any job). */
const CLAIM_TTL_MS = 7 * 24 * 3600_000;

/**
 * Listens for expired leases of `job` and requeues their chunks; `chunkKeys[c]` are the item keys of chunk c.
 * Returns a function removing the listener. `onRequeue` hears each chunk this process put back.
 */
export async function watchLeases(client: HazelcastClient, job: SweepJob, chunkKeys: readonly (readonly string[])[], onRequeue?: (chunk: number, lease: ChunkLease) => void): Promise<() => Promise<void>> {
  const s = jobStructures(job.id);
  const leases = await client.getMap<string, string>(s.leases);
  const requeue = async (chunkText: string, leaseText: string | undefined): Promise<void> => {
    const chunk = Number(chunkText);
    if (!Number.isInteger(chunk) || chunk < 0 || chunk >= job.chunks) return;
    let lease: ChunkLease;
    try {
      lease = JSON.parse(leaseText ?? '') as ChunkLease;
    } catch {
      lease = { worker: '?', lease: `${chunkText}@${Date.now()}`, since: 0 };
    }
    const claims = await client.getMap<string, string>(s.requeued);
    if ((await retrying(() => claims.putIfAbsent(lease.lease, chunkText, CLAIM_TTL_MS))) != null) return; // another listener has it
    const results = await client.getMap<string, string>(s.results);
    const want = [...chunkKeys[chunk]];
    const have = await retrying(() => results.getAll(want));
    if (have.length === want.length) return;
    const queue = await client.getQueue<string>(s.queue);
    await retrying(() => queue.offer(chunkText));
    onRequeue?.(chunk, lease);
  };
  const id = await leases.addEntryListener(
    {
      expired: (e) => {
        requeue(e.key, e.oldValue ?? undefined).catch(() => undefined); // the submitter's reconcile is the safety net
      },
    },
    undefined,
    true,
  );
  return async () => {
    await leases.removeEntryListener(id).catch(() => undefined);
  };
}
