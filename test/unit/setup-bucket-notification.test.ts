import type { NotificationConfiguration } from '@aws-sdk/client-s3';
import { mergeBucketNotification, thawTopicConfiguration } from '../../src/setup/bucket-notification';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:111122223333:thaw-restore-events';
const QUEUE = {
  Id: 'ingest',
  QueueArn: 'arn:aws:sqs:us-east-1:111122223333:ingest',
  Events: ['s3:ObjectCreated:*' as const],
};

describe('mergeBucketNotification', () => {
  it("adds thaw's configuration and drops response-only fields", () => {
    const current = {
      QueueConfigurations: [QUEUE],
      $metadata: { httpStatusCode: 200 },
    } as NotificationConfiguration;

    const merged = mergeBucketNotification(current, TOPIC_ARN, 'b');

    expect(merged.changed).toBe(true);
    expect(merged.configuration).toEqual({
      TopicConfigurations: [thawTopicConfiguration(TOPIC_ARN)],
      QueueConfigurations: [QUEUE],
    });
    expect(merged.configuration).not.toHaveProperty('$metadata');
  });

  it('keeps EventBridge switched on', () => {
    const merged = mergeBucketNotification({ EventBridgeConfiguration: {} }, TOPIC_ARN, 'b');

    expect(merged.configuration.EventBridgeConfiguration).toEqual({});
  });

  it('replaces its own configuration in place when it points elsewhere', () => {
    const audit = {
      Id: 'audit',
      TopicArn: 'arn:aws:sns:us-east-1:111122223333:audit',
      Events: ['s3:ObjectRemoved:*' as const],
    };
    const stale = {
      Id: 'thaw-restore-events',
      TopicArn: 'arn:aws:sns:us-east-1:111122223333:old',
      Events: ['s3:ObjectRestore:*' as const],
    };

    const merged = mergeBucketNotification({ TopicConfigurations: [stale, audit] }, TOPIC_ARN, 'b');

    expect(merged.changed).toBe(true);
    expect(merged.configuration.TopicConfigurations).toEqual([thawTopicConfiguration(TOPIC_ARN), audit]);
  });

  it('changes nothing when its configuration is there, with the three events named', () => {
    const own = {
      Id: 'thaw-restore-events',
      TopicArn: TOPIC_ARN,
      Events: [
        's3:ObjectRestore:Delete' as const,
        's3:ObjectRestore:Post' as const,
        's3:ObjectRestore:Completed' as const,
      ],
    };

    expect(mergeBucketNotification({ TopicConfigurations: [own] }, TOPIC_ARN, 'b').changed).toBe(false);
  });

  it("accepts another configuration that already sends every restore event to thaw's topic", () => {
    const existing = {
      Id: 'restores',
      TopicArn: TOPIC_ARN,
      Events: ['s3:ObjectRestore:*' as const, 's3:ObjectCreated:*' as const],
    };

    const merged = mergeBucketNotification({ TopicConfigurations: [existing] }, TOPIC_ARN, 'b');

    expect(merged).toEqual({
      configuration: { TopicConfigurations: [existing] },
      changed: false,
      alreadyRoutedBy: 'restores',
    });
  });

  it.each([
    [
      'a Lambda function',
      {
        LambdaFunctionConfigurations: [
          {
            Id: 'fn',
            LambdaFunctionArn: 'arn:aws:lambda:us-east-1:1:function:f',
            Events: ['s3:ObjectRestore:Post' as const],
          },
        ],
      },
    ],
    [
      'another topic',
      {
        TopicConfigurations: [
          { Id: 'x', TopicArn: 'arn:aws:sns:us-east-1:1:x', Events: ['s3:ObjectRestore:*' as const] },
        ],
      },
    ],
    [
      "thaw's topic, filtered",
      {
        TopicConfigurations: [
          {
            Id: 'some',
            TopicArn: TOPIC_ARN,
            Events: ['s3:ObjectRestore:*' as const],
            Filter: { Key: { FilterRules: [{ Name: 'prefix' as const, Value: 'a/' }] } },
          },
        ],
      },
    ],
  ])('refuses when restore events already go to %s', (_label, current: NotificationConfiguration) => {
    expect(() => mergeBucketNotification(current, TOPIC_ARN, 'b')).toThrow(
      expect.objectContaining({
        code: 'setup_conflict',
        message: expect.stringContaining('S3 refuses a second configuration'),
      }),
    );
  });
});
