import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { MailError } from '../../src/notify/mailer';
import type { OutgoingEmail } from '../../src/notify/mailer';
import { createSesClient, createSesMailer } from '../../src/notify/ses-mailer';
import { startSesEmulator } from '../helpers/ses-emulator';
import type { SesEmulator } from '../helpers/ses-emulator';

/** The SES happy path through the real SESv2Client, HTTP and all, to aws-ses-v2-local. */
describe('SES mailer against aws-ses-v2-local', () => {
  let emulator: SesEmulator;
  let client: SESv2Client;

  beforeAll(async () => {
    emulator = await startSesEmulator();
    client = createSesClient({
      region: 'us-east-1',
      endpoint: emulator.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });

  beforeEach(() => emulator.clear());

  afterAll(async () => {
    client.destroy();
    await emulator.stop();
  });

  it('sends an email the emulator stores exactly as given', async () => {
    // Prepare
    const mailer = createSesMailer({ client, configurationSetName: 'thaw-feedback' });
    const email: OutgoingEmail = {
      from: 'Thaw <thaw@example.com>',
      to: 'kunde@example.org',
      subject: 'Ihre Dateien sind bereit ✓ — 準備完了 📦',
      html: '<p>Grüße: <a href="https://example.com/d/abc">herunterladen</a></p>',
      text: 'Grüße: https://example.com/d/abc',
      tags: { kind: 'completed', requestId: 'req:42/é' },
    };

    // Act
    const sent = await mailer.send(email);

    // Assess
    const stored = await emulator.emails();
    expect(stored).toHaveLength(1);
    const [only] = stored;
    expect(only).toMatchObject({
      messageId: sent.messageId,
      from: 'Thaw <thaw@example.com>',
      destination: { to: ['kunde@example.org'], cc: [], bcc: [] },
      subject: email.subject,
      body: { html: email.html, text: email.text },
    });
  });

  it('gives every send its own MessageId', async () => {
    const mailer = createSesMailer({ client });
    const email: OutgoingEmail = {
      from: 'thaw@example.com',
      to: 'a@example.org',
      subject: 'One',
      html: '<p>1</p>',
      text: '1',
      tags: {},
    };

    const first = await mailer.send(email);
    const second = await mailer.send({ ...email, to: 'b@example.org', subject: 'Two' });

    expect(first.messageId).not.toBe(second.messageId);
    const stored = await emulator.emails();
    expect(stored.map((one) => [one.messageId, one.destination.to[0], one.subject])).toEqual([
      [first.messageId, 'a@example.org', 'One'],
      [second.messageId, 'b@example.org', 'Two'],
    ]);
  });

  it('turns an HTTP 400 the SDK cannot name into a rejected MailError', async () => {
    // The emulator refuses an empty subject with a 400 that names no error type; the real SDK
    // then throws name 'Unknown' with $metadata.httpStatusCode 400.
    const mailer = createSesMailer({ client });

    const failure = await mailer
      .send({ from: 'thaw@example.com', to: 'a@example.org', subject: '', html: 'h', text: 't', tags: {} })
      .catch((caught: unknown) => caught);

    expect(failure).toBeInstanceOf(MailError);
    expect(failure).toMatchObject({ kind: 'rejected', code: 'ses_client_error', retryable: false });
    expect(await emulator.emails()).toEqual([]);
  });
});
