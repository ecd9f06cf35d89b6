import { STATUS_CODES } from 'node:http';
import type { ObjectRef } from '../domain/object-ref';
import { ThawError, toError } from '../errors';

/**
 * thaw's codes for a failed S3 call, each with the HTTP status an API caller gets:
 * - `s3_not_found` (404): NoSuchKey, NoSuchBucket, NoSuchVersion, or a bodiless HeadObject 404.
 * - `s3_access_denied` (403): thaw's credentials may not touch the object.
 * - `s3_invalid_request` (400): S3 refused the request as made; sending it again cannot help.
 * - `upstream_rejected` (502): S3 refused the request *thaw built* as malformed (MalformedXML,
 *   InvalidArgument...). The caller's input was valid; thaw is at fault, so no 4xx blames them.
 * - `s3_unavailable` (503, retryable): throttling, 5xx, or no HTTP answer at all.
 */
export type S3ErrorCode =
  's3_not_found' | 's3_access_denied' | 's3_invalid_request' | 'upstream_rejected' | 's3_unavailable';

export interface S3ErrorDetails {
  readonly code: S3ErrorCode;
  /** S3's own error code (NoSuchKey, SlowDown, ...), a Node error code (ECONNRESET), or the HTTP reason. */
  readonly s3Code: string;
  /** The S3 operation that failed, e.g. HeadObject. */
  readonly operation: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly httpStatus: number;
  readonly cause?: unknown;
}

/** An S3 call failed; the only error the S3 adapters let out. */
export class S3Error extends ThawError {
  readonly s3Code: string;
  readonly operation: string;

  constructor(details: S3ErrorDetails) {
    super(details.code, details.message, details);
    this.name = 'S3Error';
    this.s3Code = details.s3Code;
    this.operation = details.operation;
  }
}

/**
 * Codes a later attempt may get past, whatever status they come with: S3 sends SlowDown as 503 but
 * RequestTimeout (idle upload socket) as 400, RequestTimeTooSkewed as 403, ExpiredToken as 400
 * (the SDK refreshes credentials on the next call).
 */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'ExpiredToken',
  'InternalError',
  'ServiceUnavailable',
  'GlacierExpeditedRetrievalNotAvailable',
]);

/**
 * S3's answers to a request that does not match its published syntax (S3 API Reference, "Error
 * Responses", List of error codes): the body or parameters thaw built are wrong, not the object or
 * the caller's input. The customer's values are validated before any call, and HeadObject (no body,
 * so none of these codes) runs before RestoreObject, so a bad bucket, key or version id fails there.
 */
export const MALFORMED_REQUEST_CODES: ReadonlySet<string> = new Set([
  'MalformedXML',
  'InvalidRequest',
  'InvalidArgument',
  'MissingRequestBodyError',
  'UnexpectedContent',
  'InvalidDigest',
  'AuthorizationHeaderMalformed',
  'AuthorizationQueryParametersError',
]);

/** `NotFound` is the SDK's name for a HeadObject 404, which has no body to carry a code. */
const NOT_FOUND_CODES: ReadonlySet<string> = new Set([
  'NoSuchKey',
  'NoSuchBucket',
  'NoSuchVersion',
  'NotFound',
]);

/**
 * 403s about the object's state, not about permissions: InvalidObjectState (archived object, or
 * RestoreObject on a class that cannot be restored) and the active-tier errors.
 */
const STATE_CODES: ReadonlySet<string> = new Set([
  'InvalidObjectState',
  'ObjectAlreadyInActiveTierError',
  'ObjectNotInActiveTierError',
]);

/** Translates anything an S3 SDK call threw into an S3Error. */
export function toS3Error(error: unknown, operation: string, object: ObjectRef): S3Error {
  const cause = toError(error);
  const s3Code = s3ErrorCode(error);
  const status = httpStatusOf(error);
  const message =
    `S3 ${operation} ${describe(object)} failed: ${s3Code} ` +
    `(${status === undefined ? 'no HTTP response' : `HTTP ${status}`}): ${cause.message}`;
  const base = { s3Code, operation, message, cause };

  // No status means the request never got an answer (connection reset, DNS, socket timeout,
  // credentials provider down): a later attempt may succeed.
  if (RETRYABLE_CODES.has(s3Code) || status === undefined || status >= 500 || status === 429) {
    return new S3Error({ ...base, code: 's3_unavailable', retryable: true, httpStatus: 503 });
  }
  if (MALFORMED_REQUEST_CODES.has(s3Code)) {
    return new S3Error({ ...base, code: 'upstream_rejected', retryable: false, httpStatus: 502 });
  }
  if (NOT_FOUND_CODES.has(s3Code) || status === 404) {
    return new S3Error({ ...base, code: 's3_not_found', retryable: false, httpStatus: 404 });
  }
  // A HeadObject 403 has no body: the SDK names it `Unknown`, which s3ErrorCode turns into `Forbidden`.
  if (status === 403 && !STATE_CODES.has(s3Code)) {
    return new S3Error({ ...base, code: 's3_access_denied', retryable: false, httpStatus: 403 });
  }
  return new S3Error({ ...base, code: 's3_invalid_request', retryable: false, httpStatus: 400 });
}

/**
 * S3's error code of an SDK error. Read by duck typing, so errors from another copy of the SDK
 * (or a mock) work too. When S3 sent no body (HEAD), the SDK names the error `Unknown` (or
 * `NotFound` for 404); the HTTP reason phrase is used then, as the AWS CLI does (`Forbidden`).
 */
export function s3ErrorCode(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'Unknown';
  const fields = error as { name?: unknown; Code?: unknown; code?: unknown };
  if (typeof fields.name === 'string' && fields.name !== 'Error' && fields.name !== 'Unknown')
    return fields.name;
  if (typeof fields.Code === 'string' && fields.Code !== '') return fields.Code;
  // Node system errors (ECONNRESET, ENOTFOUND) carry their code in `code`.
  if (typeof fields.code === 'string' && fields.code !== '') return fields.code;
  const status = httpStatusOf(error);
  const reason = status === undefined ? undefined : STATUS_CODES[status];
  if (reason !== undefined) return reason.replace(/[^A-Za-z]/g, '');
  return typeof fields.name === 'string' ? fields.name : 'Unknown';
}

/** The HTTP status S3 answered with, if any answer came. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { $metadata, $response } = error as {
    $metadata?: { httpStatusCode?: unknown };
    $response?: { statusCode?: unknown };
  };
  if (typeof $metadata?.httpStatusCode === 'number') return $metadata.httpStatusCode;
  if (typeof $response?.statusCode === 'number') return $response.statusCode;
  return undefined;
}

function describe(object: ObjectRef): string {
  const version = object.versionId === null ? '' : ` (version ${object.versionId})`;
  return `s3://${object.bucket}/${object.key}${version}`;
}
