/** Text of a scanner status for `dolphin status` and logs (one block, a few lines). */
import { scannerHealth, type ScannerHealth, type ScannerStatus } from './scanner-status.js';

/** An age; a record written after `now` was taken (status reads the cluster after its clock) counts as 0. */
const ago = (ms: number | null): string => (ms === null ? 'never' : ms < 10_000 ? `${Math.max(0, ms)} ms ago` : `${(ms / 1000).toFixed(0)} s ago`);

/** Formats one scanner's status; `now` judges the heartbeat's age (or `health` when the caller judged it). */
export function formatScannerStatus(s: ScannerStatus, now: number, health: ScannerHealth = scannerHealth(s, now)): string {
  const c = s.counters;
  const beat = now - s.heartbeatMs;
  const lines = [
    `scanner ${s.scannerId} [${health}] ${s.exchange} at ${s.venue}, ${s.priceSource} prices every ${s.cadenceMs / 1000} s, connection ${s.connection}; heartbeat ${ago(beat)}`,
    `  scans: ${s.scansWritten} written, ${s.scansPublished} published, last #${s.lastScanNumber ?? '-'} at ${s.lastScanTs === null ? '-' : new Date(Number(BigInt(s.lastScanTs) / 1_000_000n)).toISOString()}; last tick ${ago(s.lastTickAgeMs)}; ${s.restoredScans} scans restored`,
    `  universe ${s.universeSize}: ${s.staleSymbols.length} without a price now${s.staleSymbols.length ? ` (${s.staleSymbols.slice(0, 8).join(', ')}${s.staleSymbols.length > 8 ? ', ...' : ''})` : ''}, ${s.delistedSymbols.length} delisted${s.delistedSymbols.length ? ` (${s.delistedSymbols.join(', ')})` : ''}`,
    `  clock offset to the exchange ${s.clockOffsetMs === null ? 'unknown' : `${s.clockOffsetMs >= 0 ? '+' : ''}${s.clockOffsetMs} ms (rtt ${s.clockRttMs} ms)`}`,
    `  counters: ${c.socketDrops} socket drops, ${c.resubscribes} resubscribes, ${c.scansWithoutStream} scans without stream, ${c.restPolls} REST polls, ${c.restErrors} REST errors, ${c.rateLimited} rate-limited, ` +
      `${c.malformedMessages} malformed, ${c.invalidPrices} invalid prices, ${c.missedBoundaries} missed boundaries, ${c.writeErrors} write errors, ${c.publishErrors} publish errors`,
  ];
  return lines.join('\n');
}
