import type { PutBucketNotificationConfigurationCommandInput } from '@aws-sdk/client-s3';
import type {
  CreateTopicCommandInput,
  SetSubscriptionAttributesCommandInput,
  SetTopicAttributesCommandInput,
  SubscribeCommandInput,
} from '@aws-sdk/client-sns';
import type { CreateQueueCommandInput, SetQueueAttributesCommandInput } from '@aws-sdk/client-sqs';

/**
 * One write setup makes, with the exact SDK input it sends. The planner produces these, the
 * applier executes them in order, and `--dry-run` prints them: what is printed is what is sent.
 */
export type SetupChange =
  | { readonly service: 'sns'; readonly action: 'CreateTopic'; readonly input: CreateTopicCommandInput }
  | {
      readonly service: 'sns';
      readonly action: 'SetTopicAttributes';
      readonly input: SetTopicAttributesCommandInput;
    }
  | { readonly service: 'sns'; readonly action: 'Subscribe'; readonly input: SubscribeCommandInput }
  | {
      readonly service: 'sns';
      readonly action: 'SetSubscriptionAttributes';
      readonly input: SetSubscriptionAttributesCommandInput;
    }
  | { readonly service: 'sqs'; readonly action: 'CreateQueue'; readonly input: CreateQueueCommandInput }
  | {
      readonly service: 'sqs';
      readonly action: 'SetQueueAttributes';
      readonly input: SetQueueAttributesCommandInput;
    }
  | {
      readonly service: 's3';
      readonly action: 'PutBucketNotificationConfiguration';
      readonly input: PutBucketNotificationConfigurationCommandInput;
    };

/** Where the endpoint's subscription stands, for the summary printed after applying. */
export type SubscriptionStatus =
  | { readonly state: 'new' }
  | { readonly state: 'pending' }
  | { readonly state: 'confirmed'; readonly arn: string };

export interface SetupPlan {
  /** In the order they must be applied (policies before the bucket configuration S3 validates). */
  readonly changes: SetupChange[];
  /** What is already as it should be, one line each. */
  readonly unchanged: string[];
  /** Things the operator should know or do by hand. */
  readonly warnings: string[];
  readonly topicArn: string;
  readonly subscription: SubscriptionStatus;
}

/** One line naming a change, e.g. `sns SetTopicAttributes Policy on arn:aws:sns:...`. */
export function describeChange(change: SetupChange): string {
  const head = `${change.service} ${change.action}`;
  switch (change.action) {
    case 'CreateTopic':
      return `${head} ${change.input.Name}`;
    case 'SetTopicAttributes':
      return `${head} ${change.input.AttributeName} on ${change.input.TopicArn}`;
    case 'Subscribe':
      return `${head} ${change.input.Protocol} ${change.input.Endpoint} to ${change.input.TopicArn}`;
    case 'SetSubscriptionAttributes':
      return `${head} ${change.input.AttributeName} on ${change.input.SubscriptionArn}`;
    case 'CreateQueue':
      return `${head} ${change.input.QueueName}`;
    case 'SetQueueAttributes':
      return `${head} ${Object.keys(change.input.Attributes ?? {}).join(', ')} on ${change.input.QueueUrl}`;
    case 'PutBucketNotificationConfiguration':
      return `${head} on bucket ${change.input.Bucket}`;
  }
}
