import type { ObjectRef } from '../../src/domain/object-ref';
import type { AwsRejection } from '../../src/observability/aws-rejections';
import type { RestoreTier } from '../../src/domain/restore-tier';
import { createS3SdkRestorer, restoreCommandFor } from '../../src/restore/s3-sdk-restorer';
import { startS3StandIn } from '../helpers/s3-stand-in';
import type { S3StandIn, StandInObject } from '../helpers/s3-stand-in';
import { regionalS3For } from '../helpers/wire-clients';

/**
 * RestoreObject and HeadObject as they leave the real SDK, checked against the S3 API Reference
 * ("RestoreObject", Request Syntax and Request Body; "HeadObject", Request Syntax). The stand-in
 * parses the XML body and refuses what S3 refuses, so this is the test a mocked client could not be:
 * it caught `RestoreRequest.Tier` (S3: 400 MalformedXML), which the mocked tests had passed.
 */

const VERSION = '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY';
const KEY = 'scans/2019 annual+report ü #1.tif';

let s3: S3StandIn;
beforeAll(async () => {
  s3 = await startS3StandIn();
});
afterAll(async () => {
  await s3.stop();
});
beforeEach(() => {
  s3.wire.clear();
  s3.restores.length = 0;
});

function restorer() {
  return createS3SdkRestorer({
    s3: regionalS3For(s3.endpoint),
    expeditedRetry: { attempts: 1, baseDelayMs: 0 },
  });
}

interface ClassCase {
  readonly name: string;
  readonly object: Pick<StandInObject, 'storageClass' | 'archiveStatus'>;
  /** Days sent: archive classes need it, Intelligent-Tiering refuses it. */
  readonly sendsDays: boolean;
  /** Deep Archive and IT Deep Archive Access have no Expedited tier. */
  readonly deep: boolean;
}

const CLASSES: readonly ClassCase[] = [
  { name: 'Glacier Flexible Retrieval', object: { storageClass: 'GLACIER' }, sendsDays: true, deep: false },
  { name: 'Glacier Deep Archive', object: { storageClass: 'DEEP_ARCHIVE' }, sendsDays: true, deep: true },
  {
    name: 'Intelligent-Tiering Archive Access',
    object: { storageClass: 'INTELLIGENT_TIERING', archiveStatus: 'ARCHIVE_ACCESS' },
    sendsDays: false,
    deep: false,
  },
  {
    name: 'Intelligent-Tiering Deep Archive Access',
    object: { storageClass: 'INTELLIGENT_TIERING', archiveStatus: 'DEEP_ARCHIVE_ACCESS' },
    sendsDays: false,
    deep: true,
  },
];
const TIERS: readonly RestoreTier[] = ['Expedited', 'Standard', 'Bulk'];
const VERSIONS: readonly (string | null)[] = [VERSION, null];

const cases = CLASSES.flatMap((kind) =>
  TIERS.flatMap((tier) => VERSIONS.map((versionId) => ({ kind, tier, versionId }))),
);

describe('RestoreObject on the wire', () => {
  it.each(
    cases.map(
      (c) => [c.kind.name, c.tier, c.versionId === null ? 'current version' : 'a version', c] as const,
    ),
  )(
    '%s, %s tier, %s: POST ?restore with Days and GlacierJobParameters/Tier, never a top-level Tier',
    async (_name, tier, _version, { kind, versionId }) => {
      const object: ObjectRef = { bucket: 'archive', key: KEY, versionId };
      s3.put({ bucket: 'archive', key: KEY, versionId, ...kind.object });

      const subject = restorer();
      const head = await subject.head(object);
      const outcome = await subject.restore(object, restoreCommandFor(head, tier, 5));

      expect(outcome).toBe('started');
      const request = s3.wire.requests.find((r) => r.method === 'POST');
      expect(request).toBeDefined();
      // "Request Syntax": POST /{Key+}?restore&versionId=VersionId — the key percent-encoded in the path.
      expect(request!.path).toBe(`/archive/${KEY}`);
      expect(request!.query).toEqual(versionId === null ? { restore: '' } : { restore: '', versionId });
      expect(request!.headers['content-type']).toMatch(/xml/);

      const [accepted] = s3.restores;
      expect(accepted?.namespace).toBe('http://s3.amazonaws.com/doc/2006-03-01/');
      const expectedTier = kind.deep && tier === 'Expedited' ? 'Standard' : tier;
      // Exactly these elements: Days (archive classes only) and GlacierJobParameters/Tier.
      expect(accepted?.elements).toEqual({
        ...(kind.sendsDays ? { Days: '5' } : {}),
        GlacierJobParameters: { Tier: expectedTier },
      });
    },
  );

  it('is what S3 accepts: a top-level Tier is refused 400 MalformedXML by the stand-in, as by S3', async () => {
    s3.put({ bucket: 'archive', key: 'raw.bin', storageClass: 'GLACIER' });
    const response = await fetch(`${s3.endpoint}/archive/raw.bin?restore`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body:
        '<RestoreRequest xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Days>5</Days><Tier>Bulk</Tier></RestoreRequest>',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>MalformedXML</Code>');
  });

  it('answers 200 already-restored when a restored copy exists, and in-progress on 409', async () => {
    const restored: ObjectRef = { bucket: 'archive', key: 'done.bin', versionId: null };
    s3.put({
      ...restored,
      storageClass: 'GLACIER',
      restore: { ongoing: false, expiry: '2030-01-02T00:00:00Z' },
    });
    const ongoing: ObjectRef = { bucket: 'archive', key: 'ongoing.bin', versionId: null };
    s3.put({ ...ongoing, storageClass: 'DEEP_ARCHIVE', restore: { ongoing: true } });

    const subject = restorer();
    expect(await subject.restore(restored, { tier: 'Bulk', days: 2 })).toBe('already-restored');
    expect(await subject.restore(ongoing, { tier: 'Bulk', days: 2 })).toBe('in-progress');
  });

  it('takes a STANDARD object as not archived (403 InvalidObjectState)', async () => {
    const object: ObjectRef = { bucket: 'archive', key: 'hot.bin', versionId: null };
    s3.put({ ...object, storageClass: 'STANDARD' });
    expect(await restorer().restore(object, { tier: 'Standard', days: 1 })).toBe('not-archived');
  });
});

describe('S3 refusing the request thaw built', () => {
  it('Days on an Intelligent-Tiering object: 400 InvalidArgument becomes upstream_rejected, and is reported', async () => {
    const object: ObjectRef = { bucket: 'archive', key: 'it.bin', versionId: null };
    s3.put({ ...object, storageClass: 'INTELLIGENT_TIERING', archiveStatus: 'ARCHIVE_ACCESS' });
    const rejections: AwsRejection[] = [];
    const subject = createS3SdkRestorer({
      s3: regionalS3For(s3.endpoint),
      onRejected: (rejection) => rejections.push(rejection),
    });

    // restoreCommandFor never asks this; a hand-made command shows what S3 answers if one did.
    const thrown = await subject.restore(object, { tier: 'Bulk', days: 3 }).catch((e: unknown) => e);

    expect(thrown).toMatchObject({
      code: 'upstream_rejected',
      httpStatus: 502,
      retryable: false,
      s3Code: 'InvalidArgument',
    });
    expect(rejections).toEqual([
      expect.objectContaining({ service: 's3', operation: 'RestoreObject', code: 'InvalidArgument' }),
    ]);
  });
});

describe('HeadObject on the wire', () => {
  it('sends HEAD /{Key+}?versionId= and reads class, archive status and x-amz-restore', async () => {
    const object: ObjectRef = { bucket: 'archive', key: KEY, versionId: VERSION };
    s3.put({
      ...object,
      storageClass: 'INTELLIGENT_TIERING',
      archiveStatus: 'DEEP_ARCHIVE_ACCESS',
      restore: { ongoing: true },
      size: 4321,
    });

    const state = await restorer().head(object);

    const request = s3.wire.only();
    expect(request.method).toBe('HEAD');
    expect(request.path).toBe(`/archive/${KEY}`);
    expect(request.query).toEqual({ versionId: VERSION });
    expect(request.body).toBe('');
    expect(state).toEqual({
      storageClass: 'INTELLIGENT_TIERING',
      archiveStatus: 'DEEP_ARCHIVE_ACCESS',
      restore: { ongoing: true, expiryDate: null },
      size: 4321,
    });
  });

  it('sends no versionId for the current version, and reads a STANDARD object (no class header)', async () => {
    const object: ObjectRef = { bucket: 'archive', key: 'plain.txt', versionId: null };
    s3.put({ ...object, storageClass: 'STANDARD', size: 10 });
    const state = await restorer().head(object);
    expect(s3.wire.only().query).toEqual({});
    expect(state).toEqual({ storageClass: 'STANDARD', archiveStatus: null, restore: null, size: 10 });
  });

  it('sends the literal version id "null" as a version', async () => {
    const object: ObjectRef = { bucket: 'archive', key: 'old.txt', versionId: 'null' };
    s3.put({ ...object, storageClass: 'GLACIER' });
    await restorer().head(object);
    expect(s3.wire.only().query).toEqual({ versionId: 'null' });
  });

  it('maps a bodiless 404 to s3_not_found', async () => {
    await expect(
      restorer().head({ bucket: 'archive', key: 'missing', versionId: null }),
    ).rejects.toMatchObject({
      code: 's3_not_found',
      httpStatus: 404,
    });
  });
});
