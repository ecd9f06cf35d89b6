import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { Logger } from '../logger';

/**
 * Two kinds of Redis connection, per BullMQ's production guide:
 * - `request`: serves HTTP handlers. Commands fail at once while Redis is away
 *   (`enableOfflineQueue: false`, one retry) so a handler can answer 503 and SNS retries later,
 *   instead of holding the request until SNS times out.
 * - `worker`: serves BullMQ workers and background jobs. Commands wait for the reconnection
 *   (`maxRetriesPerRequest: null`, as BullMQ requires for workers).
 * Both reconnect forever with a capped backoff.
 */
export type ConnectionKind = 'request' | 'worker';

export function createRedisConnection(
  url: string,
  kind: ConnectionKind,
  logger: Logger,
  name: string,
): Redis {
  const common: RedisOptions = {
    connectionName: `thaw-${name}`,
    connectTimeout: 5000,
    retryStrategy: (attempt) => Math.min(200 * 2 ** Math.min(attempt, 6), 5000),
    lazyConnect: false,
    // ioredis waits this long for a dead socket's 'close' that never comes; 2 s by default.
    disconnectTimeout: 500,
  };
  const options: RedisOptions =
    kind === 'request'
      ? { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1 }
      : { ...common, maxRetriesPerRequest: null };
  const connection = new Redis(url, options);
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
  return connection;
}

/** Closes a connection, forcing it if Redis does not answer QUIT in time. */
export async function closeRedisConnection(connection: Redis, timeoutMs = 2000): Promise<void> {
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
    connection.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
