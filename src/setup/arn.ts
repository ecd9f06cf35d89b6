/**
 * ARNs setup reads and predicts. A topic or queue that does not exist yet (a dry run on a fresh
 * account) gets the ARN AWS will give it: `arn:<partition>:<service>:<region>:<account>:<name>`.
 */

export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/** Stands in for the account id in a predicted ARN when neither the topic nor --account-id gives it. */
export const UNKNOWN_ACCOUNT = '<account-id>';

export const TOPIC_ARN_PATTERN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;

export function parseArn(arn: string): ParsedArn | undefined {
  const [prefix, partition, service, region, account, ...rest] = arn.split(':');
  if (prefix !== 'arn' || !partition || !service || region === undefined || account === undefined) {
    return undefined;
  }
  return { partition, service, region, account, resource: rest.join(':') };
}

/** The partition a region belongs to: China and GovCloud ARNs differ from the commercial `aws`. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function topicArnFor(region: string, account: string, name: string): string {
  return `arn:${partitionOf(region)}:sns:${region}:${account}:${name}`;
}

export function queueArnFor(region: string, account: string, name: string): string {
  return `arn:${partitionOf(region)}:sqs:${region}:${account}:${name}`;
}

/** Bucket ARNs carry neither region nor account. */
export function bucketArnFor(partition: string, bucket: string): string {
  return `arn:${partition}:s3:::${bucket}`;
}
