import { BUCKET, CALLER_ACCOUNT, REGION, runSetupIn, startSetupWorld } from '../helpers/setup-aws-world';
import type { SetupWorld } from '../helpers/setup-aws-world';
import { wireProblems } from '../helpers/setup-wire-check';

/**
 * Every request of whole `thaw setup` runs, in order, each held to its API reference's request
 * syntax (see setup-sns, setup-sqs, setup-s3 and setup-sts.wire.test.ts for the sources, and
 * test/helpers/setup-request-shapes.ts for the model). An operation that is not modelled there
 * fails here, so a new AWS call cannot slip in without a wire test.
 */

const ARGS = ['--bucket', BUCKET, '--endpoint', 'https://thaw.example.com/sns', '--region', REGION];

let world: SetupWorld;
beforeEach(async () => {
  world = await startSetupWorld();
});
afterEach(async () => {
  await world.stop();
});

const names = (): string[] => world.calls().map((call) => `${call.service} ${call.operation}`);

describe('every AWS request of thaw setup', () => {
  it('on a fresh account with --dlq and --account-id: reads, then writes in the order S3 needs', async () => {
    const { code } = await runSetupIn(world, [...ARGS, '--dlq', '--account-id', CALLER_ACCOUNT]);

    expect(code).toBe(0);
    expect(world.calls().flatMap(wireProblems)).toEqual([]);
    expect(names()).toEqual([
      's3 GetBucketLocation',
      'sns ListTopics',
      's3 GetBucketNotificationConfiguration',
      'sns CreateTopic',
      'sns GetTopicAttributes',
      'sqs GetQueueUrl',
      'sts GetCallerIdentity',
      'sns ListSubscriptionsByTopic',
      'sns SetTopicAttributes',
      'sns SetTopicAttributes',
      'sns SetTopicAttributes',
      'sqs CreateQueue',
      'sns Subscribe',
      // Last: S3 validates the destination with a test event, which needs the topic policy.
      's3 PutBucketNotificationConfiguration',
    ]);
  });

  it('with --dry-run: only reads', async () => {
    const { code } = await runSetupIn(world, [...ARGS, '--dlq', '--dry-run']);

    expect(code).toBe(0);
    expect(world.calls().flatMap(wireProblems)).toEqual([]);
    expect(names()).toEqual([
      's3 GetBucketLocation',
      'sns ListTopics',
      's3 GetBucketNotificationConfiguration',
      'sqs GetQueueUrl',
      'sts GetCallerIdentity',
    ]);
  });

  it('on an account set up and confirmed: only reads, the subscription and queue included', async () => {
    expect((await runSetupIn(world, [...ARGS, '--dlq'])).code).toBe(0);
    for (const subscription of world.subscriptions) subscription.confirmed = true;
    world.clear();

    const { code, output } = await runSetupIn(world, [...ARGS, '--dlq']);

    expect(code).toBe(0);
    expect(output).toContain('Nothing to change');
    expect(world.calls().flatMap(wireProblems)).toEqual([]);
    expect(names()).toEqual([
      's3 GetBucketLocation',
      'sns ListTopics',
      'sns GetTopicAttributes',
      's3 GetBucketNotificationConfiguration',
      'sqs GetQueueUrl',
      'sqs GetQueueAttributes',
      'sns ListSubscriptionsByTopic',
      'sns GetSubscriptionAttributes',
    ]);
  });
});
