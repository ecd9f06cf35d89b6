import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Resources } from './resources';

/**
 * A loopback OTLP/HTTP trace endpoint that keeps nothing: it answers every export as a collector
 * would (200, an empty protobuf ExportTraceServiceResponse) and only counts. Decoding the spans
 * would cost the bench process CPU that the measured thaw process competes with.
 */
export interface OtlpSink {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  readonly endpoint: string;
  /** Exports (`POST /v1/traces`) received so far, and their bodies' bytes. */
  counts(): { exports: number; bytes: number };
  stop(): Promise<void>;
}

export async function startOtlpSink(resources: Resources): Promise<OtlpSink> {
  let exports = 0;
  let bytes = 0;
  const server = createServer((request, response) => {
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      exports += 1;
      bytes += received;
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const stop = resources.add('OTLP sink', async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { endpoint: `http://127.0.0.1:${port}`, counts: () => ({ exports, bytes }), stop };
}
