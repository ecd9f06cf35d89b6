import { join } from 'node:path';
import { flags, memberOf, runWithStubbedCli } from '../helpers/aws-cli-stub';
import type { CliCall } from '../helpers/aws-cli-stub';
import { attributeProblems } from '../helpers/attribute-shapes';
import { jsonProblems, optional, required, string, structure } from '../helpers/request-syntax';
import type { Shape } from '../helpers/request-syntax';
import {
  NOTIFICATION_CONFIGURATION,
  restoreRequestProblems,
  SNS,
  SQS,
} from '../helpers/setup-request-shapes';

/**
 * The AWS CLI calls of LocalStack's init script, docker/localstack/init/ready.d/thaw-setup.sh, held
 * to the same request syntax as the wire tests of `thaw setup` (test/helpers/setup-request-shapes.ts).
 * There is no Docker engine here, so bash runs the script itself with `awslocal` and `curl` replaced
 * by stubs (test/helpers/aws-cli-stub.ts) that record their arguments and answer as LocalStack
 * would: every argument is checked exactly as the script, its heredocs and its variables produce it. The CLI takes each JSON
 * argument as the API's input shape by member names (AWS CLI User Guide, "Using JSON for AWS CLI
 * parameters"); its flags are the members in kebab case, except Subscribe's Endpoint, which the
 * CLI calls --notification-endpoint.
 */

const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'docker/localstack/init/ready.d/thaw-setup.sh');
const ACCOUNT = '000000000000';
const runScript = (env: Record<string, string>): CliCall[] => runWithStubbedCli(SCRIPT, ACCOUNT, env);

const BUCKET_NAME = required(string(undefined, /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/));

/**
 * Every operation the script calls, by its top-level members (the CLI's flags). Beyond the shapes
 * `thaw setup` shares: S3 API Reference, HeadBucket, HeadObject, PutObject (StorageClass values),
 * CreateBucket and RestoreObject, Request Syntax; SES API Reference (v1), VerifyEmailIdentity, Request
 * Parameters; SNS API Reference, ConfirmSubscription, Request Parameters.
 */
const SHAPES: Readonly<Record<string, Shape>> = {
  's3api head-bucket': structure({ Bucket: BUCKET_NAME }),
  's3api head-object': structure({ Bucket: BUCKET_NAME, Key: required(string()) }),
  's3api create-bucket': structure({ Bucket: BUCKET_NAME, CreateBucketConfiguration: optional(string()) }),
  's3api put-object': structure({
    Bucket: BUCKET_NAME,
    Key: required(string()),
    Body: optional(string()),
    StorageClass: optional(
      string(['STANDARD', 'GLACIER', 'DEEP_ARCHIVE', 'GLACIER_IR', 'INTELLIGENT_TIERING']),
    ),
  }),
  's3api put-bucket-notification-configuration': structure({
    Bucket: BUCKET_NAME,
    NotificationConfiguration: required(string()),
  }),
  's3api restore-object': structure({
    Bucket: BUCKET_NAME,
    Key: required(string()),
    VersionId: optional(string()),
    RestoreRequest: optional(string()),
  }),
  'ses verify-email-identity': structure({ EmailAddress: required(string(undefined, /^[^@\s]+@[^@\s]+$/)) }),
  'sns create-topic': SNS.CreateTopic,
  'sns set-topic-attributes': SNS.SetTopicAttributes,
  'sns subscribe': SNS.Subscribe,
  'sns get-subscription-attributes': SNS.GetSubscriptionAttributes,
  'sns confirm-subscription': structure({
    TopicArn: required(string(undefined, /^arn:aws:sns:/)),
    Token: required(string()),
    AuthenticateOnUnsubscribe: optional(string(['true', 'false'])),
  }),
  'sqs create-queue': SQS.CreateQueue,
};

/** Every problem with one CLI call: its top-level members, then each JSON (or shorthand) argument. */
function callProblems({ args }: CliCall): string[] {
  const name = `${args[0]} ${args[1]}`;
  const given = flags(args);
  const problems: string[] = [];
  const shape = SHAPES[name];
  if (shape === undefined) return [`${name}: not an operation modelled here`];
  const input = Object.fromEntries(Object.entries(given).map(([flag, value]) => [memberOf(flag), value]));
  problems.push(...jsonProblems(input, shape).map((problem) => `${name}: ${problem}`));
  for (const [flag, value] of Object.entries(given)) {
    if (typeof value !== 'string') continue;
    const found = argumentProblems(name, flag, value, given);
    if (found === undefined && /^\s*[[{]/.test(value))
      problems.push(`${name} ${flag}: no request syntax to check it against`);
    problems.push(...(found ?? []).map((problem) => `${name} ${flag}: ${problem}`));
  }
  return problems;
}

function argumentProblems(
  name: string,
  flag: string,
  value: string,
  given: Record<string, string | true>,
): string[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    json = undefined; // shorthand syntax (Key=Value,...): only the cases that expect it read it
  }
  const parsed = (): unknown => json ?? `not JSON: ${value}`;
  switch (`${name} ${flag}`) {
    // S3 API Reference, PutBucketNotificationConfiguration, Request Syntax (by member names).
    case 's3api put-bucket-notification-configuration --notification-configuration':
      return jsonProblems(parsed(), NOTIFICATION_CONFIGURATION);
    // S3 API Reference, RestoreObject, Request Syntax and Request Body.
    case 's3api restore-object --restore-request':
      return restoreRequestProblems(parsed());
    // S3 API Reference, CreateBucket, Request Syntax: CreateBucketConfiguration/LocationConstraint.
    case 's3api create-bucket --create-bucket-configuration':
      return /^LocationConstraint=[a-z]{2}(-[a-z]+)+-\d$/.test(value) ? [] : [`"${value}"`];
    // SNS API Reference, SetTopicAttributes, Request Parameters; the policy by the IAM grammar.
    case 'sns set-topic-attributes --attribute-value':
      return attributeProblems('topic', String(given['--attribute-name']), value);
    case 'sns set-subscription-attributes --attribute-value':
      return attributeProblems('subscription', String(given['--attribute-name']), value);
    case 'sns subscribe --attributes':
    case 'sqs create-queue --attributes': {
      const owner = name.startsWith('sns') ? 'subscription' : 'queue';
      return Object.entries(parsed() as Record<string, string>).flatMap(([key, item]) =>
        attributeProblems(owner, key, item),
      );
    }
    default:
      return undefined;
  }
}

const awsCalls = (calls: CliCall[]): CliCall[] => calls.filter((call) => call.tool === 'awslocal');
const named = (calls: CliCall[], name: string): CliCall[] =>
  awsCalls(calls).filter(({ args }) => `${args[0]} ${args[1]}` === name);

describe('LocalStack init script: its AWS CLI calls', () => {
  const fresh = runScript({ AWS_DEFAULT_REGION: 'us-east-1', STUB_MISSING: '1', STUB_PENDING: 'true' });
  const again = runScript({ AWS_DEFAULT_REGION: 'eu-west-1', STUB_MISSING: '0', STUB_PENDING: 'false' });
  const elsewhere = runScript({ AWS_DEFAULT_REGION: 'eu-west-1', STUB_MISSING: '1', STUB_PENDING: 'true' });

  it('are these operations and no other', () => {
    const operations = new Set(
      [...fresh, ...again, ...elsewhere].map(({ tool, args }) =>
        tool === 'curl' ? tool : `${tool} ${args[0]} ${args[1]}`,
      ),
    );
    expect([...operations].sort()).toEqual([
      'awslocal s3api create-bucket',
      'awslocal s3api head-bucket',
      'awslocal s3api head-object',
      'awslocal s3api put-bucket-notification-configuration',
      'awslocal s3api put-object',
      'awslocal ses verify-email-identity',
      'awslocal sns confirm-subscription',
      'awslocal sns create-topic',
      'awslocal sns get-subscription-attributes',
      'awslocal sns set-topic-attributes',
      'awslocal sns subscribe',
      'curl', // LocalStack's own /_aws/sns/subscription-tokens endpoint, not an AWS API
    ]);
  });

  it.each([
    ['a fresh LocalStack', fresh],
    ['a second run', again],
    ['a fresh LocalStack in eu-west-1', elsewhere],
  ])('follow the request syntax on %s', (_name, calls) => {
    expect(awsCalls(calls).flatMap(callProblems)).toEqual([]);
  });

  it('put one TopicConfiguration for every restore event of the bucket on the restore topic', () => {
    const [put, ...more] = named(fresh, 's3api put-bucket-notification-configuration');
    expect(more).toEqual([]);
    const given = flags(put?.args ?? []);
    expect(given['--bucket']).toBe('thaw-archive');
    expect(JSON.parse(String(given['--notification-configuration']))).toEqual({
      TopicConfigurations: [
        {
          Id: 'thaw-restore-events',
          TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:thaw-restore-events`,
          Events: ['s3:ObjectRestore:*'],
        },
      ],
    });
  });

  it("let only S3, for the bucket and LocalStack's account, publish to the restore topic", () => {
    const policies = named(fresh, 'sns set-topic-attributes')
      .map(({ args }) => flags(args))
      .filter((given) => given['--attribute-name'] === 'Policy');
    expect(policies).toHaveLength(2);
    const restore = JSON.parse(String(policies[0]?.['--attribute-value'])) as { Statement: unknown[] };
    expect(restore.Statement).toEqual([
      {
        Sid: 'AllowS3RestoreEventsFromTheArchiveBucket',
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'SNS:Publish',
        Resource: `arn:aws:sns:us-east-1:${ACCOUNT}:thaw-restore-events`,
        Condition: {
          ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::thaw-archive' },
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
        },
      },
    ]);
  });

  it('name a LocationConstraint only outside us-east-1, and restore nothing with a top-level Tier', () => {
    const constraint = (calls: CliCall[]) =>
      named(calls, 's3api create-bucket').map(({ args }) => flags(args)['--create-bucket-configuration']);
    expect(constraint(fresh)).toEqual([undefined]);
    expect(constraint(elsewhere)).toEqual(['LocationConstraint=eu-west-1']);
    expect(constraint(again)).toEqual([]);
    for (const { args } of named(fresh, 's3api restore-object')) {
      expect(restoreRequestProblems(JSON.parse(String(flags(args)['--restore-request'])))).toEqual([]);
    }
  });

  it('subscribe thaw over HTTP with the subscription ARN returned, and confirm only a pending one', () => {
    for (const { args } of named(fresh, 'sns subscribe')) {
      expect(flags(args)).toEqual({
        '--topic-arn': expect.stringMatching(/^arn:aws:sns:us-east-1:0{12}:thaw-/),
        '--protocol': 'http',
        '--notification-endpoint': 'http://thaw:3000/sns',
        '--return-subscription-arn': true,
      });
    }
    expect(named(fresh, 'sns confirm-subscription')).toHaveLength(2);
    expect(named(again, 'sns confirm-subscription')).toHaveLength(0);
  });
});
