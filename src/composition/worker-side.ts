import { createCorrelationProcessor } from '../correlate/correlation-worker';
import { createReconciler } from '../correlate/reconciler';
import { createRestoreStore } from '../correlate/restore-store';
import type { QueuedRestoreEvent } from '../domain/types';
import { createNotificationState } from '../notify/notification-state';
import { createSesClient, createSesMailer } from '../notify/ses-mailer';
import { startNotificationWorker } from '../notify/start-notification-worker';
import { closeRedisConnection, createRedisConnection } from '../redis/redis-connection';
import { createNotificationProducer } from '../queue/notification-producer';
import { QUEUE_NAMES } from '../queue/queue-names';
import { createQueues } from '../queue/queues';
import type { MaintenanceJob } from '../queue/queues';
import { startWorker } from '../queue/worker-boundary';
import { confirmedAfter, confirmingNotificationState, replicaWaits } from './replica-waits';
import { describeActiveSpan, inNewTrace } from '../observability/spans';
import { raceTimeout } from '../timeout';
import { downloadLinks } from './shared';
import type { Shared } from './shared';

/** The worker side: correlation, notifications (SES) and the reconciliation scheduler. */
export async function startWorkers(shared: Shared): Promise<void> {
  const { config, logger, metrics, shutdown, keys, queueTelemetry } = shared;
  const telemetry = queueTelemetry ? { telemetry: queueTelemetry } : {};
  const redis = createRedisConnection(config.redis, 'worker', logger, `${config.role}-worker`);
  shutdown.add('redis (workers)', () => closeRedisConnection(redis));
  const queues = createQueues(redis, config.redis.prefix, logger, queueTelemetry);
  shutdown.add('queues (workers)', () => queues.close());
  const store = createRestoreStore(redis, keys, shared.tuning);
  const waits = replicaWaits(shared, redis);
  const queueNotifications = createNotificationProducer(queues.notifications, store, waits.confirm);
  const correlate = createCorrelationProcessor({ store, queueNotifications, metrics, logger });

  const correlation = startWorker<QueuedRestoreEvent, void>({
    name: QUEUE_NAMES.restoreEvents,
    connection: redis,
    prefix: config.redis.prefix,
    logger,
    // The event's effect must be on the replicas before BullMQ forgets the job.
    processor: confirmedAfter(correlate, waits),
    ...telemetry,
    options: {
      concurrency: config.requests.correlationConcurrency,
      lockDuration: config.requests.workerLockMs,
      stalledInterval: config.requests.workerLockMs,
    },
  });

  const ses = createSesClient({
    region: config.aws.sesRegion,
    ...(config.aws.sesEndpoint ? { endpoint: config.aws.sesEndpoint } : {}),
  });
  shutdown.add('ses client', () => ses.destroy());
  const notifications = startNotificationWorker({
    connection: redis,
    prefix: config.redis.prefix,
    ...telemetry,
    deps: {
      state: confirmingNotificationState(createNotificationState(redis, keys), waits),
      links: downloadLinks(shared, redis),
      renderer: shared.renderer,
      mailer:
        shared.overrides.mailer ??
        createSesMailer({
          client: ses,
          onRejected: shared.onAwsRejected,
          ...(config.mail.configurationSet ? { configurationSetName: config.mail.configurationSet } : {}),
        }),
      from: config.mail.from,
      metrics,
      logger,
      inDoubtMs: config.mail.inDoubtMs,
      throttleBackoffMs: config.mail.throttleBackoffMs,
      onAccountProblem: async () => {
        // Every further email would fail the same way: stop all workers until a human resumes.
        // thaw_sending_paused reads the queue's pause flag when scraped (observability/metrics.ts).
        await queues.notifications.pause();
      },
    },
    options: {
      concurrency: config.mail.concurrency,
      lockDuration: config.requests.workerLockMs,
      stalledInterval: config.requests.workerLockMs,
      // BullMQ's limiter is global across every worker process of the queue: SES's MaxSendRate.
      limiter: { max: Math.max(1, Math.floor(config.mail.maxSendRate)), duration: 1000 },
    },
  });

  const reconciler = createReconciler({
    store,
    restorer: shared.restorer,
    queueNotifications,
    metrics,
    logger,
    batch: config.requests.reconcileBatch,
    startGraceMs: config.requests.restoreStartGraceMs,
    overdueMarginMs: config.requests.overdueMarginMs,
    expiryCheckMs: config.requests.expiryCheckMs,
    recheckMs: Math.max(config.requests.reconcileIntervalMs, 15 * 60_000),
  });
  const maintenance = startWorker<MaintenanceJob, void>({
    name: QUEUE_NAMES.maintenance,
    connection: redis,
    prefix: config.redis.prefix,
    logger,
    processor: () =>
      inNewTrace('reconcile', async () => {
        const summary = await reconciler.run();
        describeActiveSpan(
          Object.fromEntries(
            Object.entries(summary).map(([name, count]) => [`thaw.reconcile.${name}`, count]),
          ),
        );
        logger.info(summary, 'reconciliation run');
      }),
    // A run may wait on many HeadObject calls; its lock must outlast it.
    options: { concurrency: 1, lockDuration: 5 * 60_000 },
  });
  // One scheduler for all worker processes: each tick is one job, taken by one of them. Awaited
  // for at most a few seconds: on the worker connection it waits for Redis, and a thaw started
  // while Redis is away must still serve /healthz and answer 503s; it completes once Redis is back.
  const scheduled = queues.maintenance
    .upsertJobScheduler(
      'reconcile',
      { every: config.requests.reconcileIntervalMs },
      { name: 'reconcile', data: { task: 'reconcile' } },
    )
    .then(() => true)
    .catch((error: unknown) => {
      logger.error({ err: error }, 'could not schedule reconciliation; the next start will try again');
      return true;
    });
  if (!(await raceTimeout(scheduled, 3000, () => false)))
    logger.warn('Redis is away: reconciliation is scheduled once it answers');
  shutdown.add('workers', async () => {
    await Promise.all([correlation.close(), notifications.close(), maintenance.close()]);
  });
}
