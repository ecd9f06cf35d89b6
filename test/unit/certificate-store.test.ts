import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCertificateStore } from '../../src/ingest/certificate-store';
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

  it('does not cache a failed download', async () => {
    handler = (_request, response) => response.writeHead(503).end();
    const certificates = store();
    await expect(certificates.get(url())).rejects.toMatchObject({
      code: 'cert_unavailable',
      httpStatus: 503,
    });
    handler = (_request, response) => response.writeHead(200).end(certificatePem);
    await expect(certificates.get(url())).resolves.toHaveProperty('publicKey');
    expect(requests).toHaveLength(2);
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
