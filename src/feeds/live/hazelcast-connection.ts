/** Connects a hazelcast-client to the DOLPHIN cluster with DOLPHIN's defaults and actionable errors. */

import { Client, LifecycleState, LogLevel, ReconnectMode } from 'hazelcast-client';
import type { ClientConfig, ILogger } from 'hazelcast-client';
import { ConfigError, FeedUnavailableError } from '../../core/errors.js';

/** hazelcast-client's client class (exported by the package as `Client`). */
export type HazelcastClient = Client;

/** Default member address (DESIGN.md, Hazelcast contract). */
export const DEFAULT_HZ_ADDRESS = '127.0.0.1:5701';
/** Default cluster name (DESIGN.md, Hazelcast contract). */
export const DEFAULT_HZ_CLUSTER = 'dolphin';
/** Default time to wait for the first connection of a one-shot (CLI) client. */
export const DEFAULT_CLI_CONNECT_TIMEOUT_MS = 5_000;
/** Default time to wait for the first connection of a long-running (live) client. */
export const DEFAULT_LIVE_CONNECT_TIMEOUT_MS = 30_000;

/** hazelcast-client's log levels by name; `OFF` is the default. */
export type HazelcastLogLevel = 'OFF' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG';

/** Client lifecycle states as reported to `onLifecycle`. */
export type HazelcastLifecycleState = `${LifecycleState}`;

/** How to reach the cluster. */
export interface HazelcastConnectOptions {
  /** `host:port` (or `host`, port 5701). IPv6 as `[::1]:5701`. */
  readonly address: string;
  /** Cluster name the member is configured with. */
  readonly cluster: string;
  /**
   * How long to wait for the first connection before throwing FeedUnavailableError.
   * Default 5 s for one-shot clients, 30 s with `reconnect`; `Infinity` waits for ever.
   */
  readonly connectTimeoutMs?: number;
  /**
   * Live runs: keep reconnecting for ever after a disconnect (calls block until the cluster is back).
   * One-shot (CLI) clients (the default): no reconnect; a lost cluster ends the client.
   */
  readonly reconnect?: boolean;
  /** Called on every client lifecycle change (CONNECTED, DISCONNECTED, SHUTDOWN, ...). */
  readonly onLifecycle?: (state: HazelcastLifecycleState) => void;
  /** hazelcast-client log output to stderr; default OFF (failures reach the caller as errors). */
  readonly logLevel?: HazelcastLogLevel;
  /** Client instance name shown in the member's logs and Management Center. */
  readonly instanceName?: string;
}

/** A parsed `host:port`. */
export interface HazelcastAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `host:port` (`host` alone means port 5701; IPv6 in brackets).
 * @throws ConfigError when the text is not an address.
 */
export function parseHazelcastAddress(address: string): HazelcastAddress {
  const text = address.trim();
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+))(?::(\d{1,5}))?$/.exec(text);
  const port = m?.[3] === undefined ? 5701 : Number(m[3]);
  if (m === null || port < 1 || port > 65535) {
    throw new ConfigError([`hazelcast address must be host:port (e.g. ${DEFAULT_HZ_ADDRESS}), was "${address}"`]);
  }
  return { host: m[1] ?? m[2] ?? '', port };
}

/** Formats an address for hazelcast-client's `clusterMembers`. */
function memberAddress(a: HazelcastAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/**
 * Creates a client connected to the cluster.
 *
 * One-shot clients (default) give up after `connectTimeoutMs` and never reconnect, so a CLI command
 * against a down cluster fails fast. With `reconnect: true` the first connection still has to happen
 * within `connectTimeoutMs`, but after that the client retries for ever with capped exponential
 * backoff and reports DISCONNECTED / CONNECTED through `onLifecycle`.
 *
 * @throws FeedUnavailableError naming the address and cluster when no member can be reached in time.
 * @throws ConfigError when `address` is not `host:port`.
 */
export async function connectHazelcast(options: HazelcastConnectOptions): Promise<HazelcastClient> {
  const addr = parseHazelcastAddress(options.address);
  const reconnect = options.reconnect ?? false;
  const timeoutMs =
    options.connectTimeoutMs ?? (reconnect ? DEFAULT_LIVE_CONNECT_TIMEOUT_MS : DEFAULT_CLI_CONNECT_TIMEOUT_MS);
  if (!(timeoutMs >= 0)) {
    throw new ConfigError([`hazelcast connect timeout must be >= 0 ms, was ${timeoutMs}`]);
  }
  const logger = new CapturingLogger(options.logLevel ?? 'OFF');

  let connected = false;
  let onConnected: (() => void) | undefined;
  const connectedOnce = new Promise<void>((resolve) => {
    onConnected = resolve;
  });
  const lifecycle = (state: LifecycleState): void => {
    if (state === LifecycleState.CONNECTED) {
      connected = true;
      onConnected?.();
    }
    options.onLifecycle?.(state);
  };

  const config: ClientConfig = {
    clusterName: options.cluster,
    ...(options.instanceName !== undefined ? { instanceName: options.instanceName } : {}),
    network: {
      clusterMembers: [memberAddress(addr)],
      // one member per address; the client follows the member list it is sent
      connectionTimeout: Math.max(1_000, Math.min(5_000, Number.isFinite(timeoutMs) ? timeoutMs : 5_000)),
      // Long-running clients start asynchronously (below), and hazelcast-client 5.6.0 then never opens
      // its connections to the other members: with smart routing, an operation on a partition owned by
      // another member waits for ever. One connection (the member forwards) works on any cluster size
      // and fails over to another member when it dies.
      smartRouting: !reconnect,
    },
    connectionStrategy: {
      // live: connect in the background so the first-connection deadline is ours, not the retry loop's
      asyncStart: reconnect,
      reconnectMode: reconnect ? ReconnectMode.ON : ReconnectMode.OFF,
      connectionRetry: {
        initialBackoffMillis: 200,
        maxBackoffMillis: reconnect ? 10_000 : 1_000,
        multiplier: 1.5,
        jitter: 0.2,
        clusterConnectTimeoutMillis: reconnect || !Number.isFinite(timeoutMs) ? -1 : Math.round(timeoutMs),
      },
    },
    lifecycleListeners: [lifecycle],
    customLogger: logger,
    properties: {
      'hazelcast.client.statistics.enabled': false,
    },
  };

  const started = Date.now();
  let client: HazelcastClient;
  try {
    client = await Client.newHazelcastClient(config);
  } catch (err) {
    throw unavailable(addr, options.cluster, Date.now() - started, logger, err);
  }
  if (!reconnect) return client;

  // asyncStart: wait for the first CONNECTED ourselves.
  if (!connected) {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = Number.isFinite(timeoutMs)
      ? new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeoutMs);
        })
      : new Promise<'timeout'>(() => undefined);
    const outcome = await Promise.race([connectedOnce.then(() => 'connected' as const), timedOut]);
    if (timer !== undefined) clearTimeout(timer);
    if (outcome === 'timeout') {
      await client.shutdown().catch(() => undefined);
      throw unavailable(addr, options.cluster, Date.now() - started, logger, undefined);
    }
  }
  return client;
}

/** The FeedUnavailableError for a failed first connection, with the most telling client warning. */
function unavailable(
  addr: HazelcastAddress,
  cluster: string,
  elapsedMs: number,
  logger: CapturingLogger,
  err: unknown,
): FeedUnavailableError {
  const where = `Hazelcast cluster '${cluster}' at ${memberAddress(addr)}`;
  const seen = logger.lastProblem ?? (err instanceof Error ? err.message : String(err ?? ''));
  let why: string;
  if (/cluster name .*does not match|Authentication failed/i.test(seen)) {
    why = `a member answered but rejected cluster name '${cluster}'`;
  } else if (/ECONNREFUSED/.test(seen)) {
    why = 'connection refused (no member listening there)';
  } else if (/ENOTFOUND|EAI_AGAIN/.test(seen)) {
    why = `host '${addr.host}' not found`;
  } else if (/timed? ?out|ETIMEDOUT/i.test(seen)) {
    why = 'connection attempts timed out';
  } else {
    why = seen === '' ? 'no connection' : seen;
  }
  return new FeedUnavailableError(
    `${where} is not reachable after ${elapsedMs} ms: ${why}. ` +
      `Start one with npm run hz:start or pass --hz host:port --cluster NAME.`,
  );
}

const LEVELS: Record<HazelcastLogLevel, number> = {
  OFF: LogLevel.OFF,
  ERROR: LogLevel.ERROR,
  WARN: LogLevel.WARN,
  INFO: LogLevel.INFO,
  DEBUG: LogLevel.DEBUG,
};

/**
 * hazelcast-client logger: prints at or above the chosen level to stderr and remembers the last
 * warning or error about connecting, so a failed connect can say why (refused, wrong cluster name).
 */
class CapturingLogger implements ILogger {
  lastProblem: string | undefined;
  private readonly level: number;

  constructor(level: HazelcastLogLevel) {
    this.level = LEVELS[level];
  }

  log(level: LogLevel, objectName: string, message: string, furtherInfo: unknown): void {
    if (level <= LogLevel.WARN && level !== LogLevel.OFF) {
      const detail = furtherInfo instanceof Error ? furtherInfo.message : '';
      const text = `${message} ${detail}`.trim();
      // the retry loop's own "retry in N ms" notes say nothing about the cause
      if (!/^(Unable to get live cluster connection|Client failed to start)/.test(text)) this.lastProblem = text;
    }
    if (level <= this.level && this.level !== LogLevel.OFF) {
      const extra = furtherInfo === undefined ? '' : ` ${String(furtherInfo)}`;
      process.stderr.write(`[hazelcast ${LogLevel[level]}] ${objectName}: ${message}${extra}\n`);
    }
  }
  error(objectName: string, message: string, furtherInfo?: unknown): void {
    this.log(LogLevel.ERROR, objectName, message, furtherInfo);
  }
  warn(objectName: string, message: string, furtherInfo?: unknown): void {
    this.log(LogLevel.WARN, objectName, message, furtherInfo);
  }
  info(objectName: string, message: string, furtherInfo?: unknown): void {
    this.log(LogLevel.INFO, objectName, message, furtherInfo);
  }
  debug(objectName: string, message: string, furtherInfo?: unknown): void {
    this.log(LogLevel.DEBUG, objectName, message, furtherInfo);
  }
  trace(objectName: string, message: string, furtherInfo?: unknown): void {
    this.log(LogLevel.TRACE, objectName, message, furtherInfo);
  }
}
