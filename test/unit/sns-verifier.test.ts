import { createCertificateStore } from '../../src/ingest/certificate-store';
import { parseSnsBody } from '../../src/ingest/sns-message';
import { createSnsVerifier } from '../../src/ingest/sns-verifier';
import type { SnsVerifierOptions } from '../../src/ingest/sns-verifier';
import { createSigner } from '../../src/simulate/sns-signer';
import type { Signer } from '../../src/simulate/sns-signer';
import { createSigningIdentity } from '../../src/simulate/signing-identity';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:restores';
const CERT_URL =
  'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';

let signer: Signer;
let otherSigner: Signer;
let certificatePem: string;
let downloads: string[];

beforeAll(async () => {
  const identity = await createSigningIdentity({
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2040-01-01T00:00:00Z'),
  });
  const other = await createSigningIdentity();
  certificatePem = identity.certificatePem;
  signer = createSigner(identity.privateKeyPem, CERT_URL);
  otherSigner = createSigner(other.privateKeyPem, CERT_URL);
});

beforeEach(() => {
  downloads = [];
});

function verifier(overrides: Partial<SnsVerifierOptions> = {}) {
  return createSnsVerifier({
    topicArns: [TOPIC],
    trustedHosts: /^sns\.[a-z]{2}(-gov)?-[a-z]+-\d\.amazonaws\.com(\.cn)?$/,
    allowHttp: false,
    minSignatureVersion: 1,
    maxAgeSeconds: 3600,
    certificates: createCertificateStore({
      timeoutMs: 1000,
      maxBytes: 65536,
      cacheSize: 10,
      ttlMs: 60000,
      download: async (url) => {
        downloads.push(url.href);
        return certificatePem;
      },
    }),
    ...overrides,
  });
}

const notification = (fields: Record<string, unknown> = {}) =>
  ({
    Type: 'Notification',
    TopicArn: TOPIC,
    Message: '{"Records":[]}',
    Subject: 'Amazon S3 Notification',
    ...fields,
  }) as const;

const parse = (signed: Record<string, unknown>) => parseSnsBody(JSON.stringify(signed), undefined);

describe('SNS verifier', () => {
  it.each(['1', '2'] as const)(
    'accepts SignatureVersion %s notifications and confirmations',
    async (version) => {
      const verify = verifier();
      await verify(parse(signer.sign(notification(), version)));
      await verify(parse(signer.sign(notification({ Subject: null }), version)));
      await verify(parse(signer.sign(notification({ Subject: undefined }), version)));
      const subscribeUrl = `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=abc`;
      await verify(
        parse(
          signer.sign(
            { Type: 'SubscriptionConfirmation', TopicArn: TOPIC, SubscribeURL: subscribeUrl },
            version,
          ),
        ),
      );
      await verify(
        parse(
          signer.sign(
            { Type: 'UnsubscribeConfirmation', TopicArn: TOPIC, SubscribeURL: subscribeUrl },
            version,
          ),
        ),
      );
    },
  );

  it('refuses a message signed with another key', async () => {
    await expect(verifier()(parse(otherSigner.sign(notification())))).rejects.toMatchObject({
      reason: 'signature_invalid',
    });
  });

  it('refuses a signature made for another message', async () => {
    const a = signer.sign(notification({ Message: 'a' }));
    const b = signer.sign(notification({ Message: 'b' }));
    await expect(verifier()(parse({ ...a, Signature: b.Signature }))).rejects.toMatchObject({
      reason: 'signature_invalid',
    });
  });

  it('refuses SHA1 when the minimum version is 2', async () => {
    await expect(
      verifier({ minSignatureVersion: 2 })(parse(signer.sign(notification(), '1'))),
    ).rejects.toMatchObject({
      reason: 'signature_version_too_low',
    });
  });

  it('refuses a v2 signature presented as v1 and vice versa', async () => {
    const v2 = signer.sign(notification(), '2');
    await expect(verifier()(parse({ ...v2, SignatureVersion: '1' }))).rejects.toMatchObject({
      reason: 'signature_invalid',
    });
  });

  it.each(['3', '0', '', '1.0', '01'])('refuses SignatureVersion %j', async (version) => {
    const signed = { ...signer.sign(notification()), SignatureVersion: version };
    // An empty version is refused while parsing (no usable signature), the others by the verifier.
    await expect((async () => verifier()(parse(signed)))()).rejects.toMatchObject({ httpStatus: 403 });
  });

  it.each(['toString', '__proto__', 'constructor', 'valueOf', 'hasOwnProperty', ' 2', '2 ', '1e0'])(
    'refuses SignatureVersion %j before anything else, downloading nothing',
    async (version) => {
      const signed = { ...signer.sign(notification()), SignatureVersion: version };
      // Versions longer than any real one are refused while parsing (no usable signature fields).
      const reason = version.length > 8 ? 'signature_missing' : 'signature_version_unsupported';
      await expect((async () => verifier()(parse(signed)))()).rejects.toMatchObject({
        reason,
        httpStatus: 403,
      });
      // Checked first: even a message for a foreign topic is refused for its version.
      const foreign = { ...signed, TopicArn: 'arn:aws:sns:us-east-1:123456789012:other' };
      await expect((async () => verifier()(parse(foreign)))()).rejects.toMatchObject({ reason });
      expect(downloads).toEqual([]);
    },
  );

  it('refuses a foreign topic before downloading anything', async () => {
    const signed = signer.sign(notification({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:other' }));
    await expect(verifier()(parse(signed))).rejects.toMatchObject({ reason: 'topic_not_allowed' });
    expect(downloads).toEqual([]);
  });

  it('refuses an untrusted certificate URL before downloading anything', async () => {
    const signed = {
      ...signer.sign(notification()),
      SigningCertURL: CERT_URL.replace('sns.us-east-1', 'sns.s3-us-east-1'),
    };
    await expect(verifier()(parse(signed))).rejects.toMatchObject({ reason: 'cert_url_untrusted' });
    expect(downloads).toEqual([]);
  });

  it('refuses a message older than SNS_MAX_AGE_SECONDS, and takes it with the guard off', async () => {
    const old = parse(signer.sign(notification({ Timestamp: '2021-06-01T00:00:00.000Z' })));
    await expect(verifier()(old)).rejects.toMatchObject({ reason: 'message_too_old' });
    await expect(verifier({ maxAgeSeconds: 0 })(old)).resolves.toBeUndefined();
  });

  it('refuses a message signed outside the certificate validity', async () => {
    const early = parse(signer.sign(notification({ Timestamp: '2019-06-01T00:00:00.000Z' })));
    await expect(verifier({ maxAgeSeconds: 0 })(early)).rejects.toMatchObject({
      reason: 'cert_not_valid_at_timestamp',
    });
  });

  it('refuses a Timestamp that is not a date', async () => {
    const signed = parse(signer.sign(notification({ Timestamp: 'soon' })));
    await expect(verifier()(signed)).rejects.toMatchObject({ reason: 'timestamp_invalid' });
  });

  it('refuses a signature that is not base64 of the right length', async () => {
    for (const Signature of ['!!!!', 'AAAA', 'x'.repeat(400)]) {
      await expect(verifier()(parse({ ...signer.sign(notification()), Signature }))).rejects.toMatchObject({
        reason: 'signature_invalid',
      });
    }
  });
});
