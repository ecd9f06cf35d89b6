import { PutBucketNotificationConfigurationCommand } from '@aws-sdk/client-s3';
import {
  CreateTopicCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SetupChange } from './changes';
import { DEFAULT_VALIDATION_RETRY, withValidationRetry } from './destination-validation';
import type { ValidationRetry } from './destination-validation';
import type { SetupClients } from './setup-clients';
import { awsCall, SetupError } from './setup-error';

/** What applying a change told us that later steps or the summary need. */
export interface AppliedChange {
  readonly topicArn?: string;
  /** With ReturnSubscriptionArn, the real ARN even while the subscription is pending. */
  readonly subscriptionArn?: string;
  readonly queueUrl?: string;
}

export interface ApplyOptions {
  /** Retries of a bucket configuration S3 could not validate yet; default DEFAULT_VALIDATION_RETRY. */
  readonly validationRetry?: ValidationRetry;
}

/** Executes one planned change with the SDK, exactly as planned; AWS errors come out as SetupError. */
export async function applyChange(
  change: SetupChange,
  clients: SetupClients,
  options: ApplyOptions = {},
): Promise<AppliedChange> {
  const call = { service: change.service, operation: change.action, resource: resourceOf(change) };
  switch (change.action) {
    case 'CreateTopic': {
      const output = await awsCall(call, () => clients.sns.send(new CreateTopicCommand(change.input)));
      if (output.TopicArn === undefined)
        throw new SetupError('setup_failed', 'SNS CreateTopic returned no TopicArn');
      return { topicArn: output.TopicArn };
    }
    case 'SetTopicAttributes':
      await awsCall(call, () => clients.sns.send(new SetTopicAttributesCommand(change.input)));
      return {};
    case 'Subscribe': {
      const output = await awsCall(call, () => clients.sns.send(new SubscribeCommand(change.input)));
      return output.SubscriptionArn === undefined ? {} : { subscriptionArn: output.SubscriptionArn };
    }
    case 'SetSubscriptionAttributes':
      await awsCall(call, () => clients.sns.send(new SetSubscriptionAttributesCommand(change.input)));
      return {};
    case 'CreateQueue': {
      const output = await awsCall(call, () => clients.sqs.send(new CreateQueueCommand(change.input)));
      return output.QueueUrl === undefined ? {} : { queueUrl: output.QueueUrl };
    }
    case 'SetQueueAttributes':
      await awsCall(call, () => clients.sqs.send(new SetQueueAttributesCommand(change.input)));
      return {};
    case 'PutBucketNotificationConfiguration': {
      const put = (): Promise<unknown> =>
        clients.s3.send(new PutBucketNotificationConfigurationCommand(change.input));
      await awsCall(call, () =>
        withValidationRetry(put, options.validationRetry ?? DEFAULT_VALIDATION_RETRY),
      );
      return {};
    }
  }
}

function resourceOf(change: SetupChange): string {
  switch (change.action) {
    case 'CreateTopic':
      return `topic ${change.input.Name}`;
    case 'SetTopicAttributes':
    case 'Subscribe':
      return change.input.TopicArn ?? 'the topic';
    case 'SetSubscriptionAttributes':
      return change.input.SubscriptionArn ?? 'the subscription';
    case 'CreateQueue':
      return `queue ${change.input.QueueName}`;
    case 'SetQueueAttributes':
      return change.input.QueueUrl ?? 'the queue';
    case 'PutBucketNotificationConfiguration':
      return change.input.Bucket ?? 'the bucket';
  }
}
