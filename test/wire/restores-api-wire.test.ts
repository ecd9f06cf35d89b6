import type { Redis } from 'ioredis';
import { eventually } from '../helpers/eventually';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { TEST_TOKEN, restoreFlow } from '../helpers/restore-flow';
import { signedRegion, startS3StandIn } from '../helpers/s3-stand-in';
import type { S3StandIn, StandInObject } from '../helpers/s3-stand-in';
import { startSesEmulator } from '../helpers/ses-emulator';
import type { SesEmulator } from '../helpers/ses-emulator';
import { startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';

/**
 * `POST /v1/restores` through the composition root, its S3 calls made by the real SDK to a
 * loopback S3 that checks them against the S3 API Reference (see s3-stand-in.ts): the request body
 * S3 receives for every storage class and tier, and a bucket outside AWS_REGION end to end.
 */
const prefix = uniquePrefix('restores-api-wire');
let s3: S3StandIn;
let ses: SesEmulator;
let world: SnsWorld;
let redis: Redis;
let thaw: TestThaw;

beforeAll(async () => {
  [s3, ses, world] = await Promise.all([startS3StandIn(), startSesEmulator(), startSnsWorld()]);
  redis = testRedis();
  thaw = await startTestThaw(prefix, {
    ...world.env,
    THAW_ROLE: 'serve',
    S3_ENDPOINT: s3.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    SES_ENDPOINT: ses.endpoint,
    SES_MAX_SEND_RATE: '1000',
  });
});

afterAll(async () => {
  await thaw.stop();
  await deletePrefix(redis, prefix);
  await redis.quit();
  await Promise.all([s3.stop(), ses.stop(), world.close()]);
});

async function post(body: Record<string, unknown>) {
  return thaw.app.inject({
    method: 'POST',
    url: '/v1/restores',
    headers: { authorization: `Bearer ${TEST_TOKEN}` },
    payload: { recipient: { email: 'lin@example.com' }, ...body },
  });
}

const CLASSES: readonly [string, Pick<StandInObject, 'storageClass' | 'archiveStatus'>, boolean][] = [
  ['GLACIER', { storageClass: 'GLACIER' }, false],
  ['DEEP_ARCHIVE', { storageClass: 'DEEP_ARCHIVE' }, true],
  [
    'INTELLIGENT_TIERING/ARCHIVE_ACCESS',
    { storageClass: 'INTELLIGENT_TIERING', archiveStatus: 'ARCHIVE_ACCESS' },
    false,
  ],
  [
    'INTELLIGENT_TIERING/DEEP_ARCHIVE_ACCESS',
    { storageClass: 'INTELLIGENT_TIERING', archiveStatus: 'DEEP_ARCHIVE_ACCESS' },
    true,
  ],
];
const TIERS = ['Expedited', 'Standard', 'Bulk'] as const;

describe('POST /v1/restores starts the restore S3 accepts', () => {
  it.each(
    CLASSES.flatMap(([name, object, deep]) => TIERS.map((tier) => [name, tier, object, deep] as const)),
  )(
    '%s, %s: 201, and S3 received Days (archive classes) and GlacierJobParameters/Tier',
    async (name, tier, object, deep) => {
      const key = `wire/${name}/${tier}.bin`;
      s3.put({ bucket: 'archive', key, versionId: 'v1', ...object });
      s3.restores.length = 0;

      const response = await post({ bucket: 'archive', key, versionId: 'v1', tier, days: 4 });

      expect(response.statusCode).toBe(201);
      expect(s3.restores).toHaveLength(1);
      expect(s3.restores[0]).toMatchObject({ bucket: 'archive', key, versionId: 'v1' });
      expect(s3.restores[0]?.elements).toEqual({
        ...(object.storageClass === 'INTELLIGENT_TIERING' ? {} : { Days: '4' }),
        GlacierJobParameters: { Tier: deep && tier === 'Expedited' ? 'Standard' : tier },
      });
    },
  );
});

describe('S3 refusing the request thaw built', () => {
  afterEach(() => s3.refuseRestores(null));

  it.each([
    [
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    ],
    ['InvalidRequest', 'Invalid Request'],
    ['InvalidArgument', 'Invalid Argument'],
  ])(
    '%s: 502 upstream_rejected (not a 4xx blaming the caller), counted in the metric',
    async (code, message) => {
      const key = `wire/refused/${code}.bin`;
      s3.put({ bucket: 'archive', key, storageClass: 'GLACIER' });
      s3.refuseRestores({ status: 400, code, message });

      const response = await post({ bucket: 'archive', key });

      expect(response.statusCode).toBe(502);
      expect(response.json()).toEqual({ error: { code: 'upstream_rejected', message: expect.any(String) } });
      const metrics = await thaw.app.inject({ url: '/metrics' });
      expect(metrics.body).toContain(
        `thaw_aws_request_rejected_total{service="s3",operation="RestoreObject",code="${code}"} 1`,
      );
    },
  );
});

describe('a bucket outside AWS_REGION, end to end', () => {
  it('starts the restore in the bucket region and emails a link signed for it that S3 accepts', async () => {
    s3.placeBucket('tokyo-archive', 'ap-northeast-1');
    const object = { bucket: 'tokyo-archive', key: 'scans/box 7.tif' };
    s3.put({ ...object, storageClass: 'GLACIER' });
    s3.wire.clear();

    const created = await post({ ...object, tier: 'Bulk', days: 2, recipient: { email: 'aki@example.com' } });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<{ id: string }>();
    const restore = s3.wire.requests.filter((r) => r.method === 'POST');
    expect(restore.map(signedRegion)).toEqual(['ap-northeast-1']);

    // S3 finishes the restore and says so through SNS.
    const expiry = new Date(Date.now() + 2 * 86400_000);
    expiry.setUTCHours(0, 0, 0, 0);
    s3.put({ ...object, storageClass: 'GLACIER', restore: { ongoing: false, expiry: expiry.toISOString() } });
    const flow = restoreFlow(thaw.app, world.signer);
    expect(await flow.deliver(flow.signed([{ kind: 'initiated', ...object, versionId: null }]))).toBe(200);
    expect(
      await flow.deliver(
        flow.signed([
          { kind: 'completed', ...object, versionId: null, restoreExpiryTime: expiry.toISOString() },
        ]),
      ),
    ).toBe(200);

    const ready = await eventually(async () => {
      const mail = (await ses.emails()).find(
        (email) => email.destination.to.includes('aki@example.com') && /ready/i.test(email.subject),
      );
      expect(mail).toBeDefined();
      return mail!;
    });
    // The link the customer clicks: the HTML part's href.
    const href = /href="(https?:\/\/[^"]+X-Amz-Signature[^"]+)"/.exec(ready.body.html ?? '')?.[1];
    expect(href).toBeDefined();
    const url = new URL(href!.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'));
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/\/ap-northeast-1\/s3\/aws4_request$/);
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect((await flow.read(id)).status).toBe('completed');
  });
});
