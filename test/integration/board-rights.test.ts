import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { queuePrefix } from '../../src/keys';
import { QUEUE_NAMES } from '../../src/queue/queue-names';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';

/**
 * Who may do what on the operator board (`/admin/queues`): with API_TOKEN alone it is read-only;
 * its actions (add, retry, clean, empty, pause, …) need a separately set ADMIN_TOKEN.
 */
const prefix = uniquePrefix('board-rights');
const API_TOKEN = 'api-token-board-0123456789abcdef';
const ADMIN_TOKEN = 'admin-token-board-fedcba9876543210';
const env = {
  THAW_ROLE: 'api',
  API_TOKEN,
  SNS_TOPIC_ARNS: 'arn:aws:sns:us-east-1:123456789012:board-rights',
};
let redis: Redis;
/** API_TOKEN only (no ADMIN_TOKEN): the board must be read-only for everyone. */
let apiOnly: TestThaw;
/** API_TOKEN and ADMIN_TOKEN: the admin token may act, the API token may only look. */
let withAdmin: TestThaw;
let apiOnlyQueue: Queue;
let withAdminQueue: Queue;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const basic = (token: string) => ({
  authorization: `Basic ${Buffer.from(`ops:${token}`).toString('base64')}`,
});

beforeAll(async () => {
  redis = testRedis();
  apiOnly = await startTestThaw(`${prefix}-a`, env);
  withAdmin = await startTestThaw(`${prefix}-b`, { ...env, ADMIN_TOKEN });
  apiOnlyQueue = new Queue(QUEUE_NAMES.notifications, {
    connection: redis,
    prefix: queuePrefix(`${prefix}-a`, QUEUE_NAMES.notifications),
  });
  withAdminQueue = new Queue(QUEUE_NAMES.notifications, {
    connection: redis,
    prefix: queuePrefix(`${prefix}-b`, QUEUE_NAMES.notifications),
  });
});
afterAll(async () => {
  await apiOnlyQueue.close();
  await withAdminQueue.close();
  await apiOnly.stop();
  await withAdmin.stop();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

/** Every kind of action the board offers, as its UI sends them. */
function actions(jobId: string) {
  const base = `/admin/queues/api/queues/${QUEUE_NAMES.notifications}`;
  return [
    {
      method: 'POST' as const,
      url: `${base}/add`,
      payload: { name: 'failed', data: { requestId: 'r_handmade', kind: 'failed' } },
    },
    { method: 'PUT' as const, url: `${base}/empty` },
    { method: 'PUT' as const, url: `${base}/pause` },
    { method: 'PUT' as const, url: '/admin/queues/api/queues/pause' },
    { method: 'PUT' as const, url: `${base}/clean/completed` },
    { method: 'PUT' as const, url: `${base}/retry/failed` },
    { method: 'PUT' as const, url: `${base}/${jobId}/promote` },
    { method: 'PUT' as const, url: `${base}/${jobId}/clean` },
    { method: 'PATCH' as const, url: `${base}/${jobId}/update-data`, payload: { data: { x: 1 } } },
    { method: 'PUT' as const, url: `${base}/obliterate`, payload: { force: true } },
  ];
}

describe('operator board rights', () => {
  it('with API_TOKEN alone, the board is read-only: views answer, every action is refused', async () => {
    await apiOnlyQueue.add(
      'completed',
      { requestId: 'r_waiting', kind: 'completed' },
      { jobId: 'r_waiting-completed', delay: 60_000 },
    );
    const page = await apiOnly.app.inject({ url: '/admin/queues', headers: bearer(API_TOKEN) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('thaw queues (read-only)');
    const listed = await apiOnly.app.inject({ url: '/admin/queues/api/queues', headers: basic(API_TOKEN) });
    expect(listed.statusCode).toBe(200);
    const queues = (listed.json() as { queues: { name: string; readOnlyMode: boolean }[] }).queues;
    expect(queues.map((queue) => [queue.name, queue.readOnlyMode]).sort()).toEqual([
      ['maintenance', true],
      ['notifications', true],
      ['restore-events', true],
    ]);

    for (const action of actions('r_waiting-completed')) {
      const answer = await apiOnly.app.inject({ ...action, headers: bearer(API_TOKEN) });
      expect([action.method, action.url, answer.statusCode]).toEqual([action.method, action.url, 403]);
      expect(answer.json()).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    }
    expect(await apiOnlyQueue.getJobCounts('waiting', 'delayed')).toEqual({
      waiting: 0,
      delayed: 1,
    });
    expect(await apiOnlyQueue.isPaused()).toBe(false);
  });

  it('with ADMIN_TOKEN set, the API token still only looks and the admin token acts', async () => {
    const looked = await withAdmin.app.inject({
      url: '/admin/queues/api/queues',
      headers: bearer(API_TOKEN),
    });
    expect(looked.statusCode).toBe(200);
    expect(
      (looked.json() as { queues: { readOnlyMode: boolean }[] }).queues.every((q) => q.readOnlyMode),
    ).toBe(true);
    const [add] = actions('none');
    expect((await withAdmin.app.inject({ ...add!, headers: bearer(API_TOKEN) })).statusCode).toBe(403);
    expect(await withAdminQueue.count()).toBe(0);

    const operator = await withAdmin.app.inject({
      url: '/admin/queues/api/queues',
      headers: basic(ADMIN_TOKEN),
    });
    expect(operator.statusCode).toBe(200);
    const operatorPage = await withAdmin.app.inject({ url: '/admin/queues/', headers: basic(ADMIN_TOKEN) });
    expect(operatorPage.body).toMatch(/<title>thaw queues</);
    expect(
      (operator.json() as { queues: { readOnlyMode: boolean }[] }).queues.some((q) => q.readOnlyMode),
    ).toBe(false);
    const added = await withAdmin.app.inject({ ...add!, headers: bearer(ADMIN_TOKEN) });
    expect(added.statusCode).toBe(200);
    expect(await withAdminQueue.count()).toBe(1);
    const emptied = await withAdmin.app.inject({
      method: 'PUT',
      url: `/admin/queues/api/queues/${QUEUE_NAMES.notifications}/empty`,
      headers: basic(ADMIN_TOKEN),
    });
    expect(emptied.statusCode).toBe(200);
    expect(await withAdminQueue.count()).toBe(0);
  });

  it('answers 401 without a token, with a wrong one, and with an admin token nobody configured', async () => {
    for (const headers of [{}, bearer('wrong-token-0123456789abcdef'), basic('nope')]) {
      const answer = await withAdmin.app.inject({ url: '/admin/queues', headers });
      expect(answer.statusCode).toBe(401);
      expect(answer.headers['www-authenticate']).toMatch(/^Basic/);
    }
    const put = await withAdmin.app.inject({
      method: 'PUT',
      url: `/admin/queues/api/queues/${QUEUE_NAMES.notifications}/empty`,
    });
    expect(put.statusCode).toBe(401);
    expect(
      (await apiOnly.app.inject({ url: '/admin/queues', headers: bearer(ADMIN_TOKEN) })).statusCode,
    ).toBe(401);
  });
});
