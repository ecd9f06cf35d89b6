import {
  AccessDenied,
  InvalidObjectState,
  NoSuchBucket,
  NoSuchKey,
  NotFound,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { ObjectRef } from '../../src/domain/object-ref';
import { ThawError } from '../../src/errors';
import { S3Error, s3ErrorCode, toS3Error } from '../../src/restore/s3-error';

const OBJECT: ObjectRef = { bucket: 'archive', key: 'reports/2019.pdf', versionId: 'v1' };

/** An S3 error that has no SDK class: what the SDK builds from an unmodeled error code. */
function serviceError(name: string, httpStatusCode: number, message = `${name} message`): S3ServiceException {
  return new S3ServiceException({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 52.216.0.1:443`), { code });
}

describe('toS3Error', () => {
  it.each([
    [
      'NoSuchKey',
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }),
    ],
    [
      'NoSuchBucket',
      new NoSuchBucket({
        message: 'The specified bucket does not exist',
        $metadata: { httpStatusCode: 404 },
      }),
    ],
    // HeadObject 404 has no body; the SDK names it NotFound with message "UnknownError".
    ['NotFound', new NotFound({ message: 'UnknownError', $metadata: { httpStatusCode: 404 } })],
    ['NoSuchVersion', serviceError('NoSuchVersion', 404)],
  ])('maps %s to 404 s3_not_found', (s3Code, error) => {
    expect(toS3Error(error, 'HeadObject', OBJECT)).toMatchObject({
      code: 's3_not_found',
      httpStatus: 404,
      retryable: false,
      s3Code,
    });
  });

  it.each([
    ['AccessDenied', new AccessDenied({ message: 'Access Denied', $metadata: { httpStatusCode: 403 } })],
    ['Forbidden', serviceError('Forbidden', 403)],
    // What the SDK really throws for a bodiless HeadObject 403 (observed against a local server).
    ['Forbidden', serviceError('Unknown', 403, 'UnknownError')],
    ['SignatureDoesNotMatch', serviceError('SignatureDoesNotMatch', 403)],
  ])('maps %s to 403 s3_access_denied', (s3Code, error) => {
    expect(toS3Error(error, 'HeadObject', OBJECT)).toMatchObject({
      code: 's3_access_denied',
      httpStatus: 403,
      retryable: false,
      s3Code,
    });
  });

  it.each([
    ['InvalidArgument', serviceError('InvalidArgument', 400)],
    ['MalformedXML', serviceError('MalformedXML', 400)],
    ['InvalidRequest', serviceError('InvalidRequest', 400)],
    ['AuthorizationHeaderMalformed', serviceError('AuthorizationHeaderMalformed', 400)],
  ])(
    'maps %s (S3 refusing the request thaw built) to 502 upstream_rejected, not retryable',
    (s3Code, error) => {
      expect(toS3Error(error, 'RestoreObject', OBJECT)).toMatchObject({
        code: 'upstream_rejected',
        httpStatus: 502,
        retryable: false,
        s3Code,
      });
    },
  );

  it.each([
    ['BadRequest', serviceError('Unknown', 400, 'UnknownError')],
    // 403, but about the object's state rather than permissions.
    [
      'InvalidObjectState',
      new InvalidObjectState({
        message: 'Object is archived and inaccessible until restored.',
        $metadata: { httpStatusCode: 403 },
      }),
    ],
    ['PermanentRedirect', serviceError('PermanentRedirect', 301)],
  ])('maps %s to 400 s3_invalid_request, not retryable', (s3Code, error) => {
    expect(toS3Error(error, 'RestoreObject', OBJECT)).toMatchObject({
      code: 's3_invalid_request',
      httpStatus: 400,
      retryable: false,
      s3Code,
    });
  });

  it.each([
    ['SlowDown', serviceError('SlowDown', 503)],
    // The code decides even when the status alone would say "client error".
    ['ThrottlingException', serviceError('ThrottlingException', 400)],
    ['RequestTimeout', serviceError('RequestTimeout', 400)],
    ['InternalError', serviceError('InternalError', 500)],
    ['ServiceUnavailable', serviceError('Unknown', 503, 'UnknownError')],
    ['BadGateway', serviceError('Unknown', 502, 'UnknownError')],
    ['TooManyRequests', serviceError('Unknown', 429, 'UnknownError')],
    ['ECONNRESET', networkError('ECONNRESET')],
    ['ENOTFOUND', networkError('ENOTFOUND')],
    ['TimeoutError', Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })],
  ])('maps %s to 503 s3_unavailable, retryable', (s3Code, error) => {
    expect(toS3Error(error, 'RestoreObject', OBJECT)).toMatchObject({
      code: 's3_unavailable',
      httpStatus: 503,
      retryable: true,
      s3Code,
    });
  });

  it('is a ThawError that keeps the SDK error as cause and names operation, object and code', () => {
    const sdkError = new NoSuchKey({
      message: 'The specified key does not exist.',
      $metadata: { httpStatusCode: 404 },
    });
    const error = toS3Error(sdkError, 'RestoreObject', OBJECT);
    expect(error).toBeInstanceOf(S3Error);
    expect(error).toBeInstanceOf(ThawError);
    expect(error.name).toBe('S3Error');
    expect(error.cause).toBe(sdkError);
    expect(error.operation).toBe('RestoreObject');
    expect(error.message).toContain('RestoreObject');
    expect(error.message).toContain('s3://archive/reports/2019.pdf');
    expect(error.message).toContain('v1');
    expect(error.message).toContain('NoSuchKey');
    expect(error.message).toContain('HTTP 404');
  });

  it('coerces a thrown non-Error into an Error cause', () => {
    const error = toS3Error('boom', 'HeadObject', { ...OBJECT, versionId: null });
    expect(error.cause).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: 's3_unavailable', s3Code: 'Unknown' });
    expect(error.message).not.toContain('version');
  });
});

describe('s3ErrorCode', () => {
  it('prefers the SDK name, then Code, then a Node code, then the HTTP reason', () => {
    expect(s3ErrorCode(serviceError('RestoreAlreadyInProgress', 409))).toBe('RestoreAlreadyInProgress');
    expect(s3ErrorCode(Object.assign(new Error('x'), { Code: 'SlowDown' }))).toBe('SlowDown');
    expect(s3ErrorCode(networkError('EPIPE'))).toBe('EPIPE');
    expect(s3ErrorCode(serviceError('Unknown', 403))).toBe('Forbidden');
    expect(s3ErrorCode(undefined)).toBe('Unknown');
  });
});
