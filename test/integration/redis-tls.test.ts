/**
 * thaw over TLS (`rediss://` in REDIS_URL, REDIS_TLS_CA_FILE naming the CA to trust) in each
 * topology: a single node, a Cluster (TLS on the client port and the bus) and Sentinel (TLS to
 * the Sentinels too). In each, thaw starts and the whole path Post → Completed sends exactly one
 * email per kind. Without the CA thaw still starts and /readyz says 503: an untrusted certificate
 * is an outage to report, not a crash. Nothing here touches the shared test Redis.
 */
import { uniquePrefix } from '../helpers/redis';
import {
  makeTlsMaterial,
  startRedisCluster,
  startRedisNode,
  startRedisSentinel,
} from '../helpers/redis-topologies';
import type { RedisCluster, RedisNode, RedisSentinel, TlsMaterial } from '../helpers/redis-topologies';
import { expectPostThenCompletedFlow } from '../helpers/post-then-completed';
import { startSesEmulator } from '../helpers/ses-emulator';
import type { SesEmulator } from '../helpers/ses-emulator';
import { startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';

jest.setTimeout(30_000);

const prefix = uniquePrefix('redis-tls');
let tls: TlsMaterial;
let node: RedisNode;
let cluster: RedisCluster;
let sentinel: RedisSentinel;
let world: SnsWorld;
let ses: SesEmulator;
const thaws: TestThaw[] = [];

beforeAll(async () => {
  tls = makeTlsMaterial();
  [node, cluster, sentinel, world, ses] = await Promise.all([
    startRedisNode({ tls }),
    startRedisCluster({ primaries: 3, replicasPerPrimary: 1, tls }),
    startRedisSentinel({ replicas: 2, sentinels: 3, tls }),
    startSnsWorld(),
    startSesEmulator(),
  ]);
});

afterAll(async () => {
  await Promise.all(thaws.map((thaw) => thaw.stop()));
  await ses?.stop();
  await world?.close();
  await Promise.all([node?.stop(), cluster?.stop(), sentinel?.stop()]);
  tls?.remove();
});

async function startThaw(env: Record<string, string>): Promise<TestThaw> {
  const thaw = await startTestThaw(prefix, {
    ...world.env,
    THAW_ROLE: 'serve',
    SES_ENDPOINT: ses.endpoint,
    SES_MAX_SEND_RATE: '1000',
    ...env,
  });
  thaws.push(thaw);
  return thaw;
}

/** Register, Post, Completed: exactly one email of each kind reaches `email`. */
async function flowSendsTwoEmails(thaw: TestThaw, email: string): Promise<void> {
  const object = { bucket: 'archive-bucket', key: `tls/${email}.tar` };
  await expectPostThenCompletedFlow(thaw.app, world.signer, ses, object, email);
  expect((await thaw.app.inject({ url: '/readyz' })).statusCode).toBe(200);
}

describe('thaw over TLS', () => {
  it('works with a single TLS node', async () => {
    const thaw = await startThaw({ REDIS_URL: node.url, REDIS_TLS_CA_FILE: tls.caFile });
    expect(node.url).toMatch(/^rediss:\/\//);
    await flowSendsTwoEmails(thaw, 'single@example.com');
  });

  it('works with a TLS Redis Cluster', async () => {
    const thaw = await startThaw({
      REDIS_URL: 'rediss://127.0.0.1:6379',
      REDIS_CLUSTER_NODES: cluster.seeds,
      REDIS_TLS_CA_FILE: tls.caFile,
    });
    await flowSendsTwoEmails(thaw, 'cluster@example.com');
  });

  it('works with TLS Sentinels and data nodes', async () => {
    const thaw = await startThaw({
      REDIS_URL: 'rediss://127.0.0.1:6379',
      REDIS_SENTINELS: sentinel.sentinels,
      REDIS_SENTINEL_MASTER: sentinel.masterName,
      REDIS_TLS_CA_FILE: tls.caFile,
    });
    await flowSendsTwoEmails(thaw, 'sentinel@example.com');
  });

  it('answers /readyz 503 instead of crashing when the certificate is not trusted', async () => {
    // The api role: a serve thaw now starts with Redis unreachable too, but its workers' shutdown
    // waits out SHUTDOWN_GRACE_MS for a Redis that never comes, longer than this hook may take.
    const logLines: string[] = [];
    const thaw = await startTestThaw(
      prefix,
      { ...world.env, REDIS_URL: node.url, THAW_ROLE: 'api', LOG_LEVEL: 'error' },
      { write: (line) => logLines.push(line) },
    );
    thaws.push(thaw);
    expect((await thaw.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const ready = await thaw.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ error: { code: 'not_ready' } });
    // Node's verdict on the test CA's certificate, as thaw logged it.
    expect(logLines.join('')).toMatch(/certificate/i);
  });
});
