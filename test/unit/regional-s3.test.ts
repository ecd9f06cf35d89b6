import type { S3Client } from '@aws-sdk/client-s3';
import { createRegionalS3 } from '../../src/restore/regional-s3';

/**
 * The caching of bucket regions for presigning. The clients here answer HeadBucket from a table
 * (what S3 answers is pinned on the wire in test/wire/s3-restore.test.ts); this file is about how
 * often thaw asks.
 */
function fakeClients(answer: (bucket: string) => Promise<unknown>) {
  const heads: string[] = [];
  const made: string[] = [];
  const clientFor = (region: string) => {
    made.push(region);
    return {
      region,
      send: (command: { input: { Bucket: string } }) => {
        heads.push(command.input.Bucket);
        return answer(command.input.Bucket);
      },
      destroy: () => undefined,
    } as unknown as S3Client;
  };
  return { heads, made, clientFor };
}

const regionOf = (client: S3Client) => (client as unknown as { region: string }).region;

describe('RegionalS3.clientFor', () => {
  it('asks S3 once per bucket and keeps the region it names', async () => {
    const fakes = fakeClients(async () => ({ BucketRegion: 'eu-west-1' }));
    const s3 = createRegionalS3({ defaultRegion: 'us-east-1', clientFor: fakes.clientFor });
    expect(regionOf(await s3.clientFor('photos'))).toBe('eu-west-1');
    expect(regionOf(await s3.clientFor('photos'))).toBe('eu-west-1');
    expect(fakes.heads).toEqual(['photos']);
    expect(s3.knownRegion('photos')).toBe('eu-west-1');
  });

  it('presigns for the default region without asking again while S3 named no region', async () => {
    const unreachable = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    const fakes = fakeClients(() => Promise.reject(unreachable));
    const s3 = createRegionalS3({
      defaultRegion: 'us-east-1',
      clientFor: fakes.clientFor,
      unresolvedRetryMs: 50,
    });
    for (let call = 0; call < 5; call += 1) {
      expect(regionOf(await s3.clientFor('archive'))).toBe('us-east-1');
    }
    expect(fakes.heads).toEqual(['archive']);
    expect(s3.knownRegion('archive')).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 120));
    await s3.clientFor('archive');
    expect(fakes.heads).toEqual(['archive', 'archive']);
  });

  it('learns the region from a refusal that names it (301 with x-amz-bucket-region)', async () => {
    const moved = Object.assign(new Error('Moved Permanently'), {
      $response: { headers: { 'x-amz-bucket-region': 'ap-southeast-2' } },
    });
    const fakes = fakeClients(() => Promise.reject(moved));
    const s3 = createRegionalS3({ defaultRegion: 'us-east-1', clientFor: fakes.clientFor });
    expect(regionOf(await s3.clientFor('far'))).toBe('ap-southeast-2');
    await s3.clientFor('far');
    expect(fakes.heads).toEqual(['far']);
  });
});
