import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { ownField } from './own-field';
import { SnsVerificationError } from './sns-verification-error';

/**
 * The JSON body SNS posts to an HTTP/S subscription. Field names and the set of signed fields
 * per type follow the Amazon SNS Developer Guide ("Amazon SNS message and JSON formats"). Values
 * are kept exactly as JSON-decoded: the string to sign is built from them, so nothing here may
 * trim, normalise or re-serialise a signed value.
 */
export const SNS_MESSAGE_TYPES = [
  'Notification',
  'SubscriptionConfirmation',
  'UnsubscribeConfirmation',
] as const;
export type SnsMessageType = (typeof SNS_MESSAGE_TYPES)[number];

const commonFields = {
  MessageId: z.string().min(1).max(256),
  TopicArn: z.string().min(1).max(1024),
  Message: z.string(),
  Timestamp: z.string().min(1).max(64),
};

const signatureFields = z.object({
  SignatureVersion: z.string().min(1).max(8),
  Signature: z.string().min(1).max(8192),
  SigningCertURL: z.string().min(1).max(2048),
});

const notificationSchema = z.object({
  Type: z.literal('Notification'),
  ...commonFields,
  // Lambda-style deliveries write `"Subject": null`; either way it is left out of the string to sign.
  Subject: z.string().nullish(),
  UnsubscribeURL: z.string().optional(),
});

const confirmationSchema = z.object({
  Type: z.enum(['SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  ...commonFields,
  SubscribeURL: z.string().min(1).max(4096),
  Token: z.string().min(1).max(4096),
});

export type SnsSignature = z.infer<typeof signatureFields>;
export type SnsNotification = z.infer<typeof notificationSchema> & SnsSignature;
export type SnsConfirmation = z.infer<typeof confirmationSchema> & SnsSignature;
export type SnsMessage = SnsNotification | SnsConfirmation;

/**
 * Reads an SNS HTTP body. A body that is not an SNS message is a 400; an SNS message without a
 * usable signature is a 403 (the published "bad or missing signature").
 */
export function parseSnsBody(body: string, headerType: string | undefined): SnsMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (cause) {
    throw new InvalidInputError('not_json', 'body is not JSON', cause);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidInputError('not_sns_message', 'body is not a JSON object');
  }
  const type = ownField(parsed, 'Type');
  if (typeof type !== 'string' || !(SNS_MESSAGE_TYPES as readonly string[]).includes(type)) {
    throw new InvalidInputError('not_sns_message', 'body has no known SNS message Type');
  }
  if (headerType !== undefined && headerType !== type) {
    throw new InvalidInputError(
      'message_type_mismatch',
      `x-amz-sns-message-type header says ${headerType} but the body is a ${type}`,
    );
  }
  const schema = type === 'Notification' ? notificationSchema : confirmationSchema;
  const fields = schema.safeParse(parsed);
  if (!fields.success) {
    const issue = fields.error.issues[0];
    const where = issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid';
    throw new InvalidInputError('invalid_sns_message', `SNS ${type} is malformed (${where})`);
  }
  const signature = signatureFields.safeParse(parsed);
  if (!signature.success) {
    throw new SnsVerificationError('signature_missing', 'message has no usable signature fields');
  }
  return { ...fields.data, ...signature.data } as SnsMessage;
}

export function isNotification(message: SnsMessage): message is SnsNotification {
  return message.Type === 'Notification';
}
