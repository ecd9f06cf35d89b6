import { toError } from '../errors';
import { MailError } from './mailer';
import type { MailFailureKind } from './mailer';

interface Classified {
  readonly kind: MailFailureKind;
  readonly code: string;
}

/** Sending cannot work for any message until a human acts; retrying burns attempts. */
const ACCOUNT_ERRORS: Readonly<Record<string, string>> = {
  AccountSuspendedException: 'ses_account_suspended',
  SendingPausedException: 'ses_sending_paused',
  MailFromDomainNotVerifiedException: 'ses_mail_from_not_verified',
};

/**
 * SES asks us to slow down. LimitExceededException is a resource-count limit in the model, but the
 * SDK's own retry rules class it as throttling, and so do we. ThrottlingException is not modelled
 * by SESv2 but is what SES answers for "Maximum sending rate exceeded" / "Daily message quota exceeded".
 */
const THROTTLING_ERRORS: Readonly<Record<string, string>> = {
  TooManyRequestsException: 'ses_too_many_requests',
  LimitExceededException: 'ses_limit_exceeded',
  ThrottlingException: 'ses_throttled',
  Throttling: 'ses_throttled',
};

/** This message, as built, will never be accepted. */
const REJECTION_ERRORS: Readonly<Record<string, string>> = {
  MessageRejected: 'ses_message_rejected',
  BadRequestException: 'ses_bad_request',
  NotFoundException: 'ses_not_found',
  // The SES v1 (query protocol) name for bad input; SES still uses it in some answers.
  InvalidParameterValue: 'ses_invalid_parameter',
};

/**
 * Codes for a SendEmail request that SES refused as thaw built it (bad tags, bad headers, a body
 * over the limits), as opposed to a recipient, a policy or the account: a thaw bug to be loud about.
 */
export const MALFORMED_REQUEST_MAIL_CODES: ReadonlySet<string> = new Set([
  'ses_bad_request',
  'ses_invalid_parameter',
  'ses_client_error',
]);

/** Server faults and timeouts named by SES or by the SDK's HTTP handler. */
const TRANSIENT_ERRORS: Readonly<Record<string, string>> = {
  InternalServiceErrorException: 'ses_internal_error',
  InternalFailure: 'ses_internal_error',
  ServiceUnavailable: 'ses_internal_error',
  TimeoutError: 'ses_timeout',
  RequestTimeout: 'ses_timeout',
  RequestTimeoutException: 'ses_timeout',
  AbortError: 'ses_aborted',
};

/** Node socket and DNS errors: the request may or may not have reached SES. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SES reports a malformed address as BadRequestException / MessageRejected (v2) or
 * InvalidParameterValue (v1) with texts like "Illegal address", "Missing final '@domain'",
 * "Missing domain", "Invalid email address", "Domain contains control or whitespace".
 */
const INVALID_ADDRESS_TEXT =
  /illegal address|invalid email address|missing final '@domain'|missing domain|(?:local address|domain) (?:contains|starts with|ends with)/i;

/** Sandbox accounts may only send to verified identities; SES answers MessageRejected. */
const NOT_VERIFIED_TEXT = /address is not verified|identities failed the check/i;

/**
 * SES answers ThrottlingException with this text when the 24-hour quota is spent; waiting a few
 * minutes will not help, so it gets its own code for whoever schedules the retry.
 */
const DAILY_QUOTA_TEXT = /daily message quota exceeded/i;

/**
 * Translates anything SESv2 SendEmail (or the SDK's HTTP layer under it) can throw into a
 * MailError, keeping SES's error name and text in the message and the original as `cause`.
 * This is the only place in thaw that reads SDK error names (SES API Reference, SendEmail, Errors:
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html); callers
 * decide on `kind` alone.
 */
export function toMailError(thrown: unknown): MailError {
  if (thrown instanceof MailError) return thrown;
  const { name, message, errno, status, cause } = describeThrown(thrown);
  const { kind, code } = classify(name, message, errno, status);
  const where = status === undefined ? '' : ` (HTTP ${status})`;
  return new MailError(kind, code, `SES SendEmail failed: ${name}${where}: ${message}`, cause);
}

interface Described {
  readonly name: string;
  readonly message: string;
  /** Node system error name (`ECONNRESET` ...), carried in `code`. */
  readonly errno: string | undefined;
  /** SDK service errors carry `$metadata.httpStatusCode`; network errors carry none. */
  readonly status: number | undefined;
  readonly cause: unknown;
}

/**
 * Reads the fields by shape, not by `instanceof Error`: an error made by Node core can come from
 * another realm (Jest runs tests in a vm context), fail `instanceof`, and would otherwise lose its
 * `code` to `toError`'s JSON coercion.
 */
function describeThrown(thrown: unknown): Described {
  if (typeof thrown !== 'object' || thrown === null) {
    const error = toError(thrown);
    return { name: error.name, message: error.message, errno: undefined, status: undefined, cause: error };
  }
  const fields = thrown as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const status = fields.$metadata?.httpStatusCode;
  return {
    name: typeof fields.name === 'string' && fields.name !== '' ? fields.name : 'Error',
    message: typeof fields.message === 'string' ? fields.message : toError(thrown).message,
    errno: typeof fields.code === 'string' ? fields.code : undefined,
    status: typeof status === 'number' ? status : undefined,
    cause: thrown,
  };
}

function classify(
  name: string,
  message: string,
  errno: string | undefined,
  status: number | undefined,
): Classified {
  const account = ownValue(ACCOUNT_ERRORS, name);
  if (account !== undefined) return { kind: 'account', code: account };

  const throttled = ownValue(THROTTLING_ERRORS, name);
  if (throttled !== undefined) {
    return {
      kind: 'throttled',
      code: DAILY_QUOTA_TEXT.test(message) ? 'ses_daily_quota_exceeded' : throttled,
    };
  }
  if (status === 429) return { kind: 'throttled', code: 'ses_throttled' };

  const rejected = ownValue(REJECTION_ERRORS, name);
  if (rejected !== undefined) return { kind: 'rejected', code: rejectionCode(message, rejected) };

  const transient = ownValue(TRANSIENT_ERRORS, name);
  if (transient !== undefined) return { kind: 'transient', code: transient };
  const network = networkCode(errno, status, message);
  if (network !== undefined) {
    return { kind: 'transient', code: network === 'ETIMEDOUT' ? 'ses_timeout' : 'ses_network' };
  }

  if (status !== undefined && status >= 500) return { kind: 'transient', code: 'ses_internal_error' };
  // An error the SDK could not name (it calls those "Unknown") but SES answered 4xx: the request
  // itself is wrong, and sending it again gets the same answer.
  if (status !== undefined && status >= 400) {
    return { kind: 'rejected', code: rejectionCode(message, 'ses_client_error') };
  }
  // No HTTP answer at all and no known network code: we cannot tell whether SES saw the request.
  return { kind: 'transient', code: 'ses_unknown' };
}

/** The table's own entry for an error name SES sent: `constructor` or `toString` is no entry. */
function ownValue(table: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

function rejectionCode(message: string, fallback: string): string {
  if (INVALID_ADDRESS_TEXT.test(message)) return 'ses_invalid_address';
  if (NOT_VERIFIED_TEXT.test(message)) return 'ses_address_not_verified';
  return fallback;
}

/**
 * The Node errno of a failed connection, if that is what this is. Node also writes the errno into
 * the text ("connect ECONNREFUSED 127.0.0.1:443", "read ECONNRESET"), and the text is all that is
 * left when the SDK wraps a thrown value it does not recognise as an Error: its retry layer turns
 * it into "AWS SDK error wrapper for Error: connect ECONNREFUSED ..." without `code`. That happens
 * to Node core errors under Jest (another realm, so `instanceof Error` fails). The text is only
 * read when no HTTP answer came back.
 */
function networkCode(
  errno: string | undefined,
  status: number | undefined,
  message: string,
): string | undefined {
  if (errno !== undefined && NETWORK_CODES.has(errno)) return errno;
  if (status !== undefined) return undefined;
  if (/socket hang up/i.test(message)) return 'ECONNRESET';
  for (const code of NETWORK_CODES) {
    if (new RegExp(`\\b${code}\\b`).test(message)) return code;
  }
  return undefined;
}
