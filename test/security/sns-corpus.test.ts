import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { createSigner } from '../../src/simulate/sns-signer';
import { createSigningIdentity } from '../../src/simulate/signing-identity';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';
import { recordScenario } from '../chaos/report';
import { buildCorpus } from './sns-corpus';
import type { CorpusCase } from './sns-corpus';

const prefix = uniquePrefix('sns-corpus');
let world: SnsWorld;
let loopback: TestThaw;
let production: TestThaw;
let redirector: Server;
let redis: Redis;
let corpus: CorpusCase[];

beforeAll(async () => {
  world = await startSnsWorld();
  redis = testRedis();
  loopback = await startTestThaw(`${prefix}-l`, { ...world.env, THAW_ROLE: 'api' });
  // The production URL rules: default SNS_TRUSTED_HOSTS, https only, no ports.
  production = await startTestThaw(`${prefix}-p`, {
    SNS_TOPIC_ARNS: world.env.SNS_TOPIC_ARNS!,
    THAW_ROLE: 'api',
  });
  redirector = createServer((request, response) => {
    response.writeHead(302, { location: world.server.certUrl }).end();
    void request;
  });
  await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
  const redirectUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/SimpleNotificationService-0123456789abcdef.pem`;
  const stranger = await createSigningIdentity();
  corpus = buildCorpus(world.signer, createSigner(stranger.privateKeyPem, world.server.certUrl), redirectUrl);
});

afterAll(async () => {
  await loopback.stop();
  await production.stop();
  redirector.closeAllConnections();
  await new Promise((resolve) => redirector.close(resolve));
  await deletePrefix(redis, `${prefix}-l`);
  await deletePrefix(redis, `${prefix}-p`);
  await redis.quit();
  await world.close();
});

describe('hostile and broken SNS bodies', () => {
  it('has at least 60 cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
  });

  it('answers every case as expected, never 5xx, and stays up', async () => {
    const outcomes: { name: string; expected: number; got: number; code?: string }[] = [];
    const downloadsBefore = world.server.hits();
    for (const entry of corpus) {
      const app = entry.target === 'loopback' ? loopback.app : production.app;
      const response = await app.inject({
        method: 'POST',
        url: '/sns',
        payload: entry.body,
        headers: { 'content-type': 'text/plain; charset=UTF-8', ...entry.headers },
      });
      const code =
        response.statusCode === 200
          ? undefined
          : (response.json() as { error?: { code?: string } }).error?.code;
      outcomes.push({
        name: entry.name,
        expected: entry.status,
        got: response.statusCode,
        ...(code ? { code } : {}),
      });
    }
    const wrong = outcomes.filter(
      (outcome, index) =>
        outcome.got !== outcome.expected || (corpus[index]!.code && corpus[index]!.code !== outcome.code),
    );
    const byStatus: Record<number, number> = {};
    for (const outcome of outcomes) byStatus[outcome.got] = (byStatus[outcome.got] ?? 0) + 1;
    recordScenario('hostile SNS body corpus', {
      runs: 1,
      cases: corpus.length,
      byStatus,
      wrong: wrong.length,
    });
    expect(wrong).toEqual([]);
    expect(outcomes.every((outcome) => outcome.got < 500)).toBe(true);
    // Certificate URL tricks never made thaw download anything; only the valid URL was fetched.
    expect(world.server.hits() - downloadsBefore).toBeLessThanOrEqual(1);
    expect((await loopback.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await production.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });
});
