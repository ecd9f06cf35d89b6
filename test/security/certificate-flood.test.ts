import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { s3NotificationMessage } from '../../src/simulate/restore-notifications';
import { createSigner, snsHeaders } from '../../src/simulate/sns-signer';
import type { SignedSnsMessage } from '../../src/simulate/sns-signer';
import { createSigningIdentity } from '../../src/simulate/signing-identity';
import type { SigningIdentity } from '../../src/simulate/signing-identity';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { TOPIC_ARN } from '../helpers/sns-world';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';

/**
 * Anyone who knows an accepted TopicArn can name a fresh `SigningCertURL` on the SNS host in
 * every message (`/SimpleNotificationService-<any hex>.pem`). Without bounds each one is a
 * download from thaw: this floods the endpoint with such messages and counts what reaches the
 * certificate host. The host here answers 404 for unknown certificates, as SNS's does, after a
 * short delay, so downloads overlap.
 */
const prefix = uniquePrefix('cert-flood');
const FLOOD = 200;
let identity: SigningIdentity;
let host: Server;
let origin: string;
let redis: Redis;
let thaw: TestThaw;
const hits: string[] = [];
let active = 0;
let peak = 0;
let genuinePath: string;

beforeAll(async () => {
  identity = await createSigningIdentity();
  genuinePath = `/SimpleNotificationService-${randomBytes(16).toString('hex')}.pem`;
  host = createServer((request, response) => {
    hits.push(request.url ?? '');
    active += 1;
    peak = Math.max(peak, active);
    setTimeout(() => {
      active -= 1;
      if (request.url === genuinePath) response.writeHead(200).end(identity.certificatePem);
      else response.writeHead(404).end();
    }, 20);
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  redis = testRedis();
  thaw = await startTestThaw(prefix, {
    SNS_TOPIC_ARNS: TOPIC_ARN,
    SNS_ALLOW_HTTP: 'true',
    SNS_TRUSTED_HOSTS: String.raw`^127\.0\.0\.1$`,
    THAW_ROLE: 'api',
  });
});

afterAll(async () => {
  await thaw.stop();
  await deletePrefix(redis, prefix);
  await redis.quit();
  host.closeAllConnections();
  await new Promise((resolve) => host.close(resolve));
});

const freshUrls = Array.from(
  { length: FLOOD },
  () => `/SimpleNotificationService-${randomBytes(16).toString('hex')}.pem`,
);

function signedWith(path: string): SignedSnsMessage {
  return createSigner(identity.privateKeyPem, `${origin}${path}`).sign({
    Type: 'Notification',
    TopicArn: TOPIC_ARN,
    Subject: 'Amazon S3 Notification',
    Message: s3NotificationMessage([{ kind: 'initiated', bucket: 'b', key: 'k' }]),
  });
}

async function post(message: SignedSnsMessage) {
  const response = await thaw.app.inject({
    method: 'POST',
    url: '/sns',
    payload: JSON.stringify(message),
    headers: snsHeaders(message),
  });
  return { status: response.statusCode, body: response.json() as { error?: Record<string, string> } };
}

function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

describe('a flood of fresh SigningCertURLs', () => {
  it('downloads at most SNS_CERT_FETCHES_PER_MINUTE (20), at most 4 at once, and answers the rest 503', async () => {
    const answers = await Promise.all(freshUrls.map((path) => post(signedWith(path))));
    const counts = tally(answers.map((answer) => answer.status));
    // The figures docs/RELIABILITY.md quotes (before the bounds: 200 downloads, ~100 at once).
    expect(hits).toHaveLength(20);
    expect(peak).toBeLessThanOrEqual(4);
    expect(counts).toEqual({ 403: 20, 503: 180 });
    const spent = answers.find((answer) => answer.status === 503);
    expect(spent?.body.error).toMatchObject({ code: 'cert_budget_spent' });
  });

  it('sends the same flood again without one more download (failures remembered, budget spent)', async () => {
    const before = hits.length;
    const answers = await Promise.all(freshUrls.map((path) => post(signedWith(path))));
    expect(hits.length - before).toBe(0);
    expect(tally(answers.map((answer) => answer.status))).toEqual({ 403: 20, 503: 180 });
  });

  it('answers a genuine message 503 while the budget is spent, naming only the code and the request id', async () => {
    const before = hits.length;
    const answer = await post(signedWith(genuinePath));
    expect(hits.length - before).toBe(0);
    expect(answer.status).toBe(503);
    expect(answer.body.error).toEqual({
      code: 'cert_budget_spent',
      message: expect.stringMatching(/^temporarily unavailable; retry later \(request [\w-]+\)$/),
    });
  });

  it('counts downloads and refusals in /metrics', async () => {
    const text = (await thaw.app.inject({ url: '/metrics' })).body;
    expect(text).toContain('thaw_sns_certificate_downloads_total{outcome="refused"} 20');
    expect(text).toContain('thaw_sns_certificate_refusals_total{reason="budget_spent"} 361');
    expect(text).toContain('thaw_sns_certificate_refusals_total{reason="failed_recently"} 20');
  });
});
