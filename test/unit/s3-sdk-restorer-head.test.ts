import { HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { ObjectRef } from '../../src/domain/object-ref';
import { S3Error } from '../../src/restore/s3-error';
import type { ObjectRestoreState } from '../../src/restore/s3-restorer';
import { createS3SdkRestorer } from '../../src/restore/s3-sdk-restorer';
import { singleClientS3 } from '../helpers/wire-clients';

const VERSIONED: ObjectRef = {
  bucket: 'archive',
  key: 'scans/box 12.tif',
  versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
};
const VERSIONLESS: ObjectRef = { bucket: 'archive', key: 'scans/box 12.tif', versionId: null };

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

beforeEach(() => {
  s3.reset();
});

afterAll(() => {
  s3.restore();
  client.destroy();
});

describe('head', () => {
  it('reports a GLACIER object that was never restored', async () => {
    s3.on(HeadObjectCommand).resolves({
      StorageClass: 'GLACIER',
      ContentLength: 1024,
      $metadata: { httpStatusCode: 200 },
    });
    await expect(restorer.head(VERSIONLESS)).resolves.toEqual<ObjectRestoreState>({
      storageClass: 'GLACIER',
      archiveStatus: null,
      restore: null,
      size: 1024,
    });
  });

  it('reports a restore in progress', async () => {
    s3.on(HeadObjectCommand).resolves({
      StorageClass: 'DEEP_ARCHIVE',
      Restore: 'ongoing-request="true"',
      ContentLength: 7,
    });
    const state = await restorer.head(VERSIONLESS);
    expect(state.storageClass).toBe('DEEP_ARCHIVE');
    expect(state.restore).toEqual({ ongoing: true, expiryDate: null });
  });

  it('reports a finished restore with its expiry (class stays GLACIER)', async () => {
    s3.on(HeadObjectCommand).resolves({
      StorageClass: 'GLACIER',
      Restore: 'ongoing-request="false", expiry-date="Sun, 13 Aug 2017 00:00:00 GMT"',
      ContentLength: 0,
    });
    await expect(restorer.head(VERSIONLESS)).resolves.toEqual({
      storageClass: 'GLACIER',
      archiveStatus: null,
      restore: { ongoing: false, expiryDate: '2017-08-13T00:00:00.000Z' },
      size: 0,
    });
  });

  it('reports STANDARD when S3 sends no storage class, and null size without Content-Length', async () => {
    s3.on(HeadObjectCommand).resolves({ $metadata: { httpStatusCode: 200 } });
    await expect(restorer.head(VERSIONLESS)).resolves.toEqual({
      storageClass: 'STANDARD',
      archiveStatus: null,
      restore: null,
      size: null,
    });
  });

  it('reports an Intelligent-Tiering object in Archive Access being restored', async () => {
    s3.on(HeadObjectCommand).resolves({
      StorageClass: 'INTELLIGENT_TIERING',
      ArchiveStatus: 'ARCHIVE_ACCESS',
      Restore: 'ongoing-request="true"',
      ContentLength: 52_428_800,
    });
    await expect(restorer.head(VERSIONLESS)).resolves.toEqual({
      storageClass: 'INTELLIGENT_TIERING',
      archiveStatus: 'ARCHIVE_ACCESS',
      restore: { ongoing: true, expiryDate: null },
      size: 52_428_800,
    });
  });

  it('asks for the version of a versioned object', async () => {
    s3.on(HeadObjectCommand).resolves({ StorageClass: 'GLACIER' });
    await restorer.head(VERSIONED);
    expect(s3.commandCalls(HeadObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'archive',
      Key: 'scans/box 12.tif',
      VersionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
    });
  });

  it('sends S3\'s literal "null" version id as a version', async () => {
    s3.on(HeadObjectCommand).resolves({ StorageClass: 'GLACIER' });
    await restorer.head({ ...VERSIONLESS, versionId: 'null' });
    expect(s3.commandCalls(HeadObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'archive',
      Key: 'scans/box 12.tif',
      VersionId: 'null',
    });
  });

  it('sends no VersionId at all for a versionless reference', async () => {
    s3.on(HeadObjectCommand).resolves({ StorageClass: 'GLACIER' });
    await restorer.head(VERSIONLESS);
    const input = s3.commandCalls(HeadObjectCommand)[0]?.args[0].input;
    expect(input).toEqual({ Bucket: 'archive', Key: 'scans/box 12.tif' });
    expect(input).not.toHaveProperty('VersionId');
  });

  it.each([
    [
      'a missing object (bodiless 404)',
      new S3ServiceException({
        name: 'NotFound',
        $fault: 'client',
        $metadata: { httpStatusCode: 404 },
        message: 'UnknownError',
      }),
      404,
      's3_not_found',
      false,
    ],
    [
      'a forbidden object (bodiless 403)',
      serviceError('Unknown', 403, 'UnknownError'),
      403,
      's3_access_denied',
      false,
    ],
    ['a 503', serviceError('Unknown', 503, 'UnknownError'), 503, 's3_unavailable', true],
  ])('translates %s into S3Error', async (_name, error, httpStatus, code, retryable) => {
    s3.on(HeadObjectCommand).rejects(error);
    const thrown = await restorer.head(VERSIONLESS).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(S3Error);
    expect(thrown).toMatchObject({ httpStatus, code, retryable, operation: 'HeadObject' });
  });
});
