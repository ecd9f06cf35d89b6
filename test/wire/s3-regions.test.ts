import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createPresigner } from '../../src/notify/presigned-url';
import { createS3Client } from '../../src/restore/s3-client';
import { createS3SdkRestorer } from '../../src/restore/s3-sdk-restorer';
import type { ObjectRef } from '../../src/domain/object-ref';
import { signedRegion, startS3StandIn } from '../helpers/s3-stand-in';
import type { S3StandIn } from '../helpers/s3-stand-in';
import { regionalS3For } from '../helpers/wire-clients';

/**
 * A bucket outside AWS_REGION: S3 refuses a request signed for the wrong region (400
 * AuthorizationHeaderMalformed when it reached the bucket's region, 301 PermanentRedirect when it
 * reached another), and a presigned URL signed for the wrong region fails at the customer's click
 * (AuthorizationQueryParametersError). thaw learns the region from `x-amz-bucket-region` and calls,
 * and signs, there (S3 API Reference, "HeadBucket" Response Syntax; "Error Responses").
 */

let s3: S3StandIn;
beforeAll(async () => {
  s3 = await startS3StandIn();
  s3.placeBucket('frankfurt', 'eu-central-1');
  s3.placeBucket('oregon', 'us-west-2', 'redirect');
  for (const bucket of ['frankfurt', 'oregon']) {
    s3.put({ bucket, key: 'cold.bin', storageClass: 'GLACIER' });
    s3.put({
      bucket,
      key: 'warm.bin',
      storageClass: 'GLACIER',
      restore: { ongoing: false, expiry: '2099-01-01' },
    });
  }
});
afterAll(() => s3.stop());
beforeEach(() => s3.wire.clear());

const cold = (bucket: string): ObjectRef => ({ bucket, key: 'cold.bin', versionId: null });

describe.each([
  ['frankfurt', 'eu-central-1', 400],
  ['oregon', 'us-west-2', 301],
] as const)('a bucket in another region (%s, %s; S3 answers %d)', (bucket, region, refusal) => {
  it('retries HeadObject and RestoreObject in the bucket region, then goes there first', async () => {
    const made: string[] = [];
    const regional = regionalS3For(s3.endpoint, 'us-east-1', made);
    const restorer = createS3SdkRestorer({ s3: regional, expeditedRetry: { attempts: 1, baseDelayMs: 0 } });

    const head = await restorer.head(cold(bucket));
    expect(head.storageClass).toBe('GLACIER');
    expect(s3.wire.requests.map((r) => [r.method, signedRegion(r)])).toEqual([
      ['HEAD', 'us-east-1'],
      ['HEAD', region],
    ]);
    expect(regional.knownRegion(bucket)).toBe(region);

    s3.wire.clear();
    expect(await restorer.restore(cold(bucket), { tier: 'Bulk', days: 3 })).toBe('started');
    // Learned once: the restore goes straight to the bucket's region.
    expect(s3.wire.requests.map((r) => [r.method, signedRegion(r)])).toEqual([['POST', region]]);
    expect(made).toEqual(['us-east-1', region]);
    regional.destroy();
    s3.put({ bucket, key: 'cold.bin', storageClass: 'GLACIER' });
  });

  it(`presigns in the bucket region (asking S3 once), and the link is accepted`, async () => {
    const regional = regionalS3For(s3.endpoint, 'us-east-1');
    const presign = createPresigner({ s3: regional });
    const warm: ObjectRef = { bucket, key: 'warm.bin', versionId: null };

    const url = new URL(await presign(warm, 600));
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`/${region}/s3/aws4_request$`));
    // One HeadBucket to learn it; a second link needs none.
    // HeadBucket, path style: HEAD /{Bucket} (the SDK adds a trailing slash).
    expect(s3.wire.requests.map((r) => [r.method, r.path.replace(/\/$/, '')])).toEqual([
      ['HEAD', `/${bucket}`],
    ]);
    await presign(warm, 600);
    expect(s3.wire.requests).toHaveLength(1);

    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(refusal).toBeGreaterThan(0);
    regional.destroy();
  });

  it('a link signed for AWS_REGION alone is refused, as S3 refuses it (what thaw no longer sends)', async () => {
    const client = createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: 'warm.bin' }), {
      expiresIn: 600,
    });
    client.destroy();
    const download = await fetch(url);
    expect(download.status).toBe(refusal);
    expect(download.headers.get('x-amz-bucket-region')).toBe(region);
  });
});

describe('region lookups that cannot tell', () => {
  it('falls back to AWS_REGION unremembered when HeadBucket says nothing (no such bucket)', async () => {
    const regional = regionalS3For(s3.endpoint, 'us-east-1');
    const presign = createPresigner({ s3: regional });
    const url = new URL(await presign({ bucket: 'nowhere', key: 'x', versionId: null }, 60));
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/\/us-east-1\/s3\/aws4_request$/);
    expect(regional.knownRegion('nowhere')).toBeUndefined();
    regional.destroy();
  });
});
