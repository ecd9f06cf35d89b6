#!/usr/bin/env node
/**
 * The composition root: the one place that reads configuration, opens Redis, builds AWS clients,
 * queues, workers and the HTTP app, and installs signal handlers. Every other module takes what it
 * needs as arguments. Roles: `serve` (HTTP and workers), `api` (HTTP only), `worker` (workers,
 * plus the operations endpoints for probes and scrapes).
 */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { ConfigError, loadConfig } from './config';
import type { Config } from './config';
import { createCorrelationProcessor } from './correlate/correlation-worker';
import { createReconciler } from './correlate/reconciler';
import { createRestoreStore } from './correlate/restore-store';
import type { RestoreStore, StoreTuning } from './correlate/restore-store';
import { buildApp } from './http/app';
import { createCertificateStore } from './ingest/certificate-store';
import { createSnsIngest } from './ingest/sns-ingest';
import { createSnsVerifier } from './ingest/sns-verifier';
import { createSubscriptionConfirmer } from './ingest/subscription';
import { createRedisKeys } from './keys';
import type { RedisKeys } from './keys';
import { createLogger } from './logger';
import type { Logger } from './logger';
import { createMetrics } from './observability/metrics';
import type { Metrics } from './observability/metrics';
import { closeRedisConnection, createRedisConnection } from './queue/connections';
import { createEventProducer } from './queue/event-producer';
import { createNotificationProducer } from './queue/notification-producer';
import { QUEUE_NAMES } from './queue/queue-names';
import { createQueues } from './queue/queues';
import type { MaintenanceJob } from './queue/queues';
import { startWorker } from './queue/worker-boundary';
import { createRequestRegistrar } from './restore/request-registrar';
import { createS3Client } from './restore/s3-client';
import type { S3Restorer } from './restore/s3-restorer';
import { createS3SdkRestorer } from './restore/s3-sdk-restorer';
import { createShutdown } from './shutdown';
import type { Shutdown } from './shutdown';
import type { QueuedRestoreEvent } from './domain/types';

const ROLES = new Set(['serve', 'api', 'worker']);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION = (require('../package.json') as { version: string }).version;

export interface RunningThaw {
  readonly config: Config;
  readonly app: FastifyInstance | undefined;
  readonly metrics: Metrics;
  readonly shutdown: Shutdown;
}

interface Shared {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly keys: RedisKeys;
  readonly tuning: StoreTuning;
  readonly restorer: S3Restorer;
  readonly shutdown: Shutdown;
}

export async function start(config: Config, logger: Logger): Promise<RunningThaw> {
  const shutdown = createShutdown(logger, config.shutdownGraceMs);
  const metrics = createMetrics();
  const keys = createRedisKeys(config.redis.prefix);
  const s3 = createS3Client({
    region: config.aws.region,
    ...(config.aws.s3Endpoint
      ? { endpoint: config.aws.s3Endpoint, forcePathStyle: config.aws.s3ForcePathStyle }
      : {}),
  });
  shutdown.add('s3 client', () => s3.destroy());
  const shared: Shared = {
    config,
    logger,
    metrics,
    keys,
    tuning: storeTuning(config),
    restorer: createS3SdkRestorer({ client: s3 }),
    shutdown,
  };

  // Releasers run in reverse: HTTP stops first, then workers finish, then queues and Redis close.
  const requestRedis = createRedisConnection(config.redis.url, 'request', logger, `${config.role}-request`);
  shutdown.add('redis (requests)', () => closeRedisConnection(requestRedis));
  if (config.role !== 'api') await startWorkers(shared);
  const app = await startHttp(shared, requestRedis);
  logger.info(
    { role: config.role, port: config.http.port, prefix: config.redis.prefix, version: VERSION },
    'thaw started',
  );
  return { config, app, metrics, shutdown };
}

async function startHttp(shared: Shared, redis: Redis): Promise<FastifyInstance> {
  const { config, logger, metrics, shutdown } = shared;
  const servesApi = config.role !== 'worker';
  const queues = createQueues(redis, config.redis.prefix, logger);
  shutdown.add('queues (requests)', () => queues.close());
  const store = createRestoreStore(redis, shared.keys, shared.tuning);
  const urlPolicy = { trustedHosts: config.sns.trustedHosts, allowHttp: config.sns.allowHttp };
  const snsIngest = createSnsIngest({
    verify: createSnsVerifier({
      ...urlPolicy,
      topicArns: config.sns.topicArns,
      minSignatureVersion: config.sns.minSignatureVersion,
      maxAgeSeconds: config.sns.maxAgeSeconds,
      certificates: createCertificateStore({
        timeoutMs: config.sns.certFetchTimeoutMs,
        maxBytes: config.sns.certMaxBytes,
        cacheSize: config.sns.certCacheSize,
        ttlMs: config.sns.certCacheTtlSeconds * 1000,
      }),
    }),
    confirmSubscription: createSubscriptionConfirmer({
      ...urlPolicy,
      timeoutMs: config.sns.certFetchTimeoutMs,
    }),
    enqueueRestoreEvents: createEventProducer({
      queue: queues.restoreEvents,
      dedupeTtlSeconds: config.events.dedupeTtlSeconds,
      timeoutMs: config.events.enqueueTimeoutMs,
    }),
    eventBridgeKeysUrlEncoded: config.events.eventBridgeKeysUrlEncoded,
    metrics,
  });
  const register = createRequestRegistrar({
    store,
    restorer: shared.restorer,
    queueNotifications: createNotificationProducer(queues.notifications, store),
    logger,
    s3Concurrency: config.requests.s3Concurrency,
    startGraceMs: config.requests.restoreStartGraceSeconds * 1000,
    overdueMarginMs: config.requests.overdueMarginSeconds * 1000,
    expiryCheckMs: config.requests.expiryCheckSeconds * 1000,
  });
  const app = await buildApp({
    logger,
    metrics,
    version: VERSION,
    snsIngest: servesApi ? snsIngest : undefined,
    snsBodyLimitBytes: config.sns.bodyLimitBytes,
    restores: servesApi
      ? {
          apiToken: config.apiToken,
          store,
          register: async (spec, idempotencyKey) => {
            const outcome = await register(spec, idempotencyKey);
            if (outcome.created) metrics.requestsRegistered.inc({ initiate: String(spec.initiate) });
            return outcome;
          },
        }
      : undefined,
    isReady: () => pingWithin(redis, 1000),
  });
  await app.listen({ port: config.http.port, host: config.http.host });
  shutdown.add('http', () => app.close());
  return app;
}

async function startWorkers(shared: Shared): Promise<void> {
  const { config, logger, metrics, shutdown, keys } = shared;
  const redis = createRedisConnection(config.redis.url, 'worker', logger, `${config.role}-worker`);
  shutdown.add('redis (workers)', () => closeRedisConnection(redis));
  const queues = createQueues(redis, config.redis.prefix, logger);
  shutdown.add('queues (workers)', () => queues.close());
  const store: RestoreStore = createRestoreStore(redis, keys, shared.tuning);
  const queueNotifications = createNotificationProducer(queues.notifications, store);

  const correlation = startWorker<QueuedRestoreEvent, void>({
    name: QUEUE_NAMES.restoreEvents,
    connection: redis,
    prefix: config.redis.prefix,
    logger,
    processor: createCorrelationProcessor({ store, queueNotifications, metrics, logger }),
    options: { concurrency: config.requests.correlationConcurrency },
  });

  const reconciler = createReconciler({
    store,
    restorer: shared.restorer,
    queueNotifications,
    metrics,
    logger,
    batch: config.requests.reconcileBatch,
    startGraceMs: config.requests.restoreStartGraceSeconds * 1000,
    overdueMarginMs: config.requests.overdueMarginSeconds * 1000,
    expiryCheckMs: config.requests.expiryCheckSeconds * 1000,
    recheckMs: Math.max(config.requests.reconcileIntervalSeconds * 1000, 15 * 60_000),
  });
  const maintenance = startWorker<MaintenanceJob, void>({
    name: QUEUE_NAMES.maintenance,
    connection: redis,
    prefix: config.redis.prefix,
    logger,
    processor: async () => {
      const summary = await reconciler.run();
      logger.info(summary, 'reconciliation run');
    },
    // A run may wait on many HeadObject calls; its lock must outlast it.
    options: { concurrency: 1, lockDuration: 5 * 60_000 },
  });
  // One scheduler for all worker processes: each tick is one job, taken by one of them.
  await queues.maintenance.upsertJobScheduler(
    'reconcile',
    { every: config.requests.reconcileIntervalSeconds * 1000 },
    { name: 'reconcile', data: { task: 'reconcile' } },
  );
  shutdown.add('workers', async () => {
    await Promise.all([correlation.close(), maintenance.close()]);
  });
}

function storeTuning(config: Config): StoreTuning {
  const seconds = config.requests;
  return {
    retentionMs: seconds.retentionSeconds * 1000,
    overdueMarginMs: seconds.overdueMarginSeconds * 1000,
    expiryCheckMs: seconds.expiryCheckSeconds * 1000,
    reminderLeadMs: seconds.expiringReminderSeconds * 1000,
    earlyWindowMs: seconds.earlyEventWindowSeconds * 1000,
    idempotencyTtlMs: seconds.idempotencyTtlSeconds * 1000,
    historyCap: 3000,
  };
}

async function pingWithin(redis: { ping(): Promise<string> }, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([redis.ping().then((answer) => answer === 'PONG'), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  const roleArgument = process.argv[2];
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
  const running = await start(config, logger);
  running.shutdown.installSignalHandlers((code) => process.exit(code));
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception: shutting down');
    void running.shutdown.run('uncaughtException').finally(() => process.exit(1));
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error('thaw: failed to start:', error);
    process.exit(1);
  });
}
