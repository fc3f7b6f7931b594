/**
 * The source step of a live run on the exchange feed (`live --paper --feed exchange`): the project's own
 * scanner in this process. ccxt is loaded here only, so a Hazelcast-fed run starts as fast as before.
 * With a Hazelcast client (--hz) the scans go to latest_eigen_scan and the scanner's status record to
 * DOLPHIN_SCANNER_STATE, as `dolphin scan --hz` does; without one nothing leaves the process.
 */
import type { ClockPort } from '../../core/ports/clock.port.js';
import type { ExchangeScanSource } from '../../feeds/exchange/exchange-scan-source.js';
import type { ExchangeScannerSettings } from '../../feeds/exchange/exchange-scanner.js';
import type { HazelcastClient } from '../../feeds/live/hazelcast-connection.js';

/** What `live --feed exchange` scans (the flags of `dolphin scan`). */
export interface ExchangeFeedOptions {
  readonly scanner: ExchangeScannerSettings;
  /** Map of scanner status records (default DOLPHIN_SCANNER_STATE); used with a Hazelcast client. */
  readonly scannerMap?: string;
  /** Also log the scanner's line per scan. */
  readonly verbose?: boolean;
}

/** What the run hands the step. */
export interface ExchangeSourceContext {
  readonly journalDir: string;
  /** The run's Hazelcast client (--hz), or null. */
  readonly client: HazelcastClient | null;
  readonly featuresMap?: string;
  readonly lastScanTs: bigint | null;
  readonly lastScanNumber: number | null;
  readonly clock: ClockPort;
  readonly maxAheadMs?: number;
  readonly staleAfterMs?: number;
  readonly log: (message: string) => void;
}

/**
 * Builds the exchange source (not started). Without --out the scanner restores its universe and
 * feature windows from the journal, which holds every scan it took before, so a restarted run's
 * features continue as a replay of the journal computes them.
 */
export async function openExchangeSource(x: ExchangeFeedOptions, c: ExchangeSourceContext): Promise<ExchangeScanSource> {
  const { ExchangeScanSource } = await import('../../feeds/exchange/exchange-scan-source.js');
  const { ScanPublisher } = await import('../../feeds/exchange/scan-publisher.js');
  const scannerId = x.scanner.scannerId ?? x.scanner.exchange;
  const publisher =
    c.client === null
      ? undefined
      : await ScanPublisher.over(c.client, {
          scannerId,
          ...(c.featuresMap !== undefined ? { featuresMap: c.featuresMap } : {}),
          ...(x.scannerMap !== undefined ? { stateMap: x.scannerMap } : {}),
          log: (_level, m) => c.log(`scanner: ${m}`),
        });
  return new ExchangeScanSource({
    scanner: x.scanner.out === undefined && x.scanner.restoreFrom === undefined ? { ...x.scanner, restoreFrom: c.journalDir } : x.scanner,
    ...(publisher !== undefined ? { publisher } : {}),
    lastAcceptedTs: c.lastScanTs,
    lastScanNumber: c.lastScanNumber,
    clock: c.clock,
    ...(c.maxAheadMs !== undefined ? { maxAheadMs: c.maxAheadMs } : {}),
    ...(c.staleAfterMs !== undefined ? { staleAfterMs: c.staleAfterMs } : {}),
    log: c.log,
    ...(x.verbose !== undefined ? { verbose: x.verbose } : {}),
  });
}
