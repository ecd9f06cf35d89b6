import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Redis } from 'ioredis';
import S3rver from 's3rver';
import { createS3Client } from '../../src/restore/s3-client';
import { eventually } from '../helpers/eventually';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { restoreFlow } from '../helpers/restore-flow';
import { startSesEmulator } from '../helpers/ses-emulator';
import type { SesEmulator } from '../helpers/ses-emulator';
import { startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';

/**
 * The whole path with real parts: signed SNS deliveries → BullMQ → correlation → notifications →
 * the real SES v2 client → aws-ses-v2-local; download links checked against an S3 emulator.
 */
const prefix = uniquePrefix('notifications-e2e');
const BUCKET = 'thaw-e2e-bucket';
let world: SnsWorld;
let ses: SesEmulator;
let redis: Redis;
let s3rver: S3rver;
let s3Endpoint: string;
let s3Dir: string;
let presigned: TestThaw;
let shortLinks: TestThaw;

beforeAll(async () => {
  world = await startSnsWorld();
  ses = await startSesEmulator();
  redis = testRedis();
  s3Dir = mkdtempSync(join(tmpdir(), 'thaw-s3rver-'));
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3Dir });
  const { port } = (await s3rver.run()) as unknown as AddressInfo;
  s3Endpoint = `http://127.0.0.1:${port}`;
  const client = createS3Client({ region: 'us-east-1', endpoint: s3Endpoint });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await client.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: 'photos/2019 summer.jpg', Body: 'the restored bytes' }),
  );
  client.destroy();
  const env = {
    ...world.env,
    SES_ENDPOINT: ses.endpoint,
    S3_ENDPOINT: s3Endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    SES_MAX_SEND_RATE: '1000',
    MAIL_FROM: 'Archive Desk <restores@example.com>',
  };
  presigned = await startTestThaw(`${prefix}-a`, { ...env, THAW_ROLE: 'serve' });
  shortLinks = await startTestThaw(`${prefix}-b`, {
    ...env,
    THAW_ROLE: 'serve',
    PUBLIC_BASE_URL: 'https://restores.example.com',
  });
});

afterAll(async () => {
  await presigned.stop();
  await shortLinks.stop();
  await deletePrefix(redis, `${prefix}-a`);
  await deletePrefix(redis, `${prefix}-b`);
  await redis.quit();
  await ses.stop();
  await s3rver.close();
  rmSync(s3Dir, { recursive: true, force: true });
  await world.close();
});

beforeEach(async () => {
  await ses.clear();
});

const recipient = { email: 'lin@example.com', name: 'Lin <Admin>', locale: 'en', timeZone: 'Europe/Berlin' };
const object = { bucket: BUCKET, key: 'photos/2019 summer.jpg' };

async function emailsTo(address: string) {
  return (await ses.emails()).filter((email) => email.destination.to.includes(address));
}

describe('emails through SES, end to end', () => {
  it('sends exactly two emails for Post then Completed, the second with a working link; re-posting sends nothing', async () => {
    const flow = restoreFlow(presigned.app, world.signer);
    const id = await flow.register({ ...object, versionId: 'v-abc', recipient });
    const expiry = new Date(Date.now() + 3 * 86400_000);
    expiry.setUTCHours(0, 0, 0, 0);
    const post = flow.signed([{ kind: 'initiated', ...object, versionId: 'v-abc' }]);
    const completed = flow.signed([
      { kind: 'completed', ...object, versionId: 'v-abc', restoreExpiryTime: expiry.toISOString() },
    ]);
    expect(await flow.deliver(post)).toBe(200);
    expect(await flow.deliver(completed)).toBe(200);
    const emails = await eventually(async () => {
      const sent = await emailsTo(recipient.email);
      expect(sent).toHaveLength(2);
      return sent;
    });
    const [started, ready] = [...emails].sort(
      (a, b) => (a.subject.includes('ready') ? 1 : -1) - (b.subject.includes('ready') ? 1 : -1),
    );
    expect(started?.from).toBe('Archive Desk <restores@example.com>');
    expect(started?.subject).toContain('2019 summer.jpg');
    expect(ready?.subject).toMatch(/ready/i);
    expect(ready?.body.text).toContain('2019 summer.jpg');
    expect(ready?.body.html).toContain('Lin &lt;Admin&gt;');
    // The link: a presigned GET with its signing parameters, bound to the version, living until
    // the smaller of DOWNLOAD_LINK_TTL_SECONDS and the copy's expiry.
    const link =
      /https?:\/\/[^\s"<>]+X-Amz-Signature=[0-9a-f]+[^\s"<>]*/.exec(ready?.body.text ?? '')?.[0] ?? '';
    const url = new URL(link.replace(/&amp;/g, '&'));
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('versionId')).toBe('v-abc');
    const expiresIn = Number(url.searchParams.get('X-Amz-Expires'));
    expect(expiresIn).toBeGreaterThan(0);
    expect(expiresIn).toBeLessThanOrEqual((expiry.getTime() - Date.now()) / 1000 + 5);
    // s3rver does not check signatures or versions, but it serves the object behind the link.
    const download = await fetch(link);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('the restored bytes');

    const request = await flow.read(id);
    expect(request.status).toBe('completed');
    expect(request.notifications.map((n) => `${n.kind}:${n.state}`).sort()).toEqual([
      'completed:sent',
      'initiated:sent',
    ]);
    expect(request.notifications.every((n) => n.messageId && n.sentAt)).toBe(true);
    expect(new Set(request.notifications.map((n) => n.messageId))).toEqual(
      new Set(emails.map((e) => e.messageId)),
    );

    expect(await flow.deliver(post)).toBe(200);
    expect(await flow.deliver(completed)).toBe(200);
    expect(
      await flow.deliver(
        flow.signed([
          { kind: 'completed', ...object, versionId: 'v-abc', restoreExpiryTime: expiry.toISOString() },
        ]),
      ),
    ).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await emailsTo(recipient.email)).toHaveLength(2);
  });

  it('sends one email per kind for a several-object request, with a count in the subject', async () => {
    const flow = restoreFlow(presigned.app, world.signer);
    const to = 'several@example.com';
    const objects = ['a', 'b', 'c'].map((name) => ({ bucket: BUCKET, key: `set/${name}.tif` }));
    await flow.register({ objects, recipient: { ...recipient, email: to } });
    await flow.deliver(flow.signed(objects.map((o) => ({ kind: 'initiated' as const, ...o }))));
    await flow.deliver(flow.signed(objects.map((o) => ({ kind: 'completed' as const, ...o }))));
    const emails = await eventually(async () => {
      const sent = await emailsTo(to);
      expect(sent).toHaveLength(2);
      return sent;
    });
    const ready = emails.find((email) => /ready/i.test(email.subject));
    expect(ready?.subject).toContain('3');
    for (const name of ['a.tif', 'b.tif', 'c.tif']) expect(ready?.body.text).toContain(name);
  });

  it('with PUBLIC_BASE_URL, links go to /d/:token, which redirects to a fresh presigned URL', async () => {
    const flow = restoreFlow(shortLinks.app, world.signer);
    const to = 'short@example.com';
    const id = await flow.register({ ...object, recipient: { ...recipient, email: to } });
    await flow.deliver(flow.signed([{ kind: 'completed', ...object }]));
    const [email] = await eventually(async () => {
      const sent = await emailsTo(to);
      expect(sent).toHaveLength(1);
      return sent;
    });
    const link = /https:\/\/restores\.example\.com\/d\/[A-Za-z0-9_-]+/.exec(email?.body.text ?? '')?.[0];
    expect(link).toBeDefined();
    expect(email?.body.text).toMatch(/https:\/\/restores\.example\.com\/r\/[A-Za-z0-9_-]+/);
    const path = new URL(link!).pathname;
    expect((await flow.read(id)).downloadedAt).toBeNull();
    const redirect = await shortLinks.app.inject({ url: path });
    expect(redirect.statusCode).toBe(302);
    expect(redirect.headers['cache-control']).toBe('no-store');
    expect(redirect.headers['referrer-policy']).toBe('no-referrer');
    const target = new URL(String(redirect.headers.location));
    expect(target.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(await (await fetch(target)).text()).toBe('the restored bytes');
    // The click is remembered (for the operator, and to spare the customer the reminder).
    expect((await flow.read(id)).downloadedAt).toEqual(expect.any(String));
    expect((await shortLinks.app.inject({ url: '/d/unknown-token-0000000000000' })).statusCode).toBe(404);

    // After the copy expired, the same link answers with a clear page, not an S3 error.
    await flow.deliver(flow.signed([{ kind: 'expired', ...object }]));
    await eventually(async () => expect((await flow.read(id)).status).toBe('expired'));
    const gone = await shortLinks.app.inject({ url: path });
    expect(gone.statusCode).toBe(410);
    expect(gone.body).toContain('no longer available');
  });
});
