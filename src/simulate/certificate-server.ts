import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';

/** A loopback HTTP server that hands out a signing certificate the way SNS's hosts do. */
export interface CertificateServer {
  /** The SigningCertURL under which the certificate is served. */
  readonly certUrl: string;
  readonly origin: string;
  /** How many times the certificate was downloaded. */
  readonly hits: () => number;
  /** Also serves `/?Action=ConfirmSubscription...`; records the URLs it was asked for. */
  readonly confirmations: string[];
  close(): Promise<void>;
}

export async function startCertificateServer(
  certificatePem: string,
  host = '127.0.0.1',
): Promise<CertificateServer> {
  const path = `/SimpleNotificationService-${createHash('md5').update(certificatePem).digest('hex')}.pem`;
  let hits = 0;
  const confirmations: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? host}`);
    if (url.pathname === path) {
      hits += 1;
      response.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(certificatePem);
      return;
    }
    if (url.pathname === '/' && url.searchParams.get('Action') === 'ConfirmSubscription') {
      confirmations.push(url.href);
      response.writeHead(200, { 'content-type': 'text/xml' }).end('<ConfirmSubscriptionResponse/>');
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host}:${port}`;
  return {
    certUrl: `${origin}${path}`,
    origin,
    hits: () => hits,
    confirmations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
