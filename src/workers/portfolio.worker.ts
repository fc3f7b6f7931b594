/** Worker-thread entry of the live engine: hosts the main portfolio behind parentPort (one long-lived worker). */
import { parentPort } from 'node:worker_threads';
import { errorReply, hostPortfolios, type HostInit } from './portfolio-host.js';

parentPort?.once('message', (init: HostInit) => {
  hostPortfolios(parentPort!, init).catch((e: unknown) => {
    parentPort?.postMessage(errorReply(e));
  });
});
