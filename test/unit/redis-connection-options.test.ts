import { Cluster, Redis } from 'ioredis';
import { loadRedisConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createRedisConnection } from '../../src/redis/redis-connection';
import type { RedisClient } from '../../src/redis/redis-connection';

/**
 * What each topology's connection is built with, read back from ioredis itself (the connections
 * point at closed ports and are disconnected at once; the topology tests connect for real).
 */
const logger = createLogger({ level: 'silent' });
const opened: RedisClient[] = [];

function open(env: Record<string, string>, kind: 'request' | 'worker' | 'command' = 'request'): RedisClient {
  const connection = createRedisConnection(loadRedisConfig(env), kind, logger, 'test');
  opened.push(connection);
  return connection;
}

afterEach(() => {
  for (const connection of opened.splice(0)) connection.disconnect();
});

describe('createRedisConnection', () => {
  it('connects a single Redis with the credentials, database and TLS of REDIS_URL', () => {
    const connection = open({ REDIS_URL: 'rediss://thaw:p%40ss@127.0.0.1:1/3' });
    expect(connection).toBeInstanceOf(Redis);
    const { options } = connection as Redis;
    expect(options).toMatchObject({ host: '127.0.0.1', port: 1, db: 3, username: 'thaw', password: 'p@ss' });
    expect(options.tls).toEqual({});
    expect(options.enableOfflineQueue).toBe(false);
    expect(options.maxRetriesPerRequest).toBe(1);
  });

  it('speaks Cluster to the seeds, with TLS and credentials on every node and writes on primaries', () => {
    const connection = open(
      { REDIS_URL: 'rediss://thaw:secret@ignored:6379', REDIS_CLUSTER_NODES: '127.0.0.1:1,127.0.0.1:2' },
      'worker',
    );
    expect(connection).toBeInstanceOf(Cluster);
    const { options } = connection as Cluster;
    expect(options.redisOptions).toMatchObject({ username: 'thaw', password: 'secret', tls: {} });
    // BullMQ's workers need commands to wait for the reconnection.
    expect(options.redisOptions?.maxRetriesPerRequest).toBeNull();
    expect(options.scaleReads).toBe('master');
    // The hostnames a cluster announces are kept (ElastiCache's certificates name hosts).
    const looked: string[] = [];
    options.dnsLookup?.('node-1.example.cache.amazonaws.com', (_error, address) => looked.push(address));
    expect(looked).toEqual(['node-1.example.cache.amazonaws.com']);
  });

  it('asks the Sentinels for the primary, over TLS when REDIS_URL says rediss://', () => {
    const connection = open({
      REDIS_URL: 'rediss://:token@ignored:6379',
      REDIS_SENTINELS: '127.0.0.1:1,127.0.0.1:2',
      REDIS_SENTINEL_MASTER: 'thaw-primary',
      REDIS_SENTINEL_PASSWORD: 'watch',
    });
    const { options } = connection as Redis;
    expect(options).toMatchObject({
      name: 'thaw-primary',
      role: 'master',
      password: 'token',
      sentinelPassword: 'watch',
      enableTLSForSentinelMode: true,
      failoverDetector: true,
      sentinels: [
        { host: '127.0.0.1', port: 1 },
        { host: '127.0.0.1', port: 2 },
      ],
    });
  });

  it('reconnects and resends on READONLY (a demoted primary), and on nothing else', () => {
    const { options } = open({ REDIS_URL: 'redis://127.0.0.1:1' }) as Redis;
    expect(
      options.reconnectOnError?.(new Error("READONLY You can't write against a read only replica.")),
    ).toBe(2);
    expect(options.reconnectOnError?.(new Error('ERR unknown command'))).toBe(false);
  });
});
