import { UnrecoverableError, Worker } from 'bullmq';
import type { Job, Processor, Telemetry, WorkerOptions } from 'bullmq';
import type { RedisClient } from '../redis/redis-connection';
import { ThawError, toError } from '../errors';
import { queuePrefix } from '../keys';
import type { Logger } from '../logger';

/**
 * The job boundary: the one place that turns our errors into BullMQ's retry decisions. A
 * ThawError with `retryable: false` fails the job at once (UnrecoverableError); anything else is
 * retried with the queue's backoff. Every worker gets error and failure logging.
 */
export function runJob<T, R>(processor: (job: Job<T, R, string>) => Promise<R>): Processor<T, R, string> {
  return async (job) => {
    try {
      return await processor(job);
    } catch (thrown) {
      const error = toError(thrown);
      if (error instanceof ThawError && !error.retryable) {
        throw new UnrecoverableError(`${error.code}: ${error.message}`);
      }
      throw error;
    }
  };
}

export interface WorkerSetup<T, R> {
  readonly name: string;
  readonly connection: RedisClient;
  /** THAW_PREFIX; the queue's own hash-tagged prefix is made from it (keys.ts). */
  readonly prefix: string;
  readonly logger: Logger;
  readonly processor: (job: Job<T, R, string>) => Promise<R>;
  readonly options?: Partial<WorkerOptions>;
  /** BullMQ's telemetry option (queues.ts): each job is processed in the trace that queued it. */
  readonly telemetry?: Telemetry;
}

export function startWorker<T, R>(setup: WorkerSetup<T, R>): Worker<T, R, string> {
  const worker = new Worker<T, R, string>(setup.name, runJob(setup.processor), {
    connection: setup.connection,
    prefix: queuePrefix(setup.prefix, setup.name),
    ...(setup.telemetry ? { telemetry: setup.telemetry } : {}),
    ...setup.options,
  });
  worker.on('error', (error) => setup.logger.error({ err: error, queue: setup.name }, 'worker error'));
  worker.on('failed', (job, error) => {
    const final = !job || job.attemptsMade >= (job.opts.attempts ?? 1) || error instanceof UnrecoverableError;
    setup.logger[final ? 'error' : 'warn'](
      { err: error, queue: setup.name, jobId: job?.id, attempt: job?.attemptsMade },
      final ? 'job failed for good' : 'job failed; will retry',
    );
  });
  worker.on('stalled', (jobId) =>
    setup.logger.warn({ queue: setup.name, jobId }, 'job stalled; it will run again'),
  );
  return worker;
}
