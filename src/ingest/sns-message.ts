import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { ownField } from './own-field';
import { SnsVerificationError } from './sns-verification-error';
import { UNSURE, boundedString, fastField } from './fast-field';

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
  return readSnsBody(body, headerType, true);
}

/**
 * The same as parseSnsBody but always through the zod schemas: the reference the fast path is
 * tested against (test/unit/ingest-fast-parse.test.ts). Not for production callers.
 */
export function parseSnsBodyWithSchema(body: string, headerType: string | undefined): SnsMessage {
  return readSnsBody(body, headerType, false);
}

function readSnsBody(body: string, headerType: string | undefined, fast: boolean): SnsMessage {
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
  if (fast) {
    const message = readSnsFieldsFast(parsed, type as SnsMessageType);
    if (message !== undefined) return message;
  }
  return readSnsFieldsWithSchema(parsed, type as SnsMessageType);
}

function readSnsFieldsWithSchema(parsed: object, type: SnsMessageType): SnsMessage {
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

/**
 * The common valid case skips zod: a CPU profile of the api process put zod and these parsers at
 * ~10% of its CPU per notification (parseSnsBody + parseRestoreMessage measured ~15 µs a typical
 * body before, ~8 µs after). This accepts only what notificationSchema/confirmationSchema
 * plus signatureFields accept, and builds the same object they do (shape key order, unknown keys
 * dropped, absent optional keys left out, `Subject: null` kept). Anything unusual answers
 * `undefined` and takes the schema path, so every error reads exactly as before.
 * Exported for the equivalence tests only.
 */
export function readSnsFieldsFast(parsed: object, type: SnsMessageType): SnsMessage | undefined {
  const messageId = fastField(parsed, 'MessageId');
  const topicArn = fastField(parsed, 'TopicArn');
  const message = fastField(parsed, 'Message');
  const timestamp = fastField(parsed, 'Timestamp');
  const signatureVersion = fastField(parsed, 'SignatureVersion');
  const signature = fastField(parsed, 'Signature');
  const signingCertUrl = fastField(parsed, 'SigningCertURL');
  if (
    !boundedString(messageId, 256) ||
    !boundedString(topicArn, 1024) ||
    typeof message !== 'string' ||
    !boundedString(timestamp, 64) ||
    !boundedString(signatureVersion, 8) ||
    !boundedString(signature, 8192) ||
    !boundedString(signingCertUrl, 2048)
  ) {
    return undefined;
  }
  if (type === 'Notification') {
    const subject = fastField(parsed, 'Subject');
    const unsubscribeUrl = fastField(parsed, 'UnsubscribeURL');
    // Subject is nullish (absent, null or a string); UnsubscribeURL is optional (absent or a string).
    if (subject === UNSURE || (subject !== undefined && subject !== null && typeof subject !== 'string')) {
      return undefined;
    }
    if (unsubscribeUrl !== undefined && typeof unsubscribeUrl !== 'string') return undefined;
    // Key order as zod builds it: the shape's order, then the signature fields.
    const result: Record<string, unknown> = {
      Type: type,
      MessageId: messageId,
      TopicArn: topicArn,
      Message: message,
      Timestamp: timestamp,
    };
    if (subject !== undefined) result.Subject = subject;
    if (unsubscribeUrl !== undefined) result.UnsubscribeURL = unsubscribeUrl;
    result.SignatureVersion = signatureVersion;
    result.Signature = signature;
    result.SigningCertURL = signingCertUrl;
    return result as SnsMessage;
  }
  const subscribeUrl = fastField(parsed, 'SubscribeURL');
  const token = fastField(parsed, 'Token');
  if (!boundedString(subscribeUrl, 4096) || !boundedString(token, 4096)) return undefined;
  return {
    Type: type,
    MessageId: messageId,
    TopicArn: topicArn,
    Message: message,
    Timestamp: timestamp,
    SubscribeURL: subscribeUrl,
    Token: token,
    SignatureVersion: signatureVersion,
    Signature: signature,
    SigningCertURL: signingCertUrl,
  };
}

export function isNotification(message: SnsMessage): message is SnsNotification {
  return message.Type === 'Notification';
}
