import type { FastifyInstance } from 'fastify';
import type { RestoreRequest } from '../../src/domain/restore-request';
import { buildApp } from '../../src/http/app';
import { withoutSecret } from '../../src/http/routes/status-page';
import type { StatusPageRouteOptions } from '../../src/http/routes/status-page';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/observability/metrics';
import { BUILT_IN_PAGES_DIR, createPageRenderer } from '../../src/pages/page-renderer';
import { NOW, linksFor, objectState, storedRequest } from './status-page-fixtures';

/** `GET /r/:token` through fastify's inject: headers, 404s, failures, and what reaches the log. */
const TOKEN = 'PageTokenPageTokenPageToken0123';
const pages = createPageRenderer({ pagesDir: BUILT_IN_PAGES_DIR });

interface World {
  app: FastifyInstance;
  logLines: string[];
  linkCalls: number[][];
}

async function world(requests: Record<string, RestoreRequest>, failWith?: Error): Promise<World> {
  const logLines: string[] = [];
  const linkCalls: number[][] = [];
  const links: StatusPageRouteOptions['links'] = {
    async resolvePage(token) {
      if (failWith) throw failWith;
      return token === TOKEN ? 'r_1' : token === `${TOKEN}x` ? 'r_gone' : null;
    },
    async linksFor(_request, indexes) {
      linkCalls.push([...indexes]);
      return { urls: linksFor(indexes), expiresAt: null };
    },
  };
  const app = await buildApp({
    logger: createLogger({ level: 'debug', destination: { write: (line: string) => logLines.push(line) } }),
    metrics: createMetrics(),
    snsIngest: undefined,
    snsBodyLimitBytes: 1024,
    restores: undefined,
    downloads: undefined,
    statusPage: { links, pages, getRequest: async (id) => requests[id] ?? null, now: () => NOW },
    isReady: async () => true,
    version: 'test',
  });
  return { app, logLines, linkCalls };
}

const mixed = storedRequest([
  objectState({ status: 'completed', restoreExpiryTime: '2026-12-05T00:00:00Z' }),
  objectState({ status: 'initiated', expectedBy: '2026-11-28T14:00:00Z' }),
  objectState({ status: 'completed', restoreExpiryTime: '2026-11-01T00:00:00Z' }),
]);

describe('GET /r/:token', () => {
  let current: World | undefined;
  afterEach(async () => {
    await current?.app.close();
    current = undefined;
  });

  it('answers with the page and strict headers; links only for downloadable objects', async () => {
    current = await world({ r_1: mixed });
    const response = await current.app.inject({ url: `/r/${TOKEN}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-language']).toBe('en');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toBe(
      `default-src 'none'; style-src ${pages.styleSource}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    expect(csp).not.toContain('unsafe-inline');
    expect(current.linkCalls).toEqual([[0]]);
    expect(response.body).toContain('1 of 3 ready');
  });

  it('never writes the token to the log', async () => {
    current = await world({ r_1: mixed });
    await current.app.inject({ url: `/r/${TOKEN}?utm=1` });
    await current.app.inject({ url: `/r/${TOKEN}x` });
    const log = current.logLines.join('');
    expect(log).toContain('"url":"/r/[token]?utm=1"');
    expect(log).not.toContain(TOKEN);
  });

  it('unknown tokens get a friendly English 404 page with the same headers', async () => {
    current = await world({ r_1: mixed });
    for (const url of ['/r/not-a-known-token-0000000000', '/r/%3Cscript%3E', `/r/${TOKEN}x`]) {
      const response = await current.app.inject({ url });
      expect([url, response.statusCode]).toEqual([url, 404]);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['content-security-policy']).toContain("default-src 'none'");
      expect(response.body).toContain('This link is not valid any more');
      expect(response.body).not.toContain('<script>');
    }
  });

  it('a withdrawn request gets the 404 page in its recipient’s language', async () => {
    const cancelled = {
      ...storedRequest([objectState()], { recipient: { locale: 'de', timeZone: 'Europe/Berlin' } }),
      cancelledAt: '2026-11-28T09:30:00.000Z',
    };
    current = await world({ r_1: cancelled });
    const response = await current.app.inject({ url: `/r/${TOKEN}` });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-language']).toBe('de');
    expect(response.body).toContain('Dieser Link ist nicht mehr gültig');
    expect(current.linkCalls).toEqual([]);
  });

  it('a failure on our side is a 503 page, logged without the token', async () => {
    const failure = Object.assign(new Error(`Connection is closed. (GET {thaw}:page:${TOKEN})`), {
      code: 'ECONNRESET',
    });
    current = await world({}, failure);
    const response = await current.app.inject({ url: `/r/${TOKEN}` });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('We cannot show this page right now');
    const log = current.logLines.join('');
    expect(log).toContain('status page failed');
    expect(log).toContain('{thaw}:page:[token]');
    expect(log).not.toContain(TOKEN);
  });
});

describe('withoutSecret', () => {
  it('masks the secret in message and stack, keeps name and code', () => {
    const error = Object.assign(new TypeError('bad abc123 here'), { code: 'E_X' });
    const safe = withoutSecret(error, 'abc123');
    expect(safe.message).toBe('bad [token] here');
    expect(safe.stack).not.toContain('abc123');
    expect(safe.name).toBe('TypeError');
    expect((safe as Error & { code?: string }).code).toBe('E_X');
    expect(withoutSecret('plain abc123', 'abc123').message).toBe('plain [token]');
  });
});
