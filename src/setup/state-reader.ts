import type { NotificationConfiguration } from '@aws-sdk/client-s3';
import { GetBucketLocationCommand, GetBucketNotificationConfigurationCommand } from '@aws-sdk/client-s3';
import {
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
} from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { awsCall, SetupError } from './setup-error';
import type { SetupClients } from './setup-clients';

/**
 * Everything the planner reads, and nothing it writes: the narrow interface that lets `--dry-run`
 * promise "read calls only" and lets the planner be tested without the SDK.
 */
export interface SetupStateReader {
  /** The region the bucket lives in. */
  bucketRegion(bucket: string, expectedOwner?: string): Promise<string>;
  bucketNotification(bucket: string, expectedOwner?: string): Promise<NotificationConfiguration>;
  /** The ARN of the caller's topic with this name in the client's region, if there is one. */
  findTopicArn(name: string): Promise<string | undefined>;
  /** The topic's attributes; undefined when it does not exist. */
  topicAttributes(topicArn: string): Promise<Readonly<Record<string, string>> | undefined>;
  subscriptions(topicArn: string): Promise<SubscriptionSummary[]>;
  subscriptionAttributes(subscriptionArn: string): Promise<Readonly<Record<string, string>>>;
  /** The queue's URL, ARN, policy and encryption key; undefined when it does not exist. */
  queue(name: string): Promise<QueueState | undefined>;
  /** The account of the credentials setup runs with: where CreateQueue and Subscribe put what they make. */
  callerAccount(): Promise<string>;
}

export interface SubscriptionSummary {
  /** `PendingConfirmation` until the endpoint confirms (SNS lists no ARN before that). */
  readonly arn: string;
  readonly protocol: string;
  readonly endpoint: string;
}

export const PENDING_CONFIRMATION = 'PendingConfirmation';

export interface QueueState {
  readonly url: string;
  readonly arn: string;
  readonly policy: string | undefined;
  /** The queue's `KmsMasterKeyId` (SSE-KMS): a key id, key ARN, alias or alias ARN; undefined without SSE-KMS. */
  readonly kmsMasterKeyId: string | undefined;
}

export function createAwsStateReader(clients: SetupClients): SetupStateReader {
  const { sns, s3, sqs, sts } = clients;
  return {
    async bucketRegion(bucket, expectedOwner) {
      const call = { service: 's3', operation: 'GetBucketLocation', resource: bucket } as const;
      const output = await awsCall(call, () =>
        s3.send(new GetBucketLocationCommand({ Bucket: bucket, ExpectedBucketOwner: expectedOwner })),
      );
      // Buckets in us-east-1 answer with no constraint; the oldest eu-west-1 buckets answer "EU".
      const constraint: string = output.LocationConstraint ?? '';
      if (constraint === '') return 'us-east-1';
      return constraint === 'EU' ? 'eu-west-1' : constraint;
    },

    async bucketNotification(bucket, expectedOwner) {
      const call = {
        service: 's3',
        operation: 'GetBucketNotificationConfiguration',
        resource: bucket,
      } as const;
      return awsCall(call, () =>
        s3.send(
          new GetBucketNotificationConfigurationCommand({
            Bucket: bucket,
            ExpectedBucketOwner: expectedOwner,
          }),
        ),
      );
    },

    async findTopicArn(name) {
      const call = { service: 'sns', operation: 'ListTopics', resource: 'the account' } as const;
      let nextToken: string | undefined;
      do {
        const page = await awsCall(call, () => sns.send(new ListTopicsCommand({ NextToken: nextToken })));
        const found = (page.Topics ?? []).find((topic) => topic.TopicArn?.split(':')[5] === name);
        if (found?.TopicArn !== undefined) return found.TopicArn;
        nextToken = page.NextToken;
      } while (nextToken !== undefined && nextToken !== '');
      return undefined;
    },

    async topicAttributes(topicArn) {
      const call = { service: 'sns', operation: 'GetTopicAttributes', resource: topicArn } as const;
      try {
        const output = await awsCall(call, () =>
          sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn })),
        );
        return output.Attributes ?? {};
      } catch (error) {
        if (error instanceof SetupError && error.code === 'setup_not_found') return undefined;
        throw error;
      }
    },

    async subscriptions(topicArn) {
      const call = { service: 'sns', operation: 'ListSubscriptionsByTopic', resource: topicArn } as const;
      const found: SubscriptionSummary[] = [];
      let nextToken: string | undefined;
      do {
        const page = await awsCall(call, () =>
          sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: nextToken })),
        );
        for (const item of page.Subscriptions ?? []) {
          found.push({
            arn: item.SubscriptionArn ?? '',
            protocol: item.Protocol ?? '',
            endpoint: item.Endpoint ?? '',
          });
        }
        nextToken = page.NextToken;
      } while (nextToken !== undefined && nextToken !== '');
      return found;
    },

    async subscriptionAttributes(subscriptionArn) {
      const call = {
        service: 'sns',
        operation: 'GetSubscriptionAttributes',
        resource: subscriptionArn,
      } as const;
      const output = await awsCall(call, () =>
        sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn })),
      );
      return output.Attributes ?? {};
    },

    async queue(name) {
      const lookup = { service: 'sqs', operation: 'GetQueueUrl', resource: name } as const;
      let url: string | undefined;
      try {
        url = (await awsCall(lookup, () => sqs.send(new GetQueueUrlCommand({ QueueName: name })))).QueueUrl;
      } catch (error) {
        if (error instanceof SetupError && error.code === 'setup_not_found') return undefined;
        throw error;
      }
      if (url === undefined) return undefined;
      const queueUrl = url;
      const call = { service: 'sqs', operation: 'GetQueueAttributes', resource: name } as const;
      const output = await awsCall(call, () =>
        sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: ['QueueArn', 'Policy', 'KmsMasterKeyId'],
          }),
        ),
      );
      const arn = output.Attributes?.QueueArn;
      if (arn === undefined) throw new SetupError('setup_failed', `SQS gave no QueueArn for queue ${name}`);
      return {
        url: queueUrl,
        arn,
        policy: output.Attributes?.Policy,
        kmsMasterKeyId: output.Attributes?.KmsMasterKeyId,
      };
    },

    async callerAccount() {
      // GetCallerIdentity needs no IAM permission: even an explicit Deny does not stop it.
      const call = { service: 'sts', operation: 'GetCallerIdentity', resource: 'the credentials' } as const;
      const output = await awsCall(call, () => sts.send(new GetCallerIdentityCommand({})));
      if (output.Account === undefined) throw new SetupError('setup_failed', 'STS gave no Account');
      return output.Account;
    },
  };
}
