/** Pool task: host the shadow portfolios of a live run for its whole life, fed over a MessagePort. */
import type { MessagePort } from 'node:worker_threads';
import { hostPortfolios, type HostInit } from './portfolio-host.js';

/** Runs until the port receives a stop message. */
export async function shadowHost(task: { port: MessagePort; init: HostInit }): Promise<boolean> {
  await hostPortfolios(task.port, task.init);
  return true;
}
