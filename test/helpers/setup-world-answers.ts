import type { RecordedRequest, StandInAnswer } from './aws-stand-in';
import { s3ErrorXml } from './aws-stand-in';
import type { WorldState } from './setup-aws-world';
import { xml } from './setup-world-xml';

/**
 * The SQS and S3 sides of the setup stand-in, and STS's one answer; see setup-aws-world.ts for
 * the sources of each body.
 */

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** STS API Reference, GetCallerIdentity, Response Elements: Account, Arn, UserId. */
export function callerIdentity(account: string): string {
  return `<Arn>arn:aws:iam::${account}:user/operator</Arn><UserId>AIDACKCEVSQ6C2EXAMPLE</UserId><Account>${account}</Account>`;
}

export function answerSqs(
  operation: string,
  body: Record<string, unknown>,
  world: WorldState,
  endpoint: string,
): StandInAnswer {
  const json = (status: number, value: unknown, headers: Record<string, string> = {}): StandInAnswer => ({
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', ...headers },
    body: JSON.stringify(value),
  });
  const nameOf = (url: unknown): string => String(url).split('/').pop() ?? '';
  const name =
    operation === 'GetQueueUrl' || operation === 'CreateQueue'
      ? String(body['QueueName'])
      : nameOf(body['QueueUrl']);
  const queue = world.queues.get(name);
  const url = `${endpoint}/${world.account}/${name}`;
  const missing = (): StandInAnswer =>
    json(
      400,
      { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' },
      { 'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender' },
    );
  switch (operation) {
    case 'GetQueueUrl':
      return queue === undefined ? missing() : json(200, { QueueUrl: url });
    case 'GetQueueAttributes': {
      if (queue === undefined) return missing();
      const names = (body['AttributeNames'] as string[] | undefined) ?? [];
      const chosen = Object.entries(queue).filter(([key]) => names.includes('All') || names.includes(key));
      return json(200, { Attributes: Object.fromEntries(chosen) });
    }
    case 'CreateQueue':
      if (queue === undefined) {
        // New queues are encrypted with SSE-SQS unless told otherwise (SQS Developer Guide, "Encryption at rest").
        world.queues.set(name, {
          SqsManagedSseEnabled: 'true',
          ...(body['Attributes'] as Record<string, string> | undefined),
          QueueArn: `arn:aws:sqs:${world.region}:${world.account}:${name}`,
        });
      }
      return json(200, { QueueUrl: url });
    case 'SetQueueAttributes':
      if (queue === undefined) return missing();
      Object.assign(queue, body['Attributes']);
      return json(200, {});
    default:
      return json(400, { __type: 'com.amazon.coral.service#UnknownOperationException' });
  }
}

export function answerS3(operation: string, request: RecordedRequest, world: WorldState): StandInAnswer {
  const xmlAnswer = (body: string): StandInAnswer => ({
    ...xml(200, body),
    headers: { 'content-type': 'application/xml' },
  });
  switch (operation) {
    case 'GetBucketLocation':
      return xmlAnswer(
        world.bucketLocation === ''
          ? `<LocationConstraint xmlns="${S3_NS}"/>`
          : `<LocationConstraint xmlns="${S3_NS}">${world.bucketLocation}</LocationConstraint>`,
      );
    case 'GetBucketNotificationConfiguration':
      return world.notificationXml === undefined
        ? xmlAnswer(`<NotificationConfiguration xmlns="${S3_NS}"/>`)
        : { status: 200, headers: { 'content-type': 'application/xml' }, body: world.notificationXml };
    case 'PutBucketNotificationConfiguration':
      if (world.validationFailures > 0) {
        world.validationFailures -= 1;
        return {
          status: 400,
          headers: { 'content-type': 'application/xml' },
          body: s3ErrorXml('InvalidArgument', 'Unable to validate the following destination configurations'),
        };
      }
      world.notificationXml = request.body;
      return { status: 200 };
    default:
      return {
        status: 400,
        headers: { 'content-type': 'application/xml' },
        body: s3ErrorXml('InvalidRequest', `unexpected ${request.method} ${request.rawUrl}`),
      };
  }
}
