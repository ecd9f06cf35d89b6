import { XMLParser } from 'fast-xml-parser';
import { BUCKET, CALLER_ACCOUNT, REGION, runSetupIn, startSetupWorld } from '../helpers/setup-aws-world';
import type { SetupWorld } from '../helpers/setup-aws-world';
import { wireProblems } from '../helpers/setup-wire-check';

/**
 * The bucket's S3 requests on the wire (REST-XML; path-style against the stand-in, so the bucket
 * is the first path segment), held to the S3 API Reference:
 * - GetBucketLocation, Request Syntax: `GET /?location`, header `x-amz-expected-bucket-owner`
 *   only with --account-id. Response Syntax: `<LocationConstraint>`, empty for us-east-1, `EU`
 *   for the oldest eu-west-1 buckets.
 * - GetBucketNotificationConfiguration, Request Syntax: `GET /?notification`, same header.
 * - PutBucketNotificationConfiguration, Request Syntax: `PUT /?notification`, same header, no
 *   `x-amz-skip-destination-validation`, body `<NotificationConfiguration
 *   xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` holding TopicConfiguration (Id, Topic,
 *   Event…, Filter/S3Key/FilterRule), QueueConfiguration (Queue), CloudFunctionConfiguration
 *   (CloudFunction) and an empty EventBridgeConfiguration. The configuration replaces the whole
 *   previous one (Request Body: "... the entire notification configuration"), so every other
 *   configuration read must be sent back unchanged. Errors: 400 InvalidArgument, "Unable to
 *   validate the following destination configurations", when a destination's test event fails.
 */

const ENDPOINT = 'https://thaw.example.com/sns';
const ARGS = ['--bucket', BUCKET, '--endpoint', ENDPOINT, '--region', REGION];
const TOPIC_ARN = `arn:aws:sns:${REGION}:${CALLER_ACCOUNT}:thaw-restore-events`;
const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Every element as a list, so a repeated (flattened) element and a single one read alike. */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  ignoreDeclaration: true,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

let world: SetupWorld;
beforeEach(async () => {
  world = await startSetupWorld();
});
afterEach(async () => {
  await world.stop();
});

function s3Calls() {
  return world.calls().filter((call) => call.service === 's3');
}

function putBodies(): unknown[] {
  return s3Calls()
    .filter((call) => call.operation === 'PutBucketNotificationConfiguration')
    .map((call) => parser.parse(call.request.body) as unknown);
}

const THAW_TOPIC_CONFIGURATION = {
  Id: ['thaw-restore-events'],
  Topic: [TOPIC_ARN],
  Event: ['s3:ObjectRestore:*'],
};

describe('S3 requests of thaw setup on the wire', () => {
  it('reads location and configuration, then puts one TopicConfiguration for every restore event', async () => {
    const { code } = await runSetupIn(world, ARGS);

    expect(code).toBe(0);
    expect(world.calls().flatMap(wireProblems)).toEqual([]);
    expect(
      s3Calls().map(({ request }) => `${request.method} ${request.path} ${request.rawUrl.split('?')[1]}`),
    ).toEqual([
      `GET /${BUCKET}/ location=`,
      `GET /${BUCKET}/ notification=`,
      `PUT /${BUCKET}/ notification=`,
    ]);
    for (const { request } of s3Calls()) {
      expect(request.headers['x-amz-expected-bucket-owner']).toBeUndefined();
      expect(request.headers['x-amz-skip-destination-validation']).toBeUndefined();
    }
    expect(putBodies()).toEqual([
      {
        NotificationConfiguration: [{ '@xmlns': NS, TopicConfiguration: [THAW_TOPIC_CONFIGURATION] }],
      },
    ]);
  });

  it('names the bucket owner on every S3 request when given --account-id', async () => {
    const { code } = await runSetupIn(world, [...ARGS, '--account-id', CALLER_ACCOUNT]);

    expect(code).toBe(0);
    expect(s3Calls()).toHaveLength(3);
    for (const { request } of s3Calls())
      expect(request.headers['x-amz-expected-bucket-owner']).toBe(CALLER_ACCOUNT);
  });

  it('sends back every other configuration it read, with its filter, next to its own', async () => {
    world.notificationXml =
      `<?xml version="1.0" encoding="UTF-8"?><NotificationConfiguration xmlns="${NS}">` +
      `<TopicConfiguration><Id>audit</Id><Topic>arn:aws:sns:${REGION}:${CALLER_ACCOUNT}:audit</Topic>` +
      '<Event>s3:ObjectRemoved:*</Event></TopicConfiguration>' +
      `<QueueConfiguration><Id>ingest</Id><Queue>arn:aws:sqs:${REGION}:${CALLER_ACCOUNT}:ingest</Queue>` +
      '<Event>s3:ObjectCreated:Put</Event><Event>s3:ObjectCreated:Post</Event>' +
      '<Filter><S3Key><FilterRule><Name>prefix</Name><Value>incoming/</Value></FilterRule>' +
      '<FilterRule><Name>suffix</Name><Value>.csv</Value></FilterRule></S3Key></Filter></QueueConfiguration>' +
      '<CloudFunctionConfiguration><Id>thumbnails</Id>' +
      `<CloudFunction>arn:aws:lambda:${REGION}:${CALLER_ACCOUNT}:function:thumbnails</CloudFunction>` +
      '<Event>s3:ObjectCreated:*</Event></CloudFunctionConfiguration>' +
      '<EventBridgeConfiguration></EventBridgeConfiguration></NotificationConfiguration>';

    const { code, output } = await runSetupIn(world, ARGS);

    expect(code).toBe(0);
    expect(world.calls().flatMap(wireProblems)).toEqual([]);
    const [put] = putBodies() as Array<{ NotificationConfiguration: Array<Record<string, unknown>> }>;
    expect(put?.NotificationConfiguration[0]).toEqual({
      '@xmlns': NS,
      TopicConfiguration: [
        {
          Id: ['audit'],
          Topic: [`arn:aws:sns:${REGION}:${CALLER_ACCOUNT}:audit`],
          Event: ['s3:ObjectRemoved:*'],
        },
        THAW_TOPIC_CONFIGURATION,
      ],
      QueueConfiguration: [
        {
          Id: ['ingest'],
          Queue: [`arn:aws:sqs:${REGION}:${CALLER_ACCOUNT}:ingest`],
          Event: ['s3:ObjectCreated:Put', 's3:ObjectCreated:Post'],
          Filter: [
            {
              S3Key: [
                {
                  FilterRule: [
                    { Name: ['prefix'], Value: ['incoming/'] },
                    { Name: ['suffix'], Value: ['.csv'] },
                  ],
                },
              ],
            },
          ],
        },
      ],
      CloudFunctionConfiguration: [
        {
          Id: ['thumbnails'],
          CloudFunction: [`arn:aws:lambda:${REGION}:${CALLER_ACCOUNT}:function:thumbnails`],
          Event: ['s3:ObjectCreated:*'],
        },
      ],
      EventBridgeConfiguration: [''],
    });
    expect(output).toContain('EventBridge is enabled on bucket acme-archive');
  });

  it.each([
    ['eu-west-1', 'eu-west-1'],
    ['EU', 'eu-west-1'],
  ])('stops before any write when the bucket answers LocationConstraint %s', async (constraint, region) => {
    world.bucketLocation = constraint;

    const { code, output } = await runSetupIn(world, ARGS);

    expect(code).toBe(1);
    expect(output).toContain(`is in ${region}, not ${REGION}`);
    expect(world.calls().map((call) => call.operation)).toEqual(['GetBucketLocation']);
  });

  it('puts the same configuration again while S3 cannot validate the new topic yet, waiting longer each time', async () => {
    world.validationFailures = 2;

    const { code, waitedMs } = await runSetupIn(world, ARGS);

    expect(code).toBe(0);
    const bodies = s3Calls()
      .filter((call) => call.operation === 'PutBucketNotificationConfiguration')
      .map((call) => call.request.body);
    expect(bodies).toHaveLength(3);
    expect(new Set(bodies).size).toBe(1);
    expect(waitedMs).toEqual([1_000, 2_000]);
    expect(world.notificationXml).toBe(bodies[0]);
  });

  it('blames the topic policy only once the retries are spent', async () => {
    world.validationFailures = 10;

    const { code, output, waitedMs } = await runSetupIn(world, ARGS);

    expect(code).toBe(1);
    expect(waitedMs).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(putBodies()).toHaveLength(5);
    expect(output).toContain('S3 could not validate the notification destinations of bucket "acme-archive"');
    expect(output).toContain('the topic policy must let s3.amazonaws.com publish');
  });
});
