import type { RestoreEventKind } from '../domain/types';
import { eventBridgeMessage, s3NotificationMessage } from './restore-notifications';
import type { SimulatedRestore } from './restore-notifications';
import { snsHeaders } from './sns-signer';
import type { SignatureVersion, SignedSnsMessage, Signer } from './sns-signer';

export type EventForm = 's3' | 'eventbridge';

export interface DeliveryOptions {
  /** thaw's SNS endpoint, e.g. http://127.0.0.1:3000/sns */
  readonly url: string;
  readonly signer: Signer;
  readonly topicArn: string;
  readonly form?: EventForm;
  readonly signatureVersion?: SignatureVersion;
}

export interface DeliveryResult {
  readonly status: number;
  readonly body: string;
  readonly message: SignedSnsMessage;
}

/** Signs an SNS Notification carrying restore events, as S3 → SNS would publish it. */
export function restoreNotification(
  restores: readonly SimulatedRestore[],
  options: Pick<DeliveryOptions, 'signer' | 'topicArn' | 'form' | 'signatureVersion'>,
): SignedSnsMessage {
  const form = options.form ?? 's3';
  if (form === 'eventbridge' && restores.length !== 1) {
    throw new Error('an EventBridge event carries exactly one restore');
  }
  const message = form === 's3' ? s3NotificationMessage(restores) : eventBridgeMessage(restores[0]!);
  return options.signer.sign(
    {
      Type: 'Notification',
      TopicArn: options.topicArn,
      ...(form === 's3' ? { Subject: 'Amazon S3 Notification' } : {}),
      Message: message,
    },
    options.signatureVersion ?? '2',
  );
}

/** POSTs a signed SNS message the way SNS does (text/plain JSON with its x-amz-sns-* headers). */
export async function postSnsMessage(url: string, message: SignedSnsMessage): Promise<DeliveryResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: snsHeaders(message),
    body: JSON.stringify(message),
  });
  return { status: response.status, body: await response.text(), message };
}

export async function deliverRestore(
  kind: RestoreEventKind,
  restore: Omit<SimulatedRestore, 'kind'>,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  return postSnsMessage(options.url, restoreNotification([{ ...restore, kind }], options));
}
