import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/**
 * Signs SNS messages the way SNS does, for tests, the demo and `thaw simulate`. The string to sign
 * is built here from AWS's rule ("name-value pairs ... in byte-sort order", each `Name\nvalue\n`)
 * independently of the verifier's own builder, so a mistake in one cannot hide in the other.
 */
export type SignatureVersion = '1' | '2';

export interface UnsignedNotification {
  readonly Type: 'Notification';
  readonly MessageId?: string;
  readonly TopicArn: string;
  readonly Subject?: string | null;
  readonly Message: string;
  readonly Timestamp?: string;
}

export interface UnsignedConfirmation {
  readonly Type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  readonly MessageId?: string;
  readonly TopicArn: string;
  readonly Message?: string;
  readonly Timestamp?: string;
  readonly Token?: string;
  readonly SubscribeURL: string;
}

export type SignedSnsMessage = Record<string, string | null>;

const SIGNED_FIELDS = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  Confirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
} as const;

export interface Signer {
  readonly certUrl: string;
  sign(message: UnsignedNotification | UnsignedConfirmation, version?: SignatureVersion): SignedSnsMessage;
}

export function createSigner(privateKeyPem: string | KeyObject, certUrl: string): Signer {
  const key = typeof privateKeyPem === 'string' ? createPrivateKey(privateKeyPem) : privateKeyPem;
  return {
    certUrl,
    sign(message, version = '2') {
      const full: Record<string, string | null | undefined> = {
        MessageId: randomUUID(),
        Timestamp: new Date().toISOString(),
        ...message,
      };
      if (message.Type !== 'Notification') {
        full.Token ??= randomUUID().replace(/-/g, '');
        full.Message ??= `You have chosen to subscribe to the topic ${message.TopicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`;
      }
      const names = [
        ...(message.Type === 'Notification' ? SIGNED_FIELDS.Notification : SIGNED_FIELDS.Confirmation),
      ];
      const present = names.filter((name) => full[name] !== undefined && full[name] !== null).sort(byteOrder);
      const text = present.map((name) => `${name}\n${full[name] as string}\n`).join('');
      const signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(text, 'utf8'), key).toString(
        'base64',
      );
      const signed: SignedSnsMessage = {};
      for (const [name, value] of Object.entries(full)) if (value !== undefined) signed[name] = value;
      signed.SignatureVersion = version;
      signed.Signature = signature;
      signed.SigningCertURL = certUrl;
      if (message.Type === 'Notification') {
        signed.UnsubscribeURL = `${new URL(certUrl).origin}/?Action=Unsubscribe&SubscriptionArn=${message.TopicArn}:sim`;
      }
      return signed;
    },
  };
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The headers SNS sends with a message (docs/EVENTS.md#sns-envelopes). */
export function snsHeaders(message: SignedSnsMessage): Record<string, string> {
  return {
    'content-type': 'text/plain; charset=UTF-8',
    'x-amz-sns-message-type': String(message.Type),
    'x-amz-sns-message-id': String(message.MessageId),
    'x-amz-sns-topic-arn': String(message.TopicArn),
    'user-agent': 'Amazon Simple Notification Service Agent',
  };
}
