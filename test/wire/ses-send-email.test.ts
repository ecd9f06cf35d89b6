import type { Redis } from 'ioredis';
import { NOTIFICATION_HEADER } from '../../src/notify/notification-worker';
import { createSesClient, createSesMailer } from '../../src/notify/ses-mailer';
import type { AwsRejection } from '../../src/observability/aws-rejections';
import { eventually } from '../helpers/eventually';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { restoreFlow } from '../helpers/restore-flow';
import { startSesStandIn } from '../helpers/ses-stand-in';
import type { SesStandIn } from '../helpers/ses-stand-in';
import { startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';

/**
 * SES v2 SendEmail as it leaves the real SDK, checked against the SES API v2 Reference (see
 * ses-stand-in.ts for the rules and their pages). The happy path with aws-ses-v2-local stays in
 * test/integration; that emulator accepts any tags, headers and configuration set, this one does not.
 */
const prefix = uniquePrefix('ses-send-email-wire');
let ses: SesStandIn;
let world: SnsWorld;
let redis: Redis;
let thaw: TestThaw;

beforeAll(async () => {
  [ses, world] = await Promise.all([startSesStandIn(), startSnsWorld()]);
  redis = testRedis();
  thaw = await startTestThaw(prefix, {
    ...world.env,
    THAW_ROLE: 'serve',
    SES_ENDPOINT: ses.endpoint,
    SES_REGION: 'eu-west-1',
    SES_CONFIGURATION_SET: 'thaw-feedback',
    SES_MAX_SEND_RATE: '1000',
    MAIL_FROM: 'Archive Desk <restores@example.com>',
  });
});

afterAll(async () => {
  await thaw.stop();
  await deletePrefix(redis, prefix);
  await redis.quit();
  await Promise.all([ses.stop(), world.close()]);
});

describe('SendEmail on the wire', () => {
  it('the notification worker sends POST /v2/email/outbound-emails with Simple content, header, tags and configuration set, signed for SES_REGION', async () => {
    const flow = restoreFlow(thaw.app, world.signer);
    const object = { bucket: 'archive', key: 'reports/2019 annual report.pdf' };
    const id = await flow.register({ ...object, recipient: { email: 'lin@example.com', locale: 'en' } });
    ses.wire.clear();
    expect(await flow.deliver(flow.signed([{ kind: 'initiated', ...object, versionId: null }]))).toBe(200);

    const request = await eventually(async () => {
      expect(ses.wire.requests).toHaveLength(1);
      return ses.wire.requests[0]!;
    });

    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v2/email/outbound-emails');
    expect(request.query).toEqual({});
    expect(request.headers['content-type']).toBe('application/json');
    expect(String(request.headers.authorization)).toMatch(
      /Credential=[^/]+\/\d{8}\/eu-west-1\/ses\/aws4_request/,
    );
    const body = JSON.parse(request.body) as Record<string, unknown>;
    // Exactly these members (SendEmail, Request Body): nothing SES would not know.
    expect(Object.keys(body).sort()).toEqual([
      'ConfigurationSetName',
      'Content',
      'Destination',
      'EmailTags',
      'FromEmailAddress',
    ]);
    expect(body).toMatchObject({
      FromEmailAddress: 'Archive Desk <restores@example.com>',
      Destination: { ToAddresses: ['lin@example.com'] },
      ConfigurationSetName: 'thaw-feedback',
      EmailTags: [
        { Name: 'thaw-request', Value: id },
        { Name: 'thaw-kind', Value: 'initiated' },
      ],
    });
    const simple = (body.Content as { Simple: Record<string, unknown> }).Simple;
    expect(Object.keys(simple).sort()).toEqual(['Body', 'Headers', 'Subject']);
    expect(simple.Subject).toEqual({
      Data: expect.stringContaining('2019 annual report.pdf'),
      Charset: 'UTF-8',
    });
    expect(simple.Body).toEqual({
      Html: { Data: expect.stringContaining('<html'), Charset: 'UTF-8' },
      Text: { Data: expect.any(String), Charset: 'UTF-8' },
    });
    expect(simple.Headers).toEqual([{ Name: NOTIFICATION_HEADER, Value: `${id}.initiated` }]);
    expect(ses.accepted).toHaveLength(1);
  });
});

describe('SendEmail with values SES would refuse', () => {
  const client = () => createSesClient({ region: 'us-east-1', endpoint: ses.endpoint });

  it('tags are made SES-safe (letters, digits, _ and -, at most 256) and SES accepts them', async () => {
    const sesClient = client();
    const mailer = createSesMailer({ client: sesClient });
    ses.wire.clear();
    await mailer.send({
      from: 'a@example.com',
      to: 'b@example.com',
      subject: 's',
      html: '<p>h</p>',
      text: 't',
      tags: { 'thaw request': 'id:with/odd chars', ['x'.repeat(300)]: 'ü'.repeat(10), empty: '' },
      headers: { [NOTIFICATION_HEADER]: 'line\r\nbreak' },
    });
    sesClient.destroy();
    const body = JSON.parse(ses.wire.only().body) as { EmailTags: { Name: string; Value: string }[] };
    for (const tag of body.EmailTags) {
      expect(tag.Name).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
      expect(tag.Value).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
    }
    expect(body.EmailTags).toHaveLength(3);
  });

  it('a body SES refuses (BadRequestException) is a rejection of thaw request: not retried, reported', async () => {
    const sesClient = client();
    const rejections: AwsRejection[] = [];
    const mailer = createSesMailer({ client: sesClient, onRejected: (r) => rejections.push(r) });
    const tooMany = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`X-Extra-${i}`, 'v']));
    ses.wire.clear();
    const thrown = await mailer
      .send({
        from: 'a@example.com',
        to: 'b@example.com',
        subject: 's',
        html: 'h',
        text: 't',
        tags: {},
        headers: tooMany,
      })
      .catch((e: unknown) => e);
    sesClient.destroy();
    expect(thrown).toMatchObject({ code: 'ses_bad_request', retryable: false });
    // The SDK's own retries are off: one request, never a second send.
    expect(ses.wire.requests).toHaveLength(1);
    expect(rejections).toEqual([expect.objectContaining({ service: 'ses', code: 'BadRequestException' })]);
  });
});
