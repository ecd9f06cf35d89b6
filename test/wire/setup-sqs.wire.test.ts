import { formParams } from '../helpers/aws-stand-in';
import { BUCKET, CALLER_ACCOUNT, REGION, runSetupIn, startSetupWorld } from '../helpers/setup-aws-world';
import type { SetupWorld } from '../helpers/setup-aws-world';
import { resourcePolicyProblems } from '../helpers/attribute-shapes';
import { queryMap, wireProblems } from '../helpers/setup-wire-check';

/**
 * The dead-letter queue's SQS requests on the wire. Current SDKs speak AWS JSON 1.0 to SQS, so
 * each is `POST /` with `Content-Type: application/x-amz-json-1.0`, `X-Amz-Target:
 * AmazonSQS.<Operation>` and a JSON body (SQS Developer Guide, "Making query API requests using
 * AWS JSON protocol in Amazon SQS"), whose members are the SQS API Reference's "Request Syntax":
 * - GetQueueUrl: {QueueName}.
 * - GetQueueAttributes: {QueueUrl, AttributeNames: [...]}, names from the list on that page
 *   (QueueArn, Policy, KmsMasterKeyId).
 * - CreateQueue: {QueueName, Attributes: {Policy, MessageRetentionPeriod}}; values are strings,
 *   MessageRetentionPeriod 60..1,209,600 seconds.
 * - SetQueueAttributes: {QueueUrl, Attributes: {Policy}}.
 * The subscription's RedrivePolicy `{"deadLetterTargetArn": "<queue ARN>"}` (SNS API Reference,
 * Subscribe and SetSubscriptionAttributes, Request Parameters) must name the queue where it is:
 * in the caller's account, where CreateQueue made it (SNS Developer Guide, "Amazon SNS dead-letter
 * queues": the subscription and the queue "must be under the same AWS account and Region"). An
 * SSE-KMS queue must use a customer managed key SNS may use (same page), never alias/aws/sqs.
 */

const ENDPOINT = 'https://thaw.example.com/sns';
const ARGS = ['--bucket', BUCKET, '--endpoint', ENDPOINT, '--region', REGION, '--dlq'];
const TOPIC_ARN = `arn:aws:sns:${REGION}:${CALLER_ACCOUNT}:thaw-restore-events`;
const QUEUE_NAME = 'thaw-restore-events-dlq';
const QUEUE_ARN = `arn:aws:sqs:${REGION}:${CALLER_ACCOUNT}:${QUEUE_NAME}`;

let world: SetupWorld;
beforeEach(async () => {
  world = await startSetupWorld();
});
afterEach(async () => {
  await world.stop();
});

function sqsCalls(): Array<{ operation: string; target: unknown; contentType: unknown; body: unknown }> {
  return world
    .calls()
    .filter((call) => call.service === 'sqs')
    .map(({ operation, request }) => ({
      operation,
      target: request.headers['x-amz-target'],
      contentType: request.headers['content-type'],
      body: JSON.parse(request.body) as unknown,
    }));
}

function subscribeAttributes(): Record<string, string> {
  const subscribe = world.calls().find((call) => call.operation === 'Subscribe');
  return queryMap(formParams(subscribe?.request.body ?? ''), 'Attributes');
}

function existingQueue(attributes: Record<string, string> = {}): void {
  world.queues.set(QUEUE_NAME, { QueueArn: QUEUE_ARN, ...attributes });
}

describe('SQS requests of thaw setup --dlq on the wire', () => {
  it('looks the queue up, creates it with its policy and retention, and subscribes with its ARN', async () => {
    const { code } = await runSetupIn(world, ARGS);

    expect(code).toBe(0);
    expect(world.calls().flatMap(wireProblems)).toEqual([]);
    const [lookup, create, ...more] = sqsCalls();
    expect(more).toEqual([]);
    expect(lookup).toEqual({
      operation: 'GetQueueUrl',
      target: 'AmazonSQS.GetQueueUrl',
      contentType: 'application/x-amz-json-1.0',
      body: { QueueName: QUEUE_NAME },
    });
    expect(create?.target).toBe('AmazonSQS.CreateQueue');
    const body = create?.body as { QueueName: string; Attributes: Record<string, string> };
    expect(Object.keys(body)).toEqual(['QueueName', 'Attributes']);
    expect(body.QueueName).toBe(QUEUE_NAME);
    expect(Object.keys(body.Attributes).sort()).toEqual(['MessageRetentionPeriod', 'Policy']);
    expect(body.Attributes['MessageRetentionPeriod']).toBe('1209600');
    const policy = JSON.parse(body.Attributes['Policy'] ?? '') as unknown;
    expect(resourcePolicyProblems(policy)).toEqual([]);
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'thaw-allow-sns-thaw-restore-events',
          Effect: 'Allow',
          Principal: { Service: 'sns.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: QUEUE_ARN,
          Condition: { ArnEquals: { 'aws:SourceArn': TOPIC_ARN } },
        },
      ],
    });
    expect(JSON.parse(subscribeAttributes()['RedrivePolicy'] ?? '')).toEqual({
      deadLetterTargetArn: QUEUE_ARN,
    });
  });

  it("builds a new queue's ARN from the caller's account, not the topic's", async () => {
    const sharedTopic = `arn:aws:sns:${REGION}:444455556666:shared-restores`;
    world.topics.set(sharedTopic, { TopicArn: sharedTopic, Owner: '444455556666' });

    const { code } = await runSetupIn(world, [
      ...ARGS,
      '--topic-arn',
      sharedTopic,
      '--account-id',
      '444455556666',
    ]);

    expect(code).toBe(0);
    const expected = `arn:aws:sqs:${REGION}:${CALLER_ACCOUNT}:shared-restores-dlq`;
    expect(world.queues.get('shared-restores-dlq')?.['QueueArn']).toBe(expected);
    const create = sqsCalls().find((call) => call.operation === 'CreateQueue')?.body as {
      Attributes: Record<string, string>;
    };
    const policy = JSON.parse(create.Attributes['Policy'] ?? '') as {
      Statement: Array<{ Resource: string }>;
    };
    expect(policy.Statement[0]?.Resource).toBe(expected);
    expect(JSON.parse(subscribeAttributes()['RedrivePolicy'] ?? '')).toEqual({
      deadLetterTargetArn: expected,
    });
  });

  it("reads an existing queue's ARN, policy and key, and adds the topic's statement to its policy", async () => {
    const other = {
      Sid: 'ops-read',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${CALLER_ACCOUNT}:role/ops` },
      Action: 'sqs:ReceiveMessage',
      Resource: QUEUE_ARN,
    };
    existingQueue({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [other] }) });

    const { code } = await runSetupIn(world, ARGS);

    expect(code).toBe(0);
    expect(world.calls().flatMap(wireProblems)).toEqual([]);
    const url = `${world.endpoint}/${CALLER_ACCOUNT}/${QUEUE_NAME}`;
    const [lookup, read, write, ...more] = sqsCalls();
    expect(more).toEqual([]);
    expect(lookup?.body).toEqual({ QueueName: QUEUE_NAME });
    expect(read).toMatchObject({
      target: 'AmazonSQS.GetQueueAttributes',
      body: { QueueUrl: url, AttributeNames: ['QueueArn', 'Policy', 'KmsMasterKeyId'] },
    });
    expect(write?.target).toBe('AmazonSQS.SetQueueAttributes');
    const body = write?.body as { QueueUrl: string; Attributes: Record<string, string> };
    expect(Object.keys(body)).toEqual(['QueueUrl', 'Attributes']);
    expect(Object.keys(body.Attributes)).toEqual(['Policy']);
    const statements = (JSON.parse(body.Attributes['Policy'] ?? '') as { Statement: Array<{ Sid: string }> })
      .Statement;
    expect(statements.map((statement) => statement.Sid)).toEqual([
      'ops-read',
      'thaw-allow-sns-thaw-restore-events',
    ]);
    // The queue's ARN came from SQS: no need to ask STS.
    expect(world.calls().some((call) => call.service === 'sts')).toBe(false);
  });

  it.each([['alias/aws/sqs'], [`arn:aws:kms:${REGION}:${CALLER_ACCOUNT}:alias/aws/sqs`]])(
    'refuses a queue encrypted with the AWS managed key (%s), before any write',
    async (key) => {
      world.topics.set(TOPIC_ARN, { TopicArn: TOPIC_ARN, Owner: CALLER_ACCOUNT });
      existingQueue({ KmsMasterKeyId: key });

      const { code, output } = await runSetupIn(world, ARGS);

      expect(code).toBe(1);
      expect(output).toContain(`queue ${QUEUE_NAME} is encrypted with the AWS managed key ${key}`);
      expect(output).toContain('SSE-SQS (SqsManagedSseEnabled=true)');
      expect(output).toContain('customer managed KMS key whose key policy lets sns.amazonaws.com');
      expect(world.calls().filter((call) => /^(Create|Set|Put|Subscribe)/.test(call.operation))).toEqual([]);
    },
  );

  it('accepts a customer managed key and says what its policy needs', async () => {
    const key = `arn:aws:kms:${REGION}:${CALLER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    existingQueue({ KmsMasterKeyId: key });

    const { code, output } = await runSetupIn(world, ARGS);

    expect(code).toBe(0);
    expect(output).toContain(`Warning: queue ${QUEUE_NAME} is encrypted with KMS key ${key}`);
  });

  it('adds the RedrivePolicy to a confirmed subscription made without it', async () => {
    expect((await runSetupIn(world, ARGS.slice(0, -1))).code).toBe(0);
    const subscription = world.subscriptions[0];
    if (subscription) subscription.confirmed = true;
    world.clear();

    expect((await runSetupIn(world, ARGS)).code).toBe(0);

    expect(world.calls().flatMap(wireProblems)).toEqual([]);
    const writes = world
      .calls()
      .filter((call) => call.operation === 'SetSubscriptionAttributes')
      .map((call) => formParams(call.request.body));
    expect(writes).toEqual([
      {
        Action: 'SetSubscriptionAttributes',
        Version: '2010-03-31',
        SubscriptionArn: subscription?.arn,
        AttributeName: 'RedrivePolicy',
        AttributeValue: JSON.stringify({ deadLetterTargetArn: QUEUE_ARN }),
      },
    ]);
  });

  it('sends no SQS write the second time', async () => {
    expect((await runSetupIn(world, ARGS)).code).toBe(0);
    world.clear();

    expect((await runSetupIn(world, ARGS)).code).toBe(0);

    expect(sqsCalls().map((call) => call.operation)).toEqual(['GetQueueUrl', 'GetQueueAttributes']);
  });
});
