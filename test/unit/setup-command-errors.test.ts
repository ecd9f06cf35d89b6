import {
  GetBucketLocationCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  AuthorizationErrorException,
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { runSetup, SETUP_USAGE } from '../../src/cli/setup-command';
import { createSetupClients, destroySetupClients } from '../../src/setup/setup-clients';

const ACCOUNT = '111122223333';
const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:thaw-restore-events`;
const ARGS = [
  '--bucket',
  'acme-archive',
  '--endpoint',
  'https://thaw.example.com/sns',
  '--region',
  'us-east-1',
];
const WRITE = /^(Create|Set|Put|Subscribe|Delete|Unsubscribe|Add|Remove)/;

const sns = mockClient(SNSClient);
const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);
const clients = createSetupClients({ region: 'us-east-1' });

function s3Error(name: string, httpStatusCode: number, message: string): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message });
}

/** An existing topic with nothing set up yet, and a bucket with no notification configuration. */
beforeEach(() => {
  sns.reset();
  s3.reset();
  sqs.reset();
  s3.on(GetBucketLocationCommand).resolves({});
  s3.on(GetBucketNotificationConfigurationCommand).resolves({ $metadata: { httpStatusCode: 200 } });
  s3.on(PutBucketNotificationConfigurationCommand).resolves({});
  sns.on(ListTopicsCommand).resolves({ Topics: [{ TopicArn: TOPIC_ARN }] });
  sns.on(GetTopicAttributesCommand).resolves({ Attributes: { TopicArn: TOPIC_ARN } });
  sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
  sns.on(SetTopicAttributesCommand).resolves({});
  sns.on(SubscribeCommand).resolves({ SubscriptionArn: `${TOPIC_ARN}:5b1e4c1a-3f0e-4a8e-9a51-0c2d7d7f1a11` });
});

afterAll(() => {
  sns.restore();
  s3.restore();
  sqs.restore();
  destroySetupClients(clients);
});

/** The waits setup asked for between attempts at a bucket configuration S3 could not validate. */
let waitedMs: number[] = [];
const validationRetry = {
  delaysMs: [1_000, 2_000, 4_000, 8_000],
  sleep: (ms: number) => {
    waitedMs.push(ms);
    return Promise.resolve();
  },
};

async function setup(...argv: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  waitedMs = [];
  const code = await runSetup(argv, { out: (line) => lines.push(line) }, clients, { validationRetry });
  return { code, output: lines.join('\n') };
}

function writeCalls(): string[] {
  return [...sns.calls(), ...s3.calls(), ...sqs.calls()]
    .map((call) => call.args[0].constructor.name)
    .filter((name) => WRITE.test(name));
}

describe('thaw setup stops with a clear message', () => {
  it("when another configuration already sends the bucket's restore events elsewhere, before any write", async () => {
    sns.on(ListTopicsCommand).resolves({ Topics: [] });
    s3.on(GetBucketNotificationConfigurationCommand).resolves({
      QueueConfigurations: [
        {
          Id: 'legacy-restores',
          QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:restores`,
          Events: ['s3:ObjectRestore:Completed'],
        },
      ],
    });

    const { code, output } = await setup(...ARGS);

    expect(code).toBe(1);
    expect(output).toContain(
      `thaw setup: bucket "acme-archive" already sends s3:ObjectRestore:Completed to queue arn:aws:sqs:us-east-1:${ACCOUNT}:restores (configuration "legacy-restores")`,
    );
    expect(writeCalls()).toEqual([]);
    expect(sns.commandCalls(CreateTopicCommand)).toHaveLength(0);
  });

  it('when S3 denies access, naming the IAM permission needed', async () => {
    s3.on(PutBucketNotificationConfigurationCommand).rejects(s3Error('AccessDenied', 403, 'Access Denied'));

    const { code, output } = await setup(...ARGS);

    expect(code).toBe(1);
    expect(output).toContain(
      'thaw setup: s3 PutBucketNotificationConfiguration on acme-archive was refused: the credentials need the IAM permission "s3:PutBucketNotification"',
    );
    expect(output).toContain('were applied before this; setup is idempotent');
  });

  it('when SNS denies access, naming the IAM permission needed', async () => {
    sns
      .on(ListTopicsCommand)
      .rejects(
        new AuthorizationErrorException({ message: 'not authorized', $metadata: { httpStatusCode: 403 } }),
      );

    const { code, output } = await setup(...ARGS);

    expect(code).toBe(1);
    expect(output).toContain('the credentials need the IAM permission "sns:ListTopics"');
    expect(writeCalls()).toEqual([]);
  });

  it('when the bucket does not exist', async () => {
    s3.on(GetBucketLocationCommand).rejects(
      s3Error('NoSuchBucket', 404, 'The specified bucket does not exist'),
    );

    const { code, output } = await setup(...ARGS);

    expect(code).toBe(1);
    expect(output).toContain('thaw setup: bucket "acme-archive" does not exist');
  });

  it('when the bucket is in another region than the topic would be', async () => {
    s3.on(GetBucketLocationCommand).resolves({ LocationConstraint: 'eu-central-1' });

    const { code, output } = await setup(...ARGS);

    expect(code).toBe(1);
    expect(output).toContain('is in eu-central-1, not us-east-1');
    expect(output).toContain('--region eu-central-1');
    expect(sns.calls()).toHaveLength(0);
  });

  it('when S3 cannot validate the topic as a destination, after retrying with backoff', async () => {
    s3.on(PutBucketNotificationConfigurationCommand).rejects(
      s3Error('InvalidArgument', 400, 'Unable to validate the following destination configurations'),
    );

    const { code, output } = await setup(...ARGS);

    expect(code).toBe(1);
    expect(s3.commandCalls(PutBucketNotificationConfigurationCommand)).toHaveLength(5);
    expect(waitedMs).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(output).toContain('S3 could not validate the notification destinations of bucket "acme-archive"');
    expect(output).toContain('Unable to validate the following destination configurations');
  });

  it('at once when S3 refuses the configuration for another reason', async () => {
    s3.on(PutBucketNotificationConfigurationCommand).rejects(
      s3Error('InvalidArgument', 400, 'Configuration is ambiguously defined'),
    );

    const { code } = await setup(...ARGS);

    expect(code).toBe(1);
    expect(s3.commandCalls(PutBucketNotificationConfigurationCommand)).toHaveLength(1);
    expect(waitedMs).toEqual([]);
  });

  it('when the topic named by --topic-arn is FIFO', async () => {
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: { TopicArn: TOPIC_ARN, FifoTopic: 'true' } });

    const { code, output } = await setup(...ARGS.slice(0, 4), '--topic-arn', TOPIC_ARN);

    expect(code).toBe(1);
    expect(output).toContain('is a FIFO topic');
    expect(writeCalls()).toEqual([]);
  });

  it('when --subscription-arn names a subscription of another topic', async () => {
    const other = `arn:aws:sns:us-east-1:${ACCOUNT}:other:5b1e4c1a-3f0e-4a8e-9a51-0c2d7d7f1a11`;
    sns.on(GetSubscriptionAttributesCommand).resolves({ Attributes: { TopicArn: other.slice(0, -37) } });

    const { code, output } = await setup(...ARGS, '--subscription-arn', other);

    expect(code).toBe(1);
    expect(output).toContain(`subscription ${other} belongs to topic arn:aws:sns:us-east-1:${ACCOUNT}:other`);
    expect(sns.commandCalls(SubscribeCommand)).toHaveLength(0);
    expect(sns.commandCalls(SetSubscriptionAttributesCommand)).toHaveLength(0);
  });
});

describe('thaw setup usage', () => {
  it('prints its help with --help and exits 0', async () => {
    const { code, output } = await setup('--help');

    expect(code).toBe(0);
    expect(output).toBe(SETUP_USAGE);
    expect(output).toContain('--dry-run');
    expect(sns.calls()).toHaveLength(0);
  });

  it.each([
    ['--bucket is required', []],
    ['--endpoint is required', ['--bucket', 'acme-archive']],
    ['--endpoint must be an https:// URL', ['--bucket', 'acme-archive', '--endpoint', 'ftp://x']],
    ['give --topic-name or --topic-arn, not both', [...ARGS, '--topic-name', 'a', '--topic-arn', TOPIC_ARN]],
    ['S3 cannot publish to a FIFO topic', [...ARGS, '--topic-name', 'events.fifo']],
    ['--signature-version must be 1 or 2', [...ARGS, '--signature-version', '3']],
    ['--account-id must be 12 digits', [...ARGS, '--account-id', '42']],
    ['unknown argument --bogus', [...ARGS, '--bogus']],
  ])('refuses wrong usage with exit 2: %s', async (message, argv) => {
    const { code, output } = await setup(...argv);

    expect(code).toBe(2);
    expect(output).toContain(`thaw setup: ${message}`);
    expect(sns.calls()).toHaveLength(0);
  });

  it('subscribes an http endpoint with protocol http, and warns', async () => {
    const { code, output } = await setup(
      '--bucket',
      'acme-archive',
      '--endpoint',
      'http://localhost:3000/sns',
      '--region',
      'us-east-1',
    );

    expect(code).toBe(0);
    expect(sns.commandCalls(SubscribeCommand)[0]?.args[0].input).toMatchObject({
      Protocol: 'http',
      Endpoint: 'http://localhost:3000/sns',
    });
    expect(output).toContain('Warning: the endpoint is http://');
  });
});
