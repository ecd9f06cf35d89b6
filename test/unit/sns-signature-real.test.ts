import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificateStore } from '../../src/ingest/certificate-store';
import { parseSnsBody } from '../../src/ingest/sns-message';
import type { SnsMessage } from '../../src/ingest/sns-message';
import { stringToSign } from '../../src/ingest/sns-signature';
import { createSnsVerifier } from '../../src/ingest/sns-verifier';

/**
 * The 18 messages in test/fixtures/real-sns were signed by Amazon SNS itself (2012–2024, both
 * signature versions). Their certificates are long expired, so the replay guard is off here and
 * certificates are judged at each message's own Timestamp, as the contract says.
 */
const FIXTURES = join(__dirname, '..', 'fixtures', 'real-sns');
const folders = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

function load(folder: string): { raw: string; cert: string } {
  return {
    raw: readFileSync(join(FIXTURES, folder, 'message.json'), 'utf8'),
    cert: readFileSync(join(FIXTURES, folder, 'cert.pem'), 'utf8'),
  };
}

function verifierFor(message: SnsMessage, certPem: string) {
  return createSnsVerifier({
    topicArns: [message.TopicArn],
    trustedHosts: /^sns\.[a-z]{2}(-gov)?-[a-z]+-\d\.amazonaws\.com(\.cn)?$/,
    allowHttp: false,
    minSignatureVersion: 1,
    maxAgeSeconds: 0,
    // The URL is checked by the verifier as usual; only the download is served from the fixture.
    certificates: createCertificateStore({
      timeoutMs: 1000,
      maxBytes: 65536,
      cacheSize: 10,
      ttlMs: 60000,
      download: async () => certPem,
    }),
  });
}

const SIGNED_FIELDS = [
  'Message',
  'MessageId',
  'Subject',
  'Timestamp',
  'TopicArn',
  'Type',
  'SubscribeURL',
  'Token',
];

describe('real AWS-signed SNS messages', () => {
  it('has all 18 fixtures', () => {
    expect(folders).toHaveLength(18);
  });

  it.each(folders)('accepts %s', async (folder) => {
    const { raw, cert } = load(folder);
    const message = parseSnsBody(raw, undefined);
    await expect(verifierFor(message, cert)(message)).resolves.toBeUndefined();
  });

  it.each(folders)('refuses %s with any signed byte changed', async (folder) => {
    const { raw, cert } = load(folder);
    const original = parseSnsBody(raw, undefined);
    const fields = original as unknown as Record<string, unknown>;
    let tampered = 0;
    for (const field of SIGNED_FIELDS) {
      const value = fields[field];
      if (typeof value !== 'string' || value.length === 0) continue;
      for (const position of new Set([0, Math.floor(value.length / 2), value.length - 1])) {
        const code = value.charCodeAt(position);
        const changed = value.slice(0, position) + String.fromCharCode(code ^ 1) + value.slice(position + 1);
        const forged = { ...original, [field]: changed } as SnsMessage;
        // The changed topic is allowed here, so that a later check must refuse it. A changed
        // Timestamp may already fall outside the certificate's validity, a changed Type selects
        // other signed fields and a changed region no longer matches the certificate host: all 403.
        // Every other change must fail the RSA check itself.
        const expected = ['Timestamp', 'Type', 'TopicArn'].includes(field)
          ? { httpStatus: 403 }
          : { reason: 'signature_invalid' };
        await expect(verifierFor(forged, cert)(forged)).rejects.toMatchObject(expected);
        tampered += 1;
      }
    }
    expect(tampered).toBeGreaterThanOrEqual(15);
  });

  it.each(folders)('refuses %s with its signature changed by one bit', async (folder) => {
    const { raw, cert } = load(folder);
    const message = parseSnsBody(raw, undefined);
    const signature = Buffer.from(message.Signature, 'base64');
    signature[signature.length >> 1] = (signature[signature.length >> 1] ?? 0) ^ 0x10;
    const forged = { ...message, Signature: signature.toString('base64') };
    await expect(verifierFor(message, cert)(forged)).rejects.toMatchObject({ reason: 'signature_invalid' });
  });

  it('builds the string to sign exactly as in AWS documentation', () => {
    const message = {
      Type: 'Notification',
      MessageId: '4d4dc071-ddbf-465d-bba8-08f81c89da64',
      TopicArn: 'arn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P',
      Subject: 'My subject',
      Message: 'My Test Message',
      Timestamp: '2019-01-31T04:37:04.321Z',
      SignatureVersion: '1',
      Signature: 'x',
      SigningCertURL: 'x',
    } as const;
    expect(stringToSign(message)).toBe(
      'Message\nMy Test Message\nMessageId\n4d4dc071-ddbf-465d-bba8-08f81c89da64\nSubject\nMy subject\n' +
        'Timestamp\n2019-01-31T04:37:04.321Z\nTopicArn\narn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P\n' +
        'Type\nNotification\n',
    );
    expect(stringToSign({ ...message, Subject: null })).not.toContain('Subject');
  });
});
