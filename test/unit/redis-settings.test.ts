import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, loadRedisConfig } from '../../src/config';
import { problemsOf, REQUIRED_ENV } from '../helpers/config';

describe('Redis topology settings', () => {
  it('is a single Redis at REDIS_URL by default, acknowledging without replicas', () => {
    const { redis } = loadConfig({ ...REQUIRED_ENV });
    expect(redis).toEqual({
      url: 'redis://127.0.0.1:6379',
      prefix: 'thaw',
      topology: { kind: 'single' },
      waitReplicas: 0,
      tlsCa: undefined,
    });
  });

  it('reads Cluster seeds, IPv6 included, and keeps REDIS_URL for credentials and TLS', () => {
    const { redis } = loadConfig({
      ...REQUIRED_ENV,
      REDIS_URL: 'rediss://thaw:s3cret@ignored:6379',
      REDIS_CLUSTER_NODES: ' clustercfg.thaw.abc123.use1.cache.amazonaws.com:6379, [::1]:7001 ,10.0.0.7:7002',
      REDIS_WAIT_REPLICAS: '1',
    });
    expect(redis.topology).toEqual({
      kind: 'cluster',
      seeds: [
        { host: 'clustercfg.thaw.abc123.use1.cache.amazonaws.com', port: 6379 },
        { host: '::1', port: 7001 },
        { host: '10.0.0.7', port: 7002 },
      ],
    });
    expect(redis.url).toBe('rediss://thaw:s3cret@ignored:6379');
    expect(redis.waitReplicas).toBe(1);
  });

  it('reads Sentinels with the primary name and an optional Sentinel password', () => {
    const { redis } = loadConfig({
      ...REQUIRED_ENV,
      REDIS_SENTINELS: '10.0.0.1:26379,10.0.0.2:26379',
      REDIS_SENTINEL_MASTER: 'thaw-primary',
      REDIS_SENTINEL_PASSWORD: 'watch',
    });
    expect(redis.topology).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
      ],
      primaryName: 'thaw-primary',
      sentinelPassword: 'watch',
    });
  });

  it.each([
    [
      { REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 'b:2', REDIS_SENTINEL_MASTER: 'm' },
      'REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set',
    ],
    [
      { REDIS_CLUSTER_NODES: 'redis.example.com' },
      'REDIS_CLUSTER_NODES holds "redis.example.com", which is not host:port',
    ],
    [{ REDIS_CLUSTER_NODES: 'a:1,b:99999' }, 'REDIS_CLUSTER_NODES holds "b:99999", which is not host:port'],
    [{ REDIS_CLUSTER_NODES: ' , ' }, 'REDIS_CLUSTER_NODES holds no host:port'],
    [{ REDIS_SENTINELS: 'a:26379' }, 'REDIS_SENTINEL_MASTER is required with REDIS_SENTINELS'],
    [{ REDIS_SENTINEL_MASTER: 'thaw-primary' }, 'REDIS_SENTINEL_MASTER is set but REDIS_SENTINELS is not'],
    [{ REDIS_WAIT_REPLICAS: '-1' }, 'REDIS_WAIT_REPLICAS'],
    [{ REDIS_WAIT_REPLICAS: 'one' }, 'REDIS_WAIT_REPLICAS'],
    [{ REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' }, 'REDIS_TLS_CA_FILE cannot be read'],
  ])('refuses %j with one line naming the variables', (env, expected) => {
    const message = problemsOf({ ...REQUIRED_ENV, ...env });
    expect(message).toContain(expected);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('reads a CA bundle to trust for rediss://', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thaw-ca-'));
    try {
      const file = join(dir, 'ca.pem');
      writeFileSync(file, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      expect(loadConfig({ ...REQUIRED_ENV, REDIS_TLS_CA_FILE: file }).redis.tlsCa).toContain(
        'BEGIN CERTIFICATE',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the operator commands the same settings and the same refusals', () => {
    expect(
      loadRedisConfig({ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_MASTER: 'p', THAW_PREFIX: 'ops' }),
    ).toMatchObject({ prefix: 'ops', topology: { kind: 'sentinel', primaryName: 'p' } });
    expect(() => loadRedisConfig({ REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 'b:2' })).toThrow(
      ConfigError,
    );
    expect(() => loadRedisConfig({ REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 'b:2' })).toThrow(
      /REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set/,
    );
  });
});
