import type { S3Client } from '@aws-sdk/client-s3';
import { createRegionalS3 } from '../../src/restore/regional-s3';
import type { RegionalS3 } from '../../src/restore/regional-s3';
import { createS3Client } from '../../src/restore/s3-client';

/**
 * thaw's production S3 clients (one per bucket region, path-style) pointed at a loopback stand-in.
 * `made` lists each region a client was built for, so a test can see a region was learned.
 */
export function regionalS3For(
  endpoint: string,
  defaultRegion = 'us-east-1',
  made: string[] = [],
): RegionalS3 {
  return createRegionalS3({
    defaultRegion,
    clientFor: (region) => {
      made.push(region);
      return createS3Client({ region, endpoint });
    },
  });
}

/**
 * One (usually mocked) client for every bucket, never asking S3 for a region: for tests of error
 * mapping and signing, not of regions (test/wire/s3-regions.test.ts covers those).
 */
export function singleClientS3(client: S3Client): RegionalS3 {
  return {
    send: (_bucket, call) => call(client),
    clientFor: () => Promise.resolve(client),
    knownRegion: () => undefined,
    destroy: () => client.destroy(),
  };
}
