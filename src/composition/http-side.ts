import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { RedisClient } from '../redis/redis-connection';
import { createRestoreStore } from '../correlate/restore-store';
import { buildApp } from '../http/app';
import { createCertificateStore } from '../ingest/certificate-store';
import { createSnsIngest } from '../ingest/sns-ingest';
import { createSnsVerifier } from '../ingest/sns-verifier';
import { createSubscriptionConfirmer } from '../ingest/subscription';
import { createFeedbackHandler } from '../notify/feedback-handler';
import { createNotificationState } from '../notify/notification-state';
import { BUILT_IN_PAGES_DIR, createPageRenderer } from '../pages/page-renderer';
import { createSuppression } from '../notify/suppression';
import { createEventProducer } from '../queue/event-producer';
import { createNotificationProducer } from '../queue/notification-producer';
import { createQueues } from '../queue/queues';
import { registerQueueMetrics } from '../observability/queue-metrics';
import { noevictionState } from '../queue/redis-policy';
import { createRequestRegistrar } from '../register/request-registrar';
import { raceTimeout } from '../timeout';
import { replicaWaits } from './replica-waits';
import { downloadLinks } from './shared';
import type { Shared } from './shared';

/** The HTTP side: SNS endpoint, `/v1` API, customer links, operations endpoints. */
export async function startHttp(shared: Shared, redis: RedisClient): Promise<FastifyInstance> {
  const { config, logger, metrics, shutdown } = shared;
  const servesApi = config.role !== 'worker';
  const queues = createQueues(redis, config.redis.prefix, logger, shared.queueTelemetry);
  shutdown.add('queues (requests)', () => queues.close());
  const store = createRestoreStore(redis, shared.keys, shared.tuning);
  const waits = replicaWaits(shared, redis);
  const watched = [queues.restoreEvents, queues.notifications, queues.maintenance];
  registerQueueMetrics(metrics.registry, watched);
  metrics.readSendingPausedFrom(() => queues.notifications.isPaused());
  metrics.readEvictionPolicyFrom(() => noevictionState(redis));
  const urlPolicy = { trustedHosts: config.sns.trustedHosts, allowHttp: config.sns.allowHttp };
  const snsIngest = createSnsIngest({
    verify: createSnsVerifier({
      ...urlPolicy,
      topicArns: [...config.sns.topicArns, ...config.sns.feedbackTopicArns],
      minSignatureVersion: config.sns.minSignatureVersion,
      maxAgeSeconds: config.sns.maxAgeSeconds,
      certificates: createCertificateStore({
        timeoutMs: config.sns.certFetchTimeoutMs,
        maxBytes: config.sns.certMaxBytes,
        cacheSize: config.sns.certCacheSize,
        ttlMs: config.sns.certCacheTtlMs,
        failureTtlMs: config.sns.certFailureTtlMs,
        fetchesPerMinute: config.sns.certFetchesPerMinute,
        metrics,
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
      confirmReplicated: waits.confirm,
    }),
    eventBridgeKeysUrlEncoded: config.events.eventBridgeKeysUrlEncoded,
    metrics,
    feedbackTopicArns: config.sns.feedbackTopicArns,
    handleFeedback: afterwards(
      createFeedbackHandler({
        suppression: createSuppression(redis, shared.keys),
        state: createNotificationState(redis, shared.keys),
        metrics,
        logger,
      }),
      waits.store,
    ),
  });
  const register = createRequestRegistrar({
    store,
    restorer: shared.restorer,
    queueNotifications: createNotificationProducer(queues.notifications, store, waits.confirm),
    logger,
    s3Concurrency: config.requests.s3Concurrency,
    startGraceMs: config.requests.restoreStartGraceMs,
    overdueMarginMs: config.requests.overdueMarginMs,
    expiryCheckMs: config.requests.expiryCheckMs,
  });
  // Customer pages need PUBLIC_BASE_URL (their links point there); a broken template stops start-up.
  const pages =
    servesApi && config.links.publicBaseUrl
      ? createPageRenderer({
          pagesDir: BUILT_IN_PAGES_DIR,
          ...(config.mail.templatesDir ? { overrideDir: join(config.mail.templatesDir, 'pages') } : {}),
        })
      : undefined;
  const app = await buildApp({
    logger,
    metrics,
    version: shared.version,
    traced: shared.queueTelemetry !== undefined,
    snsIngest: servesApi ? snsIngest : undefined,
    snsBodyLimitBytes: config.sns.bodyLimitBytes,
    restores: servesApi
      ? {
          apiToken: config.apiToken,
          rateLimitPerMinute: config.rateLimitPerMinute,
          store,
          register: async (spec, idempotencyKey) => {
            const outcome = await register(spec, idempotencyKey);
            // 201 only once the request is on the replicas (REDIS_WAIT_REPLICAS); a retry with the
            // same Idempotency-Key finds it and confirms again.
            await waits.store();
            if (outcome.created) metrics.requestsRegistered.inc({ initiate: String(spec.initiate) });
            return outcome;
          },
        }
      : undefined,
    downloads: servesApi
      ? {
          links: downloadLinks(shared, redis),
          getRequest: (id) => store.get(id),
          recordDownload: (id, index) => store.recordDownload(id, index),
        }
      : undefined,
    ...(pages
      ? {
          statusPage: {
            links: downloadLinks(shared, redis),
            pages,
            getRequest: (id: string) => store.get(id),
          },
        }
      : {}),
    ...(servesApi
      ? { admin: { queues: watched, viewToken: config.apiToken, actionToken: config.adminToken } }
      : {}),
    isReady: () => pingWithin(redis, 1000),
    trustProxy: config.http.trustProxy,
  });
  await app.listen({ port: config.http.port, host: config.http.host });
  shutdown.add('http', () => app.close());
  return app;
}

/** Runs `then` after each successful call of `handler`: the write it made must be confirmed. */
function afterwards<A extends unknown[]>(
  handler: (...args: A) => Promise<void>,
  then: () => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args) => {
    await handler(...args);
    await then();
  };
}

async function pingWithin(redis: RedisClient, timeoutMs: number): Promise<boolean> {
  try {
    return await raceTimeout(
      redis.ping().then((answer) => answer === 'PONG'),
      timeoutMs,
      () => false,
    );
  } catch {
    return false;
  }
}
