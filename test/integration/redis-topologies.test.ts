/**
 * Proves the real-process Redis harness (test/helpers/redis-topologies) before other tests build on
 * it: each topology comes up, an ioredis client of the kind thaw uses (Cluster, sentinel-aware
 * Redis) reads and writes through it, failovers really move the primary and the client follows,
 * and TLS (`rediss://`) works in all three modes. Nothing here talks to the shared test Redis.
 */
import { Cluster, Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { eventually } from '../helpers/eventually';
import {
  makeTlsMaterial,
  startRedisCluster,
  startRedisNode,
  startRedisSentinel,
} from '../helpers/redis-topologies';
import type { RedisCluster, RedisSentinel, TlsMaterial } from '../helpers/redis-topologies';

jest.setTimeout(30_000);

/** REDIS_CLUSTER_NODES / REDIS_SENTINELS format: `host:port,host:port`. */
function parseSeeds(seeds: string): { host: string; port: number }[] {
  return seeds.split(',').map((seed) => {
    const [host = '', port = ''] = seed.split(':');
    return { host, port: Number(port) };
  });
}

function clusterClient(cluster: RedisCluster): Cluster {
  const redisOptions: RedisOptions = cluster.tls ? { tls: { ca: cluster.tls.caPem } } : {};
  return new Cluster(parseSeeds(cluster.seeds), { redisOptions });
}

function sentinelClient(topology: RedisSentinel): Redis {
  const ca = topology.tls?.caPem;
  return new Redis({
    sentinels: parseSeeds(topology.sentinels).map(({ host, port }) => ({
      host: String(host),
      port: Number(port),
    })),
    name: topology.masterName,
    // Without it the client stays on the old primary after a SENTINEL FAILOVER until Sentinel
    // demotes that node (~10 s later), and its writes there are lost.
    failoverDetector: true,
    ...(ca ? { tls: { ca }, sentinelTLS: { ca }, enableTLSForSentinelMode: true } : {}),
  });
}

const started: { stop(): Promise<void> }[] = [];
const clients: (Redis | Cluster)[] = [];
let tls: TlsMaterial;

beforeAll(() => {
  tls = makeTlsMaterial();
});

afterAll(async () => {
  // quit() alone is not enough for a sentinel client with failoverDetector: its +switch-master
  // subscriptions live on the connector, which only disconnect() closes (ioredis 5.11); left
  // open, they reconnect forever once the sentinels are gone and keep Jest from exiting.
  await Promise.all(clients.map((client) => client.quit().catch(() => undefined)));
  for (const client of clients) client.disconnect();
  await Promise.all(started.map((topology) => topology.stop()));
  tls.remove();
});

function track<T extends { stop(): Promise<void> }>(topology: T): T {
  started.push(topology);
  return topology;
}

function client<T extends Redis | Cluster>(created: T): T {
  clients.push(created);
  return created;
}

describe('cluster', () => {
  let cluster: RedisCluster;
  let redis: Cluster;
  const keys = Array.from({ length: 30 }, (_, i) => `topology-test:${i}`);

  beforeAll(async () => {
    cluster = track(await startRedisCluster());
    redis = client(clusterClient(cluster));
  });

  it('starts 3 primaries with one replica each, and a Cluster client writes across slots', async () => {
    const primaries = await cluster.primaries();
    expect(primaries).toHaveLength(3);
    for (const primary of primaries) expect(await cluster.replicasOf(primary)).toHaveLength(1);

    for (const key of keys) await redis.set(key, `value of ${key}`);
    for (const key of keys) expect(await redis.get(key)).toBe(`value of ${key}`);
    const owners = new Set(await Promise.all(keys.map((key) => cluster.primaryForKey(key))));
    expect(owners.size).toBe(3);
  });

  it('CLUSTER FAILOVER makes a replica the primary, and the client follows', async () => {
    const [key = ''] = keys;
    const before = await cluster.primaryForKey(key);
    const replica = await cluster.replicaOf(before);

    await cluster.failover(replica);

    expect(await cluster.primaryForKey(key)).toBe(replica);
    expect((await cluster.primaries()).map((node) => node.port)).not.toContain(before.port);
    expect(await redis.get(key)).toBe(`value of ${key}`);
    await redis.set(key, 'after failover');
    expect(await replica.call('GET', key)).toBe('after failover');
  });
});

describe('sentinel', () => {
  let topology: RedisSentinel;
  let redis: Redis;

  beforeAll(async () => {
    topology = track(await startRedisSentinel());
    redis = client(sentinelClient(topology));
  });

  it('SENTINEL FAILOVER moves the primary and the client keeps writing, on the new one', async () => {
    const old = await topology.primary();
    await redis.set('topology-test:before', 'written');
    expect(await old.call('GET', 'topology-test:before')).toBe('written');

    // Keep writing through the failover. Every write is acknowledged (ioredis queues and retries
    // while it reconnects), but Sentinel does not pause the old primary: what it acknowledged
    // between the promotion and the client's switch is not on the new primary (see the harness).
    let written = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        written += 1;
        await redis.rpush('topology-test:log', String(written));
      }
    })();

    const promoted = await topology.failover();
    expect(promoted).not.toBe(old);
    await eventually(async () => {
      await redis.set('topology-test:after', 'on the new primary');
      expect(await promoted.call('GET', 'topology-test:after')).toBe('on the new primary');
    });
    writing = false;
    await writer;

    const log = ((await promoted.call('LRANGE', 'topology-test:log', 0, -1)) as string[]).map(Number);
    expect(log[0]).toBe(1);
    expect(log.at(-1)).toBe(written);
    expect(log.every((entry, i) => i === 0 || entry > (log[i - 1] ?? 0))).toBe(true);
  });
});

describe('TLS (rediss://) in all three modes', () => {
  it('a standalone node answers only over TLS, verified against the test CA', async () => {
    const node = track(await startRedisNode({ tls }));
    expect(node.url).toMatch(/^rediss:\/\/127\.0\.0\.1:\d+$/);
    const redis = client(new Redis(node.url, { tls: { ca: tls.caPem } }));
    expect(await redis.ping()).toBe('PONG');

    const untrusting = new Redis(node.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const errors: string[] = [];
    untrusting.on('error', (error: Error) => errors.push(error.message));
    await expect(untrusting.connect()).rejects.toThrow();
    untrusting.disconnect();
    expect(errors.join('\n')).toMatch(/certificate/);
  });

  it('a TLS cluster serves a Cluster client with tls options', async () => {
    const cluster = track(await startRedisCluster({ tls }));
    const redis = client(clusterClient(cluster));
    const keys = Array.from({ length: 10 }, (_, i) => `topology-test:tls:${i}`);
    for (const key of keys) await redis.set(key, key);
    for (const key of keys) expect(await redis.get(key)).toBe(key);
    const owners = new Set(await Promise.all(keys.map((key) => cluster.primaryForKey(key))));
    expect(owners.size).toBeGreaterThan(1);
  });

  it('a TLS sentinel set serves a sentinel client with tls and sentinelTLS', async () => {
    const topology = track(await startRedisSentinel({ tls, replicas: 1 }));
    const redis = client(sentinelClient(topology));
    await redis.set('topology-test:tls', 'over TLS');
    expect(await (await topology.primary()).call('GET', 'topology-test:tls')).toBe('over TLS');
  });
});
