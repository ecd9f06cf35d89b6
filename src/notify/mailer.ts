import { ThawError } from '../errors';

/** One email, fully rendered, as thaw hands it to a mail service. */
export interface OutgoingEmail {
  readonly from: string;
  readonly to: string;
  /** Single line; the renderer guarantees no CR/LF. */
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** Message tags for the mail service's event tracking (SES: EmailTags), e.g. kind, request id. */
  readonly tags: Readonly<Record<string, string>>;
  /** Extra headers (ASCII names and values, no CR/LF), e.g. one naming the notification. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface SentEmail {
  /** The mail service's id for the accepted message (SES MessageId). */
  readonly messageId: string;
}

/** The narrow interface thaw's notification worker depends on; SES v2 is one implementation. */
export interface Mailer {
  send(email: OutgoingEmail): Promise<SentEmail>;
}

/**
 * How a send failed, decided inside the adapter so nothing above it looks at vendor error names:
 * - `throttled`: the service asked us to slow down; retry later without spending an attempt.
 * - `transient`: 5xx, timeouts, network trouble; retry with backoff.
 * - `rejected`: this message or address will never be accepted; do not retry.
 * - `account`: the sending account or domain cannot send at all (suspended, paused, unverified);
 *   do not retry this message blindly, pause sending and alert a human.
 */
export type MailFailureKind = 'throttled' | 'transient' | 'rejected' | 'account';

export class MailError extends ThawError {
  constructor(
    readonly kind: MailFailureKind,
    code: string,
    message: string,
    cause?: unknown,
  ) {
    super(code, message, { retryable: kind === 'throttled' || kind === 'transient', httpStatus: 502, cause });
    this.name = 'MailError';
  }
}
