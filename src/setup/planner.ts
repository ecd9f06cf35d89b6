import { parseArn, topicArnFor, UNKNOWN_ACCOUNT } from './arn';
import type { NotificationConfiguration } from '@aws-sdk/client-s3';
import { mergeBucketNotification, THAW_NOTIFICATION_ID } from './bucket-notification';
import type { SetupChange, SetupPlan } from './changes';
import { topicDeliveryPolicy } from './delivery-policy';
import { planDeadLetterQueue } from './dlq-plan';
import { includesJson, parseJsonAttribute } from './json-compare';
import { mergeStatement, s3PublishStatement } from './policy-document';
import { SetupError } from './setup-error';
import type { SetupOptions } from './setup-options';
import type { SetupStateReader } from './state-reader';
import { planSubscription } from './subscription-plan';
import type { PartialPlan } from './subscription-plan';

/**
 * The planner reads the account through SetupStateReader and returns the writes that would bring
 * it to what thaw needs; it writes nothing. It runs in two steps because everything else names the
 * topic's ARN: preflight (checks, and finds the topic or plans CreateTopic), then planSetup against
 * the topic — after the caller created it, unless this is a dry run.
 */

export interface ResolvedTopic {
  /** The topic's ARN; predicted (possibly with UNKNOWN_ACCOUNT) when `create` is set. */
  readonly arn: string;
  /** The topic's attributes; undefined while it does not exist. */
  readonly attributes: Readonly<Record<string, string>> | undefined;
  /** CreateTopic, when no topic by that name exists. */
  readonly create?: SetupChange;
}

export interface Preflight {
  readonly topic: ResolvedTopic;
  /** The bucket's notification configuration as read (response fields included). */
  readonly notification: NotificationConfiguration;
}

/**
 * Everything that can stop setup, checked before the first write: the bucket exists and is in the
 * topic's region (S3 publishes only to a topic in its own), the topic is usable, and no other
 * configuration already takes the bucket's restore events (S3 would refuse thaw's).
 */
export async function preflight(
  options: SetupOptions,
  region: string,
  reader: SetupStateReader,
): Promise<Preflight> {
  const bucketRegion = await reader.bucketRegion(options.bucket, options.accountId);
  if (bucketRegion !== region) {
    throw new SetupError(
      'setup_invalid',
      `bucket "${options.bucket}" is in ${bucketRegion}, not ${region}: S3 publishes only to a topic in the ` +
        `bucket's region, so run setup with --region ${bucketRegion}`,
    );
  }
  const topic = await resolveTopic(options, region, reader);
  const notification = await reader.bucketNotification(options.bucket, options.accountId);
  mergeBucketNotification(notification, topic.arn, options.bucket); // throws on a conflict
  return { topic, notification };
}

export async function resolveTopic(
  options: SetupOptions,
  region: string,
  reader: SetupStateReader,
): Promise<ResolvedTopic> {
  const arn = options.topicArn ?? (await reader.findTopicArn(options.topicName));
  if (arn === undefined) {
    return {
      arn: topicArnFor(region, options.accountId ?? UNKNOWN_ACCOUNT, options.topicName),
      attributes: undefined,
      // A standard topic: S3 cannot publish to FIFO topics. Attributes are set by later changes,
      // the same ones an existing topic gets.
      create: { service: 'sns', action: 'CreateTopic', input: { Name: options.topicName } },
    };
  }
  const attributes = await reader.topicAttributes(arn);
  if (attributes === undefined) {
    throw new SetupError(
      'setup_not_found',
      `topic ${arn} does not exist (or is in another region); leave out --topic-arn to create one by name`,
    );
  }
  if (attributes['FifoTopic'] === 'true') {
    throw new SetupError(
      'setup_invalid',
      `topic ${arn} is a FIFO topic; S3 can publish only to standard topics`,
    );
  }
  return { arn, attributes };
}

export async function planSetup(
  options: SetupOptions,
  { topic, notification }: Preflight,
  region: string,
  reader: SetupStateReader,
): Promise<SetupPlan> {
  const bucketAccount = options.accountId ?? parseArn(topic.arn)?.account ?? UNKNOWN_ACCOUNT;
  const parts: PartialPlan[] = [planTopicAttributes(options, topic, bucketAccount)];
  const warnings: string[] = [];
  if (bucketAccount === UNKNOWN_ACCOUNT) {
    warnings.push(
      `the topic does not exist yet, so its account id is unknown here: pass --account-id to see the exact ARNs and policy`,
    );
  }
  if (options.protocol === 'http') {
    warnings.push(
      'the endpoint is http://: SNS delivers in clear text, and production needs https:// (thaw also refuses ' +
        'http certificate and subscribe URLs unless SNS_ALLOW_HTTP is set)',
    );
  }

  let deadLetterArn: string | undefined;
  if (options.dlqName !== undefined) {
    const dlq = await planDeadLetterQueue(
      { queueName: options.dlqName, topicArn: topic.arn, region },
      reader,
    );
    deadLetterArn = dlq.queueArn;
    parts.push(dlq);
  }

  const subscription = await planSubscription(
    {
      topicArn: topic.arn,
      topicExists: topic.attributes !== undefined,
      endpoint: options.endpoint,
      protocol: options.protocol,
      region,
      ...(options.subscriptionArn === undefined ? {} : { subscriptionArn: options.subscriptionArn }),
      ...(deadLetterArn === undefined ? {} : { deadLetterArn }),
    },
    reader,
  );
  parts.push(subscription);

  // Last: S3 validates the configuration by publishing a test event, which needs the topic policy.
  const merge = mergeBucketNotification(notification, topic.arn, options.bucket);
  const bucket: PartialPlan = { changes: [], unchanged: [], warnings: [] };
  if (merge.changed) {
    bucket.changes.push({
      service: 's3',
      action: 'PutBucketNotificationConfiguration',
      input: {
        Bucket: options.bucket,
        NotificationConfiguration: merge.configuration,
        ...(options.accountId === undefined ? {} : { ExpectedBucketOwner: options.accountId }),
      },
    });
  } else {
    const by = merge.alreadyRoutedBy ?? THAW_NOTIFICATION_ID;
    bucket.unchanged.push(
      `bucket ${options.bucket} sends its restore events to the topic (configuration "${by}")`,
    );
  }
  if (notification.EventBridgeConfiguration !== undefined) {
    bucket.warnings.push(
      `EventBridge is enabled on bucket ${options.bucket}: if an EventBridge rule also sends its restore events ` +
        'to thaw, every event is processed twice (see docs/AWS-SETUP.md)',
    );
  }
  parts.push(bucket);

  return {
    changes: parts.flatMap((part) => part.changes),
    unchanged: parts.flatMap((part) => part.unchanged),
    warnings: [...warnings, ...parts.flatMap((part) => part.warnings)],
    topicArn: topic.arn,
    subscription: subscription.status,
  };
}

/** SignatureVersion, the S3 publish statement in the access policy, and the default DeliveryPolicy. */
function planTopicAttributes(
  options: SetupOptions,
  topic: ResolvedTopic,
  bucketAccount: string,
): PartialPlan {
  const plan: PartialPlan = { changes: [], unchanged: [], warnings: [] };
  const set = (name: string, value: string): void => {
    plan.changes.push({
      service: 'sns',
      action: 'SetTopicAttributes',
      input: { TopicArn: topic.arn, AttributeName: name, AttributeValue: value },
    });
  };
  // A topic without the attribute signs with version 1 (SHA1).
  if ((topic.attributes?.['SignatureVersion'] ?? '1') === options.signatureVersion) {
    plan.unchanged.push(`topic signs with SignatureVersion ${options.signatureVersion}`);
  } else set('SignatureVersion', options.signatureVersion);

  const statement = s3PublishStatement(topic.arn, options.bucket, bucketAccount);
  const policy = mergeStatement(topic.attributes?.['Policy'], statement, `topic ${topic.arn}`);
  if (policy.changed) set('Policy', policy.policy);
  else
    plan.unchanged.push(
      `topic policy lets S3 publish for bucket ${options.bucket} (statement ${statement.Sid})`,
    );

  const existing = parseJsonAttribute(topic.attributes?.['DeliveryPolicy']);
  const delivery = topicDeliveryPolicy(existing);
  if (includesJson(existing, delivery)) plan.unchanged.push(`topic has thaw's default HTTP/S DeliveryPolicy`);
  else set('DeliveryPolicy', JSON.stringify(delivery));
  return plan;
}
