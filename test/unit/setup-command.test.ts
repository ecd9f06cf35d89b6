import {
  GetBucketLocationCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { NotificationConfiguration } from '@aws-sdk/client-s3';
import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  NotFoundException,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { runSetup } from '../../src/cli/setup-command';
import { createSetupClients, destroySetupClients } from '../../src/setup/setup-clients';

/**
 * `thaw setup` against a small in-memory AWS account: the mocked write calls change the state the
 * mocked read calls return, so a second run sees what the first one did.
 */

const ACCOUNT = '111122223333';
const BUCKET = 'acme-archive';
const ENDPOINT = 'https://thaw.example.com/sns';
const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:thaw-restore-events`;
const SUBSCRIPTION_ARN = `${TOPIC_ARN}:5b1e4c1a-3f0e-4a8e-9a51-0c2d7d7f1a11`;
const QUEUE_URL = `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/thaw-restore-events-dlq`;
const QUEUE_ARN = `arn:aws:sqs:us-east-1:${ACCOUNT}:thaw-restore-events-dlq`;
const ARGS = ['--bucket', BUCKET, '--endpoint', ENDPOINT, '--region', 'us-east-1'];
const WRITE = /^(Create|Set|Put|Subscribe|Delete|Unsubscribe|Add|Remove)/;

const THAW_STATEMENT = {
  Sid: 'thaw-allow-s3-acme-archive',
  Effect: 'Allow',
  Principal: { Service: 's3.amazonaws.com' },
  Action: 'SNS:Publish',
  Resource: TOPIC_ARN,
  Condition: {
    ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::acme-archive' },
    StringEquals: { 'aws:SourceAccount': ACCOUNT },
  },
};
const OWNER_STATEMENT = {
  Sid: '__default_statement_ID',
  Effect: 'Allow',
  Principal: { AWS: '*' },
  Action: ['SNS:GetTopicAttributes', 'SNS:Subscribe'],
  Resource: TOPIC_ARN,
  Condition: { StringEquals: { 'AWS:SourceOwner': ACCOUNT } },
};
const RETRY = {
  numRetries: 100,
  numNoDelayRetries: 3,
  minDelayTarget: 1,
  maxDelayTarget: 36,
  numMinDelayRetries: 2,
  numMaxDelayRetries: 85,
  backoffFunction: 'exponential',
};
const THROTTLE = { maxReceivesPerSecond: 50 };
const REQUEST = { headerContentType: 'text/plain; charset=UTF-8' };

interface FakeSubscription {
  confirmed: boolean;
  endpoint: string;
  attributes: Record<string, string>;
}

interface FakeAccount {
  topics: Map<string, Record<string, string>>;
  subscriptions: FakeSubscription[];
  notification: NotificationConfiguration;
  queues: Map<string, Record<string, string>>;
}

const sns = mockClient(SNSClient);
const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);
const sts = mockClient(STSClient);
const clients = createSetupClients({ region: 'us-east-1' });
let account: FakeAccount;

/** SNS gives a subscription's DeliveryPolicy back with keys it fills in, in its own order. */
function asSnsStores(attributes: Record<string, string> = {}): Record<string, string> {
  const text = attributes['DeliveryPolicy'];
  if (text === undefined) return { ...attributes };
  const { healthyRetryPolicy, ...rest } = JSON.parse(text) as Record<string, unknown>;
  const stored = { guaranteed: false, sicklyRetryPolicy: null, ...rest, healthyRetryPolicy };
  return { ...attributes, DeliveryPolicy: JSON.stringify(stored) };
}

function topicPolicy(...statements: unknown[]): string {
  return JSON.stringify({ Version: '2008-10-17', Id: '__default_policy_ID', Statement: statements });
}

beforeEach(() => {
  sns.reset();
  s3.reset();
  sqs.reset();
  sts.reset();
  account = { topics: new Map(), subscriptions: [], notification: {}, queues: new Map() };
  const copy = <T>(value: T): T => structuredClone(value);

  s3.on(GetBucketLocationCommand).resolves({});
  s3.on(GetBucketNotificationConfigurationCommand).callsFake(() => ({
    ...copy(account.notification),
    $metadata: { httpStatusCode: 200, requestId: 'R1' },
  }));
  s3.on(PutBucketNotificationConfigurationCommand).callsFake((input) => {
    account.notification = copy(input.NotificationConfiguration);
    return {};
  });

  sns
    .on(ListTopicsCommand)
    .callsFake(() => ({ Topics: [...account.topics.keys()].map((TopicArn) => ({ TopicArn })) }));
  sns.on(CreateTopicCommand).callsFake((input) => {
    const arn = `arn:aws:sns:us-east-1:${ACCOUNT}:${input.Name}`;
    if (!account.topics.has(arn)) {
      account.topics.set(arn, { TopicArn: arn, Owner: ACCOUNT, Policy: topicPolicy(OWNER_STATEMENT) });
    }
    return { TopicArn: arn };
  });
  sns.on(GetTopicAttributesCommand).callsFake((input) => {
    const attributes = account.topics.get(input.TopicArn);
    if (!attributes)
      throw new NotFoundException({ message: 'Topic does not exist', $metadata: { httpStatusCode: 404 } });
    return { Attributes: copy(attributes) };
  });
  sns.on(SetTopicAttributesCommand).callsFake((input) => {
    let value: string = input.AttributeValue;
    if (input.AttributeName === 'DeliveryPolicy') {
      // SNS stores the policy with the defaults it fills in: the comparison must tolerate them.
      const policy = JSON.parse(value) as { http: Record<string, unknown> };
      value = JSON.stringify({ http: { disableSubscriptionOverrides: false, ...policy.http } });
    }
    (account.topics.get(input.TopicArn) ?? {})[input.AttributeName] = value;
    return {};
  });
  sns.on(ListSubscriptionsByTopicCommand).callsFake(() => ({
    Subscriptions: account.subscriptions.map((item) => ({
      SubscriptionArn: item.confirmed ? SUBSCRIPTION_ARN : 'PendingConfirmation',
      Protocol: 'https',
      Endpoint: item.endpoint,
      TopicArn: TOPIC_ARN,
      Owner: ACCOUNT,
    })),
  }));
  sns.on(SubscribeCommand).callsFake((input) => {
    const attributes = { ...asSnsStores(input.Attributes), TopicArn: TOPIC_ARN, RawMessageDelivery: 'false' };
    account.subscriptions.push({ confirmed: false, endpoint: input.Endpoint, attributes });
    return { SubscriptionArn: SUBSCRIPTION_ARN };
  });
  sns
    .on(GetSubscriptionAttributesCommand)
    .callsFake(() => ({ Attributes: copy(account.subscriptions[0]?.attributes) }));
  sns.on(SetSubscriptionAttributesCommand).callsFake((input) => {
    const subscription = account.subscriptions[0];
    if (subscription) subscription.attributes[input.AttributeName] = input.AttributeValue;
    return {};
  });

  sqs.on(GetQueueUrlCommand).callsFake((input) => {
    if (!account.queues.has(input.QueueName)) {
      throw new QueueDoesNotExist({
        message: 'The specified queue does not exist.',
        $metadata: { httpStatusCode: 400 },
      });
    }
    return { QueueUrl: QUEUE_URL };
  });
  sqs
    .on(GetQueueAttributesCommand)
    .callsFake(() => ({ Attributes: copy(account.queues.values().next().value) }));
  sqs.on(CreateQueueCommand).callsFake((input) => {
    account.queues.set(input.QueueName, { ...input.Attributes, QueueArn: QUEUE_ARN });
    return { QueueUrl: QUEUE_URL };
  });
  sqs.on(SetQueueAttributesCommand).callsFake((input) => {
    Object.assign(account.queues.values().next().value ?? {}, input.Attributes);
    return {};
  });

  sts.on(GetCallerIdentityCommand).resolves({
    Account: ACCOUNT,
    Arn: `arn:aws:iam::${ACCOUNT}:user/operator`,
    UserId: 'AIDACKCEVSQ6C2EXAMPLE',
  });
});

afterAll(() => {
  sns.restore();
  s3.restore();
  sqs.restore();
  sts.restore();
  destroySetupClients(clients);
});

async function setup(...extra: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runSetup([...ARGS, ...extra], { out: (line) => lines.push(line) }, clients);
  return { code, lines };
}

function callNames(): string[] {
  return [...sns.calls(), ...s3.calls(), ...sqs.calls(), ...sts.calls()].map(
    (call) => call.args[0].constructor.name,
  );
}

function inputsOf<T>(
  stub: { commandCalls: (command: T) => Array<{ args: [{ input: unknown }] }> },
  command: T,
): unknown[] {
  return stub.commandCalls(command).map((call) => call.args[0].input);
}

function resetHistory(): void {
  sns.resetHistory();
  s3.resetHistory();
  sqs.resetHistory();
  sts.resetHistory();
}

describe('thaw setup on a fresh account', () => {
  it('creates the topic, its policies, the subscription and the bucket configuration', async () => {
    const { code, lines } = await setup();

    expect(code).toBe(0);
    expect(inputsOf(sns, CreateTopicCommand)).toEqual([{ Name: 'thaw-restore-events' }]);
    const [signature, policy, delivery, ...more] = inputsOf(sns, SetTopicAttributesCommand) as Array<{
      TopicArn: string;
      AttributeName: string;
      AttributeValue: string;
    }>;
    expect(more).toEqual([]);
    expect(signature).toEqual({
      TopicArn: TOPIC_ARN,
      AttributeName: 'SignatureVersion',
      AttributeValue: '2',
    });
    expect(policy?.AttributeName).toBe('Policy');
    expect(JSON.parse(policy?.AttributeValue ?? '')).toEqual({
      Version: '2008-10-17',
      Id: '__default_policy_ID',
      Statement: [OWNER_STATEMENT, THAW_STATEMENT],
    });
    expect(delivery?.AttributeName).toBe('DeliveryPolicy');
    expect(JSON.parse(delivery?.AttributeValue ?? '')).toEqual({
      http: {
        defaultHealthyRetryPolicy: RETRY,
        defaultThrottlePolicy: THROTTLE,
        defaultRequestPolicy: REQUEST,
      },
    });
    expect(inputsOf(sns, SubscribeCommand)).toEqual([
      {
        TopicArn: TOPIC_ARN,
        Protocol: 'https',
        Endpoint: ENDPOINT,
        Attributes: {
          DeliveryPolicy: JSON.stringify({
            healthyRetryPolicy: RETRY,
            throttlePolicy: THROTTLE,
            requestPolicy: REQUEST,
          }),
        },
        ReturnSubscriptionArn: true,
      },
    ]);
    expect(inputsOf(s3, PutBucketNotificationConfigurationCommand)).toEqual([
      {
        Bucket: BUCKET,
        NotificationConfiguration: {
          TopicConfigurations: [
            { Id: 'thaw-restore-events', TopicArn: TOPIC_ARN, Events: ['s3:ObjectRestore:*'] },
          ],
        },
      },
    ]);
    expect(sns.commandCalls(SetSubscriptionAttributesCommand)).toHaveLength(0);
    expect(lines.join('\n')).toContain('PendingConfirmation');
    expect(lines.join('\n')).toContain('thaw confirms it itself');
    // SNS API Reference, Subscribe: "Confirmation tokens are valid for two days."
    expect(lines.join('\n')).toContain('token stays valid for two days');
    expect(lines.join('\n')).not.toContain('three days');
  });

  it('changes nothing when run again, before and after thaw confirmed the subscription', async () => {
    expect((await setup()).code).toBe(0);
    resetHistory();

    const again = await setup();

    expect(again.code).toBe(0);
    expect(callNames().filter((name) => WRITE.test(name))).toEqual([]);
    expect(JSON.parse(again.lines[0] ?? '').changes).toEqual([]);
    expect(again.lines).toContain('Nothing to change: the account is already set up (5 checks).');

    const subscription = account.subscriptions[0];
    if (subscription) subscription.confirmed = true;
    resetHistory();
    const confirmed = await setup();

    expect(confirmed.code).toBe(0);
    expect(sns.commandCalls(GetSubscriptionAttributesCommand)).toHaveLength(1);
    expect(callNames().filter((name) => WRITE.test(name))).toEqual([]);
  });
});

describe('thaw setup on an account already in use', () => {
  const others: NotificationConfiguration = {
    TopicConfigurations: [
      { Id: 'audit', TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:audit`, Events: ['s3:ObjectRemoved:*'] },
    ],
    QueueConfigurations: [
      {
        Id: 'ingest',
        QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:ingest`,
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } },
      },
    ],
    LambdaFunctionConfigurations: [
      {
        Id: 'thumbnails',
        LambdaFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:thumbnails`,
        Events: ['s3:ObjectCreated:Put'],
      },
    ],
    EventBridgeConfiguration: {},
  };

  it("keeps every other bucket configuration and adds thaw's", async () => {
    account.notification = structuredClone(others);

    const { code, lines } = await setup();

    expect(code).toBe(0);
    expect(inputsOf(s3, PutBucketNotificationConfigurationCommand)).toEqual([
      {
        Bucket: BUCKET,
        NotificationConfiguration: {
          ...others,
          TopicConfigurations: [
            ...(others.TopicConfigurations ?? []),
            { Id: 'thaw-restore-events', TopicArn: TOPIC_ARN, Events: ['s3:ObjectRestore:*'] },
          ],
        },
      },
    ]);
    expect(lines.join('\n')).toContain('EventBridge is enabled on bucket acme-archive');
  });

  it('adds its statement to the topic policy and keeps the others', async () => {
    const publisher = {
      Sid: 'billing-publisher',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::444455556666:role/billing' },
      Action: 'SNS:Publish',
      Resource: TOPIC_ARN,
    };
    account.topics.set(TOPIC_ARN, {
      TopicArn: TOPIC_ARN,
      SignatureVersion: '2',
      Policy: topicPolicy(publisher),
    });

    const { code } = await setup();

    expect(code).toBe(0);
    expect(sns.commandCalls(CreateTopicCommand)).toHaveLength(0);
    const [policy, ...rest] = inputsOf(sns, SetTopicAttributesCommand) as Array<{
      AttributeName: string;
      AttributeValue: string;
    }>;
    expect(policy?.AttributeName).toBe('Policy');
    expect(JSON.parse(policy?.AttributeValue ?? '').Statement).toEqual([publisher, THAW_STATEMENT]);
    expect(rest.map((item) => item.AttributeName)).toEqual(['DeliveryPolicy']);
  });
});

describe('thaw setup --dry-run', () => {
  it('reads only, and prints every change with the merged bucket configuration', async () => {
    account.notification = {
      QueueConfigurations: [
        { Id: 'ingest', QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:ingest`, Events: ['s3:ObjectCreated:*'] },
      ],
    };

    const { code, lines } = await setup('--dry-run', '--account-id', ACCOUNT, '--dlq');

    expect(code).toBe(0);
    expect(callNames().sort()).toEqual([
      'GetBucketLocationCommand',
      'GetBucketNotificationConfigurationCommand',
      'GetCallerIdentityCommand',
      'GetQueueUrlCommand',
      'ListTopicsCommand',
    ]);
    expect(lines).toHaveLength(1);
    const plan = JSON.parse(lines[0] ?? '') as {
      changes: Array<{ service: string; action: string; input: Record<string, unknown> }>;
    };
    expect(plan.changes.map((change) => `${change.service} ${change.action}`)).toEqual([
      'sns CreateTopic',
      'sns SetTopicAttributes',
      'sns SetTopicAttributes',
      'sns SetTopicAttributes',
      'sqs CreateQueue',
      'sns Subscribe',
      's3 PutBucketNotificationConfiguration',
    ]);
    expect(plan.changes.at(-1)?.input).toEqual({
      Bucket: BUCKET,
      ExpectedBucketOwner: ACCOUNT,
      NotificationConfiguration: {
        TopicConfigurations: [
          { Id: 'thaw-restore-events', TopicArn: TOPIC_ARN, Events: ['s3:ObjectRestore:*'] },
        ],
        QueueConfigurations: [
          {
            Id: 'ingest',
            QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:ingest`,
            Events: ['s3:ObjectCreated:*'],
          },
        ],
      },
    });
    expect(plan.changes[2]?.input['AttributeValue']).toBe(
      JSON.stringify({ Version: '2012-10-17', Statement: [THAW_STATEMENT] }),
    );
  });
});

describe('thaw setup --dlq', () => {
  it('creates the queue with a policy for the topic and subscribes with a RedrivePolicy', async () => {
    const { code } = await setup('--dlq');

    expect(code).toBe(0);
    const [create] = inputsOf(sqs, CreateQueueCommand) as Array<{
      QueueName: string;
      Attributes: Record<string, string>;
    }>;
    expect(create?.QueueName).toBe('thaw-restore-events-dlq');
    expect(create?.Attributes['MessageRetentionPeriod']).toBe('1209600');
    expect(JSON.parse(create?.Attributes['Policy'] ?? '')).toEqual({
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
    const [subscribe] = inputsOf(sns, SubscribeCommand) as Array<{ Attributes: Record<string, string> }>;
    expect(JSON.parse(subscribe?.Attributes['RedrivePolicy'] ?? '')).toEqual({
      deadLetterTargetArn: QUEUE_ARN,
    });
  });

  it('adds the redrive to a confirmed subscription made without it, and the queue policy to a bare queue', async () => {
    expect((await setup()).code).toBe(0);
    const subscription = account.subscriptions[0];
    if (subscription) subscription.confirmed = true;
    account.queues.set('thaw-restore-events-dlq', { QueueArn: QUEUE_ARN });
    resetHistory();

    const { code } = await setup('--dlq');

    expect(code).toBe(0);
    expect(sqs.commandCalls(CreateQueueCommand)).toHaveLength(0);
    const [queue] = inputsOf(sqs, SetQueueAttributesCommand) as Array<{
      QueueUrl: string;
      Attributes: Record<string, string>;
    }>;
    expect(queue?.QueueUrl).toBe(QUEUE_URL);
    expect(JSON.parse(queue?.Attributes['Policy'] ?? '').Statement[0].Condition).toEqual({
      ArnEquals: { 'aws:SourceArn': TOPIC_ARN },
    });
    expect(inputsOf(sns, SetSubscriptionAttributesCommand)).toEqual([
      {
        SubscriptionArn: SUBSCRIPTION_ARN,
        AttributeName: 'RedrivePolicy',
        AttributeValue: JSON.stringify({ deadLetterTargetArn: QUEUE_ARN }),
      },
    ]);
    expect(sns.commandCalls(SubscribeCommand)).toHaveLength(0);
  });

  it('prints the command to run when the subscription is still pending', async () => {
    expect((await setup()).code).toBe(0);
    resetHistory();

    const { code, lines } = await setup('--dlq');

    expect(code).toBe(0);
    expect(sns.commandCalls(SetSubscriptionAttributesCommand)).toHaveLength(0);
    const output = lines.join('\n');
    expect(output).toContain('aws sns set-subscription-attributes --region us-east-1');
    expect(output).toContain(
      `--attribute-name RedrivePolicy --attribute-value '{"deadLetterTargetArn":"${QUEUE_ARN}"}'`,
    );
  });
});
