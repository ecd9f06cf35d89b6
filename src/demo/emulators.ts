import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import startSesEmulator from 'aws-ses-v2-local';
import S3rver from 's3rver';
import { createS3Client } from '../restore/s3-client';
import { startCertificateServer } from '../simulate/certificate-server';
import { createSigner } from '../simulate/sns-signer';
import type { Signer } from '../simulate/sns-signer';
import { createSigningIdentity } from '../simulate/signing-identity';
import { BUCKET, KEY } from './demo-run';
import type { DemoRun } from './demo-run';
import { freePort, portOrFree, redisAnswers, redisServerInstalled, startPrivateRedis } from './local-redis';

/** The emulators accept these (s3rver knows only its own pair); nothing reaches AWS. */
export function useEmulatorCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}

/** The Redis URL to use: REDIS_URL (or the local default), else a private redis-server; else undefined. */
export async function findRedis(run: DemoRun): Promise<string | undefined> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (process.env.REDIS_CLUSTER_NODES || process.env.REDIS_SENTINELS) {
    // thaw finds the nodes itself (and says so clearly if it cannot); REDIS_URL carries credentials.
    run.say(`Redis from ${process.env.REDIS_CLUSTER_NODES ? 'REDIS_CLUSTER_NODES' : 'REDIS_SENTINELS'}`);
    return redisUrl;
  }
  if (await redisAnswers(redisUrl)) {
    run.say(`Redis answers at ${redisUrl}`);
    return redisUrl;
  }
  if (redisServerInstalled()) {
    const priv = await startPrivateRedis();
    run.onStop(() => priv.stop());
    run.say(`No Redis at ${redisUrl}: started a private redis-server at ${priv.url}`);
    return priv.url;
  }
  console.error(
    `demo: no Redis answers at ${redisUrl} and redis-server is not installed: run \`docker compose up -d redis\` or install it (apt-get install redis-server / brew install redis)`,
  );
  return undefined;
}

/** Starts the SES emulator; returns its URL (its web page shows the emails). */
export async function startSes(run: DemoRun): Promise<string> {
  const sesPort = await portOrFree(8005);
  const ses: Server = await startSesEmulator({ host: '127.0.0.1', port: sesPort });
  run.onStop(() => new Promise<void>((resolve) => (ses.closeAllConnections(), ses.close(() => resolve()))));
  const sesUrl = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;
  run.say(`SES emulator (aws-ses-v2-local) at ${sesUrl}`);
  return sesUrl;
}

/** Starts the S3 emulator holding the sample object; returns its URL. */
export async function startS3(run: DemoRun): Promise<string> {
  const s3Dir = mkdtempSync(join(tmpdir(), 'thaw-demo-s3-'));
  const s3rver = new S3rver({ port: await freePort(), address: '127.0.0.1', silent: true, directory: s3Dir });
  const { port: s3Port } = await s3rver.run();
  run.onStop(async () => {
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
  run.say(`S3 emulator (s3rver) at ${s3Url} holding s3://${BUCKET}/${KEY}`);
  return s3Url;
}

/** SNS played locally: a fresh signing key and a server for its certificate. */
export async function startSnsSigner(run: DemoRun): Promise<Signer> {
  const identity = await createSigningIdentity();
  const certificates = await startCertificateServer(identity.certificatePem);
  run.onStop(() => certificates.close());
  const signer = createSigner(identity.privateKeyPem, certificates.certUrl);
  run.say(`SNS played locally: a fresh signing key, its certificate served at ${certificates.certUrl}`);
  return signer;
}
