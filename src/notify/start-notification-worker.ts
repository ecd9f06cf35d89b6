import type { Telemetry, Worker, WorkerOptions } from 'bullmq';
import type { RedisClient } from '../redis/redis-connection';
import { QUEUE_NAMES } from '../queue/queue-names';
import type { NotificationJob } from '../queue/queues';
import { startWorker } from '../queue/worker-boundary';
import { createNotificationProcessor } from './notification-worker';
import type { NotificationDeps } from './notification-worker';

export interface NotificationWorkerSetup {
  /** A worker connection (`maxRetriesPerRequest: null`); the caller owns and closes it. */
  readonly connection: RedisClient;
  readonly prefix: string;
  /** Everything the processor needs but the worker itself, which this function provides. */
  readonly deps: Omit<NotificationDeps, 'worker'>;
  /** Concurrency, lock duration, limiter (SES's MaxSendRate)... */
  readonly options?: Partial<WorkerOptions>;
  /** BullMQ's telemetry option, when traces are on. */
  readonly telemetry?: Telemetry;
}

export interface RunningNotificationWorker {
  readonly worker: Worker<NotificationJob, void, string>;
  /** Closes the worker (active jobs finish); afterwards the processor sees no worker. */
  close(): Promise<void>;
}

/**
 * Starts the worker of the notifications queue. The processor needs its own worker for BullMQ's
 * rate-limit mechanism (SES throttling), so the worker is handed to it once it exists.
 */
export function startNotificationWorker(setup: NotificationWorkerSetup): RunningNotificationWorker {
  let current: Worker<NotificationJob, void, string> | undefined;
  const worker = startWorker<NotificationJob, void>({
    name: QUEUE_NAMES.notifications,
    connection: setup.connection,
    prefix: setup.prefix,
    logger: setup.deps.logger,
    processor: createNotificationProcessor({ ...setup.deps, worker: () => current }),
    ...(setup.options ? { options: setup.options } : {}),
    ...(setup.telemetry ? { telemetry: setup.telemetry } : {}),
  });
  current = worker;
  return {
    worker,
    async close() {
      await current?.close();
      current = undefined;
    },
  };
}
