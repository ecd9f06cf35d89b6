import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OutgoingEmail } from '../../src/notify/mailer';
import { createSesClient, createSesMailer } from '../../src/notify/ses-mailer';

/**
 * Network failures through the real SDK and HTTP handler, on 127.0.0.1 only: what the mailer
 * reports, and that the SDK does not quietly send the same email again.
 */
const EMAIL: OutgoingEmail = {
  from: 'thaw@example.com',
  to: 'customer@example.org',
  subject: 'Ready',
  html: '<p>Ready</p>',
  text: 'Ready',
  tags: {},
};

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

describe('SES mailer on a broken network', () => {
  it('reports a refused connection as transient', async () => {
    // Prepare: a port that was just free and is closed again.
    const probe = createServer();
    const port = await listen(probe);
    await close(probe);
    const client = createSesClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: CREDENTIALS,
    });

    // Act
    const failure = await createSesMailer({ client })
      .send(EMAIL)
      .catch((caught: unknown) => caught);
    client.destroy();

    // Assess
    expect(failure).toMatchObject({ kind: 'transient', code: 'ses_network', retryable: true });
    expect((failure as Error).message).toContain('ECONNREFUSED');
  });

  it('reports a request SES never answers as a transient timeout, sent once only', async () => {
    // Prepare: a server that reads the request and never replies, like a reply lost on the way
    // back. SES may have accepted such an email, so the SDK must not send it again by itself.
    const requests: IncomingMessage[] = [];
    const silent = createServer((request) => {
      requests.push(request);
      request.resume();
    });
    const port = await listen(silent);
    const client = createSesClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: CREDENTIALS,
      requestTimeoutMs: 200,
    });

    // Act
    const failure = await createSesMailer({ client })
      .send(EMAIL)
      .catch((caught: unknown) => caught);
    client.destroy();
    await close(silent);

    // Assess
    expect(failure).toMatchObject({ kind: 'transient', code: 'ses_timeout', retryable: true });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe('/v2/email/outbound-emails');
  });
});
