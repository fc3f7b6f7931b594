/**
 * Where the order mirror may send requests, without loading ccxt (the CLI checks it before starting):
 * Binance USDT-M demo trading, or for tests and development a loopback URL in DOLPHIN_BINANCE_DEMO_URL
 * (the emulated venue). The key variables' names live here too.
 */
import { DolphinError } from '../../core/errors.js';

/** The demo venue's REST origin (ccxt's `urls.demo.fapiPrivate`). */
export const DEMO_FAPI_ORIGIN = 'https://demo-fapi.binance.com';
/** Environment variables holding the demo account's API key and secret. */
export const DEMO_KEY_ENV = 'DOLPHIN_BINANCE_DEMO_API_KEY';
export const DEMO_SECRET_ENV = 'DOLPHIN_BINANCE_DEMO_SECRET';
/** Test/development override of the demo venue's REST root: loopback URLs only (the emulator). */
export const DEMO_URL_ENV = 'DOLPHIN_BINANCE_DEMO_URL';

/** True for hosts that stay on this machine. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * The REST origin the mirror may talk to: the demo venue, or a loopback override.
 * @throws DolphinError USAGE naming the variable when the override is not an http(s) loopback URL.
 */
export function demoOrigin(overrideUrl?: string): string {
  if (overrideUrl === undefined || overrideUrl === '') return DEMO_FAPI_ORIGIN;
  let u: URL;
  try {
    u = new URL(overrideUrl);
  } catch {
    throw new DolphinError('USAGE', `${DEMO_URL_ENV} must be a URL such as http://127.0.0.1:8090, was ${JSON.stringify(overrideUrl)}`);
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !isLoopback(u.hostname) || (u.pathname !== '/' && u.pathname !== '')) {
    throw new DolphinError('USAGE', `${DEMO_URL_ENV} may only point at an emulated venue on this machine (http://127.0.0.1:PORT or http://localhost:PORT), was ${JSON.stringify(overrideUrl)}; unset it to use Binance demo trading`);
  }
  return u.origin;
}

