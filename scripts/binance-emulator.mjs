#!/usr/bin/env node
// EMULATED Binance USDT-M venue on 127.0.0.1 (public market data, a signed test account for the order mirror,
// injectable faults); not Binance.
// Usage: npm run emulator -- [--port 8090] [--assets 50] [--seed 1] [--tick-ms 500] [--skew-ms 0]
import { startBinanceEmulator } from '../dist/src/emulator/binance-usdm/binance-emulator.js';
import { EMULATOR_API_KEY, EMULATOR_API_SECRET } from '../dist/src/emulator/binance-usdm/emulator-account.js';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v)) {
    process.stderr.write(`binance-emulator: --${name} must be a number, was "${args[i + 1] ?? ''}"\n`);
    process.exit(2);
  }
  return v;
};
const known = new Set(['--port', '--assets', '--seed', '--tick-ms', '--skew-ms']);
for (let i = 0; i < args.length; i += 2) {
  if (!known.has(args[i])) {
    process.stderr.write(`binance-emulator: unknown option ${args[i]} (known: ${[...known].join(', ')})\n`);
    process.exit(2);
  }
}
const emu = await startBinanceEmulator({ port: opt('port', 8090), assets: opt('assets', 50), seed: opt('seed', 1), tickMs: opt('tick-ms', 500), skewMs: opt('skew-ms', 0) });
process.stdout.write(
  `EMULATED Binance USDT-M (not Binance) on ${emu.url}\n` +
    `  REST ${emu.url}/fapi/v1/...   streams ${emu.wsUrl}  (combined: ${emu.url.replace('http', 'ws')}/stream?streams=...)\n` +
    `  scan it:  dolphin scan --exchange binanceusdm --venue-url ${emu.url} --out runs/scan-emu\n` +
    `  faults:   curl '${emu.url}/__emulator/drop-sockets?refuseMs=10000' | silence?symbol=X | delist?symbol=X |\n` +
    `            rate-limit?status=429&retryAfter=3 | skew?ms=7000 | malformed?count=5 | stats\n` +
    `  mirror:   DOLPHIN_BINANCE_DEMO_URL=${emu.url} DOLPHIN_BINANCE_DEMO_API_KEY=${EMULATOR_API_KEY} \\\n` +
    `            DOLPHIN_BINANCE_DEMO_SECRET=${EMULATOR_API_SECRET} dolphin live --paper --mirror binance-demo ...\n` +
    `  order faults: curl '${emu.url}/__emulator/order-fault?kind=timeout&holdMs=15000' | kind=5xx[&accepted=true] |\n` +
    `            kind=rate-limit&retryAfter=2 | kind=reject&code=-2019|-1111|-4164 | kind=partial&fraction=0.5 (&count=N)\n` +
    `Ctrl-C to stop.\n`,
);
const stop = async () => {
  await emu.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
