import {
  AccountSuspendedException,
  BadRequestException,
  InternalServiceErrorException,
  LimitExceededException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  NotFoundException,
  SendEmailCommand,
  SendingPausedException,
  SESv2Client,
  SESv2ServiceException,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { MailError } from '../../src/notify/mailer';
import type { MailFailureKind, OutgoingEmail } from '../../src/notify/mailer';
import { createSesClient, createSesMailer } from '../../src/notify/ses-mailer';

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

const EMAIL: OutgoingEmail = {
  from: 'thaw@example.com',
  to: 'customer@example.org',
  subject: 'Your files are ready',
  html: '<p>Ready</p>',
  text: 'Ready',
  tags: { kind: 'completed' },
};

const meta = (httpStatusCode?: number) => ({
  $metadata: httpStatusCode === undefined ? {} : { httpStatusCode },
});

/** An error the SDK could not match to a modelled class (it keeps the wire name, or 'Unknown'). */
const unmodelled = (name: string, message: string, httpStatusCode?: number) =>
  new SESv2ServiceException({
    name,
    message,
    $fault: httpStatusCode !== undefined && httpStatusCode < 500 ? 'client' : 'server',
    ...meta(httpStatusCode),
  });

const networkError = (code: string, message: string, name = 'Error') =>
  Object.assign(new Error(message), { code, name });

interface Case {
  readonly title: string;
  readonly error: () => unknown;
  readonly kind: MailFailureKind;
  readonly code: string;
  /** Text that must survive into the MailError message (SES's error name and text). */
  readonly mentions: readonly string[];
}

const CASES: readonly Case[] = [
  {
    title: 'TooManyRequestsException',
    error: () => new TooManyRequestsException({ message: 'Too many requests', ...meta(429) }),
    kind: 'throttled',
    code: 'ses_too_many_requests',
    mentions: ['TooManyRequestsException', 'Too many requests'],
  },
  {
    title: 'LimitExceededException',
    error: () => new LimitExceededException({ message: 'Limit exceeded', ...meta(400) }),
    kind: 'throttled',
    code: 'ses_limit_exceeded',
    mentions: ['LimitExceededException'],
  },
  {
    title: 'ThrottlingException (sending rate)',
    error: () => unmodelled('ThrottlingException', 'Maximum sending rate exceeded.', 400),
    kind: 'throttled',
    code: 'ses_throttled',
    mentions: ['ThrottlingException', 'Maximum sending rate exceeded.'],
  },
  {
    title: 'ThrottlingException (daily quota)',
    error: () => unmodelled('ThrottlingException', 'Daily message quota exceeded.', 400),
    kind: 'throttled',
    code: 'ses_daily_quota_exceeded',
    mentions: ['Daily message quota exceeded.'],
  },
  {
    title: 'an unknown error answered with HTTP 429',
    error: () => unmodelled('Unknown', 'Slow down', 429),
    kind: 'throttled',
    code: 'ses_throttled',
    mentions: ['Unknown', 'HTTP 429'],
  },
  {
    title: 'InternalServiceErrorException',
    error: () => new InternalServiceErrorException({ message: 'Internal error', ...meta(500) }),
    kind: 'transient',
    code: 'ses_internal_error',
    mentions: ['InternalServiceErrorException', 'Internal error'],
  },
  {
    title: 'an unknown error answered with HTTP 503',
    error: () => unmodelled('Unknown', 'Service Unavailable', 503),
    kind: 'transient',
    code: 'ses_internal_error',
    mentions: ['HTTP 503', 'Service Unavailable'],
  },
  {
    title: 'ECONNRESET',
    error: () => networkError('ECONNRESET', 'read ECONNRESET'),
    kind: 'transient',
    code: 'ses_network',
    mentions: ['read ECONNRESET'],
  },
  {
    title: 'ECONNREFUSED',
    error: () => networkError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'),
    kind: 'transient',
    code: 'ses_network',
    mentions: ['ECONNREFUSED'],
  },
  {
    title: 'EPIPE',
    error: () => networkError('EPIPE', 'write EPIPE'),
    kind: 'transient',
    code: 'ses_network',
    mentions: ['EPIPE'],
  },
  {
    title: 'a non-Error object carrying an errno (an error from another realm)',
    error: () => ({ name: 'Error', message: 'read ECONNRESET', code: 'ECONNRESET' }),
    kind: 'transient',
    code: 'ses_network',
    mentions: ['read ECONNRESET'],
  },
  {
    title: "the SDK's wrapper around a value it did not recognise as an Error",
    error: () => new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:443'),
    kind: 'transient',
    code: 'ses_network',
    mentions: ['ECONNREFUSED'],
  },
  {
    title: 'socket hang up without an errno',
    error: () => new Error('socket hang up'),
    kind: 'transient',
    code: 'ses_network',
    mentions: ['socket hang up'],
  },
  {
    title: "the HTTP handler's TimeoutError",
    error: () => networkError('ETIMEDOUT', 'request exceeded 10000 ms requestTimeout', 'TimeoutError'),
    kind: 'transient',
    code: 'ses_timeout',
    mentions: ['TimeoutError'],
  },
  {
    title: 'AbortError',
    error: () => Object.assign(new Error('Request aborted'), { name: 'AbortError' }),
    kind: 'transient',
    code: 'ses_aborted',
    mentions: ['AbortError'],
  },
  {
    title: 'an error with no status and no errno',
    error: () => new Error('something odd'),
    kind: 'transient',
    code: 'ses_unknown',
    mentions: ['something odd'],
  },
  {
    title: 'a thrown non-Error value',
    error: () => 'a string, thrown',
    kind: 'transient',
    code: 'ses_unknown',
    mentions: ['a string, thrown'],
  },
  {
    title: 'MessageRejected (content)',
    error: () => new MessageRejected({ message: 'Message contains a virus', ...meta(400) }),
    kind: 'rejected',
    code: 'ses_message_rejected',
    mentions: ['MessageRejected', 'Message contains a virus'],
  },
  {
    title: 'MessageRejected (sandbox, recipient not verified)',
    error: () =>
      new MessageRejected({
        message:
          'Email address is not verified. The following identities failed the check in region US-EAST-1: customer@example.org',
        ...meta(400),
      }),
    kind: 'rejected',
    code: 'ses_address_not_verified',
    mentions: ['MessageRejected'],
  },
  {
    title: 'BadRequestException (other input)',
    error: () => new BadRequestException({ message: 'Tag value is invalid', ...meta(400) }),
    kind: 'rejected',
    code: 'ses_bad_request',
    mentions: ['BadRequestException', 'Tag value is invalid'],
  },
  {
    title: 'BadRequestException "Illegal address"',
    error: () => new BadRequestException({ message: 'Illegal address', ...meta(400) }),
    kind: 'rejected',
    code: 'ses_invalid_address',
    mentions: ['Illegal address'],
  },
  {
    title: 'BadRequestException "Invalid email address"',
    error: () => new BadRequestException({ message: 'Invalid email address .', ...meta(400) }),
    kind: 'rejected',
    code: 'ses_invalid_address',
    mentions: ['Invalid email address'],
  },
  {
    title: 'InvalidParameterValue "Missing final \'@domain\'"',
    error: () => unmodelled('InvalidParameterValue', "Missing final '@domain'", 400),
    kind: 'rejected',
    code: 'ses_invalid_address',
    mentions: ['InvalidParameterValue', "Missing final '@domain'"],
  },
  {
    title: 'InvalidParameterValue (not about an address)',
    error: () => unmodelled('InvalidParameterValue', 'Value too long', 400),
    kind: 'rejected',
    code: 'ses_invalid_parameter',
    mentions: ['Value too long'],
  },
  {
    title: 'NotFoundException (configuration set)',
    error: () => new NotFoundException({ message: 'Configuration set <thaw> does not exist.', ...meta(404) }),
    kind: 'rejected',
    code: 'ses_not_found',
    mentions: ['NotFoundException', 'Configuration set <thaw> does not exist.'],
  },
  {
    title: 'an unknown error answered with HTTP 400',
    error: () => unmodelled('Unknown', 'Bad Request Exception', 400),
    kind: 'rejected',
    code: 'ses_client_error',
    mentions: ['HTTP 400'],
  },
  {
    title: 'AccountSuspendedException',
    error: () => new AccountSuspendedException({ message: 'Account suspended', ...meta(400) }),
    kind: 'account',
    code: 'ses_account_suspended',
    mentions: ['AccountSuspendedException'],
  },
  {
    title: 'SendingPausedException',
    error: () => new SendingPausedException({ message: 'Sending paused for this account', ...meta(400) }),
    kind: 'account',
    code: 'ses_sending_paused',
    mentions: ['SendingPausedException', 'Sending paused for this account'],
  },
  {
    title: 'MailFromDomainNotVerifiedException',
    error: () => new MailFromDomainNotVerifiedException({ message: 'MAIL FROM not verified', ...meta(400) }),
    kind: 'account',
    code: 'ses_mail_from_not_verified',
    mentions: ['MailFromDomainNotVerifiedException'],
  },
];

describe('SES SendEmail errors become MailErrors inside the adapter', () => {
  const client = createSesClient({ region: 'us-east-1', credentials: CREDENTIALS });
  const ses = mockClient(client);
  const mailer = createSesMailer({ client });

  beforeEach(() => ses.reset());
  afterAll(() => {
    ses.restore();
    client.destroy();
  });

  it.each(CASES)('$title → $kind / $code', async ({ error, kind, code, mentions }) => {
    // Prepare
    const thrown = error();
    ses.on(SendEmailCommand).callsFake(() => Promise.reject(thrown));

    // Act
    const failure = await mailer.send(EMAIL).then(
      () => undefined,
      (caught: unknown) => caught,
    );

    // Assess
    expect(failure).toBeInstanceOf(MailError);
    const mailError = failure as MailError;
    expect(mailError.kind).toBe(kind);
    expect(mailError.code).toBe(code);
    expect(mailError.retryable).toBe(kind === 'throttled' || kind === 'transient');
    for (const text of mentions) expect(mailError.message).toContain(text);
    if (typeof thrown === 'object') expect(mailError.cause).toBe(thrown);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('treats an answer without a MessageId as transient', async () => {
    ses.on(SendEmailCommand).resolves({ $metadata: { httpStatusCode: 200 } });

    await expect(mailer.send(EMAIL)).rejects.toMatchObject({
      kind: 'transient',
      code: 'ses_no_message_id',
      retryable: true,
    });
  });
});

describe('the SES client does not retry on its own', () => {
  /**
   * Fails every attempt just before the HTTP call, below the SDK's retry middleware, and counts
   * how often it was reached: that is how many requests SES would have seen.
   */
  function failEveryAttempt(client: SESv2Client): () => number {
    let attempts = 0;
    client.middlewareStack.add(
      () => async () => {
        attempts += 1;
        throw new InternalServiceErrorException({
          message: 'We encountered an internal error',
          $metadata: { httpStatusCode: 500 },
        });
      },
      { step: 'deserialize', priority: 'high', name: 'failEveryAttempt' },
    );
    return () => attempts;
  }

  const send = (client: SESv2Client) =>
    client.send(
      new SendEmailCommand({
        FromEmailAddress: EMAIL.from,
        Destination: { ToAddresses: [EMAIL.to] },
        Content: { Simple: { Subject: { Data: 'x' }, Body: { Text: { Data: 'x' } } } },
      }),
    );

  it('is configured with maxAttempts 1', async () => {
    const client = createSesClient({ region: 'eu-west-1', credentials: CREDENTIALS });
    try {
      await expect(client.config.maxAttempts()).resolves.toBe(1);
    } finally {
      client.destroy();
    }
  });

  it('sends a failing request exactly once', async () => {
    // Prepare
    const client = createSesClient({ region: 'eu-west-1', credentials: CREDENTIALS });
    const attempts = failEveryAttempt(client);

    // Act
    const failure = await send(client).catch((caught: unknown) => caught);
    client.destroy();

    // Assess
    expect(failure).toBeInstanceOf(InternalServiceErrorException);
    expect(attempts()).toBe(1);
  });

  it('(control) an SDK client left at its defaults would have sent it again', async () => {
    // Shows the counting above can see retries: the same failure with the SDK's default retry
    // strategy reaches the wire more than once.
    const client = new SESv2Client({ region: 'eu-west-1', credentials: CREDENTIALS, maxAttempts: 3 });
    const attempts = failEveryAttempt(client);

    const failure = await send(client).catch((caught: unknown) => caught);
    client.destroy();

    expect(failure).toBeInstanceOf(InternalServiceErrorException);
    expect(attempts()).toBe(3);
  });
});
