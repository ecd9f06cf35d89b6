import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { MessageTag, SendEmailCommandInput, SESv2ClientConfig } from '@aws-sdk/client-sesv2';
import { MailError } from './mailer';
import type { Mailer, OutgoingEmail } from './mailer';
import type { AwsRejectionObserver } from '../observability/aws-rejections';
import { MALFORMED_REQUEST_MAIL_CODES, toMailError } from './ses-errors';

export interface SesClientOptions {
  readonly region: string;
  /** SES endpoint override, e.g. aws-ses-v2-local in tests. Default: the Region's public endpoint. */
  readonly endpoint?: string;
  /** Default: the SDK's default credential provider chain. */
  readonly credentials?: SESv2ClientConfig['credentials'];
  /** Longest wait to open a connection to SES, in milliseconds. Default 3,000. */
  readonly connectionTimeoutMs?: number;
  /** Longest wait for one SendEmail request and its reply, in milliseconds. Default 10,000. */
  readonly requestTimeoutMs?: number;
}

export interface SesMailerOptions {
  readonly client: SESv2Client;
  /** Configuration set whose event destinations publish bounces and complaints. Default: none. */
  readonly configurationSetName?: string;
  /** Told when SES refuses a request thaw built as malformed. */
  readonly onRejected?: AwsRejectionObserver;
}

/**
 * SES message tag names and values: ASCII letters, digits, `_` and `-`, at most 256 characters
 * (SES API v2 Reference, MessageTag). Pinned on the wire by test/wire/ses-send-email.test.ts.
 */
const TAG_MAX_LENGTH = 256;
const TAG_DISALLOWED = /[^A-Za-z0-9_-]/g;

/**
 * An SESv2 client for sending mail. The SDK's own retries are OFF (`maxAttempts: 1`): SendEmail
 * has no idempotency token, so an SDK retry after a lost reply would send the email twice, and
 * BullMQ already owns retries (with the claim-before-send guard). Timeouts are real errors
 * (`throwOnRequestTimeout`; without it the SDK only logs a warning when `requestTimeout` passes).
 * The caller owns the client and calls `destroy()` at shutdown.
 */
export function createSesClient(options: SesClientOptions): SESv2Client {
  return new SESv2Client({
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    maxAttempts: 1,
    // The middleware stack is resolved once for SendEmail instead of for every email (nothing adds
    // middleware after the first send): the SDK's own option, ~0.5 ms of CPU per email here.
    cacheMiddleware: true,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 10_000,
      throwOnRequestTimeout: true,
    },
  });
}

/** The Mailer thaw uses in production: one SESv2 SendEmail with Simple content per email. */
export function createSesMailer(options: SesMailerOptions): Mailer {
  const { client, configurationSetName, onRejected } = options;
  return {
    async send(email) {
      let messageId: string | undefined;
      try {
        ({ MessageId: messageId } = await client.send(
          new SendEmailCommand(toSendEmailInput(email, configurationSetName)),
        ));
      } catch (thrown) {
        const error = toMailError(thrown);
        if (MALFORMED_REQUEST_MAIL_CODES.has(error.code)) {
          onRejected?.({
            service: 'ses',
            operation: 'SendEmail',
            code: sesCodeOf(thrown),
            message: error.message,
          });
        }
        throw error;
      }
      if (!messageId) {
        // Should not happen (SES documents MessageId on every 200). Retrying may send twice, but a
        // send we cannot identify is not one we can record as done.
        throw new MailError('transient', 'ses_no_message_id', 'SES SendEmail answered without a MessageId');
      }
      return { messageId };
    },
  };
}

/**
 * The SendEmail request (SES API v2 Reference, SendEmail, Request Syntax): Simple content, so SES
 * builds the MIME message; `Headers` only when thaw sets some (MessageHeader: printable ASCII, no
 * CR/LF, which is why line breaks are flattened here).
 */
export function toSendEmailInput(email: OutgoingEmail, configurationSetName?: string): SendEmailCommandInput {
  const utf8 = (data: string) => ({ Data: data, Charset: 'UTF-8' });
  return {
    FromEmailAddress: email.from,
    Destination: { ToAddresses: [email.to] },
    Content: {
      Simple: {
        Subject: utf8(email.subject),
        Body: { Html: utf8(email.html), Text: utf8(email.text) },
        ...(email.headers && Object.keys(email.headers).length > 0
          ? {
              Headers: Object.entries(email.headers).map(([Name, Value]) => ({
                Name,
                Value: Value.replace(/[\r\n]+/g, ' '),
              })),
            }
          : {}),
      },
    },
    EmailTags: toEmailTags(email.tags),
    ...(configurationSetName === undefined ? {} : { ConfigurationSetName: configurationSetName }),
  };
}

/**
 * SES rejects the whole message (BadRequestException) for one tag outside its alphabet, so tags are
 * made safe here rather than trusted: other characters become `_`, lengths are capped, a tag whose
 * name sanitises to nothing is dropped, an empty value becomes `_`, and the first of two names that
 * collide after sanitising wins. Tags are for event tracking; a lossy value beats a lost email.
 */
export function toEmailTags(tags: Readonly<Record<string, string>>): MessageTag[] {
  const seen = new Set<string>();
  const result: MessageTag[] = [];
  for (const [rawName, rawValue] of Object.entries(tags)) {
    const name = sanitizeTag(rawName);
    if (name === '' || seen.has(name)) continue;
    seen.add(name);
    result.push({ Name: name, Value: sanitizeTag(rawValue) || '_' });
  }
  return result;
}

function sanitizeTag(raw: string): string {
  return raw.replace(TAG_DISALLOWED, '_').slice(0, TAG_MAX_LENGTH);
}

/** SES's own error name, for the rejection metric's `code` label. */
function sesCodeOf(thrown: unknown): string {
  const name = (thrown as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name !== '' ? name : 'Unknown';
}
