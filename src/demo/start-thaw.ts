import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import type { Redis } from 'ioredis';
import { loadConfig } from '../config';
import type { RedisConfig } from '../config';
import { createLogger } from '../logger';
import { start } from '../main';
import { closeRedisConnection, createRedisConnection } from '../redis/redis-connection';
import type { RunningThaw } from '../main';
import { TOPIC_ARN } from './demo-run';
import type { DemoRun } from './demo-run';
import { portOrFree } from './local-redis';

/** The thaw the demo started: where it serves and the tokens it accepts. */
export interface DemoThaw {
  readonly base: string;
  readonly apiToken: string;
  /** The board's actions need a token of their own; with the API token alone it is read-only. */
  readonly adminToken: string;
}

export interface DemoEndpoints {
  readonly redis: string;
  readonly sesUrl: string;
  readonly s3Url: string;
}

/** Starts thaw (role `serve`) against the emulators, under a Redis prefix of its own it removes at the end. */
export async function startThaw(run: DemoRun, endpoints: DemoEndpoints): Promise<DemoThaw> {
  const { redis, sesUrl, s3Url } = endpoints;
  const port = await portOrFree(Number(process.env.PORT ?? 3000));
  const base = `http://127.0.0.1:${port}`;
  const prefix = `thaw-demo-${randomBytes(3).toString('hex')}`;
  const apiToken = randomBytes(18).toString('base64url');
  const adminToken = randomBytes(18).toString('base64url');
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL: redis,
    ...redisTopologyFromEnvironment(),
    THAW_PREFIX: prefix,
    THAW_ROLE: 'serve',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    MAIL_FROM: 'Archive Desk <restores@demo.thaw.example>',
    API_TOKEN: apiToken,
    ADMIN_TOKEN: adminToken,
    SNS_TOPIC_ARNS: TOPIC_ARN,
    SNS_ALLOW_HTTP: 'true',
    SNS_TRUSTED_HOSTS: String.raw`^127\.0\.0\.1$`,
    SES_ENDPOINT: sesUrl,
    S3_ENDPOINT: s3Url,
    S3_FORCE_PATH_STYLE: 'true',
    PUBLIC_BASE_URL: base,
    RECONCILE_INTERVAL_SECONDS: '3600',
  });
  const running: RunningThaw = await start(config, createLogger({ level: config.logLevel }));
  run.onStop(async () => {
    await running.shutdown.run('demo finished');
    await removePrefix(config.redis);
  });
  run.say(`thaw serving at ${base} (Redis prefix ${prefix})`);
  return { base, apiToken, adminToken };
}

/** The demo runs on whatever Redis the operator points it at, Cluster and Sentinel included. */
function redisTopologyFromEnvironment(): Record<string, string> {
  const names = [
    'REDIS_CLUSTER_NODES',
    'REDIS_SENTINELS',
    'REDIS_SENTINEL_MASTER',
    'REDIS_SENTINEL_PASSWORD',
    'REDIS_TLS_CA_FILE',
    'REDIS_WAIT_REPLICAS',
  ];
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = process.env[name];
    if (value) picked[name] = value;
  }
  return picked;
}

/** Deletes the demo's keys on every primary (one key per UNLINK: a node holds many slots). */
async function removePrefix(redisConfig: RedisConfig): Promise<void> {
  const logger = createLogger({ level: 'silent' });
  const cleaner = createRedisConnection(redisConfig, 'command', logger, 'demo-cleanup');
  try {
    await cleaner.ping();
    const nodes: Redis[] = cleaner instanceof Cluster ? cleaner.nodes('master') : [cleaner];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `*${redisConfig.prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await keys.reduce((batch, key) => batch.unlink(key), node.pipeline()).exec();
      } while (cursor !== '0');
    }
  } finally {
    await closeRedisConnection(cleaner);
  }
}
