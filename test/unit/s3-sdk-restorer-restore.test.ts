import {
  InvalidObjectState,
  NoSuchKey,
  ObjectAlreadyInActiveTierError,
  RestoreObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { ObjectRef } from '../../src/domain/object-ref';
import { S3Error } from '../../src/restore/s3-error';
import type { RestoreCommand } from '../../src/restore/s3-restorer';
import { createS3SdkRestorer } from '../../src/restore/s3-sdk-restorer';
import { singleClientS3 } from '../helpers/wire-clients';

const VERSIONED: ObjectRef = {
  bucket: 'archive',
  key: 'scans/box 12.tif',
  versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
};
const VERSIONLESS: ObjectRef = { bucket: 'archive', key: 'scans/box 12.tif', versionId: null };
const GLACIER_3_DAYS: RestoreCommand = { tier: 'Standard', days: 3 };

const client = new S3Client({
  region: 'us-east-1',
  credentials: {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
});
const s3 = mockClient(client);
const restorer = createS3SdkRestorer({
  s3: singleClientS3(client),
  expeditedRetry: { attempts: 3, baseDelayMs: 1 },
});

function serviceError(name: string, httpStatusCode: number, message = `${name} message`): S3ServiceException {
  return new S3ServiceException({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

const expeditedUnavailable = (): S3ServiceException =>
  serviceError(
    'GlacierExpeditedRetrievalNotAvailable',
    503,
    'Glacier expedited retrievals are currently not available, please try again later',
  );

beforeEach(() => {
  s3.reset();
});

afterAll(() => {
  s3.restore();
  client.destroy();
});

describe('restore', () => {
  it('answers started on 202 and sends exactly bucket, key, version, tier and days', async () => {
    s3.on(RestoreObjectCommand).resolves({ $metadata: { httpStatusCode: 202 } });
    await expect(restorer.restore(VERSIONED, { tier: 'Bulk', days: 7 })).resolves.toBe('started');
    const calls = s3.commandCalls(RestoreObjectCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      Bucket: 'archive',
      Key: 'scans/box 12.tif',
      VersionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
      RestoreRequest: { Days: 7, GlacierJobParameters: { Tier: 'Bulk' } },
    });
  });

  it('answers already-restored on 200 (S3 extended the restored copy)', async () => {
    s3.on(RestoreObjectCommand).resolves({ $metadata: { httpStatusCode: 200 } });
    await expect(restorer.restore(VERSIONLESS, GLACIER_3_DAYS)).resolves.toBe('already-restored');
    expect(s3.commandCalls(RestoreObjectCommand)[0]?.args[0].input).not.toHaveProperty('VersionId');
  });

  it('leaves Days out entirely for an Intelligent-Tiering restore', async () => {
    s3.on(RestoreObjectCommand).resolves({ $metadata: { httpStatusCode: 202 } });
    await expect(restorer.restore(VERSIONLESS, { tier: 'Expedited', days: null })).resolves.toBe('started');
    const request = s3.commandCalls(RestoreObjectCommand)[0]?.args[0].input.RestoreRequest;
    expect(request).toEqual({ GlacierJobParameters: { Tier: 'Expedited' } });
    expect(request).not.toHaveProperty('Days');
  });

  it.each([
    [
      'RestoreAlreadyInProgress (409)',
      serviceError('RestoreAlreadyInProgress', 409, 'Object restore is already in progress'),
      'in-progress',
    ],
    [
      'ObjectAlreadyInActiveTierError as 403',
      new ObjectAlreadyInActiveTierError({
        message: 'This action is not allowed against this storage tier',
        $metadata: { httpStatusCode: 403 },
      }),
      'not-archived',
    ],
    [
      'ObjectAlreadyInActiveTierError as 400',
      new ObjectAlreadyInActiveTierError({
        message: 'This action is not allowed against this storage tier',
        $metadata: { httpStatusCode: 400 },
      }),
      'not-archived',
    ],
    [
      'InvalidObjectState for a STANDARD object',
      new InvalidObjectState({
        message: "Restore is not allowed for the object's current storage class",
        $metadata: { httpStatusCode: 403 },
      }),
      'not-archived',
    ],
  ])('maps %s to %s', async (_name, error, outcome) => {
    s3.on(RestoreObjectCommand).rejects(error);
    await expect(restorer.restore(VERSIONLESS, GLACIER_3_DAYS)).resolves.toBe(outcome);
    expect(s3.commandCalls(RestoreObjectCommand)).toHaveLength(1);
  });

  it('throws for an InvalidObjectState that is not about the storage class', async () => {
    s3.on(RestoreObjectCommand).rejects(
      new InvalidObjectState({
        message: 'Object is archived and inaccessible until restored.',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    await expect(restorer.restore(VERSIONLESS, GLACIER_3_DAYS)).rejects.toMatchObject({
      name: 'S3Error',
      s3Code: 'InvalidObjectState',
      httpStatus: 400,
      retryable: false,
    });
  });

  it('retries an unavailable Expedited restore, then answers expedited-unavailable without throwing', async () => {
    s3.on(RestoreObjectCommand).rejects(expeditedUnavailable());
    await expect(restorer.restore(VERSIONLESS, { tier: 'Expedited', days: 1 })).resolves.toBe(
      'expedited-unavailable',
    );
    const calls = s3.commandCalls(RestoreObjectCommand);
    expect(calls).toHaveLength(3);
    for (const call of calls) {
      expect(call.args[0].input.RestoreRequest).toEqual({
        Days: 1,
        GlacierJobParameters: { Tier: 'Expedited' },
      });
    }
  });

  it('honours the configured number of attempts', async () => {
    s3.on(RestoreObjectCommand).rejects(expeditedUnavailable());
    const once = createS3SdkRestorer({
      s3: singleClientS3(client),
      expeditedRetry: { attempts: 1, baseDelayMs: 1 },
    });
    await expect(once.restore(VERSIONLESS, { tier: 'Expedited', days: 1 })).resolves.toBe(
      'expedited-unavailable',
    );
    expect(s3.commandCalls(RestoreObjectCommand)).toHaveLength(1);
  });

  it('answers started when Expedited capacity comes back on the second attempt', async () => {
    s3.on(RestoreObjectCommand)
      .rejectsOnce(expeditedUnavailable())
      .resolves({ $metadata: { httpStatusCode: 202 } });
    await expect(restorer.restore(VERSIONLESS, { tier: 'Expedited', days: 1 })).resolves.toBe('started');
    expect(s3.commandCalls(RestoreObjectCommand)).toHaveLength(2);
  });

  it.each([
    [
      'NoSuchKey',
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }),
      404,
      's3_not_found',
      false,
    ],
    ['AccessDenied', serviceError('AccessDenied', 403, 'Access Denied'), 403, 's3_access_denied', false],
    [
      'InvalidArgument (Days on Intelligent-Tiering)',
      serviceError(
        'InvalidArgument',
        400,
        'INTELLIGENT_TIERING objects are not subject to restore expiry. Do not specify Days when restoring this object',
      ),
      502,
      'upstream_rejected',
      false,
    ],
    [
      'SlowDown',
      serviceError('SlowDown', 503, 'Please reduce your request rate.'),
      503,
      's3_unavailable',
      true,
    ],
    [
      'InternalError',
      serviceError('InternalError', 500, 'We encountered an internal error. Please try again.'),
      503,
      's3_unavailable',
      true,
    ],
  ])('throws S3Error for %s', async (s3Code, error, httpStatus, code, retryable) => {
    s3.on(RestoreObjectCommand).rejects(error);
    const thrown = await restorer.restore(VERSIONED, GLACIER_3_DAYS).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(S3Error);
    expect(thrown).toMatchObject({
      httpStatus,
      code,
      retryable,
      operation: 'RestoreObject',
      s3Code: s3Code.split(' ')[0],
    });
    // Only Expedited capacity is retried here; everything else is the job's retry policy.
    expect(s3.commandCalls(RestoreObjectCommand)).toHaveLength(1);
  });

  it('refuses impossible retry options at construction', () => {
    expect(() =>
      createS3SdkRestorer({ s3: singleClientS3(client), expeditedRetry: { attempts: 0, baseDelayMs: 1 } }),
    ).toThrow(RangeError);
  });
});
