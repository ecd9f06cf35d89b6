import { BadRequestException, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { OutgoingEmail } from '../../src/notify/mailer';
import { createSesClient, createSesMailer, toEmailTags } from '../../src/notify/ses-mailer';

const EMAIL: OutgoingEmail = {
  from: 'Thaw <thaw@example.com>',
  to: 'customer@example.org',
  subject: 'Vos fichiers sont prêts',
  html: '<p>Prêts</p>',
  text: 'Prêts',
  tags: { kind: 'completed', requestId: 'req-42' },
};

describe('createSesMailer', () => {
  const client = createSesClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const ses = mockClient(client);

  beforeEach(() => {
    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: '0100018f-abc', $metadata: { httpStatusCode: 200 } });
  });
  afterAll(() => {
    ses.restore();
    client.destroy();
  });

  it('sends one SendEmail with Simple UTF-8 content, tags and the configuration set', async () => {
    const mailer = createSesMailer({ client, configurationSetName: 'thaw-feedback' });

    const sent = await mailer.send(EMAIL);

    expect(sent).toEqual({ messageId: '0100018f-abc' });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      FromEmailAddress: 'Thaw <thaw@example.com>',
      Destination: { ToAddresses: ['customer@example.org'] },
      Content: {
        Simple: {
          Subject: { Data: 'Vos fichiers sont prêts', Charset: 'UTF-8' },
          Body: {
            Html: { Data: '<p>Prêts</p>', Charset: 'UTF-8' },
            Text: { Data: 'Prêts', Charset: 'UTF-8' },
          },
        },
      },
      EmailTags: [
        { Name: 'kind', Value: 'completed' },
        { Name: 'requestId', Value: 'req-42' },
      ],
      ConfigurationSetName: 'thaw-feedback',
    });
  });

  it('reports SES refusing the request thaw built (BadRequestException) as a rejection, not an address problem', async () => {
    const rejections: unknown[] = [];
    const mailer = createSesMailer({ client, onRejected: (r) => rejections.push(r) });
    ses.on(SendEmailCommand).rejects(
      new BadRequestException({
        message: 'Tag value contains invalid characters',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await expect(mailer.send(EMAIL)).rejects.toMatchObject({ code: 'ses_bad_request', retryable: false });
    expect(rejections).toEqual([
      expect.objectContaining({ service: 'ses', operation: 'SendEmail', code: 'BadRequestException' }),
    ]);

    // A recipient SES calls invalid is the data's fault, not thaw's request: not reported.
    ses
      .on(SendEmailCommand)
      .rejects(new BadRequestException({ message: 'Illegal address', $metadata: { httpStatusCode: 400 } }));
    await expect(mailer.send(EMAIL)).rejects.toMatchObject({ code: 'ses_invalid_address' });
    expect(rejections).toHaveLength(1);
  });

  it('leaves ConfigurationSetName out when none is configured', async () => {
    await createSesMailer({ client }).send(EMAIL);

    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input).toBeDefined();
    expect(input).not.toHaveProperty('ConfigurationSetName');
  });
});

describe('toEmailTags', () => {
  it('replaces characters SES refuses in names and values with "_"', () => {
    expect(toEmailTags({ 'object.key': 'photos/2024 trip/é.jpg', 'request:id': 'a:b@c' })).toEqual([
      { Name: 'object_key', Value: 'photos_2024_trip___jpg' },
      { Name: 'request_id', Value: 'a_b_c' },
    ]);
  });

  it('caps names and values at 256 characters', () => {
    const [tag] = toEmailTags({ ['n'.repeat(300)]: 'v'.repeat(300) });

    expect(tag?.Name).toHaveLength(256);
    expect(tag?.Value).toHaveLength(256);
  });

  it('drops tags whose name is empty, keeps the first of colliding names, fills empty values', () => {
    expect(toEmailTags({ '': 'lost', 'a.b': 'first', 'a/b': 'second', empty: '' })).toEqual([
      { Name: 'a_b', Value: 'first' },
      { Name: 'empty', Value: '_' },
    ]);
  });
});
