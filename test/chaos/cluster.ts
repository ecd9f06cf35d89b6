import type { Server } from 'node:http';
import startSesEmulator from 'aws-ses-v2-local';
import { freePort } from '../../src/demo/local-redis';
import { queuePrefix } from '../../src/keys';
import { QUEUE_NAMES } from '../../src/queue/queue-names';
import { startCertificateServer } from '../../src/simulate/certificate-server';
import type { CertificateServer } from '../../src/simulate/certificate-server';
import { restoreNotification } from '../../src/simulate/deliver';
import { createSigner } from '../../src/simulate/sns-signer';
import type { Signer } from '../../src/simulate/sns-signer';
import { createSigningIdentity } from '../../src/simulate/signing-identity';
import type { RestoreEventKind } from '../../src/domain/types';
import { startRedisProcess } from './redis-process';
import type { RedisProcess } from './redis-process';
import { sesEventPublisher } from './ses-events';
import { snsPublisher } from './sns-publisher';
import { thawProcess } from './thaw-process';
import type { ThawProcess } from './thaw-process';

export const TOKEN = 'chaos-token-0123456789abcdef';
export const TOPIC = 'arn:aws:sns:us-east-1:123456789012:thaw-chaos-restores';
export const FEEDBACK_TOPIC = 'arn:aws:sns:us-east-1:123456789012:thaw-chaos-ses';

/** How hard to push: the CI setting is short; `npm run chaos` sets THAW_CHAOS=long. */
export const LONG = process.env.THAW_CHAOS === 'long';
export const FLOWS = Number(process.env.THAW_CHAOS_FLOWS ?? (LONG ? 1000 : 200));

/**
 * Real processes for fault injection: a private redis-server (AOF on), the SES emulator, thaw in
 * `api` and `worker` roles as child processes, SNS played by a signer that retries like SNS, and
 * SES's Send events played back to thaw's feedback topic.
 */
export interface Cluster {
  /** The private single redis-server, when the cluster made its own (not given `redis`). */
  readonly redis: RedisProcess | undefined;
  readonly api: ThawProcess;
  readonly workers: ThawProcess[];
  readonly signer: Signer;
  readonly sns: ReturnType<typeof snsPublisher>;
  readonly sesUrl: () => string;
  stopSes(): Promise<void>;
  startSes(): Promise<void>;
  /** Sends SES answers through this URL instead (a fault-injecting proxy); restart workers to apply. */
  readonly env: Record<string, string>;
  addWorker(extraEnv?: Record<string, string>): Promise<ThawProcess>;
  registerFlows(count: number, tag: string): Promise<Flow[]>;
  event(flow: Flow, kind: RestoreEventKind): Record<string, string | null>;
  verify(flows: readonly Flow[], kinds: readonly string[], explain?: boolean): Promise<Verdict>;
  stop(): Promise<void>;
}

export interface Flow {
  readonly id: string;
  readonly key: string;
  readonly email: string;
}

export interface Verdict {
  readonly expected: number;
  readonly delivered: number;
  readonly duplicated: number;
  readonly lost: number;
  readonly notCompleted: number;
}

/**
 * A Redis a test started itself (a Cluster, Sentinels, a primary with replicas): the variables
 * that point thaw at it. The test that starts it stops it, after the chaos cluster.
 */
export interface RedisUnderTest {
  readonly env: Record<string, string>;
}

export interface ClusterOptions {
  readonly workers?: number;
  readonly sesThrough?: () => string;
  readonly env?: Record<string, string>;
  /** Run on this Redis instead of a private single redis-server. */
  readonly redis?: RedisUnderTest;
  /** The private redis-server's fsync policy (default everysec). */
  readonly appendfsync?: 'always' | 'everysec';
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const redis = options.redis
    ? undefined
    : await startRedisProcess(options.appendfsync ? { appendfsync: options.appendfsync } : {});
  const redisEnv = options.redis?.env ?? { REDIS_URL: redis?.url ?? '' };
  const sesPort = await freePort();
  let ses: Server | undefined = await startSesEmulator({ host: '127.0.0.1', port: sesPort });
  const sesUrl = () => `http://127.0.0.1:${sesPort}`;
  const identity = await createSigningIdentity();
  const certificates: CertificateServer = await startCertificateServer(identity.certificatePem);
  const signer = createSigner(identity.privateKeyPem, certificates.certUrl);
  const env: Record<string, string> = {
    ...redisEnv,
    THAW_PREFIX: 'chaos',
    MAIL_FROM: 'restores@example.com',
    API_TOKEN: TOKEN,
    SNS_TOPIC_ARNS: TOPIC,
    SNS_FEEDBACK_TOPIC_ARNS: FEEDBACK_TOPIC,
    SNS_ALLOW_HTTP: 'true',
    SNS_TRUSTED_HOSTS: String.raw`^127\.0\.0\.1$`,
    SES_ENDPOINT: options.sesThrough?.() ?? sesUrl(),
    SES_MAX_SEND_RATE: '2000',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // Short locks and in-doubt windows, so killed work is taken up again within the test.
    WORKER_LOCK_MS: '5000',
    SEND_IN_DOUBT_SECONDS: '5',
    RECONCILE_INTERVAL_SECONDS: '2',
    LOG_LEVEL: 'info',
    // Every registration and status read comes from this one test client, far beyond a customer's
    // per-minute allowance at 1,000 flows; the limit itself is tested in test/security.
    RATE_LIMIT_PER_MINUTE: '0',
    ...options.env,
  };
  const api = thawProcess('api', await freePort(), env);
  await api.start();
  const workers: ThawProcess[] = [];
  const sns = snsPublisher(`${api.url}/sns`);
  const sesEvents = sesEventPublisher({ sesUrl, signer, topicArn: FEEDBACK_TOPIC, publish: sns.publish });
  sesEvents.start();

  const cluster: Cluster = {
    redis,
    api,
    workers,
    signer,
    sns,
    sesUrl,
    env,
    async stopSes() {
      const current = ses;
      ses = undefined;
      if (!current) return;
      current.closeAllConnections();
      await new Promise((resolve) => current.close(resolve));
    },
    async startSes() {
      ses ??= await startSesEmulator({ host: '127.0.0.1', port: sesPort });
    },
    async addWorker(extraEnv = {}) {
      const worker = thawProcess('worker', await freePort(), { ...env, ...extraEnv });
      await worker.start();
      workers.push(worker);
      return worker;
    },
    async registerFlows(count, tag) {
      const flows: Flow[] = [];
      for (let index = 0; index < count; index += 1) {
        const key = `chaos/${tag}/object-${index}.bin`;
        const email = `${tag}-${index}@example.com`;
        const response = await fetch(`${api.url}/v1/restores`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${TOKEN}`,
            'content-type': 'application/json',
            'idempotency-key': `${tag}-${index}`,
          },
          body: JSON.stringify({ bucket: 'chaos-bucket', key, initiate: false, recipient: { email } }),
        });
        if (response.status !== 201 && response.status !== 200)
          throw new Error(`register answered ${response.status}`);
        flows.push({ id: ((await response.json()) as { id: string }).id, key, email });
      }
      return flows;
    },
    event(flow, kind) {
      return restoreNotification([{ kind, bucket: 'chaos-bucket', key: flow.key }], {
        signer,
        topicArn: TOPIC,
      });
    },
    async verify(flows, kinds, explain = false) {
      const emails = (
        (await (await fetch(`${sesUrl()}/store`)).json()) as {
          emails: { headers?: { name: string; value: string }[] }[];
        }
      ).emails;
      const counts = new Map<string, number>();
      for (const email of emails) {
        const header = email.headers?.find((h) => h.name.toLowerCase() === 'x-thaw-notification')?.value;
        if (header) counts.set(header, (counts.get(header) ?? 0) + 1);
      }
      let delivered = 0;
      let duplicated = 0;
      let lost = 0;
      for (const flow of flows) {
        for (const kind of kinds) {
          const count = counts.get(`${flow.id}.${kind}`) ?? 0;
          if (count === 0 && explain && redis) {
            const view = await (
              await fetch(`${api.url}/v1/restores/${flow.id}`, {
                headers: { authorization: `Bearer ${TOKEN}` },
              })
            ).text();
            const { Queue } = await import('bullmq');
            const queue = new Queue(QUEUE_NAMES.notifications, {
              connection: { url: redis.url },
              prefix: queuePrefix(env.THAW_PREFIX ?? 'chaos', QUEUE_NAMES.notifications),
            });
            const job = await queue.getJob(`${flow.id}-${kind}`);
            const state = job ? await job.getState() : 'no job';
            const { Redis } = await import('ioredis');
            const raw = new Redis(redis.url);
            // BullMQ's own keys of the queue, `{chaos:notifications}:notifications:...` (keys.ts).
            const lockTtl = await raw.pttl(queue.toKey(`${flow.id}-${kind}:lock`));
            const stalledSet = await raw.smembers(queue.toKey('stalled'));
            const check = await raw.pttl(queue.toKey('stalled-check'));
            const paused = await raw.hget(queue.toKey('meta'), 'paused');
            const active = await raw.llen(queue.toKey('active'));
            const wait = await raw.llen(queue.toKey('wait'));
            console.log(
              `  lockTtl=${lockTtl} stalledSet=${stalledSet.length} checkTtl=${check} paused=${paused} active=${active} wait=${wait}`,
            );
            await raw.quit();
            console.log(
              `LOST ${flow.id}.${kind}: job ${state} ${job?.failedReason ?? ''} attempts=${job?.attemptsMade} started=${job?.attemptsStarted} stalled=${job?.stalledCounter} ${view.slice(view.indexOf('"notifications"'))}`,
            );
            await queue.close();
          }
          if (count === 0) lost += 1;
          else delivered += 1;
          if (count > 1) duplicated += count - 1;
        }
      }
      let notCompleted = 0;
      // Reading every request is only worth it once every email is there, and only when the
      // flows are meant to be complete.
      for (const flow of lost === 0 && kinds.includes('completed') ? flows : []) {
        const response = await fetch(`${api.url}/v1/restores/${flow.id}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        // Anything but 200 is the harness failing to look, not thaw losing a request: say so.
        if (response.status !== 200) {
          throw new Error(
            `GET /v1/restores/${flow.id} answered ${response.status}: ${await response.text()}`,
          );
        }
        const body = (await response.json()) as { status?: string };
        if (body.status !== 'completed') notCompleted += 1;
      }
      return {
        expected: flows.length * kinds.length,
        delivered,
        duplicated,
        lost,
        notCompleted: lost === 0 ? notCompleted : -1,
      };
    },
    async stop() {
      await sesEvents.stop();
      for (const worker of workers) await worker.kill('SIGTERM');
      await api.kill('SIGTERM');
      await cluster.stopSes();
      await certificates.close();
      await redis?.stop();
    },
  };
  for (let index = 0; index < (options.workers ?? 1); index += 1) await cluster.addWorker();
  return cluster;
}

/** Runs `work` over items with `limit` in flight. */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const item = items[next]!;
        next += 1;
        await work(item);
      }
    }),
  );
}

/** Waits until every flow's emails are in the emulator (or the deadline passes; the verdict tells). */
/**
 * What every scenario must end with: each flow's two emails arrived exactly once, nothing was lost
 * and every request completed.
 */
export function expectEveryEmailOnce(verdict: Verdict, flowCount = FLOWS): void {
  expect(verdict).toMatchObject({
    expected: flowCount * 2,
    delivered: flowCount * 2,
    duplicated: 0,
    lost: 0,
    notCompleted: 0,
  });
}

export async function settle(
  cluster: Cluster,
  flows: readonly Flow[],
  kinds: readonly string[],
  deadlineMs = 120_000,
): Promise<Verdict> {
  const until = Date.now() + deadlineMs;
  let verdict = await cluster.verify(flows, kinds);
  while ((verdict.lost > 0 || verdict.notCompleted !== 0) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    verdict = await cluster.verify(flows, kinds);
  }
  // A little longer, so a late duplicate would still be seen.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return cluster.verify(flows, kinds, Boolean(process.env.THAW_CHAOS_DEBUG));
}
