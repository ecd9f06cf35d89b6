import { TOPIC_ARN_PATTERN, parseArn } from './arn';

/** What `thaw setup` was asked to do, validated. */
export interface SetupOptions {
  readonly bucket: string;
  /** thaw's SNS route, e.g. https://thaw.example.com/sns. */
  readonly endpoint: string;
  readonly protocol: 'https' | 'http';
  /** The topic's name: from --topic-name, from --topic-arn, or the default. */
  readonly topicName: string;
  /** Set when --topic-arn names an existing topic to use. */
  readonly topicArn?: string;
  /** --region, or the topic ARN's region; otherwise the SDK's default chain decides. */
  readonly region?: string;
  /** The bucket owner's account id (aws:SourceAccount); defaults to the topic's account. */
  readonly accountId?: string;
  /** The dead-letter queue's name; set only with --dlq. */
  readonly dlqName?: string;
  /** An existing (confirmed) subscription to configure, when it cannot be found by endpoint. */
  readonly subscriptionArn?: string;
  readonly signatureVersion: '1' | '2';
  readonly dryRun: boolean;
}

export const DEFAULT_TOPIC_NAME = 'thaw-restore-events';

const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const TOPIC_NAME_PATTERN = /^[\w-]{1,256}$/;
const QUEUE_NAME_PATTERN = /^[\w-]{1,80}$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ACCOUNT_PATTERN = /^\d{12}$/;
const SUBSCRIPTION_ARN_PATTERN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}:[0-9a-f-]{36}$/;

const VALUE_FLAGS = new Set([
  '--bucket',
  '--endpoint',
  '--topic-name',
  '--topic-arn',
  '--region',
  '--account-id',
  '--dlq-name',
  '--subscription-arn',
  '--signature-version',
]);

/** Parses the arguments after `setup`: the options, `'help'`, or a message saying what is wrong. */
export function parseSetupArgs(argv: readonly string[]): SetupOptions | 'help' | string {
  const values = new Map<string, string>();
  let dlq = false;
  let dryRun = false;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = equals > 0 ? arg.slice(0, equals) : arg;
    if (flag === '--help' || flag === '-h') return 'help';
    if (flag === '--dlq') dlq = true;
    else if (flag === '--dry-run') dryRun = true;
    else if (VALUE_FLAGS.has(flag)) {
      const given = equals > 0 ? arg.slice(equals + 1) : argv[(index += 1)];
      if (given === undefined || given === '' || given.startsWith('--')) return `${flag} needs a value`;
      values.set(flag, given);
    } else return `unknown argument ${arg}`;
  }
  return validate(values, dlq, dryRun);
}

function validate(values: ReadonlyMap<string, string>, dlq: boolean, dryRun: boolean): SetupOptions | string {
  const bucket = values.get('--bucket');
  if (bucket === undefined) return '--bucket is required';
  if (!BUCKET_PATTERN.test(bucket)) return `"${bucket}" is not an S3 bucket name`;

  const endpoint = values.get('--endpoint');
  if (endpoint === undefined)
    return "--endpoint is required (thaw's SNS route, e.g. https://thaw.example.com/sns)";
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `--endpoint "${endpoint}" is not a URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return '--endpoint must be an https:// URL';

  const topicArn = values.get('--topic-arn');
  const topicNameGiven = values.get('--topic-name');
  if (topicArn !== undefined && topicNameGiven !== undefined)
    return 'give --topic-name or --topic-arn, not both';
  if (topicArn !== undefined && !TOPIC_ARN_PATTERN.test(topicArn))
    return `"${topicArn}" is not an SNS topic ARN`;
  const fromArn = topicArn === undefined ? undefined : parseArn(topicArn);
  const topicName = fromArn?.resource ?? topicNameGiven ?? DEFAULT_TOPIC_NAME;
  if (topicName.endsWith('.fifo')) return 'S3 cannot publish to a FIFO topic: use a standard topic';
  if (!TOPIC_NAME_PATTERN.test(topicName))
    return `"${topicName}" is not an SNS topic name (1-256 of A-Z a-z 0-9 _ -)`;

  const region = values.get('--region') ?? fromArn?.region;
  if (region !== undefined && !REGION_PATTERN.test(region)) return `"${region}" is not an AWS region`;
  if (fromArn !== undefined && region !== fromArn.region) {
    return `--region ${region} differs from the topic's region ${fromArn.region}`;
  }

  const accountId = values.get('--account-id');
  if (accountId !== undefined && !ACCOUNT_PATTERN.test(accountId)) return '--account-id must be 12 digits';

  const dlqName = values.get('--dlq-name') ?? (dlq ? `${topicName}-dlq` : undefined);
  if (dlqName !== undefined && !QUEUE_NAME_PATTERN.test(dlqName)) {
    return `"${dlqName}" is not an SQS queue name (1-80 of A-Z a-z 0-9 _ -): give one with --dlq-name`;
  }

  const subscriptionArn = values.get('--subscription-arn');
  if (subscriptionArn !== undefined && !SUBSCRIPTION_ARN_PATTERN.test(subscriptionArn)) {
    return `"${subscriptionArn}" is not an SNS subscription ARN`;
  }

  const signatureVersion = values.get('--signature-version') ?? '2';
  if (signatureVersion !== '1' && signatureVersion !== '2') return '--signature-version must be 1 or 2';

  return {
    bucket,
    endpoint,
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    topicName,
    signatureVersion,
    dryRun,
    ...(topicArn === undefined ? {} : { topicArn }),
    ...(region === undefined ? {} : { region }),
    ...(accountId === undefined ? {} : { accountId }),
    ...(dlqName === undefined ? {} : { dlqName }),
    ...(subscriptionArn === undefined ? {} : { subscriptionArn }),
  };
}
