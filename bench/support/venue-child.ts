/**
 * Child process of the scanner bench: the emulated Binance USDT-M venue in a process of its own (as a
 * real venue is), so its ticks do not run on the scanner's event loop. IPC messages: it sends
 * `{ url }` when listening; answers `{ ping }` with `{ pong, at }` (its epoch clock, for the parent's
 * offset estimate); on `'stop'` sends `{ pushes }` (epoch ms of every tick pushed to a subscriber) and exits.
 *
 *   node dist/bench/support/venue-child.js TICK_MS ASSETS
 */
import { startBinanceEmulator } from '../../src/emulator/binance-usdm/binance-emulator.js';

const epoch = (): number => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const [tickArg, assetsArg] = process.argv.slice(2);
  const emu = await startBinanceEmulator({ tickMs: Number(tickArg ?? 100), assets: Number(assetsArg ?? 50) });
  const pushes: number[] = [];
  const publish = emu.hub.publish.bind(emu.hub);
  let last = 0;
  emu.hub.publish = (...args: Parameters<typeof publish>): void => {
    publish(...args);
    if (emu.hub.lastPushAt !== last) {
      last = emu.hub.lastPushAt;
      pushes.push(performance.timeOrigin + last);
    }
  };
  process.on('message', (m: unknown) => {
    if (m === 'stop') {
      process.send!({ pushes }, () => void emu.close().then(() => process.exit(0)));
    } else if (typeof m === 'object' && m !== null && 'ping' in m) {
      process.send!({ pong: (m as { ping: number }).ping, at: epoch() });
    }
  });
  process.send!({ url: emu.url });
}

await main();
