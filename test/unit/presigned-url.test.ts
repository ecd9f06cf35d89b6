import { createHash, createHmac } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import type { ObjectRef } from '../../src/domain/object-ref';
import { S3Error } from '../../src/restore/s3-error';
import {
  MAX_PRESIGNED_URL_SECONDS,
  clampExpiresInSeconds,
  createPresigner,
} from '../../src/notify/presigned-url';
import { singleClientS3 } from '../helpers/wire-clients';

// AWS's documented example keys: signing is local, nothing reaches the network.
const client = new S3Client({
  region: 'us-east-1',
  credentials: {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
});
const presign = createPresigner({ s3: singleClientS3(client) });
const OBJECT: ObjectRef = { bucket: 'archive', key: 'scans/box 12+a.tif', versionId: null };

afterAll(() => client.destroy());

/**
 * Recomputes a presigned URL's SigV4 query signature independently of the SDK (unsigned payload,
 * only the host header signed), as S3 does when the link is opened.
 */
function expectedSignature(presigned: string): string {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const url = new URL(presigned);
  const pairs = url.search
    .slice(1)
    .split('&')
    .filter((pair) => !pair.startsWith('X-Amz-Signature='))
    .sort();
  const canonicalRequest = [
    'GET',
    url.pathname,
    pairs.join('&'),
    `host:${url.host}`,
    '',
    'host',
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date') ?? '';
  const scope = (url.searchParams.get('X-Amz-Credential') ?? '').split('/').slice(1).join('/');
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const hmac = (key: string | Buffer, data: string): Buffer =>
    createHmac('sha256', key).update(data).digest();
  const [date = '', region = '', service = ''] = scope.split('/');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
}

describe('clampExpiresInSeconds', () => {
  it.each([
    [3600, 3600],
    [1, 1],
    [604_800, 604_800],
    [604_801, 604_800],
    [30 * 86_400, 604_800],
    [0, 1],
    [-5, 1],
    [0.5, 1],
    [90.9, 90],
    [Number.POSITIVE_INFINITY, 604_800],
    [Number.NEGATIVE_INFINITY, 1],
    [Number.NaN, 1],
  ])('clamps %p to %p', (input, expected) => {
    expect(clampExpiresInSeconds(input)).toBe(expected);
  });

  it('caps at the SigV4 limit of 7 days', () => {
    expect(MAX_PRESIGNED_URL_SECONDS).toBe(7 * 24 * 3600);
  });
});

describe('createPresigner', () => {
  it('signs a GET for the object with the asked lifetime', async () => {
    const url = new URL(await presign(OBJECT, 900));
    expect(url.protocol).toBe('https:');
    expect(url.hostname).toBe('archive.s3.us-east-1.amazonaws.com');
    expect(decodeURIComponent(url.pathname)).toBe('/scans/box 12+a.tif');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/s3\/aws4_request$/,
    );
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.has('versionId')).toBe(false);
  });

  it.each([
    [30 * 86_400, '604800'],
    [0, '1'],
  ])('clamps a lifetime of %p seconds to X-Amz-Expires=%s', async (asked, expires) => {
    const url = new URL(await presign(OBJECT, asked));
    expect(url.searchParams.get('X-Amz-Expires')).toBe(expires);
  });

  it('signs the version when one is given, S3\'s literal "null" included', async () => {
    const versioned = new URL(
      await presign({ ...OBJECT, versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY' }, 60),
    );
    expect(versioned.searchParams.get('versionId')).toBe('3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY');
    const nullVersion = new URL(await presign({ ...OBJECT, versionId: 'null' }, 60));
    expect(nullVersion.searchParams.get('versionId')).toBe('null');
  });

  it('carries a valid SigV4 signature that covers X-Amz-Expires', async () => {
    const url = await presign({ ...OBJECT, versionId: 'v1' }, 600);
    expect(expectedSignature(url)).toBe(new URL(url).searchParams.get('X-Amz-Signature'));
    // A link whose lifetime was edited must no longer verify.
    expect(expectedSignature(url.replace('X-Amz-Expires=600', 'X-Amz-Expires=604800'))).not.toBe(
      new URL(url).searchParams.get('X-Amz-Signature'),
    );
  });

  it('translates a credentials failure into a retryable S3Error', async () => {
    const broken = new S3Client({
      region: 'us-east-1',
      credentials: () =>
        Promise.reject(
          Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }),
        ),
    });
    const thrown = await createPresigner({ s3: singleClientS3(broken) })(OBJECT, 60).catch((e: unknown) => e);
    broken.destroy();
    expect(thrown).toBeInstanceOf(S3Error);
    expect(thrown).toMatchObject({
      code: 's3_unavailable',
      s3Code: 'CredentialsProviderError',
      operation: 'PresignGetObject',
    });
  });
});
