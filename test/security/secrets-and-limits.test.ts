import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { start } from '../../src/main';
import { startRedisProcess } from '../chaos/redis-process';
import { baseTestEnv } from '../helpers/env';
import { eventually } from '../helpers/eventually';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { TEST_TOKEN, restoreFlow } from '../helpers/restore-flow';
import { startSesEmulator } from '../helpers/ses-emulator';
import type { SesEmulator } from '../helpers/ses-emulator';
import { startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';
import { noevictionState } from '../../src/queue/redis-policy';

const prefix = uniquePrefix('secrets');
let world: SnsWorld;
let ses: SesEmulator;
let redis: Redis;
let thaw: TestThaw;
const logged: string[] = [];

beforeAll(async () => {
  world = await startSnsWorld();
  ses = await startSesEmulator();
  redis = testRedis();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged.push(chunk.toString());
      done();
    },
  });
  thaw = await startTestThaw(
    prefix,
    {
      ...world.env,
      THAW_ROLE: 'serve',
      SES_ENDPOINT: ses.endpoint,
      LOG_LEVEL: 'trace',
      PUBLIC_BASE_URL: 'https://thaw.example.com',
      RATE_LIMIT_PER_MINUTE: '40',
    },
    sink,
  );
});
afterAll(async () => {
  await thaw.stop();
  await deletePrefix(redis, prefix);
  await redis.quit();
  await ses.stop();
  await world.close();
});

describe('secrets stay out of logs', () => {
  it('logs no API token, no customer link token, no recipient address', async () => {
    const flow = restoreFlow(thaw.app, world.signer);
    const id = await flow.register({
      bucket: 'secret-bucket',
      key: 'k.txt',
      recipient: { email: 'private.person@example.com' },
    });
    await flow.deliver(flow.signed([{ kind: 'completed', bucket: 'secret-bucket', key: 'k.txt' }]));
    const email = await eventually(async () => {
      const [found] = (await ses.emails()).filter((e) =>
        e.destination.to.includes('private.person@example.com'),
      );
      expect(found).toBeDefined();
      return found!;
    });
    const links = [
      ...(email.body.text ?? '').matchAll(/https:\/\/thaw\.example\.com\/(d|r)\/([A-Za-z0-9_-]+)/g),
    ];
    expect(links.length).toBeGreaterThanOrEqual(2);
    for (const [, kind, token] of links) await thaw.app.inject({ url: `/${kind}/${token}` });
    await thaw.app.inject({
      url: '/v1/restores/nope',
      headers: { authorization: 'Bearer wrong-token-with-some-length' },
    });
    await thaw.app.inject({ url: `/v1/restores/${id}`, headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    const all = logged.join('\n');
    expect(all.length).toBeGreaterThan(1000);
    expect(all).not.toContain(TEST_TOKEN);
    expect(all).not.toContain('wrong-token-with-some-length');
    for (const [, , token] of links) expect(all).not.toContain(token!);
    expect(all).not.toContain('private.person@example.com');
    expect(all).not.toContain(process.env.AWS_SECRET_ACCESS_KEY!);
    expect(all).toContain('/d/[token]');
  });
});

describe('rate limit on /v1', () => {
  it('answers 429 past RATE_LIMIT_PER_MINUTE, and never limits /sns', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 50; index += 1) {
      const response = await thaw.app.inject({
        url: '/v1/restores/r_none',
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    const limited = await thaw.app.inject({
      url: '/v1/restores/r_none',
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
    });
    expect(limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect(limited.headers['retry-after']).toBeDefined();
    const sns = await thaw.app.inject({
      method: 'POST',
      url: '/sns',
      payload: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(sns.statusCode).toBe(400);
  });
});

describe('the API token', () => {
  it('refuses tokens of every length and shape without erring', async () => {
    const candidates = [
      '',
      'a',
      TEST_TOKEN.slice(0, -1),
      `${TEST_TOKEN}x`,
      TEST_TOKEN.toUpperCase(),
      'é'.repeat(40),
      'x'.repeat(10000),
    ];
    const fresh = await startTestThaw(`${prefix}-auth`, { ...world.env, THAW_ROLE: 'api' });
    for (const candidate of candidates) {
      const response = await fresh.app.inject({
        url: '/v1/restores/r_x',
        headers: { authorization: `Bearer ${candidate}` },
      });
      expect(response.statusCode).toBe(401);
    }
    await fresh.stop();
  });
});

describe("Redis' eviction policy", () => {
  it('warns when it is not noeviction, and refuses to start with THAW_STRICT_REDIS=true', async () => {
    const evicting = await startRedisProcess();
    const client = new Redis(evicting.url);
    await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const env = {
      ...baseTestEnv(`${prefix}-evict`),
      ...world.env,
      REDIS_URL: evicting.url,
      THAW_ROLE: 'api',
    };
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) });
    const lenient = await start(
      loadConfig({ ...env, LOG_LEVEL: 'warn' }),
      createLogger({ level: 'warn', destination: sink }),
    );
    await lenient.shutdown.run('test');
    expect(lines.join('')).toMatch(/maxmemory-policy is allkeys-lru/);
    await expect(
      start(loadConfig({ ...env, THAW_STRICT_REDIS: 'true' }), createLogger({ level: 'silent' })),
    ).rejects.toMatchObject({
      code: 'redis_eviction_policy',
    });
    // thaw_redis_noeviction reads the policy at each scrape: 0 here, 1 once it is noeviction.
    expect(await noevictionState(client)).toBe(0);
    await client.config('SET', 'maxmemory-policy', 'noeviction');
    expect(await noevictionState(client)).toBe(1);
    const refusing = { config: () => Promise.reject(new Error("ERR unknown command 'CONFIG'")) };
    expect(await noevictionState(refusing as unknown as Redis)).toBe(-1);
    await client.quit();
    await evicting.stop();
  });
});
