import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config';
import { buildApp } from '../../src/http/app';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/observability/metrics';

/**
 * Behind one load balancer (TRUST_PROXY=1), the client's address is the one the balancer appended
 * to X-Forwarded-For: the rightmost entry. Whatever a client writes to the left of it is its own
 * invention and must not give it a fresh rate-limit allowance.
 */
const API_TOKEN = 'forwarded-for-token-0123456789';
const LIMIT = 3;

async function appTrusting(trustProxy: string): Promise<FastifyInstance> {
  const config = loadConfig({
    MAIL_FROM: 'thaw@example.com',
    API_TOKEN,
    SNS_TOPIC_ARNS: 'arn:aws:sns:us-east-1:123456789012:restores',
    TRUST_PROXY: trustProxy,
  });
  return buildApp({
    logger: createLogger({ level: 'silent' }),
    metrics: createMetrics({ collectDefaults: false }),
    snsIngest: undefined,
    snsBodyLimitBytes: 1024,
    restores: {
      apiToken: API_TOKEN,
      rateLimitPerMinute: LIMIT,
      register: async () => {
        throw new Error('unused');
      },
      store: { get: async () => null, listIdsByObject: async () => [], cancel: async () => false },
    },
    downloads: undefined,
    isReady: async () => true,
    version: '0.0.0-test',
    trustProxy: config.http.trustProxy,
  });
}

/** One request through the balancer at 10.0.0.2, from the client at `client`, claiming to be `forged`. */
function through(app: FastifyInstance, client: string, forged: string) {
  return app.inject({
    url: '/v1/restores/r_abcdefghijkl',
    remoteAddress: '10.0.0.2',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'x-forwarded-for': `${forged}, ${client}` },
  });
}

describe('the rate limit identity behind a proxy', () => {
  it('TRUST_PROXY=1: a forged leftmost X-Forwarded-For entry does not give a client a new allowance', async () => {
    const app = await appTrusting('1');
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i += 1) {
      statuses.push((await through(app, '203.0.113.7', `198.51.100.${i}`)).statusCode);
    }
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    // Another real client (another rightmost entry) has its own allowance.
    expect((await through(app, '203.0.113.8', '198.51.100.1')).statusCode).toBe(404);
    await app.close();
  });

  it('TRUST_PROXY as CIDRs: the nearest address outside them is the client', async () => {
    const app = await appTrusting('10.0.0.0/8');
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 1; i += 1) {
      statuses.push((await through(app, '203.0.113.9', `198.51.100.${i}`)).statusCode);
    }
    expect(statuses).toEqual([404, 404, 404, 429]);
    await app.close();
  });

  it('TRUST_PROXY unset: X-Forwarded-For is ignored and the socket address counts', async () => {
    const app = await appTrusting('false');
    const first = await through(app, '203.0.113.10', '198.51.100.1');
    expect(first.statusCode).toBe(404);
    const statuses: number[] = [];
    // Sequential: @fastify/rate-limit's local store hands every concurrent request the same
    // (mutated) counter, so a concurrent burst reads the final count.
    for (const i of [1, 2, 3]) statuses.push((await through(app, `203.0.113.${20 + i}`, 'x')).statusCode);
    expect(statuses).toEqual([404, 404, 429]);
    await app.close();
  });
});
