/** The ClockPort of live runs: this machine's wall clock (adapter side; core never reads it). */
import type { ClockPort } from '../../core/ports/clock.port.js';

/** Wall clock in epoch nanoseconds (millisecond resolution). */
export const systemClock: ClockPort = {
  nowNs: () => BigInt(Date.now()) * 1_000_000n,
};
