import { jsonProblems, list, map, oneOf, optional, required, string, structure } from './request-syntax';
import type { Shape } from './request-syntax';

/**
 * The request syntax of every AWS call `thaw setup` and the LocalStack init script make, and of the
 * JSON documents they carry, written from the public references named above each. Only what the
 * reference documents is accepted; members thaw never sends and that need another encoding (Tags,
 * DataProtectionPolicy) are left out, so sending one fails the test until it is modelled here.
 */

const ARN = (service: string): Shape => string(undefined, new RegExp(`^arn:aws[a-z-]*:${service}:`));
const TOPIC_ARN = string(undefined, /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/);
const SUBSCRIPTION_ARN = string(
  undefined,
  /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}:[0-9a-f-]{36}$/,
);

// --- SNS (API version 2010-03-31, query protocol) ----------------------------------------------

export const SNS_VERSION = '2010-03-31';

/** SNS API Reference, SetSubscriptionAttributes and Subscribe, Request Parameters: the attribute names. */
export const SUBSCRIPTION_ATTRIBUTE_NAMES = [
  'DeliveryPolicy',
  'FilterPolicy',
  'FilterPolicyScope',
  'RawMessageDelivery',
  'RedrivePolicy',
  'SubscriptionRoleArn',
  'ReplayPolicy',
] as const;

/** SNS API Reference, SetTopicAttributes, Request Parameters, AttributeName (those of a standard topic). */
export const TOPIC_ATTRIBUTE_NAMES = [
  'DeliveryPolicy',
  'DisplayName',
  'Policy',
  'TracingConfig',
  'KmsMasterKeyId',
  'SignatureVersion',
  'ArchivePolicy',
] as const;

export const SNS = {
  /** SNS API Reference, CreateTopic, Request Parameters: Name (required), Attributes (map). */
  CreateTopic: structure({
    Name: required(string(undefined, /^[\w-]{1,256}$/)),
    Attributes: optional(map(string())),
  }),
  /** SNS API Reference, ListTopics, Request Parameters. */
  ListTopics: structure({ NextToken: optional(string()) }),
  /** SNS API Reference, GetTopicAttributes, Request Parameters. */
  GetTopicAttributes: structure({ TopicArn: required(TOPIC_ARN) }),
  /** SNS API Reference, SetTopicAttributes, Request Parameters. */
  SetTopicAttributes: structure({
    TopicArn: required(TOPIC_ARN),
    AttributeName: required(string(TOPIC_ATTRIBUTE_NAMES)),
    AttributeValue: optional(string()),
  }),
  /** SNS API Reference, ListSubscriptionsByTopic, Request Parameters. */
  ListSubscriptionsByTopic: structure({ TopicArn: required(TOPIC_ARN), NextToken: optional(string()) }),
  /** SNS API Reference, Subscribe, Request Parameters (Protocol values as listed there). */
  Subscribe: structure({
    TopicArn: required(TOPIC_ARN),
    Protocol: required(
      string(['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'application', 'lambda', 'firehose']),
    ),
    Endpoint: optional(string()),
    Attributes: optional(map(string(), SUBSCRIPTION_ATTRIBUTE_NAMES)),
    ReturnSubscriptionArn: optional({ kind: 'boolean' }),
  }),
  /** SNS API Reference, GetSubscriptionAttributes, Request Parameters. */
  GetSubscriptionAttributes: structure({ SubscriptionArn: required(SUBSCRIPTION_ARN) }),
  /** SNS API Reference, SetSubscriptionAttributes, Request Parameters. */
  SetSubscriptionAttributes: structure({
    SubscriptionArn: required(SUBSCRIPTION_ARN),
    AttributeName: required(string(SUBSCRIPTION_ATTRIBUTE_NAMES)),
    AttributeValue: optional(string()),
  }),
} as const;

// --- STS (API version 2011-06-15, query protocol) ----------------------------------------------

export const STS_VERSION = '2011-06-15';
/** STS API Reference, GetCallerIdentity, Request Parameters: "this operation does not take any parameters" beyond the common ones. */
export const STS = { GetCallerIdentity: structure({}) } as const;

// --- SQS (AWS JSON 1.0 protocol, X-Amz-Target: AmazonSQS.<Operation>) --------------------------

/** SQS API Reference, CreateQueue, Request Parameters, Attributes: the names it accepts. */
const QUEUE_ATTRIBUTE_NAMES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'Policy',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
] as const;

/** SQS API Reference, GetQueueAttributes, Request Parameters, AttributeNames: the values it accepts. */
const QUEUE_ATTRIBUTE_READS = [
  'All',
  ...QUEUE_ATTRIBUTE_NAMES,
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesDelayed',
  'ApproximateNumberOfMessagesNotVisible',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;

export const SQS = {
  /** SQS API Reference, GetQueueUrl, Request Syntax. */
  GetQueueUrl: structure({
    QueueName: required(string(undefined, /^[\w-]{1,80}$/)),
    QueueOwnerAWSAccountId: optional(string(undefined, /^\d{12}$/)),
  }),
  /** SQS API Reference, GetQueueAttributes, Request Syntax. */
  GetQueueAttributes: structure({
    QueueUrl: required(string()),
    AttributeNames: optional(list(string(QUEUE_ATTRIBUTE_READS))),
  }),
  /** SQS API Reference, CreateQueue, Request Syntax (attribute values are strings). */
  CreateQueue: structure({
    QueueName: required(string(undefined, /^[\w-]{1,80}$/)),
    Attributes: optional(map(string(), QUEUE_ATTRIBUTE_NAMES)),
    tags: optional(map(string())),
  }),
  /** SQS API Reference, SetQueueAttributes, Request Syntax. */
  SetQueueAttributes: structure({
    QueueUrl: required(string()),
    Attributes: required(map(string(), QUEUE_ATTRIBUTE_NAMES)),
  }),
} as const;

// --- S3 (REST-XML, namespace http://s3.amazonaws.com/doc/2006-03-01/) -------------------------

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** S3 User Guide, "Event notification types and destinations": `s3:<group>:<name>` or `s3:<group>:*`. */
const EVENT = string(undefined, /^s3:[A-Za-z]+(:[A-Za-z]+)*(:\*)?$/);
const EVENTS = required(list(EVENT, 1), { xmlName: 'Event', flattened: true });

/** S3 API Reference, PutBucketNotificationConfiguration, Request Syntax: Filter/S3Key/FilterRule. */
const FILTER = structure({
  Key: optional(
    structure({
      FilterRules: optional(
        list(structure({ Name: optional(string(['prefix', 'suffix'])), Value: optional(string()) })),
        { xmlName: 'FilterRule', flattened: true },
      ),
    }),
    { xmlName: 'S3Key' },
  ),
});

/**
 * S3 API Reference, PutBucketNotificationConfiguration, Request Syntax: TopicConfiguration
 * (Topic, Event…, Filter, Id), QueueConfiguration (Queue…), CloudFunctionConfiguration
 * (CloudFunction…: the SDK's LambdaFunctionConfigurations), EventBridgeConfiguration (empty).
 * The same shape, by member names, is the CLI's --notification-configuration JSON.
 */
export const NOTIFICATION_CONFIGURATION = structure({
  TopicConfigurations: optional(
    list(
      structure({
        Id: optional(string()),
        TopicArn: required(ARN('sns'), { xmlName: 'Topic' }),
        Events: EVENTS,
        Filter: optional(FILTER),
      }),
    ),
    { xmlName: 'TopicConfiguration', flattened: true },
  ),
  QueueConfigurations: optional(
    list(
      structure({
        Id: optional(string()),
        QueueArn: required(ARN('sqs'), { xmlName: 'Queue' }),
        Events: EVENTS,
        Filter: optional(FILTER),
      }),
    ),
    { xmlName: 'QueueConfiguration', flattened: true },
  ),
  LambdaFunctionConfigurations: optional(
    list(
      structure({
        Id: optional(string()),
        LambdaFunctionArn: required(ARN('lambda'), { xmlName: 'CloudFunction' }),
        Events: EVENTS,
        Filter: optional(FILTER),
      }),
    ),
    { xmlName: 'CloudFunctionConfiguration', flattened: true },
  ),
  EventBridgeConfiguration: optional(structure({})),
});

/**
 * S3 API Reference, RestoreObject, Request Syntax (RestoreRequest) in the CLI's JSON form. A
 * regular restore names its tier in GlacierJobParameters.Tier; the top-level Tier is for SELECT
 * requests only (see restoreRequestProblems).
 */
export const RESTORE_REQUEST = structure({
  Days: optional({ kind: 'number', min: 1 }),
  GlacierJobParameters: optional(structure({ Tier: required(string(['Standard', 'Bulk', 'Expedited'])) })),
  Type: optional(string(['SELECT'])),
  Tier: optional(string(['Standard', 'Bulk', 'Expedited'])),
  Description: optional(string()),
  SelectParameters: optional(map(oneOf(string(), map(string())))),
  OutputLocation: optional(map(oneOf(string(), map(string())))),
});

/** RESTORE_REQUEST's rules across members (S3 API Reference, RestoreObject, Request Body: Days, Tier). */
export function restoreRequestProblems(value: unknown, archiveClass = true): string[] {
  const problems = jsonProblems(value, RESTORE_REQUEST);
  const request = (value ?? {}) as Record<string, unknown>;
  if (request['Type'] === undefined) {
    if (request['Tier'] !== undefined)
      problems.push('a regular restore has no top-level Tier (S3: MalformedXML)');
    if (archiveClass && request['Days'] === undefined)
      problems.push('Days is required for a regular restore');
  }
  return problems;
}
