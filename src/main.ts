#!/usr/bin/env node
/**
 * The composition root: the one place that reads configuration, opens Redis, builds queues,
 * workers and the HTTP app, and installs signal handlers. Every other module takes what it needs
 * as arguments. Roles: `serve` (HTTP and workers), `api` (HTTP only), `worker` (workers, plus the
 * operations endpoints for probes and scrapes).
 */
import type { FastifyInstance } from 'fastify';
import { ConfigError, loadConfig } from './config';
import type { Config } from './config';
import { buildApp } from './http/app';
import { createCertificateStore } from './ingest/certificate-store';
import { createSnsIngest } from './ingest/sns-ingest';
import { createSnsVerifier } from './ingest/sns-verifier';
import { createSubscriptionConfirmer } from './ingest/subscription';
import { createLogger } from './logger';
import type { Logger } from './logger';
import { createMetrics } from './observability/metrics';
import { closeRedisConnection, createRedisConnection } from './queue/connections';
import { createEventProducer } from './queue/event-producer';
import { createQueues } from './queue/queues';
import { createShutdown } from './shutdown';
import type { Shutdown } from './shutdown';

const ROLES = new Set(['serve', 'api', 'worker']);

export interface RunningThaw {
  readonly config: Config;
  readonly app: FastifyInstance | undefined;
  readonly shutdown: Shutdown;
}

export async function start(config: Config, logger: Logger): Promise<RunningThaw> {
  const shutdown = createShutdown(logger, config.shutdownGraceMs);
  const metrics = createMetrics();
  const servesApi = config.role === 'serve' || config.role === 'api';

  const requestRedis = createRedisConnection(config.redis.url, 'request', logger, `${config.role}-request`);
  shutdown.add('redis (requests)', () => closeRedisConnection(requestRedis));
  const queues = createQueues(requestRedis, config.redis.prefix, logger);
  shutdown.add('queues', () => queues.close());

  const certificates = createCertificateStore({
    timeoutMs: config.sns.certFetchTimeoutMs,
    maxBytes: config.sns.certMaxBytes,
    cacheSize: config.sns.certCacheSize,
    ttlMs: config.sns.certCacheTtlSeconds * 1000,
  });
  const urlPolicy = { trustedHosts: config.sns.trustedHosts, allowHttp: config.sns.allowHttp };
  const snsIngest = createSnsIngest({
    verify: createSnsVerifier({
      ...urlPolicy,
      topicArns: config.sns.topicArns,
      minSignatureVersion: config.sns.minSignatureVersion,
      maxAgeSeconds: config.sns.maxAgeSeconds,
      certificates,
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

  const app = await buildApp({
    logger,
    metrics,
    snsIngest: servesApi ? snsIngest : undefined,
    snsBodyLimitBytes: config.sns.bodyLimitBytes,
    isReady: () => pingWithin(requestRedis, 1000),
  });
  await app.listen({ port: config.http.port, host: config.http.host });
  shutdown.add('http', () => app.close());
  logger.info({ role: config.role, port: config.http.port, prefix: config.redis.prefix }, 'thaw started');
  return { config, app, shutdown };
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
