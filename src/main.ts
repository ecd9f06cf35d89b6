#!/usr/bin/env node
/**
 * The composition root (with src/composition/): the one place that reads configuration, opens
 * Redis, builds AWS clients, queues, workers and the HTTP app, and installs signal handlers. Every
 * other module takes what it needs as arguments. Roles: `serve` (HTTP and workers), `api` (HTTP
 * only), `worker` (workers, plus the operations endpoints for probes and scrapes).
 */
// First: OpenTelemetry's instrumentations must patch modules before anything below loads them.
import { tracingSettings } from './observability/instrument-first';
import type { FastifyInstance } from 'fastify';
import type { RedisClient } from './redis/redis-connection';
import { startHttp } from './composition/http-side';
import { storeTuning } from './composition/shared';
import type { Shared, StartOverrides } from './composition/shared';
import { startWorkers } from './composition/worker-side';
import { ConfigError, configWarnings, loadConfig } from './config';
import type { Config } from './config';
import { createRedisKeys } from './keys';
import { createLogger } from './logger';
import type { Logger } from './logger';
import { BUILT_IN_TEMPLATES_DIR, createTemplateRenderer } from './notify/template-renderer';
import { createMetrics } from './observability/metrics';
import type { Metrics } from './observability/metrics';
import { startTracing } from './observability/tracer-provider';
import { closeRedisConnection, createRedisConnection } from './redis/redis-connection';
import { checkEvictionPolicy } from './queue/redis-policy';
import { createAwsRejectionReporter } from './observability/aws-rejections';
import { createRegionalS3 } from './restore/regional-s3';
import { createS3Client } from './restore/s3-client';
import { createS3SdkRestorer } from './restore/s3-sdk-restorer';
import { createShutdown } from './shutdown';
import { migrateKeyLayout } from './upgrade/key-layout-migration';
import { raceTimeout } from './timeout';
import type { Shutdown } from './shutdown';

const ROLES = new Set(['serve', 'api', 'worker']);
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const VERSION = (require('../package.json') as { version: string }).version;

export interface RunningThaw {
  readonly config: Config;
  readonly app: FastifyInstance | undefined;
  readonly metrics: Metrics;
  readonly shutdown: Shutdown;
}

export async function start(
  config: Config,
  logger: Logger,
  overrides: StartOverrides = {},
): Promise<RunningThaw> {
  const shutdown = createShutdown(logger, config.shutdownGraceMs);
  // Added first, so it runs last: spans of the shutdown itself still leave.
  if (overrides.tracing) shutdown.add('traces', () => overrides.tracing?.shutdown());
  for (const warning of configWarnings(config)) logger.warn(warning);
  // Templates first: a broken one stops start-up with its file and line, before anything opens.
  const renderer = createTemplateRenderer({
    templatesDir: BUILT_IN_TEMPLATES_DIR,
    ...(config.mail.templatesDir ? { overrideDir: config.mail.templatesDir } : {}),
  });
  const s3 = createRegionalS3({
    defaultRegion: config.aws.region,
    clientFor: (region) =>
      createS3Client({
        region,
        ...(config.aws.s3Endpoint
          ? { endpoint: config.aws.s3Endpoint, forcePathStyle: config.aws.s3ForcePathStyle }
          : {}),
      }),
    onRegionLearned: (bucket, region) => logger.info({ bucket, region }, 'S3 bucket region learned'),
  });
  shutdown.add('s3 clients', () => s3.destroy());
  const metrics = createMetrics();
  const onAwsRejected = createAwsRejectionReporter(metrics, logger);
  const shared: Shared = {
    config,
    logger,
    metrics,
    onAwsRejected,
    keys: createRedisKeys(config.redis.prefix),
    tuning: storeTuning(config),
    s3,
    restorer: createS3SdkRestorer({ s3, onRejected: onAwsRejected }),
    renderer,
    shutdown,
    version: VERSION,
    overrides,
    queueTelemetry: overrides.tracing?.queueTelemetry,
  };
  // Releasers run in reverse: HTTP stops first, then workers finish, then queues and Redis close.
  const requestRedis = createRedisConnection(config.redis, 'request', logger, `${config.role}-request`);
  shutdown.add('redis (requests)', () => closeRedisConnection(requestRedis));
  try {
    await untilReady(requestRedis, 3000);
    await checkEvictionPolicy(requestRedis, config.strictRedis, logger);
    // Keys of an earlier layout move before any worker, queue or route uses the new names. With
    // Redis away thaw still starts (503s) but cannot look: a start that reaches Redis moves them,
    // and should come soon, before this process writes new names that would block old keys.
    if (requestRedis.status === 'ready') {
      await migrateKeyLayout({
        redis: requestRedis,
        prefix: config.redis.prefix,
        logger,
        cluster: config.redis.topology.kind === 'cluster',
      });
    } else {
      logger.error(
        'Redis is unreachable: keys of an earlier layout, if any, were not moved; restart thaw once Redis is back',
      );
    }
  } catch (error) {
    await shutdown.run('refused to start');
    throw error;
  }
  if (config.role !== 'api') await startWorkers(shared);
  const app = await startHttp(shared, requestRedis);
  logger.info(
    {
      role: config.role,
      port: config.http.port,
      prefix: config.redis.prefix,
      version: VERSION,
      locales: renderer.locales(),
    },
    'thaw started',
  );
  return { config, app, metrics: shared.metrics, shutdown };
}

/** Waits (bounded) for a connection to be ready; thaw still starts when Redis is away (503s). */
async function untilReady(redis: RedisClient, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  const ready = new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  await raceTimeout(ready, timeoutMs, () => undefined);
}

export async function main(): Promise<void> {
  const roleArgument = process.argv[2];
  if (roleArgument === '--help' || roleArgument === '-h') {
    console.error(
      'Usage: node dist/main.js [serve|api|worker]   (or THAW_ROLE; configuration from the environment, see README)',
    );
    process.exit(0);
  }
  if (roleArgument !== undefined && !ROLES.has(roleArgument)) {
    console.error(`thaw: unknown role "${roleArgument}" (expected serve, api or worker)`);
    process.exit(2);
  }
  let config: Config;
  try {
    config = loadConfig({ ...process.env, THAW_ROLE: roleArgument ?? process.env.THAW_ROLE });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`thaw: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  if (!tracingSettings.enabled && tracingSettings.problem) logger.warn(tracingSettings.problem);
  const tracing = startTracing(tracingSettings, { role: config.role, version: VERSION, logger });
  let running: RunningThaw;
  try {
    running = await start(config, logger, { tracing });
  } catch (error) {
    console.error(`thaw: failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  running.shutdown.installSignalHandlers((code) => process.exit(code));
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception: shutting down');
    void running.shutdown.run('uncaughtException').finally(() => process.exit(1));
  });
}

if (require.main === module) void main();
