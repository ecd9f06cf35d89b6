import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCertificateStore } from '../../src/ingest/certificate-store';
import { createMetrics } from '../../src/observability/metrics';
import { createSigningIdentity } from '../../src/simulate/signing-identity';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server;
let origin: string;
let handler: Handler;
let requests: string[];
let certificatePem: string;

beforeAll(async () => {
  certificatePem = (await createSigningIdentity({ keySize: 2048 })).certificatePem;
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests = [];
  handler = (_request, response) => response.writeHead(200).end(certificatePem);
});

const url = (name = 'a') => new URL(`${origin}/SimpleNotificationService-${name}.pem`);
const store = (overrides: Partial<Parameters<typeof createCertificateStore>[0]> = {}) =>
  createCertificateStore({ timeoutMs: 500, maxBytes: 16384, cacheSize: 10, ttlMs: 60000, ...overrides });

describe('certificate store', () => {
  it('downloads a certificate once for many concurrent and later messages', async () => {
    const certificates = store();
    const results = await Promise.all(Array.from({ length: 50 }, () => certificates.get(url())));
    await certificates.get(url());
    expect(new Set(results.map((result) => result.publicKey)).size).toBe(1);
    expect(requests).toHaveLength(1);
    expect(certificates.downloads()).toBe(1);
  });

  it('gives up after the timeout, as a retryable failure', async () => {
    handler = () => undefined; // never answers
    await expect(store({ timeoutMs: 200 }).get(url())).rejects.toMatchObject({ httpStatus: 503 });
  });

  it('refuses redirects without following them', async () => {
    handler = (_request, response) =>
      response.writeHead(302, { location: `${origin}/SimpleNotificationService-b.pem` }).end();
    await expect(store().get(url())).rejects.toMatchObject({ reason: 'cert_refused' });
    expect(requests).toEqual(['/SimpleNotificationService-a.pem']);
  });

  it.each([404, 403, 204])('refuses status %i', async (status) => {
    handler = (_request, response) => response.writeHead(status).end();
    await expect(store().get(url())).rejects.toMatchObject({ reason: 'cert_refused', httpStatus: 403 });
  });

  it('refuses a body over the size cap, declared or streamed', async () => {
    handler = (_request, response) => response.writeHead(200).end('x'.repeat(20000));
    await expect(store().get(url())).rejects.toMatchObject({ reason: 'cert_refused' });
    handler = (_request, response) => {
      response.writeHead(200, { 'transfer-encoding': 'chunked' });
      const chunk = 'y'.repeat(4096);
      for (let index = 0; index < 100; index += 1) response.write(chunk);
      response.end();
    };
    await expect(store().get(url())).rejects.toMatchObject({ reason: 'cert_refused' });
  });

  it('refuses something that is not a certificate', async () => {
    handler = (_request, response) =>
      response.writeHead(200).end('-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n');
    await expect(store().get(url())).rejects.toMatchObject({ reason: 'cert_refused' });
  });

  it('keeps at most cacheSize certificates, so many URLs cannot grow memory', async () => {
    const certificates = store({ cacheSize: 3 });
    for (const name of ['a', 'b', 'c', 'd', 'a']) await certificates.get(url(name));
    // 'a' was evicted by 'd' (least recently used), so it was downloaded again.
    expect(requests.filter((path) => path.endsWith('-a.pem'))).toHaveLength(2);
  });

  it('downloads again once an entry expires', async () => {
    const certificates = store({ ttlMs: 50 });
    await certificates.get(url());
    await new Promise((resolve) => setTimeout(resolve, 80));
    await certificates.get(url());
    expect(requests).toHaveLength(2);
  });
});

describe('certificate store under a flood of fresh URLs', () => {
  it('remembers a failed download for failureTtlMs, without fetching it again meanwhile', async () => {
    let clock = 1_000_000;
    handler = (_request, response) => response.writeHead(503).end();
    const certificates = store({ failureTtlMs: 60_000, now: () => clock });
    await expect(certificates.get(url())).rejects.toMatchObject({
      code: 'cert_unavailable',
      httpStatus: 503,
    });
    handler = (_request, response) => response.writeHead(200).end(certificatePem);
    clock += 59_000;
    await expect(certificates.get(url())).rejects.toMatchObject({
      code: 'cert_unavailable',
      httpStatus: 503,
    });
    expect(requests).toHaveLength(1);
    clock += 1_001;
    await expect(certificates.get(url())).resolves.toHaveProperty('publicKey');
    expect(requests).toHaveLength(2);
  });

  it('remembers a refusal (404) as a refusal: 403 again, not fetched again', async () => {
    handler = (_request, response) => response.writeHead(404).end();
    const certificates = store({ failureTtlMs: 60_000 });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(certificates.get(url('404'))).rejects.toMatchObject({
        reason: 'cert_refused',
        httpStatus: 403,
      });
    }
    expect(requests).toHaveLength(1);
  });

  it('runs at most 4 downloads at once, the others waiting their turn', async () => {
    let active = 0;
    let peak = 0;
    handler = (_request, response) => {
      active += 1;
      peak = Math.max(peak, active);
      setTimeout(() => {
        active -= 1;
        response.writeHead(200).end(certificatePem);
      }, 30);
    };
    const certificates = store({ fetchesPerMinute: 100, cacheSize: 50 });
    const names = Array.from({ length: 12 }, (_, index) => `c${index}`);
    await Promise.all(names.map((name) => certificates.get(url(name))));
    expect(requests).toHaveLength(12);
    expect(peak).toBe(4);
  });

  it('answers 503 when no download slot frees within the timeout, and does not remember that', async () => {
    let finish: () => void = () => undefined;
    const started: string[] = [];
    const metrics = createMetrics({ collectDefaults: false });
    const certificates = store({
      maxConcurrentDownloads: 1,
      timeoutMs: 100,
      metrics,
      download: (target) => {
        started.push(target.pathname);
        if (!target.pathname.endsWith('-slow.pem')) return Promise.resolve(certificatePem);
        return new Promise((resolve) => (finish = () => resolve(certificatePem)));
      },
    });
    const slow = certificates.get(url('slow'));
    await expect(certificates.get(url('b'))).rejects.toMatchObject({ code: 'cert_busy', httpStatus: 503 });
    finish();
    await slow;
    await expect(certificates.get(url('b'))).resolves.toHaveProperty('publicKey');
    expect(started).toEqual(['/SimpleNotificationService-slow.pem', '/SimpleNotificationService-b.pem']);
    expect(await metrics.registry.metrics()).toContain(
      'thaw_sns_certificate_refusals_total{reason="busy"} 1',
    );
  });

  it('downloads at most fetchesPerMinute URLs a minute; past it refuses with 503 without fetching', async () => {
    let clock = 1_000_000;
    const metrics = createMetrics({ collectDefaults: false });
    const certificates = store({ fetchesPerMinute: 5, cacheSize: 50, now: () => clock, metrics });
    const names = Array.from({ length: 8 }, (_, index) => `d${index}`);
    const results = await Promise.allSettled(names.map((name) => certificates.get(url(name))));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(5);
    for (const result of results.slice(5)) {
      expect(result).toMatchObject({
        status: 'rejected',
        reason: { code: 'cert_budget_spent', httpStatus: 503 },
      });
    }
    expect(requests).toHaveLength(5);
    // A cached certificate needs no budget; a later minute brings a new one.
    await expect(certificates.get(url('d0'))).resolves.toHaveProperty('publicKey');
    expect(requests).toHaveLength(5);
    clock += 60_001;
    await expect(certificates.get(url('d7'))).resolves.toHaveProperty('publicKey');
    expect(requests).toHaveLength(6);
    const text = await metrics.registry.metrics();
    expect(text).toContain('thaw_sns_certificate_downloads_total{outcome="ok"} 6');
    expect(text).toContain('thaw_sns_certificate_refusals_total{reason="budget_spent"} 3');
  });

  it('counts failed downloads and refusals of recently failed URLs', async () => {
    handler = (_request, response) => response.writeHead(404).end();
    const metrics = createMetrics({ collectDefaults: false });
    const certificates = store({ metrics });
    await expect(certificates.get(url('gone'))).rejects.toMatchObject({ httpStatus: 403 });
    await expect(certificates.get(url('gone'))).rejects.toMatchObject({ httpStatus: 403 });
    handler = (_request, response) => response.writeHead(502).end();
    await expect(certificates.get(url('down'))).rejects.toMatchObject({ httpStatus: 503 });
    const text = await metrics.registry.metrics();
    expect(text).toContain('thaw_sns_certificate_downloads_total{outcome="refused"} 1');
    expect(text).toContain('thaw_sns_certificate_downloads_total{outcome="unavailable"} 1');
    expect(text).toContain('thaw_sns_certificate_refusals_total{reason="failed_recently"} 1');
  });
});
