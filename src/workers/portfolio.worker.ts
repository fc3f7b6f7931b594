/** Worker-thread entry of the live engine: hosts the main portfolio behind the port it is sent (one long-lived worker). */
import { parentPort } from 'node:worker_threads';
import { errorReply, hostPortfolios, type PortfolioWorkerStart } from './portfolio-host.js';

parentPort?.once('message', ({ port, init }: PortfolioWorkerStart) => {
  hostPortfolios(port, init).catch((e: unknown) => {
    port.postMessage(errorReply(e));
  });
});
