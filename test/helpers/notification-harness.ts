import { Queue } from 'bullmq';
import type { Worker } from 'bullmq';
import { S3Client } from '@aws-sdk/client-s3';
import type { Redis } from 'ioredis';
import { createRedisKeys, queuePrefix } from '../../src/keys';
import { createLogger } from '../../src/logger';
import { createDownloadLinks } from '../../src/notify/download-links';
import type { Mailer } from '../../src/notify/mailer';
import { createNotificationState } from '../../src/notify/notification-state';
import type { NotificationState } from '../../src/notify/notification-state';
import { createPresigner } from '../../src/notify/presigned-url';
import { singleClientS3 } from './wire-clients';
import { createSuppression } from '../../src/notify/suppression';
import type { Suppression } from '../../src/notify/suppression';
import { BUILT_IN_TEMPLATES_DIR, createTemplateRenderer } from '../../src/notify/template-renderer';
import { createMetrics } from '../../src/observability/metrics';
import type { Metrics } from '../../src/observability/metrics';
import { createNotificationProducer } from '../../src/queue/notification-producer';
import type { NotificationCause } from '../../src/queue/notification-producer';
import { QUEUE_NAMES } from '../../src/queue/queue-names';
import { startNotificationWorker } from '../../src/notify/start-notification-worker';
import type { NotificationJob } from '../../src/queue/queues';
import { NOTIFICATION_JOB_OPTIONS } from '../../src/queue/queues';
import type { RestoreStore } from '../../src/correlate/restore-store';
import type { NotificationKind } from '../../src/domain/restore-request';
import { spec, testStore } from './store';

export interface HarnessOptions {
  readonly redis: Redis;
  readonly workerRedis: Redis;
  readonly prefix: string;
  readonly mailer: Mailer;
  readonly maxSendRate?: number;
  readonly inDoubtMs?: number;
  readonly concurrency?: number;
}

/** The notification worker as main.ts wires it, over a test prefix, with a mailer of the test's choosing. */
export interface NotificationHarness {
  readonly store: RestoreStore;
  readonly state: NotificationState;
  readonly suppression: Suppression;
  readonly metrics: Metrics;
  readonly queue: Queue<NotificationJob, void, string>;
  readonly worker: Worker<NotificationJob, void, string>;
  /** Registers a one-object request already completed (HeadObject found it restored). */
  completedRequest(email: string, key?: string): Promise<string>;
  /** Decides and queues a notification, as correlation would (with the event that decided it). */
  notify(id: string, kind: NotificationKind, cause?: NotificationCause): Promise<void>;
  close(): Promise<void>;
}

export async function startNotificationHarness(options: HarnessOptions): Promise<NotificationHarness> {
  const keys = createRedisKeys(options.prefix);
  const store = testStore(options.redis, options.prefix);
  const state = createNotificationState(options.redis, keys);
  const suppression = createSuppression(options.redis, keys);
  const metrics = createMetrics({ collectDefaults: false });
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const queue = new Queue<NotificationJob, void, string>(QUEUE_NAMES.notifications, {
    connection: options.redis,
    prefix: queuePrefix(options.prefix, QUEUE_NAMES.notifications),
    defaultJobOptions: { ...NOTIFICATION_JOB_OPTIONS, backoff: { type: 'fixed', delay: 50 } },
  });
  const produce = createNotificationProducer(queue, store);
  const s3 = new S3Client({ region: 'us-east-1' });
  const notifications = startNotificationWorker({
    connection: options.workerRedis,
    prefix: options.prefix,
    deps: {
      state,
      links: createDownloadLinks({
        redis: options.redis,
        keys,
        presign: createPresigner({ s3: singleClientS3(s3) }),
        linkTtlSeconds: 604800,
        publicBaseUrl: undefined,
        retentionMs: 30 * 86400_000,
      }),
      renderer: createTemplateRenderer({ templatesDir: BUILT_IN_TEMPLATES_DIR }),
      mailer: options.mailer,
      from: 'restores@example.com',
      metrics,
      logger,
      inDoubtMs: options.inDoubtMs ?? 60_000,
      throttleBackoffMs: 200,
      onAccountProblem: async () => {
        await queue.pause();
        metrics.sendingPaused.set(1);
      },
    },
    options: {
      concurrency: options.concurrency ?? 4,
      limiter: { max: options.maxSendRate ?? 1000, duration: 1000 },
    },
  });
  return {
    store,
    state,
    suppression,
    metrics,
    queue,
    worker: notifications.worker,
    async completedRequest(email, key = `k/${Math.random().toString(36).slice(2)}.bin`) {
      const expiry = Date.now() + 5 * 86400_000;
      const registered = await store.register({
        spec: spec([{ bucket: 'archive', key, versionId: null }], {
          recipient: { email, locale: 'en', timeZone: 'UTC' },
        }),
        initial: [
          {
            status: 'completed',
            expectedDurationMs: 3600_000,
            expiry: { iso: new Date(expiry).toISOString(), ms: expiry },
            storageClass: 'GLACIER',
          },
        ],
        replaySince: Date.now(),
        firstDueAt: Date.now() + 86400_000,
      });
      return registered.id;
    },
    async notify(id, kind, cause) {
      await produce(id, [kind], cause);
    },
    async close() {
      await notifications.close();
      await queue.close();
      s3.destroy();
    },
  };
}
