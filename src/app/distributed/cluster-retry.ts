/** Retries a cluster operation through a member restart or failover instead of failing the job. */

/** How long an operation is retried before its error is thrown (a member restart takes seconds). */
export const CLUSTER_RETRY_MS = 60_000;

/**
 * Runs `op` until it resolves; an error (a member leaving mid-call, the client reconnecting) is retried
 * with a short backoff for `retryMs`, then thrown. Only for idempotent operations (set, putIfAbsent,
 * getAll, size, conditional remove): a lost answer repeats them harmlessly.
 */
export async function retrying<T>(op: () => Promise<T>, retryMs = CLUSTER_RETRY_MS): Promise<T> {
  const end = Date.now() + retryMs;
  let wait = 100;
  for (;;) {
    try {
      return await op();
    } catch (e) {
      if (Date.now() + wait > end) throw e;
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(2_000, wait * 2);
    }
  }
}
