/**
 * REDIS_WAIT_REPLICAS on a primary with one replica: thaw acknowledges (/sns 200, /v1/restores 201)
 * only once Redis `WAIT 1` confirms within ENQUEUE_TIMEOUT_MS, and calls SES only once its claim
 * is on the replica. With the replica killed, WAIT returns 0: 503 `redis_not_replicated`, and no
 * email leaves; once the replica is back, the redelivered message is taken and exactly one email
 * per kind is sent. With REDIS_WAIT_REPLICAS=0 the replica's absence changes nothing. Nothing here
 * touches the shared test Redis.
 */
import { eventually } from '../helpers/eventually';
import { uniquePrefix } from '../helpers/redis';
import { startPrimaryWithReplica } from '../helpers/redis-topologies';
import type { PrimaryWithReplica } from '../helpers/redis-topologies';
import { TEST_TOKEN, restoreFlow } from '../helpers/restore-flow';
import { startSesEmulator } from '../helpers/ses-emulator';
import type { SesEmulator } from '../helpers/ses-emulator';
import { startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';
import { snsHeaders } from '../../src/simulate/sns-signer';

jest.setTimeout(30_000);

const prefix = uniquePrefix('replica-wait');
let redis: PrimaryWithReplica;
let world: SnsWorld;
let ses: SesEmulator;
let waiting: TestThaw;
let notWaiting: TestThaw;

beforeAll(async () => {
  [redis, world, ses] = await Promise.all([startPrimaryWithReplica(), startSnsWorld(), startSesEmulator()]);
  const env = {
    ...world.env,
    REDIS_URL: redis.primaryUrl,
    THAW_ROLE: 'serve',
    SES_ENDPOINT: ses.endpoint,
    SES_MAX_SEND_RATE: '1000',
    ENQUEUE_TIMEOUT_MS: '1000',
  };
  waiting = await startTestThaw(prefix, { ...env, REDIS_WAIT_REPLICAS: '1' });
  notWaiting = await startTestThaw(`${prefix}-0`, { ...env, REDIS_WAIT_REPLICAS: '0' });
});

afterAll(async () => {
  await waiting?.stop();
  await notWaiting?.stop();
  await ses?.stop();
  await world?.close();
  await redis?.stop();
});

const recipient = { email: 'mary@example.com', locale: 'en', timeZone: 'UTC' };
const object = { bucket: 'archive-bucket', key: 'replicas/herbarium.zip' };

async function emailsTo(address: string) {
  return (await ses.emails()).filter((email) => email.destination.to.includes(address));
}

/** The whole answer, for the body's code (restoreFlow.deliver gives the status only). */
async function post(thaw: TestThaw, message: Record<string, string | null>) {
  return thaw.app.inject({
    method: 'POST',
    url: '/sns',
    payload: JSON.stringify(message),
    headers: snsHeaders(message),
  });
}

async function register(thaw: TestThaw, body: Record<string, unknown>) {
  return thaw.app.inject({
    method: 'POST',
    url: '/v1/restores',
    headers: { authorization: `Bearer ${TEST_TOKEN}` },
    payload: { initiate: false, ...body },
  });
}

async function replicaOnline(): Promise<void> {
  const slave0 = (await redis.primary.info('replication')).get('slave0');
  if (!slave0?.includes('state=online')) throw new Error(`replica not online yet: slave0: ${slave0}`);
}

describe('REDIS_WAIT_REPLICAS=1', () => {
  it('acknowledges only replicated writes, sends nothing unconfirmed, and sends each email once', async () => {
    const flow = restoreFlow(waiting.app, world.signer);
    // Replica up: acknowledged as usual.
    const id = await flow.register({ ...object, recipient });
    // SNS redelivers a 5xx: on a loaded machine a WAIT may outlast ENQUEUE_TIMEOUT_MS now and then.
    const initiated = flow.signed([{ kind: 'initiated', ...object }]);
    await eventually(async () => expect((await post(waiting, initiated)).statusCode).toBe(200));
    await eventually(async () => expect(await emailsTo(recipient.email)).toHaveLength(1));

    // Replica gone: WAIT 1 returns 0 after ENQUEUE_TIMEOUT_MS.
    await redis.replica.kill9();
    const completed = flow.signed([{ kind: 'completed', ...object }]);
    const refused = await post(waiting, completed);
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({ error: { code: 'redis_not_replicated' } });
    const refusedRegistration = await register(waiting, {
      bucket: 'archive-bucket',
      key: 'replicas/other.zip',
      recipient,
    });
    expect(refusedRegistration.statusCode).toBe(503);
    expect(refusedRegistration.json()).toMatchObject({ error: { code: 'redis_not_replicated' } });

    // The Completed job did reach the primary, so the workers decide its notification; its claim
    // cannot be confirmed, so SES is never called for it.
    await eventually(async () =>
      expect((await flow.read(id)).notifications.map((n) => n.kind).sort()).toEqual([
        'completed',
        'initiated',
      ]),
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await emailsTo(recipient.email)).map((email) => email.subject)).toHaveLength(1);
    expect((await flow.read(id)).notifications.find((n) => n.kind === 'completed')?.state).not.toBe('sent');

    // Replica back: the redelivery is taken, and the completed email goes out exactly once.
    await redis.replica.start();
    await eventually(replicaOnline);
    await eventually(async () => expect((await post(waiting, completed)).statusCode).toBe(200));
    const request = await eventually(async () => {
      const read = await flow.read(id);
      expect(read.notifications.map((n) => `${n.kind}:${n.state}`).sort()).toEqual([
        'completed:sent',
        'initiated:sent',
      ]);
      return read;
    }, 20_000);
    expect(request.status).toBe('completed');
    const emails = await emailsTo(recipient.email);
    expect(emails).toHaveLength(2);
    expect(new Set(emails.map((email) => email.messageId))).toEqual(
      new Set(request.notifications.map((n) => n.messageId)),
    );
  });
});

describe('REDIS_WAIT_REPLICAS=0', () => {
  it('answers 201 and 200 with the replica down', async () => {
    await redis.replica.kill9();
    try {
      const flow = restoreFlow(notWaiting.app, world.signer);
      const other = { bucket: 'archive-bucket', key: 'replicas/no-wait.zip' };
      const response = await register(notWaiting, {
        ...other,
        recipient: { ...recipient, email: 'x@example.com' },
      });
      expect(response.statusCode).toBe(201);
      expect((await post(notWaiting, flow.signed([{ kind: 'initiated', ...other }]))).statusCode).toBe(200);
      await eventually(async () => expect(await emailsTo('x@example.com')).toHaveLength(1));
    } finally {
      await redis.replica.start();
    }
  });
});
