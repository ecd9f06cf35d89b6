/**
 * Writes an upgrade fixture (test/fixtures/upgrade/<shape>.json): thaw's Redis state with restores
 * in flight in every state and jobs still queued, written by the code of the commit this runs
 * from, through thaw's own composition root (API, signed SNS deliveries, workers, reconciler; SES
 * and S3 are local emulators). Nothing here writes to Redis by hand. The fixture README says how
 * to run it from a clean checkout of the commit before a stored shape changes:
 *
 *   npm run build && node -r ./bench/register.js scripts/make-upgrade-fixture.ts --shape v2
 *
 * Options: --shape vN (required), --out FILE (default test/fixtures/upgrade/<shape>.json),
 * --force (overwrite), --allow-dirty (src/ or templates/ differ from the commit: for trying only).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Redis } from 'ioredis';
import * as prettier from 'prettier';
import { objectDigest } from '../src/domain/object-ref';
import type { RestoreEventKind } from '../src/domain/types';
import { createRedisKeys } from '../src/keys';
import { createLogger } from '../src/logger';
import { createQueues } from '../src/queue/queues';
import type { ThawQueues } from '../src/queue/queues';
import type { SimulatedRestore } from '../src/simulate/restore-notifications';
import type { Signer } from '../src/simulate/sns-signer';
import { snsHeaders } from '../src/simulate/sns-signer';
import { eventually } from '../test/helpers/eventually';
import { deletePrefix, testRedis } from '../test/helpers/redis';
import { TEST_TOKEN, restoreFlow } from '../test/helpers/restore-flow';
import { startS3StandIn } from '../test/helpers/s3-stand-in';
import { startSesEmulator } from '../test/helpers/ses-emulator';
import type { StoredEmail } from '../test/helpers/ses-emulator';
import { startSnsWorld } from '../test/helpers/sns-world';
import { startTestThaw } from '../test/helpers/thaw-instance';
import type { TestThaw } from '../test/helpers/thaw-instance';
import {
  PREFIX_PLACEHOLDER,
  dumpPrefix,
  encodeText,
  loadSnapshot,
  upgradeFixtureSchema,
} from '../test/helpers/upgrade-fixture';
import type { FixtureJob, FixtureRequest, SnapshotKey } from '../test/helpers/upgrade-fixture';
import {
  BUCKET,
  EARLY_KEY,
  FEEDBACK_TOPIC,
  PHASES,
  S3_OBJECTS,
  SUPPRESSED,
} from '../test/fixtures/upgrade/scenario';
import type { Planned, Step } from '../test/fixtures/upgrade/scenario';

const ROOT = resolve(__dirname, '..');

/** The part of GET /v1/restores/:id the fixture records. */
interface View {
  status: FixtureRequest['status'];
  cancelledAt: string | null;
  notifications: { kind: string; state: string; messageId: string | null }[];
  objects?: { status: string }[];
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
}

function versionOf(packageJson: string): string {
  return (JSON.parse(readFileSync(join(ROOT, packageJson), 'utf8')) as { version: string }).version;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

const bodyFor = (name: string, planned: Planned) => {
  const objects = planned.keys.map((key) => ({ bucket: BUCKET, key }));
  const [one] = objects;
  const where =
    objects.length === 1
      ? { ...one, ...(planned.versionId ? { versionId: planned.versionId } : {}) }
      : { objects };
  const email = `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}@example.com`;
  const recipient = { email, name: `Customer ${name}`, locale: 'en', timeZone: 'Europe/Berlin' };
  return { ...where, initiate: false, recipient, ...planned.body };
};

/** Drives one thaw on the prefix the way its users and S3 do, one phase after another. */
function createPlayer(
  prefix: string,
  env: Record<string, string>,
  signer: Signer,
  redis: Redis,
  queues: ThawQueues,
) {
  const auth = { authorization: `Bearer ${TEST_TOKEN}` };
  const read = async (thaw: TestThaw, id: string) =>
    (await thaw.app.inject({ url: `/v1/restores/${id}`, headers: auth })).json() as View;
  const until = (thaw: TestThaw, id: string, wanted: string) =>
    eventually(async () => {
      const view = await read(thaw, id);
      const states = view.notifications.map((n) => `${n.kind}:${n.state}`);
      const objects = `objects=${view.objects?.map((o) => o.status).join(',')}`;
      if (!states.includes(wanted) && objects !== wanted) throw new Error(`${id}: not yet ${wanted}`);
    }, 30_000);

  async function post(thaw: TestThaw, message: Record<string, string | null>): Promise<void> {
    const response = await thaw.app.inject({
      method: 'POST',
      url: '/sns',
      payload: JSON.stringify(message),
      headers: snsHeaders(message),
    });
    if (response.statusCode !== 200)
      throw new Error(`/sns answered ${response.statusCode}: ${response.body}`);
  }

  async function register(thaw: TestThaw, name: string, planned: Planned): Promise<string> {
    const response = await thaw.app.inject({
      method: 'POST',
      url: '/v1/restores',
      headers: { ...auth, ...(planned.idempotencyKey ? { 'idempotency-key': planned.idempotencyKey } : {}) },
      payload: bodyFor(name, planned),
    });
    if (response.statusCode !== 201) throw new Error(`${name}: register answered ${response.body}`);
    return (response.json() as { id: string }).id;
  }

  async function play(thaw: TestThaw, id: string, planned: Planned, step: Step): Promise<void> {
    if ('cancel' in step) {
      const response = await thaw.app.inject({ method: 'DELETE', url: `/v1/restores/${id}`, headers: auth });
      if (response.statusCode !== 200) throw new Error(`cancel answered ${response.statusCode}`);
    } else if ('retrying' in step) {
      await eventually(async () => {
        const job = await queues.notifications.getJob(`${id}-${step.retrying}`);
        if (!job || job.attemptsMade < 1 || (await job.getState()) !== 'delayed')
          throw new Error('not retrying');
      }, 30_000);
    } else {
      if ('event' in step) await deliver(thaw, planned, step);
      await until(thaw, id, step.until);
    }
  }

  /** A signed SNS delivery of S3 events. */
  async function send(thaw: TestThaw, restores: SimulatedRestore[]): Promise<void> {
    await post(thaw, restoreFlow(thaw.app, signer).signed(restores));
  }

  async function deliver(thaw: TestThaw, planned: Planned, step: Extract<Step, { event: unknown }>) {
    const keys = step.only === undefined ? planned.keys : [planned.keys[step.only]!];
    const expiry = step.expiresInMs
      ? { restoreExpiryTime: new Date(Date.now() + step.expiresInMs).toISOString() }
      : {};
    await send(
      thaw,
      keys.map((key) => ({ kind: step.event, bucket: BUCKET, key, versionId: planned.versionId, ...expiry })),
    );
  }

  const event = (thaw: TestThaw, kind: RestoreEventKind, keys: readonly string[], eventTime?: string) =>
    send(
      thaw,
      keys.map((key) => ({ kind, bucket: BUCKET, key, ...(eventTime ? { eventTime } : {}) })),
    );

  /** SES feedback (a permanent bounce) on the feedback topic: the address is suppressed. */
  async function bounce(thaw: TestThaw, address: string): Promise<void> {
    const mail = {
      timestamp: new Date().toISOString(),
      source: 'x@example.com',
      messageId: 'b-1',
      destination: [address],
    };
    const bounced = {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [{ emailAddress: address }],
    };
    const message = JSON.stringify({ notificationType: 'Bounce', mail, bounce: bounced });
    await post(thaw, signer.sign({ Type: 'Notification', TopicArn: FEEDBACK_TOPIC, Message: message }));
  }

  /** Reading only: the correlation worker has kept an event of the key as early. */
  const untilEarlyEvent = (key: string) =>
    eventually(async () => {
      // From keys.ts, so it follows the key layout of whichever commit this runs from.
      const members = await redis.zrange(createRedisKeys(prefix).earlyIndex, 0, -1);
      const digest = objectDigest(BUCKET, key);
      if (!members.some((member) => member.startsWith(`${digest}|`)))
        throw new Error(`${key}: not early yet`);
    });

  async function phase(
    label: string,
    phaseEnv: Record<string, string>,
    work: (thaw: TestThaw) => Promise<void>,
  ) {
    console.log(`- ${label}`);
    const thaw = await startTestThaw(prefix, { ...env, ...phaseEnv });
    try {
      await work(thaw);
    } finally {
      await thaw.stop();
    }
  }

  return { read, register, play, event, bounce, untilEarlyEvent, phase };
}

/** Plays every phase, checks each request is where it must be, and says what the dump holds. */
async function playScenario(prefix: string, env: Record<string, string>, signer: Signer, redis: Redis) {
  const queues = createQueues(redis, prefix, createLogger({ level: 'silent' }));
  const player = createPlayer(prefix, env, signer, redis, queues);
  const deadSes = `http://127.0.0.1:${await closedPort()}`;
  const made = new Map<string, { id: string; planned: Planned; view?: View }>();
  for (const phase of PHASES) {
    await player.phase(
      phase.label,
      { ...phase.env, ...(phase.sesDown ? { SES_ENDPOINT: deadSes } : {}) },
      async (thaw) => {
        await phase.before?.(player, thaw);
        for (const [name, planned] of Object.entries(phase.requests)) {
          const id = await player.register(thaw, name, planned);
          made.set(name, { id, planned });
          for (const step of planned.steps) await player.play(thaw, id, planned, step);
        }
        // The API's view of every request, at the end (the api role changes nothing after this).
        if (phase === PHASES.at(-1))
          for (const entry of made.values()) entry.view = await player.read(thaw, entry.id);
      },
    );
  }
  const jobs = await unfinishedJobs(queues, made);
  await queues.close();
  return { made, jobs };
}

async function unfinishedJobs(queues: ThawQueues, made: Map<string, { id: string; planned: Planned }>) {
  const byKey = new Map(
    [...made.values()].flatMap(({ id, planned }) => planned.keys.map((key) => [key, id] as const)),
  );
  const jobs: FixtureJob[] = [];
  for (const queue of [queues.restoreEvents, queues.notifications, queues.maintenance]) {
    for (const job of await queue.getJobs(['wait', 'delayed', 'active', 'prioritized'])) {
      const data = job.data as { requestId?: string; event?: { key: string } };
      jobs.push({
        queue: queue.name,
        id: job.id!,
        name: job.name,
        state: await job.getState(),
        attemptsMade: job.attemptsMade,
        requestId: data.requestId ?? byKey.get(data.event?.key ?? '') ?? null,
      });
    }
  }
  return jobs;
}

/** The fixture's account of one request; throws when it is not where the scenario left it. */
function describeRequest(
  name: string,
  id: string,
  planned: Planned,
  view: View,
  sent: StoredEmail[],
): FixtureRequest {
  const registerBody = bodyFor(name, planned);
  const recipient = registerBody.recipient.email;
  const objectStatuses = view.objects?.map((o) => o.status) ?? [view.status];
  const notifications = view.notifications.map(({ kind, state, messageId }) => ({ kind, state, messageId }));
  const got = [
    view.status,
    notifications
      .map((n) => `${n.kind}:${n.state}`)
      .sort()
      .join(','),
    objectStatuses.join(','),
  ];
  const [status, states, objects = got[2]] = planned.expect;
  if (!isDeepStrictEqual(got, [status, states, objects])) {
    throw new Error(`${name} is ${JSON.stringify(got)}, not ${JSON.stringify(planned.expect)}`);
  }
  const text = sent
    .filter((e) => e.destination.to.includes(recipient))
    .map((e) => e.body.text ?? '')
    .join('\n');
  const tokens = (path: string) => [
    ...new Set([...text.matchAll(new RegExp(`/${path}/([A-Za-z0-9_-]{20,64})`, 'g'))].map((m) => m[1]!)),
  ];
  return {
    id,
    story: planned.story,
    status: view.status,
    recipient,
    objects: planned.keys.map((key) => ({ bucket: BUCKET, key, versionId: planned.versionId ?? null })),
    objectStatuses,
    registerBody,
    idempotencyKey: planned.idempotencyKey ?? null,
    cancelled: view.cancelledAt !== null,
    notifications,
    pageToken: tokens('r')[0] ?? null,
    downloadTokens: tokens('d'),
  };
}

/** Loads a dump under another prefix and dumps it again: the loader must give back every byte. */
async function checkRoundTrip(redis: Redis, keys: SnapshotKey[], prefix: string, madeAt: number) {
  const copy = `${prefix}-check`;
  await loadSnapshot(redis, keys, copy, madeAt);
  const again = await dumpPrefix(redis, copy, madeAt);
  await deletePrefix(redis, copy);
  const withoutTtl = (list: SnapshotKey[]) =>
    list.map((k) => ({ ...k, ttlMs: k.ttlMs > 0 ? 'set' : k.ttlMs }));
  if (!isDeepStrictEqual(withoutTtl(again), withoutTtl(keys)))
    throw new Error('the dump does not load back as it was');
}

async function main(): Promise<void> {
  const shape = option('--shape');
  if (!shape || !/^v\d+$/.test(shape))
    throw new Error('give the shape the fixture holds: --shape v1, v2, ...');
  const out = resolve(option('--out') ?? join(ROOT, 'test/fixtures/upgrade', `${shape}.json`));
  if (existsSync(out) && !process.argv.includes('--force')) {
    throw new Error(`${out} exists: the fixture of a shipped shape is never remade (--force to replace)`);
  }
  const dirty = git('status', '--porcelain', '--', 'src', 'templates', 'package.json', 'package-lock.json');
  if (dirty && !process.argv.includes('--allow-dirty')) {
    throw new Error(`src/ or templates/ differ from the commit; run from a clean checkout:\n${dirty}`);
  }
  // The emulators take any credentials; nothing reaches AWS.
  process.env.AWS_ACCESS_KEY_ID = 'fixture';
  process.env.AWS_SECRET_ACCESS_KEY = 'fixture';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

  const prefix = `thawfixture-${randomBytes(4).toString('hex')}`;
  const redis = testRedis();
  const world = await startSnsWorld();
  const ses = await startSesEmulator();
  const s3 = await startS3StandIn();
  try {
    for (const object of S3_OBJECTS) s3.put({ ...object });
    const config = {
      MAIL_FROM: 'Archive Desk <restores@example.com>',
      PUBLIC_BASE_URL: 'https://restores.example.com',
      SNS_TOPIC_ARNS: world.env.SNS_TOPIC_ARNS!,
      SNS_FEEDBACK_TOPIC_ARNS: FEEDBACK_TOPIC,
    };
    const env = {
      ...world.env,
      ...config,
      THAW_ROLE: 'serve',
      SES_ENDPOINT: ses.endpoint,
      S3_ENDPOINT: s3.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      SES_MAX_SEND_RATE: '1000',
    };
    console.log(`playing restores under prefix ${prefix}`);
    const { made, jobs } = await playScenario(prefix, env, world.signer, redis);
    const sent = await ses.emails();
    const requests = Object.fromEntries(
      [...made].map(([name, { id, planned, view }]) => [
        name,
        describeRequest(name, id, planned, view!, sent),
      ]),
    );

    const madeAt = Date.now();
    const keys = await dumpPrefix(redis, prefix, madeAt);
    await checkRoundTrip(redis, keys, prefix, madeAt);
    const fixture = upgradeFixtureSchema.parse({
      format: 'thaw-upgrade-fixture',
      shape,
      madeFrom: {
        commit: git('rev-parse', 'HEAD'),
        commitDate: git('show', '-s', '--format=%cI', 'HEAD'),
        thawVersion: versionOf('package.json'),
        bullmqVersion: versionOf('node_modules/bullmq/package.json'),
        redisVersion: /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown',
        node: process.version,
      },
      madeAt: new Date(madeAt).toISOString(),
      config,
      requests,
      earlyEvent: {
        object: { bucket: BUCKET, key: EARLY_KEY, versionId: null },
        kind: 'initiated',
        recipient: 'early-event@example.com',
        registerBody: {
          bucket: BUCKET,
          key: EARLY_KEY,
          initiate: false,
          recipient: { email: 'early-event@example.com', locale: 'en', timeZone: 'UTC' },
        },
      },
      suppressedAddress: SUPPRESSED,
      // Scheduler job ids hold a time: written like the keys, so the test finds them after loading.
      jobs: jobs.map((job) => ({ ...job, id: encodeText(job.id, prefix, madeAt) })),
      keyCount: keys.length,
      keys,
    });
    mkdirSync(dirname(out), { recursive: true });
    const style = (await prettier.resolveConfig(out)) ?? {};
    writeFileSync(out, await prettier.format(JSON.stringify(fixture), { ...style, parser: 'json' }));
    const types = new Map<string, number>();
    for (const stored of keys) types.set(stored.type, (types.get(stored.type) ?? 0) + 1);
    const naming = keys.filter((stored) => JSON.stringify(stored.value).includes(PREFIX_PLACEHOLDER));
    console.log(`wrote ${out}: ${keys.length} keys (${[...types].map(([t, n]) => `${n} ${t}`).join(', ')})`);
    console.log(`${made.size} requests, ${jobs.length} unfinished jobs`);
    console.log(`values naming the prefix: ${naming.map((k) => k.key).join(', ') || 'none'}`);
  } finally {
    await deletePrefix(redis, prefix);
    await redis.quit();
    await ses.stop();
    await s3.stop();
    await world.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
