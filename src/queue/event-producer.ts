import type { Queue } from 'bullmq';
import { contentId } from '../domain/content-id';
import type { QueuedRestoreEvent, RestoreEvent } from '../domain/types';
import { UnavailableError, toError } from '../errors';
import type { ConfirmReplicated } from '../redis/replica-confirmation';
import { raceTimeout } from '../timeout';

export type RestoreEventQueue = Queue<QueuedRestoreEvent, void, string>;

export interface EventProducerOptions {
  readonly queue: RestoreEventQueue;
  /** How long a content-identical event is refused after the first, in seconds (≥ SNS's retry horizon). */
  readonly dedupeTtlSeconds: number;
  /** Longest wait for Redis before answering 503, in milliseconds. */
  readonly timeoutMs: number;
  /** REDIS_WAIT_REPLICAS: the jobs are durable only once replicas hold them; absent: at once. */
  readonly confirmReplicated?: ConfirmReplicated;
}

export type EnqueueRestoreEvents = (
  events: readonly RestoreEvent[],
  snsMessageId: string | null,
) => Promise<void>;

/**
 * The job id of a restore event, from its content alone: an SNS redelivery (same MessageId) and an
 * S3 duplicate (new MessageId, same event) map to the same id. BullMQ ids may not contain `:` or be
 * all digits, hence a prefixed digest.
 */
export function restoreEventJobId(event: RestoreEvent): string {
  return contentId('ev', [
    event.bucket,
    event.key,
    event.versionId ?? 'null',
    event.kind,
    event.sequencer ?? '',
    event.eventTime,
  ]);
}

/**
 * Makes restore events durable in one Redis round trip. The job id stops duplicates while the job
 * waits or runs (a finished one is deleted at once); BullMQ's throttle-mode deduplication key
 * (`{<prefix>:restore-events}:restore-events:de:<id>`, with a TTL) keeps stopping them for
 * `dedupeTtlSeconds` after the job is gone. Both are
 * written by BullMQ's own add script, so there is no window between "seen" and "queued".
 * Resolves only once Redis has the jobs (and, with REDIS_WAIT_REPLICAS, its replicas do); rejects
 * with UnavailableError (→ 503, SNS retries) otherwise. A retried delivery whose jobs did reach Redis
 * adds nothing and waits for the replicas again.
 */
export function createEventProducer(options: EventProducerOptions): EnqueueRestoreEvents {
  const ttl = options.dedupeTtlSeconds * 1000;
  return async (events, snsMessageId) => {
    const receivedAt = new Date().toISOString();
    const jobs = events.map((event) => {
      const jobId = restoreEventJobId(event);
      return {
        name: event.kind,
        data: { event, snsMessageId, receivedAt },
        opts: { jobId, deduplication: { id: jobId, ttl } },
      };
    });
    const write: Promise<unknown> =
      jobs.length === 1 && jobs[0]
        ? options.queue.add(jobs[0].name, jobs[0].data, jobs[0].opts)
        : options.queue.addBulk(jobs);
    await withTimeout(write, options.timeoutMs);
    await options.confirmReplicated?.(options.queue.toKey('id'));
  };
}

/** A write that loses the race may still fail later; raceTimeout swallows that, the 503 answered it. */
async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  try {
    return await raceTimeout(work, timeoutMs, (): never => {
      throw new UnavailableError('redis_unavailable', `Redis did not answer within ${timeoutMs} ms`);
    });
  } catch (error) {
    if (error instanceof UnavailableError) throw error;
    throw new UnavailableError(
      'redis_unavailable',
      `could not queue the event: ${toError(error).message}`,
      error,
    );
  }
}
