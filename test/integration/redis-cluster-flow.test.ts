/**
 * thaw on a real Redis Cluster (3 primaries, 3 replicas): the whole path from a registered restore
 * through signed SNS deliveries to the emails, then where thaw's keys landed. The store is one hash
 * tag and each BullMQ queue another (src/keys.ts), so every key of one of them hashes to one slot,
 * and no Lua step or MULTI ever spans two (no CROSSSLOT in the logs). The operator CLI reads the
 * same REDIS_CLUSTER_NODES. Nothing here touches the shared test Redis.
 */
import { runFailed } from '../../src/cli/failed-command';
import { runSending } from '../../src/cli/sending-command';
import { barePrefix, queuePrefix, storePrefix } from '../../src/keys';
import { QUEUE_NAMES } from '../../src/queue/queue-names';
import { baseTestEnv } from '../helpers/env';
import { uniquePrefix } from '../helpers/redis';
import { startRedisCluster } from '../helpers/redis-topologies';
import type { RedisCluster } from '../helpers/redis-topologies';
import { expectPostThenCompletedFlow } from '../helpers/post-then-completed';
import { startSesEmulator } from '../helpers/ses-emulator';
import type { SesEmulator } from '../helpers/ses-emulator';
import { startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';

jest.setTimeout(30_000);

const prefix = uniquePrefix('redis-cluster-flow');
let cluster: RedisCluster;
let world: SnsWorld;
let ses: SesEmulator;
let thaw: TestThaw;
const logLines: string[] = [];

function clusterEnv(): Record<string, string> {
  return { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: cluster.seeds };
}

beforeAll(async () => {
  [cluster, world, ses] = await Promise.all([
    startRedisCluster({ primaries: 3, replicasPerPrimary: 1 }),
    startSnsWorld(),
    startSesEmulator(),
  ]);
  thaw = await startTestThaw(
    prefix,
    {
      ...world.env,
      ...clusterEnv(),
      THAW_ROLE: 'serve',
      SES_ENDPOINT: ses.endpoint,
      SES_MAX_SEND_RATE: '1000',
      LOG_LEVEL: 'info',
    },
    { write: (line) => logLines.push(line) },
  );
});

afterAll(async () => {
  await thaw?.stop();
  await ses?.stop();
  await world?.close();
  await cluster?.stop();
});

const recipient = { email: 'ada@example.com' };
const object = { bucket: 'archive-bucket', key: 'cluster/ledger 1843.pdf' };

/** Every key under this file's prefix on every primary, with the slot the cluster gives it. */
async function keysOnPrimaries(): Promise<{ key: string; slot: number }[]> {
  const found: { key: string; slot: number }[] = [];
  for (const primary of await cluster.primaries()) {
    let cursor = '0';
    do {
      const [next, keys] = (await primary.call(
        'SCAN',
        cursor,
        'MATCH',
        `*${barePrefix(prefix)}*`,
        'COUNT',
        1000,
      )) as [string, string[]];
      cursor = next;
      for (const key of keys)
        found.push({ key, slot: Number(await primary.call('CLUSTER', 'KEYSLOT', key)) });
    } while (cursor !== '0');
  }
  return found;
}

describe('thaw on a Redis Cluster', () => {
  it('sends exactly one initiated and one completed email for Post then Completed', async () => {
    const { request, emails } = await expectPostThenCompletedFlow(
      thaw.app,
      world.signer,
      ses,
      object,
      recipient.email,
    );
    expect(new Set(emails.map((email) => email.messageId))).toEqual(
      new Set(request.notifications.map((n) => n.messageId)),
    );
  });

  it('keeps the store in one slot and each queue in one slot of its own', async () => {
    const keys = await keysOnPrimaries();
    const groups = new Map<string, Set<number>>();
    const tags = [
      storePrefix(prefix),
      ...Object.values(QUEUE_NAMES).map((name) => queuePrefix(prefix, name)),
    ];
    for (const { key, slot } of keys) {
      const tag = tags.find((candidate) => key.startsWith(`${candidate}:`));
      if (!tag) throw new Error(`key ${key} is under none of thaw's hash tags`);
      groups.set(tag, (groups.get(tag) ?? new Set()).add(slot));
    }
    // The store, restore-events and notifications were all written by the flow above.
    expect(groups.has(storePrefix(prefix))).toBe(true);
    expect(groups.has(queuePrefix(prefix, QUEUE_NAMES.restoreEvents))).toBe(true);
    expect(groups.has(queuePrefix(prefix, QUEUE_NAMES.notifications))).toBe(true);
    const anyPrimary = (await cluster.primaries())[0]!;
    for (const [tag, slots] of groups) {
      expect({ tag, slots: [...slots] }).toEqual({
        tag,
        slots: [Number(await anyPrimary.call('CLUSTER', 'KEYSLOT', tag))],
      });
    }
    expect(logLines.join('')).not.toMatch(/CROSSSLOT/);
  });

  it('serves `thaw failed list` and `thaw sending status` with REDIS_CLUSTER_NODES', async () => {
    const env = { ...baseTestEnv(prefix), ...clusterEnv() };
    const out: string[] = [];
    const io = { out: (line: string) => out.push(line) };
    expect(await runFailed(['list'], io, env)).toBe(0);
    expect(await runSending(['status'], io, env)).toBe(0);
    expect(out.join('\n')).toMatch(/sending is running/);
    expect(out.join('\n')).not.toMatch(/CROSSSLOT|error/i);
  });
});
