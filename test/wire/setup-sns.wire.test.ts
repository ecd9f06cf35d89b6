import { formParams } from '../helpers/aws-stand-in';
import { BUCKET, CALLER_ACCOUNT, REGION, runSetupIn, startSetupWorld } from '../helpers/setup-aws-world';
import type { SetupWorld } from '../helpers/setup-aws-world';
import { resourcePolicyProblems } from '../helpers/attribute-shapes';
import { wireProblems } from '../helpers/setup-wire-check';

/**
 * Every SNS request `thaw setup` makes, as the real SDK sends it, held to the SNS API Reference
 * (API version 2010-03-31, query protocol: `POST /`, form body `Action=<Operation>&Version=...`):
 * - ListTopics, Request Parameters: NextToken only, and only after a page that gave one.
 * - CreateTopic, Request Parameters: Name (required); no Attributes, so the topic is standard.
 * - GetTopicAttributes, Request Parameters: TopicArn.
 * - SetTopicAttributes, Request Parameters: TopicArn, AttributeName, AttributeValue, one attribute
 *   per call; AttributeName among those the page lists (SignatureVersion, Policy, DeliveryPolicy).
 * - ListSubscriptionsByTopic, Request Parameters: TopicArn (NextToken for later pages).
 * - Subscribe, Request Parameters: TopicArn, Protocol, Endpoint, Attributes as
 *   `Attributes.entry.N.key` / `Attributes.entry.N.value` (names from the list on that page),
 *   ReturnSubscriptionArn.
 * - GetSubscriptionAttributes / SetSubscriptionAttributes, Request Parameters: SubscriptionArn,
 *   AttributeName, AttributeValue.
 * JSON values: the topic Policy against the IAM JSON policy grammar (IAM User Guide, "IAM JSON
 * policy elements reference"); DeliveryPolicy against SNS Developer Guide, "Creating an HTTP/S
 * delivery policy"; removing a FilterPolicy by writing `{}` (SNS Developer Guide, "Removing a
 * subscription filter policy").
 */

const ENDPOINT = 'https://thaw.example.com/sns';
const ARGS = ['--bucket', BUCKET, '--endpoint', ENDPOINT, '--region', REGION];
const TOPIC_ARN = `arn:aws:sns:${REGION}:${CALLER_ACCOUNT}:thaw-restore-events`;
const VERSION = { Version: '2010-03-31' };

let world: SetupWorld;
beforeEach(async () => {
  world = await startSetupWorld();
});
afterEach(async () => {
  await world.stop();
});

function snsParams(): Array<Record<string, string>> {
  return world
    .calls()
    .filter((call) => call.service === 'sns')
    .map((call) => formParams(call.request.body));
}

/** A topic that exists, and thaw's endpoint subscribed and confirmed with these attributes. */
function confirmedSubscription(attributes: Record<string, string>): string {
  world.topics.set(TOPIC_ARN, { TopicArn: TOPIC_ARN, Owner: CALLER_ACCOUNT });
  const arn = `${TOPIC_ARN}:5b1e4c1a-3f0e-4a8e-9a51-0c2d7d7f1a11`;
  world.subscriptions.push({
    arn,
    topicArn: TOPIC_ARN,
    protocol: 'https',
    endpoint: ENDPOINT,
    confirmed: true,
    attributes: {
      SubscriptionArn: arn,
      TopicArn: TOPIC_ARN,
      Protocol: 'https',
      Endpoint: ENDPOINT,
      ...attributes,
    },
  });
  return arn;
}

describe('SNS requests of thaw setup on the wire', () => {
  it('on a fresh account: list, create, read, three attribute writes and a Subscribe, each as documented', async () => {
    const { code } = await runSetupIn(world, ARGS);

    expect(code).toBe(0);
    expect(world.calls().flatMap(wireProblems)).toEqual([]);
    const sent = snsParams();
    expect(sent.map((params) => params['Action'])).toEqual([
      'ListTopics',
      'CreateTopic',
      'GetTopicAttributes',
      'ListSubscriptionsByTopic',
      'SetTopicAttributes',
      'SetTopicAttributes',
      'SetTopicAttributes',
      'Subscribe',
    ]);
    const [list, create, read, subscriptions, signature, policy, delivery, subscribe] = sent;
    expect(list).toEqual({ Action: 'ListTopics', ...VERSION });
    expect(create).toEqual({ Action: 'CreateTopic', ...VERSION, Name: 'thaw-restore-events' });
    expect(read).toEqual({ Action: 'GetTopicAttributes', ...VERSION, TopicArn: TOPIC_ARN });
    expect(subscriptions).toEqual({ Action: 'ListSubscriptionsByTopic', ...VERSION, TopicArn: TOPIC_ARN });
    expect(signature).toEqual({
      Action: 'SetTopicAttributes',
      ...VERSION,
      TopicArn: TOPIC_ARN,
      AttributeName: 'SignatureVersion',
      AttributeValue: '2',
    });
    expect(Object.keys(policy ?? {}).sort()).toEqual(
      ['Action', 'AttributeName', 'AttributeValue', 'TopicArn', 'Version'].sort(),
    );
    expect(policy?.['AttributeName']).toBe('Policy');
    const document = JSON.parse(policy?.['AttributeValue'] ?? '') as { Statement: unknown[] };
    expect(resourcePolicyProblems(document)).toEqual([]);
    expect(document.Statement).toContainEqual({
      Sid: 'thaw-allow-s3-acme-archive',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'SNS:Publish',
      Resource: TOPIC_ARN,
      Condition: {
        ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${BUCKET}` },
        StringEquals: { 'aws:SourceAccount': CALLER_ACCOUNT },
      },
    });
    expect(delivery?.['AttributeName']).toBe('DeliveryPolicy');
    expect(Object.keys(JSON.parse(delivery?.['AttributeValue'] ?? '') as object)).toEqual(['http']);
    // Attributes as a numbered map; no RedrivePolicy without --dlq; the ARN even while pending.
    expect(Object.keys(subscribe ?? {}).sort()).toEqual(
      [
        'Action',
        'Attributes.entry.1.key',
        'Attributes.entry.1.value',
        'Endpoint',
        'Protocol',
        'ReturnSubscriptionArn',
        'TopicArn',
        'Version',
      ].sort(),
    );
    expect(subscribe).toMatchObject({
      TopicArn: TOPIC_ARN,
      Protocol: 'https',
      Endpoint: ENDPOINT,
      'Attributes.entry.1.key': 'DeliveryPolicy',
      ReturnSubscriptionArn: 'true',
    });
    expect(Object.keys(JSON.parse(subscribe?.['Attributes.entry.1.value'] ?? '') as object)).toEqual([
      'healthyRetryPolicy',
      'throttlePolicy',
      'requestPolicy',
    ]);
  });

  it('asks for the next page of topics with the NextToken SNS gave', async () => {
    world.topicsPerPage = 1;
    world.topics.set(`arn:aws:sns:${REGION}:${CALLER_ACCOUNT}:audit`, {});
    world.topics.set(TOPIC_ARN, { TopicArn: TOPIC_ARN, Owner: CALLER_ACCOUNT });

    expect((await runSetupIn(world, [...ARGS, '--dry-run'])).code).toBe(0);

    const lists = snsParams().filter((params) => params['Action'] === 'ListTopics');
    expect(lists).toEqual([
      { Action: 'ListTopics', ...VERSION },
      { Action: 'ListTopics', ...VERSION, NextToken: '1' },
    ]);
  });

  it('reads a confirmed subscription, turns raw delivery off and removes an attribute filter with {}', async () => {
    const arn = confirmedSubscription({
      PendingConfirmation: 'false',
      RawMessageDelivery: 'true',
      FilterPolicy: JSON.stringify({ eventType: ['restore'] }),
    });

    const { code, output } = await runSetupIn(world, ARGS);

    expect(code).toBe(0);
    expect(world.calls().flatMap(wireProblems)).toEqual([]);
    const sent = snsParams();
    expect(sent).toContainEqual({ Action: 'GetSubscriptionAttributes', ...VERSION, SubscriptionArn: arn });
    const writes = sent.filter((params) => params['Action'] === 'SetSubscriptionAttributes');
    expect(writes.map(({ AttributeName, AttributeValue }) => [AttributeName, AttributeValue])).toEqual([
      ['DeliveryPolicy', expect.any(String)],
      ['RawMessageDelivery', 'false'],
      ['FilterPolicy', '{}'],
    ]);
    for (const write of writes) {
      expect(Object.keys(write).sort()).toEqual(
        ['Action', 'AttributeName', 'AttributeValue', 'SubscriptionArn', 'Version'].sort(),
      );
    }
    expect(output).toContain('has a FilterPolicy on message attributes, which S3 events do not carry');
    expect(sent.some((params) => params['Action'] === 'Subscribe')).toBe(false);
  });

  it('keeps a filter on the message body, and warns', async () => {
    confirmedSubscription({
      PendingConfirmation: 'false',
      FilterPolicyScope: 'MessageBody',
      FilterPolicy: JSON.stringify({ Records: { eventName: [{ prefix: 'ObjectRestore:' }] } }),
    });

    const { code, output } = await runSetupIn(world, ARGS);

    expect(code).toBe(0);
    const names = snsParams()
      .filter((params) => params['Action'] === 'SetSubscriptionAttributes')
      .map((params) => params['AttributeName']);
    expect(names).not.toContain('FilterPolicy');
    expect(output).toContain('has a FilterPolicy on the message body');
  });

  it('sends no write the second time', async () => {
    expect((await runSetupIn(world, ARGS)).code).toBe(0);
    world.clear();

    expect((await runSetupIn(world, ARGS)).code).toBe(0);

    expect(world.calls().flatMap(wireProblems)).toEqual([]);
    expect(snsParams().map((params) => params['Action'])).toEqual([
      'ListTopics',
      'GetTopicAttributes',
      'ListSubscriptionsByTopic',
    ]);
  });
});
