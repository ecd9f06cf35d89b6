import type {
  LambdaFunctionConfiguration,
  NotificationConfiguration,
  QueueConfiguration,
  TopicConfiguration,
} from '@aws-sdk/client-s3';
import { SetupError } from './setup-error';

/**
 * A bucket has ONE notification configuration, replaced whole by PutBucketNotificationConfiguration.
 * Setup therefore reads it, keeps every Topic/Queue/Lambda configuration and the EventBridge switch
 * exactly as they are, and adds or replaces only the configuration with thaw's fixed Id.
 */

/** The Id of thaw's TopicConfiguration; it also reaches thaw as `s3.configurationId` in each record. */
export const THAW_NOTIFICATION_ID = 'thaw-restore-events';

export const RESTORE_EVENT_TYPES = [
  's3:ObjectRestore:Post',
  's3:ObjectRestore:Completed',
  's3:ObjectRestore:Delete',
] as const;

export const RESTORE_WILDCARD = 's3:ObjectRestore:*';

export interface NotificationMerge {
  /** The whole configuration to put: no response-only fields (`$metadata`). */
  readonly configuration: NotificationConfiguration;
  readonly changed: boolean;
  /** Set when another configuration already sends every restore event, unfiltered, to thaw's topic. */
  readonly alreadyRoutedBy?: string;
}

type AnyConfiguration = TopicConfiguration | QueueConfiguration | LambdaFunctionConfiguration;

export function thawTopicConfiguration(topicArn: string): TopicConfiguration {
  return { Id: THAW_NOTIFICATION_ID, TopicArn: topicArn, Events: [RESTORE_WILDCARD] };
}

/**
 * Merges thaw's TopicConfiguration into `current` (what GetBucketNotificationConfiguration gave).
 * Throws a `setup_conflict` SetupError when another configuration already takes restore events
 * somewhere else: thaw's has no filter, so it overlaps any of them, and S3 refuses overlapping
 * configurations for the same event type ("Configurations overlap", HTTP 400).
 */
export function mergeBucketNotification(
  current: NotificationConfiguration,
  topicArn: string,
  bucket: string,
): NotificationMerge {
  const topics = [...(current.TopicConfigurations ?? [])];
  const queues = current.QueueConfigurations ?? [];
  const lambdas = current.LambdaFunctionConfigurations ?? [];
  const others: ReadonlyArray<readonly [AnyConfiguration, string]> = [
    ...topics
      .filter((item) => item.Id !== THAW_NOTIFICATION_ID)
      .map((item) => [item, `topic ${item.TopicArn}`] as const),
    ...queues.map((item) => [item, `queue ${item.QueueArn}`] as const),
    ...lambdas.map((item) => [item, `Lambda function ${item.LambdaFunctionArn}`] as const),
  ];

  let alreadyRoutedBy: string | undefined;
  for (const [item, destination] of others) {
    if (!(item.Events ?? []).some((event) => event.startsWith('s3:ObjectRestore:'))) continue;
    if (item.Id === THAW_NOTIFICATION_ID) {
      throw new SetupError(
        'setup_conflict',
        `bucket "${bucket}" has a configuration with thaw's Id "${THAW_NOTIFICATION_ID}" that sends to ${destination}; remove or rename it, then run setup again`,
      );
    }
    if ('TopicArn' in item && item.TopicArn === topicArn && coversEveryRestore(item)) {
      alreadyRoutedBy = item.Id ?? '(no Id)';
      continue;
    }
    throw new SetupError(
      'setup_conflict',
      `bucket "${bucket}" already sends ${(item.Events ?? []).join(', ')} to ${destination} ` +
        `(configuration "${item.Id ?? '(no Id)'}"). S3 refuses a second configuration for the same ` +
        `restore events, so thaw's cannot be added: remove that configuration or point it at ${topicArn}, ` +
        'then run setup again',
    );
  }

  const index = topics.findIndex((item) => item.Id === THAW_NOTIFICATION_ID);
  const own = index >= 0 ? topics[index] : undefined;
  const ownIsCurrent = own !== undefined && own.TopicArn === topicArn && isThawShaped(own);
  const changed = alreadyRoutedBy === undefined && !ownIsCurrent;
  if (changed) {
    if (index >= 0) topics[index] = thawTopicConfiguration(topicArn);
    else topics.push(thawTopicConfiguration(topicArn));
  }
  const configuration: NotificationConfiguration = {
    ...(topics.length > 0 ? { TopicConfigurations: topics } : {}),
    ...(queues.length > 0 ? { QueueConfigurations: [...queues] } : {}),
    ...(lambdas.length > 0 ? { LambdaFunctionConfigurations: [...lambdas] } : {}),
    ...(current.EventBridgeConfiguration === undefined ? {} : { EventBridgeConfiguration: {} }),
  };
  return { configuration, changed, ...(alreadyRoutedBy === undefined ? {} : { alreadyRoutedBy }) };
}

/** Sends every restore event of the whole bucket (no filter): `s3:ObjectRestore:*` or the three named. */
function coversEveryRestore(item: AnyConfiguration): boolean {
  const events = new Set<string>(item.Events ?? []);
  const all = events.has(RESTORE_WILDCARD) || RESTORE_EVENT_TYPES.every((event) => events.has(event));
  return all && (item.Filter?.Key?.FilterRules ?? []).length === 0;
}

/** Exactly what setup would write: every restore event, nothing else, no filter. */
function isThawShaped(item: TopicConfiguration): boolean {
  return (
    coversEveryRestore(item) && (item.Events ?? []).every((event) => event.startsWith('s3:ObjectRestore:'))
  );
}
