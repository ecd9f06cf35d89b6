import { HeadObjectCommand, RestoreObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export type S3Mock = AwsClientStub<S3Client>;

/** Mocks every S3Client of the process (the service's own included) for S3 paths no emulator has. */
export function mockS3(): S3Mock {
  return mockClient(S3Client);
}

export function s3Error(name: string, httpStatusCode: number, message = name): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
    message,
  });
}

/** HeadObject answers for an archived object in each restore state. */
export const HEAD = {
  glacier: { StorageClass: 'GLACIER', ContentLength: 1234, $metadata: { httpStatusCode: 200 } },
  deepArchive: { StorageClass: 'DEEP_ARCHIVE', ContentLength: 1234, $metadata: { httpStatusCode: 200 } },
  restoring: {
    StorageClass: 'GLACIER',
    Restore: 'ongoing-request="true"',
    $metadata: { httpStatusCode: 200 },
  },
  restored: (expiry: string): Partial<HeadObjectCommandOutput> => ({
    StorageClass: 'GLACIER',
    Restore: `ongoing-request="false", expiry-date="${new Date(expiry).toUTCString()}"`,
    $metadata: { httpStatusCode: 200 },
  }),
  standard: { ContentLength: 10, $metadata: { httpStatusCode: 200 } },
  intelligentArchive: {
    StorageClass: 'INTELLIGENT_TIERING',
    ArchiveStatus: 'ARCHIVE_ACCESS',
    $metadata: { httpStatusCode: 200 },
  },
} as const;

export { HeadObjectCommand, RestoreObjectCommand };
