import { Cluster, Redis } from 'ioredis';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config';
import type { Logger } from '../logger';

/** A connection to thaw's Redis, whichever topology serves it; BullMQ takes either. */
export type RedisClient = Redis | Cluster;

/**
 * Two kinds of connection, per BullMQ's production guide:
 * - `request`: serves HTTP handlers. Commands fail at once while Redis is away
 *   (`enableOfflineQueue: false`, one retry) so a handler can answer 503 and SNS retries later,
 *   instead of holding the request until SNS times out.
 * - `worker`: serves BullMQ workers and background jobs. Commands wait for the reconnection
 *   (`maxRetriesPerRequest: null`, as BullMQ requires for workers).
 * - `command`: a one-shot operator command. Commands wait for the first connection, then fail
 *   after one retry, so the command ends with Redis' error instead of hanging.
 * Both reconnect forever with a capped backoff, and follow a failover: Cluster by ioredis' slot
 * map (MOVED, ASK, TRYAGAIN, CLUSTERDOWN are retried), Sentinel by asking the Sentinels for the
 * primary again, and any topology by reconnecting when a node answers READONLY (a primary demoted
 * under an open connection), so no write ever lands on a replica.
 */
export type ConnectionKind = 'request' | 'worker' | 'command';

export function createRedisConnection(
  config: RedisConfig,
  kind: ConnectionKind,
  logger: Logger,
  name: string,
): RedisClient {
  const nodeOptions = nodeOptionsFor(config, kind, name);
  const { topology } = config;
  let connection: RedisClient;
  if (topology.kind === 'cluster') {
    connection = new Cluster(
      topology.seeds.map(({ host, port }) => ({ host, port })),
      clusterOptions(nodeOptions),
    );
  } else if (topology.kind === 'sentinel') {
    connection = new Redis({
      ...nodeOptions,
      sentinels: topology.sentinels.map(({ host, port }) => ({ host, port })),
      name: topology.primaryName,
      role: 'master',
      ...(topology.sentinelPassword === undefined ? {} : { sentinelPassword: topology.sentinelPassword }),
      // Sentinels speak TLS when the data nodes do (ElastiCache and most operators run them alike).
      ...(nodeOptions.tls ? { enableTLSForSentinelMode: true, sentinelTLS: nodeOptions.tls } : {}),
      // Subscribes to the Sentinels' +switch-master, so a failover is followed at once rather
      // than at the next failed command.
      failoverDetector: true,
      sentinelRetryStrategy: (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 6), 2000),
    });
  } else {
    connection = new Redis({ ...nodeOptions, ...addressOf(config.url) });
  }
  reportOutages(connection, logger, name);
  return connection;
}

/** TLS for `rediss://` (Node's CAs, plus REDIS_TLS_CA_FILE's); undefined for `redis://`. */
export function tlsOptionsOf(config: RedisConfig): { ca?: string } | undefined {
  if (new URL(config.url).protocol !== 'rediss:') return undefined;
  return config.tlsCa ? { ca: config.tlsCa } : {};
}

/** Options of every node connection: identity, credentials, TLS, timeouts, retry policy. */
function nodeOptionsFor(config: RedisConfig, kind: ConnectionKind, name: string): RedisOptions {
  const url = new URL(config.url);
  const tls = tlsOptionsOf(config);
  const common: RedisOptions = {
    connectionName: `thaw-${name}`,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(tls ? { tls } : {}),
    connectTimeout: 5000,
    retryStrategy: (attempt) => Math.min(200 * 2 ** Math.min(attempt, 6), 5000),
    // A primary demoted to replica keeps the connection but refuses writes: reconnect (to the
    // new primary) and send the command again.
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
    lazyConnect: false,
    // ioredis waits this long for a dead socket's 'close' that never comes; 2 s by default.
    disconnectTimeout: 500,
  };
  // Auto-pipelining: commands issued before the event loop's next check phase leave in one write
  // (ioredis flushes on setImmediate), e.g. the enqueues of every SNS request read in one poll, the
  // steps of concurrent jobs. A write that wakes Redis is the costliest syscall thaw makes
  // (~50-130 us here); measured in docs/PERFORMANCE.md: 10.1 -> 2.7 writes per event, the api's
  // socket writes to Redis 126 -> 16 us per notification. Order per connection is kept; a
  // pipeline is not a transaction, and each command still fails or succeeds on its own.
  const pipelined = { ...common, enableAutoPipelining: true };
  if (kind === 'request') return { ...pipelined, enableOfflineQueue: false, maxRetriesPerRequest: 1 };
  if (kind === 'command') return { ...common, maxRetriesPerRequest: 1 };
  return { ...pipelined, maxRetriesPerRequest: null };
}

function clusterOptions(nodeOptions: RedisOptions): ClusterOptions {
  // The cluster reconnects its nodes itself (clusterRetryStrategy).
  const { enableOfflineQueue, retryStrategy: _nodeRetries, ...redisOptions } = nodeOptions;
  return {
    redisOptions,
    enableOfflineQueue: enableOfflineQueue ?? true,
    // Retries while a replica takes over a slot: well inside one SNS delivery attempt.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 200,
    maxRedirections: 16,
    slotsRefreshTimeout: 2000,
    clusterRetryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000),
    // Keep node names as the cluster announces them: ElastiCache's TLS certificates name the
    // hosts, not their addresses (ioredis' guidance for ElastiCache in-transit encryption).
    dnsLookup: (address, callback) => callback(null, address),
    // BullMQ's blocking commands and thaw's Lua steps write: every command goes to a primary.
    scaleReads: 'master',
  };
}

/** A single Redis' address and database from REDIS_URL (credentials and TLS come from the options). */
function addressOf(redisUrl: string): RedisOptions {
  const url = new URL(redisUrl);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
  };
}

function reportOutages(connection: RedisClient, logger: Logger, name: string): void {
  let reportedDown = false;
  connection.on('error', (error: Error) => {
    // ioredis emits an error on every failed reconnect attempt; one log line per outage is enough.
    if (!reportedDown) logger.error({ err: error, connection: name }, 'redis connection error');
    reportedDown = true;
  });
  connection.on('ready', () => {
    if (reportedDown) logger.info({ connection: name }, 'redis connection restored');
    reportedDown = false;
  });
}

/** Closes a connection, forcing it if Redis does not answer QUIT in time. */
export async function closeRedisConnection(connection: RedisClient, timeoutMs = 2000): Promise<void> {
  if (connection.status === 'end') return;
  if (connection.status !== 'ready') {
    // Not connected (e.g. waiting to reconnect): nothing to flush, and QUIT would not stop the
    // reconnection timer. Disconnecting does.
    connection.disconnect();
    return;
  }
  const timer = setTimeout(() => connection.disconnect(), timeoutMs);
  try {
    await connection.quit();
  } catch {
    // forced below
  } finally {
    clearTimeout(timer);
    // QUIT ends the data connection only: a Sentinel client's subscriptions to the Sentinels
    // (the failover detector) stay open and reconnect until disconnected.
    connection.disconnect();
  }
}
