import { z } from 'zod';
import { InvalidInputError } from '../errors';

/**
 * What a bounce or complaint notification from SES means for thaw: stop mailing these addresses
 * (`suppress`), or nothing to do (`ignore`: deliveries, soft bounces, opens, ...).
 */
export type SesFeedback =
  | {
      readonly kind: 'suppress';
      readonly reason: 'bounce' | 'complaint';
      /** Lower-cased, trimmed, without duplicates. */
      readonly addresses: string[];
      /** e.g. `Permanent/General`, `complaint abuse`: for logs, never shown to customers. */
      readonly detail: string;
    }
  | {
      /**
       * SES accepted a message (configuration-set event publishing, `eventType: Send`). Its tags
       * name the notification, which settles a send whose outcome thaw did not see (a crash
       * between SES accepting it and thaw recording it).
       */
      readonly kind: 'sent';
      readonly messageId: string;
      readonly tags: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'ignore'; readonly reason: string };

/**
 * Both shapes SES publishes to SNS share the `mail` object and the `bounce` / `complaint` objects;
 * they differ in the name of the type field: `notificationType` for identity feedback
 * notifications, `eventType` for configuration-set event publishing. SES reserves the right to add
 * fields, so every object is parsed loosely.
 */
const envelopeSchema = z.union([
  z.object({ notificationType: z.string().min(1), mail: z.object({ messageId: z.string() }) }),
  z.object({ eventType: z.string().min(1), mail: z.object({ messageId: z.string() }) }),
]);

const recipientsSchema = z.array(z.object({ emailAddress: z.string().trim().min(1) })).min(1);

const bounceSchema = z.object({
  bounce: z.object({
    // Kept as a string, not an enum: a bounce type SES adds later is ignored, not refused (SNS
    // drops a message answered with 4xx, so refusing would lose it for good).
    bounceType: z.string(),
    bounceSubType: z.string().optional(),
    bouncedRecipients: recipientsSchema,
  }),
});

const complaintSchema = z.object({
  complaint: z.object({
    complainedRecipients: recipientsSchema,
    // Absent when the feedback loop sends no ARF report (e.g. some ISPs, OnAccountSuppressionList).
    complaintFeedbackType: z.string().optional(),
    complaintSubType: z.string().nullish(),
  }),
});

/**
 * Reads the `Message` of an SNS notification published by SES. Permanent bounces and every
 * complaint suppress their recipients; SES has already given up on them, or the person asked
 * us to stop. Transient and undetermined bounces are ignored: SES retried them itself and the
 * address may work next time. Anything that is not SES feedback JSON is InvalidInputError
 * (`not_ses_feedback`).
 */
export function parseSesFeedback(message: string): SesFeedback {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch (cause) {
    throw new InvalidInputError('not_ses_feedback', 'SES feedback Message is not JSON', cause);
  }
  // SES publishes this once, when a topic is first attached to an identity; it carries no `mail`.
  if (isRecord(value) && value.notificationType === 'AmazonSnsSubscriptionSucceeded') {
    return { kind: 'ignore', reason: 'AmazonSnsSubscriptionSucceeded' };
  }
  const envelope = envelopeSchema.safeParse(value);
  if (!envelope.success) {
    throw new InvalidInputError(
      'not_ses_feedback',
      'Message is not SES feedback: no notificationType/eventType with a mail object',
    );
  }
  const type = 'notificationType' in envelope.data ? envelope.data.notificationType : envelope.data.eventType;
  if (type === 'Bounce') return fromBounce(value);
  if (type === 'Send' && 'eventType' in envelope.data) return fromSend(value);
  if (type === 'Complaint') return fromComplaint(value);
  return { kind: 'ignore', reason: type.slice(0, 64) };
}

/**
 * What SES reported, for `thaw_ses_feedback_events_total` and from it the bounce and complaint
 * rates SES reviews accounts by (SES counts permanent bounces only).
 */
export function feedbackEvent(
  feedback: SesFeedback,
): 'hard_bounce' | 'soft_bounce' | 'complaint' | 'send' | 'other' {
  if (feedback.kind === 'suppress') return feedback.reason === 'bounce' ? 'hard_bounce' : 'complaint';
  if (feedback.kind === 'sent') return 'send';
  return feedback.reason.startsWith(SOFT_BOUNCE) ? 'soft_bounce' : 'other';
}

/** How an ignored (not permanent) bounce's reason starts. */
const SOFT_BOUNCE = 'bounce ';

function fromBounce(value: unknown): SesFeedback {
  const { bounce } = parseOrThrow(bounceSchema, value, 'Bounce');
  const detail = `${bounce.bounceType}/${bounce.bounceSubType ?? 'Unknown'}`.slice(0, 128);
  if (bounce.bounceType !== 'Permanent') return { kind: 'ignore', reason: `${SOFT_BOUNCE}${detail}` };
  return { kind: 'suppress', reason: 'bounce', addresses: normalise(bounce.bouncedRecipients), detail };
}

function fromComplaint(value: unknown): SesFeedback {
  const { complaint } = parseOrThrow(complaintSchema, value, 'Complaint');
  const type = complaint.complaintFeedbackType ?? complaint.complaintSubType ?? 'unspecified';
  return {
    kind: 'suppress',
    reason: 'complaint',
    addresses: normalise(complaint.complainedRecipients),
    detail: `complaint ${type}`.slice(0, 128),
  };
}

const sendSchema = z.object({
  mail: z.object({
    messageId: z.string().min(1),
    // Event publishing gives each tag as a list of values.
    tags: z.record(z.string(), z.array(z.string())).optional(),
  }),
});

function fromSend(value: unknown): SesFeedback {
  const { mail } = parseOrThrow(sendSchema, value, 'Send');
  const tags: Record<string, string> = {};
  for (const [name, values] of Object.entries(mail.tags ?? {}))
    if (values[0] !== undefined) tags[name] = values[0];
  return { kind: 'sent', messageId: mail.messageId, tags };
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, type: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue ? `${issue.path.join('.')} ${issue.message}` : 'invalid';
  throw new InvalidInputError('not_ses_feedback', `SES ${type} notification is malformed: ${where}`);
}

function normalise(recipients: ReadonlyArray<{ emailAddress: string }>): string[] {
  return [...new Set(recipients.map((recipient) => recipient.emailAddress.trim().toLowerCase()))];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
