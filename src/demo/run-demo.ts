#!/usr/bin/env node
/**
 * `npm run demo`: thaw end to end on one machine, with no AWS account. It starts thaw against the
 * local Redis (or a private redis-server), a local SES emulator whose web page shows the emails,
 * and a local S3 emulator holding a sample object; registers a restore request; then plays the
 * S3 → SNS side with correctly signed SNS deliveries of "restore initiated" and "restore
 * completed". `--once` exits when both emails are in the emulator (0) or with the reason (1).
 * Ctrl-C stops everything it started. Uses development dependencies (run it from the repository).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import startSesEmulator from 'aws-ses-v2-local';
import S3rver from 's3rver';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { start } from '../main';
import type { RunningThaw } from '../main';
import { createS3Client } from '../restore/s3-client';
import { startCertificateServer } from '../simulate/certificate-server';
import { deliverRestore } from '../simulate/deliver';
import { createSigner } from '../simulate/sns-signer';
import { createSigningIdentity } from '../simulate/signing-identity';
import { freePort, portOrFree, redisAnswers, redisServerInstalled, startPrivateRedis } from './local-redis';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:thaw-demo-restores';
const BUCKET = 'thaw-demo-archive';
const KEY = 'reports/2019 annual report.pdf';
const RECIPIENT = 'customer@example.com';
const ONCE = process.argv.includes('--once');
const TIMEOUT_MS = 60_000;

type Stop = () => Promise<void> | void;
const stops: Stop[] = [];
let step = 0;

function say(message: string): void {
  step += 1;
  console.log(`[${String(step).padStart(2)}] ${message}`);
}

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    console.log(
      'Usage: npm run demo [-- --once]\n\nRuns thaw with local Redis, SES and S3 emulators and plays one restore.',
    );
    return 0;
  }
  // The emulators accept these (s3rver knows only its own pair); nothing reaches AWS.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let redis = redisUrl;
  if (await redisAnswers(redisUrl)) {
    say(`Redis answers at ${redisUrl}`);
  } else if (redisServerInstalled()) {
    const priv = await startPrivateRedis();
    stops.push(() => priv.stop());
    redis = priv.url;
    say(`No Redis at ${redisUrl}: started a private redis-server at ${redis}`);
  } else {
    console.error(
      `demo: no Redis answers at ${redisUrl} and redis-server is not installed: run \`docker compose up -d redis\` or install it (apt-get install redis-server / brew install redis)`,
    );
    return 1;
  }

  const sesPort = await portOrFree(8005);
  const ses: Server = await startSesEmulator({ host: '127.0.0.1', port: sesPort });
  stops.push(() => new Promise<void>((resolve) => (ses.closeAllConnections(), ses.close(() => resolve()))));
  const sesUrl = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;
  say(`SES emulator (aws-ses-v2-local) at ${sesUrl}`);

  const s3Dir = mkdtempSync(join(tmpdir(), 'thaw-demo-s3-'));
  const s3rver = new S3rver({ port: await freePort(), address: '127.0.0.1', silent: true, directory: s3Dir });
  const { port: s3Port } = await s3rver.run();
  stops.push(async () => {
    await s3rver.close();
    rmSync(s3Dir, { recursive: true, force: true });
  });
  const s3Url = `http://127.0.0.1:${s3Port}`;
  const s3 = createS3Client({ region: 'us-east-1', endpoint: s3Url });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: KEY,
      Body: '%PDF-1.4\n% thaw demo: the restored annual report\n',
      ContentType: 'application/pdf',
    }),
  );
  s3.destroy();
  say(`S3 emulator (s3rver) at ${s3Url} holding s3://${BUCKET}/${KEY}`);

  const identity = await createSigningIdentity();
  const certificates = await startCertificateServer(identity.certificatePem);
  stops.push(() => certificates.close());
  const signer = createSigner(identity.privateKeyPem, certificates.certUrl);
  say(`SNS played locally: a fresh signing key, its certificate served at ${certificates.certUrl}`);

  const port = await portOrFree(Number(process.env.PORT ?? 3000));
  const base = `http://127.0.0.1:${port}`;
  const prefix = `thaw-demo-${randomBytes(3).toString('hex')}`;
  const apiToken = randomBytes(18).toString('base64url');
  // The board's actions need a token of their own; with the API token alone it is read-only.
  const adminToken = randomBytes(18).toString('base64url');
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL: redis,
    THAW_PREFIX: prefix,
    THAW_ROLE: 'serve',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    MAIL_FROM: 'Archive Desk <restores@demo.thaw.example>',
    API_TOKEN: apiToken,
    ADMIN_TOKEN: adminToken,
    SNS_TOPIC_ARNS: TOPIC_ARN,
    SNS_ALLOW_HTTP: 'true',
    SNS_TRUSTED_HOSTS: String.raw`^127\.0\.0\.1$`,
    SES_ENDPOINT: sesUrl,
    S3_ENDPOINT: s3Url,
    S3_FORCE_PATH_STYLE: 'true',
    PUBLIC_BASE_URL: base,
    RECONCILE_INTERVAL_SECONDS: '3600',
  });
  const running: RunningThaw = await start(config, createLogger({ level: config.logLevel }));
  stops.push(async () => {
    await running.shutdown.run('demo finished');
    const cleaner = new Redis(redis, { maxRetriesPerRequest: 1 });
    let cursor = '0';
    do {
      const [next, keys] = await cleaner.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await cleaner.unlink(...keys);
    } while (cursor !== '0');
    await cleaner.quit();
  });
  say(`thaw serving at ${base} (Redis prefix ${prefix})`);

  const registered = await fetch(`${base}/v1/restores`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      bucket: BUCKET,
      key: KEY,
      tier: 'Standard',
      days: 7,
      initiate: false,
      recipient: { email: RECIPIENT, name: 'Dana Customer', locale: 'en', timeZone: 'Europe/Berlin' },
    }),
  });
  if (registered.status !== 201)
    throw new Error(`registering the request answered ${registered.status}: ${await registered.text()}`);
  const { id } = (await registered.json()) as { id: string };
  say(`Registered restore request ${id} for ${RECIPIENT}`);

  const delivery = { url: `${base}/sns`, signer, topicArn: TOPIC_ARN };
  const post = await deliverRestore(
    'initiated',
    { bucket: BUCKET, key: KEY, storageClass: 'DEEP_ARCHIVE' },
    delivery,
  );
  say(`S3 → SNS: ObjectRestore:Post delivered, thaw answered ${post.status}`);
  await emailsArrived(sesUrl, 1);
  say('Email 1 of 2 ("restore started") is in the SES emulator');
  const expiry = new Date(Date.now() + 7 * 86400_000);
  expiry.setUTCHours(0, 0, 0, 0);
  const completed = await deliverRestore(
    'completed',
    { bucket: BUCKET, key: KEY, restoreExpiryTime: expiry.toISOString() },
    delivery,
  );
  say(`S3 → SNS: ObjectRestore:Completed delivered, thaw answered ${completed.status}`);
  await emailsArrived(sesUrl, 2);
  say('Email 2 of 2 ("ready to download") is in the SES emulator');

  const status = (await (
    await fetch(`${base}/v1/restores/${id}`, { headers: { authorization: `Bearer ${apiToken}` } })
  ).json()) as {
    status: string;
  };
  const statusPage = await statusPageLink(sesUrl, base);
  const pageStatus = statusPage ? (await fetch(statusPage)).status : undefined;
  if (pageStatus !== 200) {
    throw new Error(
      statusPage
        ? `the customer's page ${statusPage} answered ${pageStatus}`
        : "the emails carry no link to the customer's page (/r/:token)",
    );
  }
  console.log('');
  console.log(`Request ${id} is ${status.status}.`);
  console.log(`  Emails (web page):    ${sesUrl}/`);
  console.log(`  Emails (JSON):        ${sesUrl}/store`);
  console.log(
    `  Request status:       curl -H 'Authorization: Bearer ${apiToken}' ${base}/v1/restores/${id}`,
  );
  console.log(`  Customer's page:      ${statusPage}`);
  console.log(`  API description:      ${base}/docs`);
  console.log(
    `  Queues (Bull Board):  ${base}/admin/queues  (user: thaw, password: ${adminToken}; the API token shows it read-only)`,
  );
  console.log(`  Metrics:              ${base}/metrics`);
  console.log(
    `  Try more:             node dist/cli/thaw.js simulate --url ${base}/sns --topic-arn ${TOPIC_ARN} --bucket ${BUCKET} --key 'another file.txt'`,
  );
  if (ONCE) return 0;
  console.log('\nRunning until Ctrl-C.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  return 0;
}

async function emailsArrived(sesUrl: string, count: number): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const store = (await (await fetch(`${sesUrl}/store`)).json()) as {
      emails: { destination: { to: string[] } }[];
    };
    const found = store.emails.filter((email) => email.destination.to.includes(RECIPIENT)).length;
    if (found >= count) return;
    if (Date.now() > deadline)
      throw new Error(
        `only ${found} of ${count} emails reached the SES emulator within ${TIMEOUT_MS / 1000} s`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The customer's status page, as the emails link it (`/r/:token`); the token exists only there. */
async function statusPageLink(sesUrl: string, base: string): Promise<string | undefined> {
  const store = (await (await fetch(`${sesUrl}/store`)).json()) as {
    emails: { destination: { to: string[] }; body?: { text?: string } }[];
  };
  const prefix = `${base}/r/`;
  for (const email of store.emails) {
    if (!email.destination.to.includes(RECIPIENT)) continue;
    const text = email.body?.text ?? '';
    const at = text.indexOf(prefix);
    const token = at < 0 ? undefined : /^[A-Za-z0-9_-]+/.exec(text.slice(at + prefix.length))?.[0];
    if (token) return `${prefix}${token}`;
  }
  return undefined;
}

async function stopAll(): Promise<void> {
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch (error) {
      console.error('demo: cleanup step failed:', error instanceof Error ? error.message : error);
    }
  }
}

main()
  .catch((error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  })
  .then(async (code) => {
    await stopAll();
    if (code === 0) console.log(ONCE ? 'demo: both emails delivered; everything stopped.' : 'demo: stopped.');
    process.exit(code);
  });
