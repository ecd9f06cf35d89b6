import { ThawError, toError } from '../errors';
import { httpStatusOf, s3ErrorCode } from '../restore/s3-error';

/**
 * Why `thaw setup` stopped. The command prints the message and exits 1, so every message says what
 * to do next (which permission to grant, which option to pass), not only what AWS answered.
 * - `setup_access_denied`: the operator's credentials lack a permission (named in the message).
 * - `setup_not_found`: the bucket, topic or subscription named does not exist.
 * - `setup_conflict`: the account holds something setup must not overwrite.
 * - `setup_invalid`: AWS refused the request as made (bad policy, wrong region, ...).
 * - `setup_unavailable` (retryable): throttled, 5xx, or no answer; running setup again may work.
 * - `setup_failed`: anything else AWS answered.
 */
export type SetupErrorCode =
  | 'setup_access_denied'
  | 'setup_not_found'
  | 'setup_conflict'
  | 'setup_invalid'
  | 'setup_unavailable'
  | 'setup_failed';

export class SetupError extends ThawError {
  constructor(code: SetupErrorCode, message: string, cause?: unknown) {
    super(code, message, { retryable: code === 'setup_unavailable', cause });
    this.name = 'SetupError';
  }
}

/** The AWS call that failed, for the message. */
export interface AwsCall {
  readonly service: 'sns' | 's3' | 'sqs' | 'sts';
  /** API operation, e.g. PutBucketNotificationConfiguration. */
  readonly operation: string;
  /** What it was called on: a bucket name, topic ARN, queue name. */
  readonly resource: string;
}

/** IAM actions whose name differs from the API operation's. */
const IAM_ACTIONS: Readonly<Record<string, string>> = {
  GetBucketNotificationConfiguration: 's3:GetBucketNotification',
  PutBucketNotificationConfiguration: 's3:PutBucketNotification',
};

/** SNS says AuthorizationError, S3 AccessDenied, SQS (JSON protocol) AccessDeniedException. */
const ACCESS_DENIED_CODES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'AuthorizationErrorException',
  'Forbidden',
]);

/**
 * The credentials themselves were refused (unknown key, expired session, bad signature): no IAM
 * permission would help. STS answers these even for GetCallerIdentity, which needs no permission.
 */
const CREDENTIAL_CODES: ReadonlySet<string> = new Set([
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
]);

const NOT_FOUND_CODES: ReadonlySet<string> = new Set([
  'NoSuchBucket',
  'NotFound',
  'NotFoundException',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
]);

const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'SlowDown',
  'RequestThrottled',
  'TooManyRequestsException',
]);

export function iamActionFor(call: AwsCall): string {
  return IAM_ACTIONS[call.operation] ?? `${call.service}:${call.operation}`;
}

/** Translates anything an SDK call threw into a SetupError whose message says what to do. */
export function toSetupError(thrown: unknown, call: AwsCall): SetupError {
  if (thrown instanceof SetupError) return thrown;
  const cause = toError(thrown);
  const code = s3ErrorCode(thrown);
  const status = httpStatusOf(thrown);
  const what = `${call.service} ${call.operation} on ${call.resource}`;
  const answered = `${code}${status === undefined ? '' : ` (HTTP ${status})`}: ${cause.message}`;

  if (code === 'CredentialsProviderError') {
    return new SetupError(
      'setup_access_denied',
      `no AWS credentials found for ${what}: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
      thrown,
    );
  }
  if (CREDENTIAL_CODES.has(code)) {
    return new SetupError(
      'setup_access_denied',
      `${what} was refused because of the credentials themselves (unknown, expired or mis-signed): ` +
        `refresh them (aws sso login, a new session or key) and run setup again (${answered})`,
      thrown,
    );
  }
  if (ACCESS_DENIED_CODES.has(code) || status === 403) {
    const owner =
      call.service === 's3' ? ', or the bucket does not belong to the account given with --account-id' : '';
    return new SetupError(
      'setup_access_denied',
      `${what} was refused: the credentials need the IAM permission "${iamActionFor(call)}" on it${owner} (${answered})`,
      thrown,
    );
  }
  if (code === 'NoSuchBucket') {
    return new SetupError(
      'setup_not_found',
      `bucket "${call.resource}" does not exist (${answered})`,
      thrown,
    );
  }
  if (NOT_FOUND_CODES.has(code) || status === 404) {
    return new SetupError(
      'setup_not_found',
      `${call.resource} does not exist (${what}: ${answered})`,
      thrown,
    );
  }
  if (call.operation === 'PutBucketNotificationConfiguration' && code === 'InvalidArgument') {
    // S3 sends a test event to every SNS/SQS/Lambda destination of the configuration it is given,
    // the ones already there included, and refuses the whole configuration when one fails.
    return new SetupError(
      'setup_invalid',
      `S3 could not validate the notification destinations of bucket "${call.resource}": the topic ` +
        'policy must let s3.amazonaws.com publish for this bucket and its owner account (check ' +
        "--account-id), the topic must be in the bucket's region, a KMS-encrypted topic's key must let " +
        'S3 use it, and every destination already configured on the bucket must still exist and accept ' +
        `S3 (${answered})`,
      thrown,
    );
  }
  if (THROTTLING_CODES.has(code) || status === undefined || status >= 500) {
    return new SetupError(
      'setup_unavailable',
      `${what} failed, and may work if setup is run again: ${answered}`,
      thrown,
    );
  }
  if (
    code.startsWith('InvalidParameter') ||
    code === 'InvalidArgument' ||
    code.startsWith('InvalidAttribute')
  ) {
    return new SetupError('setup_invalid', `${what} was refused as invalid: ${answered}`, thrown);
  }
  return new SetupError('setup_failed', `${what} failed: ${answered}`, thrown);
}

/** Runs one SDK call, translating whatever it throws. */
export async function awsCall<T>(call: AwsCall, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (thrown) {
    throw toSetupError(thrown, call);
  }
}
