import { bucketArnFor, parseArn } from './arn';
import { isRecord, parseJsonAttribute, sameJson } from './json-compare';
import { SetupError } from './setup-error';

/**
 * Resource policies (the topic's, the dead-letter queue's) are shared with whoever else uses the
 * topic or queue, so setup never replaces one: it adds or replaces the single statement it owns,
 * found by a fixed `Sid`, and keeps every other statement as it is.
 */

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Principal: { readonly Service: string };
  readonly Action: string;
  readonly Resource: string;
  readonly Condition: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface MergedPolicy {
  /** The policy to set: the existing text, untouched, when `changed` is false. */
  readonly policy: string;
  readonly changed: boolean;
}

/**
 * Least privilege for S3 → SNS: only the S3 service, only Publish, only for this bucket, and only
 * while the bucket belongs to `bucketAccount` (SourceAccount guards against the bucket being
 * deleted and its name taken by another account).
 */
export function s3PublishStatement(topicArn: string, bucket: string, bucketAccount: string): PolicyStatement {
  const partition = parseArn(topicArn)?.partition ?? 'aws';
  return {
    // Bucket names may hold dots but never underscores, so this Sid is unique per bucket.
    Sid: `thaw-allow-s3-${bucket.replaceAll('.', '_')}`,
    Effect: 'Allow',
    Principal: { Service: 's3.amazonaws.com' },
    Action: 'SNS:Publish',
    Resource: topicArn,
    Condition: {
      ArnLike: { 'aws:SourceArn': bucketArnFor(partition, bucket) },
      StringEquals: { 'aws:SourceAccount': bucketAccount },
    },
  };
}

/** Lets the topic move messages it gave up on into the dead-letter queue, and nothing else. */
export function snsDeadLetterStatement(queueArn: string, topicArn: string): PolicyStatement {
  const topicName = parseArn(topicArn)?.resource ?? 'topic';
  return {
    Sid: `thaw-allow-sns-${topicName}`,
    Effect: 'Allow',
    Principal: { Service: 'sns.amazonaws.com' },
    Action: 'sqs:SendMessage',
    Resource: queueArn,
    Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
  };
}

/** Adds `statement` to the policy `existing` (JSON text, or undefined for none), replacing its own Sid. */
export function mergeStatement(
  existing: string | undefined,
  statement: PolicyStatement,
  owner: string,
): MergedPolicy {
  let base: Record<string, unknown> = { Version: '2012-10-17' };
  if (existing !== undefined && existing.trim() !== '') {
    const parsed = parseJsonAttribute(existing);
    if (!isRecord(parsed)) {
      throw new SetupError(
        'setup_invalid',
        `the policy of ${owner} is not a JSON object; fix it by hand first`,
      );
    }
    base = parsed;
  }
  const current = base['Statement'];
  // A policy may hold one statement object instead of an array.
  const statements: unknown[] = Array.isArray(current)
    ? [...current]
    : current === undefined
      ? []
      : [current];
  const index = statements.findIndex((item) => isRecord(item) && item['Sid'] === statement.Sid);
  if (index >= 0 && sameJson(statements[index], statement)) {
    return { policy: existing ?? '', changed: false };
  }
  if (index >= 0) statements[index] = statement;
  else statements.push(statement);
  return { policy: JSON.stringify({ ...base, Statement: statements }), changed: true };
}
