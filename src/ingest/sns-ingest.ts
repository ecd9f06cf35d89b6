import { ThawError, UnavailableError, toError } from '../errors';
import type { Metrics } from '../observability/metrics';
import { describeActiveSpan, inSpan } from '../observability/spans';
import type { RestoreEvent } from '../domain/types';
import { parseRestoreMessage } from './restore-message';
import { isNotification, parseSnsBody } from './sns-message';
import type { SnsMessage, SnsNotification } from './sns-message';
import type { SnsVerifier } from './sns-verifier';
import { SnsVerificationError } from './sns-verification-error';
import type { ConfirmSubscription } from './subscription';

/**
 * Where ingest hands decoded restore events on: the queue's event producer implements it. Declared
 * here so ingest does not import the queue (ingest sits below queue in docs/ARCHITECTURE.md).
 */
export type EnqueueRestoreEvents = (
  events: readonly RestoreEvent[],
  snsMessageId: string | null,
) => Promise<void>;

export type SnsOutcome = 'queued' | 'ignored' | 'test_event' | 'confirmed' | 'unsubscribed' | 'feedback';

export interface SnsIngestResult {
  readonly outcome: SnsOutcome;
  readonly type: string;
  readonly messageId: string;
  readonly topicArn: string;
  /** How many restore events the message carried (each queued once, duplicates absorbed). */
  readonly events: number;
}

export interface SnsIngestDeps {
  readonly verify: SnsVerifier;
  readonly confirmSubscription: ConfirmSubscription;
  readonly enqueueRestoreEvents: EnqueueRestoreEvents;
  readonly eventBridgeKeysUrlEncoded: boolean;
  readonly metrics: Metrics;
  /** Topics carrying SES bounce/complaint/send feedback instead of S3 events. */
  readonly feedbackTopicArns?: readonly string[];
  /** Handles the `Message` of a notification from a feedback topic (suppression, send evidence). */
  readonly handleFeedback?: (message: string) => Promise<void>;
}

export type SnsIngest = (body: string, headerType: string | undefined) => Promise<SnsIngestResult>;

/**
 * The whole front door, without HTTP: parse → verify → confirm or normalise → enqueue. Resolves
 * only once every event is durable; throws a ThawError whose httpStatus tells SNS whether to retry.
 */
export function createSnsIngest(deps: SnsIngestDeps): SnsIngest {
  const { metrics } = deps;
  const feedbackTopics = new Set(deps.feedbackTopicArns ?? []);
  return async (body, headerType) => {
    let message: SnsMessage | undefined;
    try {
      message = parseSnsBody(body, headerType);
      const parsed = message;
      await inSpan(
        'sns.verify',
        {
          'messaging.message.id': parsed.MessageId,
          'sns.type': parsed.Type,
          'sns.topic_arn': parsed.TopicArn,
          'sns.signature_version': parsed.SignatureVersion,
        },
        () => deps.verify(parsed),
      );
      const result = isNotification(message)
        ? await handleNotification(message)
        : await handleConfirmation(message);
      metrics.snsMessages.inc({ type: message.Type, outcome: result.outcome });
      describeActiveSpan({ 'sns.outcome': result.outcome, 'thaw.events': result.events });
      return result;
    } catch (error) {
      if (error instanceof SnsVerificationError)
        metrics.snsVerificationFailures.inc({ reason: error.reason });
      metrics.snsMessages.inc({ type: message?.Type ?? 'unknown', outcome: failureOutcome(error) });
      throw error;
    }
  };

  async function handleConfirmation(
    message: SnsMessage & { SubscribeURL: string },
  ): Promise<SnsIngestResult> {
    const base = { type: message.Type, messageId: message.MessageId, topicArn: message.TopicArn, events: 0 };
    if (message.Type === 'UnsubscribeConfirmation') {
      // Visiting its SubscribeURL would re-subscribe: acknowledge and leave it to a human.
      return { ...base, outcome: 'unsubscribed' };
    }
    await deps.confirmSubscription(message as Parameters<ConfirmSubscription>[0]);
    return { ...base, outcome: 'confirmed' };
  }

  async function handleNotification(message: SnsNotification): Promise<SnsIngestResult> {
    const base = { type: message.Type, messageId: message.MessageId, topicArn: message.TopicArn };
    if (feedbackTopics.has(message.TopicArn) && deps.handleFeedback) {
      try {
        await deps.handleFeedback(message.Message);
      } catch (error) {
        // Recording feedback writes to Redis: a Redis that is away is a 503, so SNS retries.
        if (error instanceof ThawError) throw error;
        throw new UnavailableError(
          'redis_unavailable',
          `could not record the SES feedback: ${toError(error).message}`,
          error,
        );
      }
      return { ...base, outcome: 'feedback', events: 0 };
    }
    const parsed = parseRestoreMessage(message.Message, deps.eventBridgeKeysUrlEncoded);
    if (parsed.kind === 'test-event') {
      metrics.s3Events.inc({ event: 's3:TestEvent', outcome: 'ignored' });
      return { ...base, outcome: 'test_event', events: 0 };
    }
    for (const name of parsed.ignored) metrics.s3Events.inc({ event: name, outcome: 'ignored' });
    if (parsed.kind === 'ignored') return { ...base, outcome: 'ignored', events: 0 };

    const stop = metrics.enqueueDuration.startTimer();
    try {
      await deps.enqueueRestoreEvents(parsed.events, message.MessageId);
      stop({ outcome: 'ok' });
    } catch (error) {
      stop({ outcome: 'error' });
      throw error;
    }
    for (const event of parsed.events) metrics.s3Events.inc({ event: event.kind, outcome: 'queued' });
    return { ...base, outcome: 'queued', events: parsed.events.length };
  }
}

function failureOutcome(error: unknown): string {
  if (!(error instanceof ThawError)) return 'error';
  if (error.httpStatus === 403) return 'refused';
  if (error.httpStatus === 400) return 'invalid';
  if (error.httpStatus === 503) return 'unavailable';
  return 'error';
}
