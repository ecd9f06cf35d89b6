import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { startCertificateServer } from '../../src/simulate/certificate-server';
import type { CertificateServer } from '../../src/simulate/certificate-server';
import type { SimulatedRestore } from '../../src/simulate/restore-notifications';
import { createSigningIdentity } from '../../src/simulate/signing-identity';
import type { SignatureVersion } from '../../src/simulate/sns-signer';
import type { ObjectRef } from '../../src/domain/object-ref';
import { CHILDREN } from './children';
import type { Resources } from './resources';

/**
 * SNS played locally, as in the tests (test/helpers/sns-world.ts): a fresh RSA-2048 key and
 * certificate, served over loopback at an SNS-shaped path by thaw's own simulator, and messages
 * signed the way SNS signs them. thaw downloads the certificate once per process and verifies
 * every signature, as in production.
 */
export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:thaw-restore-events';
export const BUCKET = 'acme-media-archive-prod';

export interface SnsWorld {
  readonly privateKeyPem: string;
  readonly certificatePem: string;
  readonly server: CertificateServer;
  /** The loopback SigningCertURL thaw processes are pointed at (SNS_ALLOW_HTTP, 127.0.0.1 trusted). */
  readonly certUrl: string;
  /** An https://sns.us-east-1.amazonaws.com/... URL for the peer figure (default host rules). */
  readonly awsShapedCertUrl: string;
  /** What a thaw process needs in its environment to accept this world's messages. */
  readonly env: Record<string, string>;
}

export async function startSnsWorld(resources: Resources): Promise<SnsWorld> {
  const identity = await createSigningIdentity();
  const server = await startCertificateServer(identity.certificatePem);
  resources.add('certificate server', () => server.close());
  const path = new URL(server.certUrl).pathname;
  return {
    privateKeyPem: identity.privateKeyPem,
    certificatePem: identity.certificatePem,
    server,
    certUrl: server.certUrl,
    awsShapedCertUrl: `https://sns.us-east-1.amazonaws.com${path}`,
    env: {
      SNS_TOPIC_ARNS: TOPIC_ARN,
      SNS_ALLOW_HTTP: 'true',
      SNS_TRUSTED_HOSTS: String.raw`^127\.0\.0\.1$`,
    },
  };
}

/** One message to sign: which restore event it carries and how it is signed. */
export interface MessageSpec {
  readonly certUrl: string;
  readonly signatureVersion: SignatureVersion;
  readonly restore: SimulatedRestore;
}

/** A signed SNS delivery, ready to POST: the body and the headers SNS sends with it. */
export interface SignedMessage {
  readonly body: string;
  readonly headers: Record<string, string>;
}

/**
 * Signs messages on every core (RSA-2048 signing is ~0.5 ms here, far slower than verifying),
 * with thaw's own signer in worker threads (bench/children/sign-worker.js).
 */
export async function signMessages(world: SnsWorld, specs: readonly MessageSpec[]): Promise<SignedMessage[]> {
  const threads = Math.max(1, Math.min(availableParallelism(), Math.ceil(specs.length / 500)));
  const slice = Math.ceil(specs.length / threads);
  const parts = await Promise.all(
    Array.from({ length: threads }, (_, index) =>
      signInThread(world.privateKeyPem, specs.slice(index * slice, (index + 1) * slice)),
    ),
  );
  return parts.flat().map(({ body, messageId }) => ({
    body,
    headers: {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-message-id': messageId,
      'x-amz-sns-topic-arn': TOPIC_ARN,
      'user-agent': 'Amazon Simple Notification Service Agent',
    },
  }));
}

function signInThread(
  privateKeyPem: string,
  specs: readonly MessageSpec[],
): Promise<{ body: string; messageId: string }[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(CHILDREN, 'sign-worker.js'), {
      workerData: { privateKeyPem, topicArn: TOPIC_ARN, specs },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`sign worker exited with code ${code}`));
    });
  });
}

/**
 * The i-th archived object of a run: a realistic media-archive key (~90 characters) in one bucket.
 * `tag` keeps runs apart so their events never share an object.
 */
export function archivedObject(tag: string, index: number): ObjectRef {
  const day = String(1 + (index % 28)).padStart(2, '0');
  const camera = 'ABC'[index % 3];
  const clip = String(index).padStart(6, '0');
  return {
    bucket: BUCKET,
    key: `projects/2025/${tag}/raw-footage/day-${day}/camera-${camera}/A${clip}_C007_0612XY_001.mov`,
    versionId: null,
  };
}

/** An S3 version id as S3 makes them (32 URL-safe characters). */
function versionId(): string {
  return randomBytes(24).toString('base64').replace(/\//g, '_').slice(0, 32);
}

/**
 * Messages for the ingest figure: every one a different object (so thaw's content-based dedupe
 * never short-circuits an enqueue), ObjectRestore:Post and :Completed alternating, and
 * SignatureVersion 1 and 2 alternating across both kinds. ~1.8–2.0 KB bodies.
 */
export function ingestSpecs(world: SnsWorld, tag: string, count: number): MessageSpec[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, index) => {
    const object = archivedObject(tag, index);
    return {
      certUrl: world.certUrl,
      signatureVersion: index % 2 === 0 ? '2' : '1',
      restore: {
        kind: Math.floor(index / 2) % 2 === 0 ? 'initiated' : 'completed',
        bucket: object.bucket,
        key: object.key,
        versionId: versionId(),
        size: 1_000_000 + index,
        eventTime: new Date(now - 60_000 + (index % 60_000)).toISOString(),
        storageClass: 'DEEP_ARCHIVE',
      },
    };
  });
}

/**
 * Messages for the pipeline figures: for each object, ObjectRestore:Post then (four hours later
 * in event time) ObjectRestore:Completed. All Posts come first and all Completeds after, so a
 * Completed is never processed before its own Post and each object yields exactly two emails.
 */
export function pipelineSpecs(world: SnsWorld, objects: readonly ObjectRef[]): MessageSpec[] {
  const start = Date.now() - 5 * 3600_000;
  const versions = objects.map(() => versionId());
  const event = (object: ObjectRef, index: number, kind: 'initiated' | 'completed'): MessageSpec => ({
    certUrl: world.certUrl,
    signatureVersion: index % 2 === 0 ? '2' : '1',
    restore: {
      kind,
      bucket: object.bucket,
      key: object.key,
      versionId: versions[index] ?? null,
      size: 1_000_000 + index,
      eventTime: new Date(start + index + (kind === 'completed' ? 4 * 3600_000 : 0)).toISOString(),
      storageClass: 'DEEP_ARCHIVE',
    },
  });
  return [
    ...objects.map((object, index) => event(object, index, 'initiated')),
    ...objects.map((object, index) => event(object, index, 'completed')),
  ];
}

/** Messages for the peer figure: AWS-shaped certificate URL, both signature versions. */
export function peerSpecs(world: SnsWorld, count: number): MessageSpec[] {
  return ingestSpecs(world, 'peer', count).map((spec) => ({ ...spec, certUrl: world.awsShapedCertUrl }));
}
