import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback stand-in for one AWS service: a plain HTTP server that receives the real SDK's real
 * request, records it, and answers whatever the test's `answer` function says. A mocked client
 * proves only our error mapping; this proves the request itself (method, path, query, headers,
 * body), which is what S3 or SES parse and may refuse.
 *
 * Point an SDK client at it with `endpoint` (and `forcePathStyle: true` for S3, so the bucket is in
 * the path rather than the host name).
 */

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string, percent-decoded once (as the service reads it). */
  readonly path: string;
  /** Path exactly as sent on the wire, query included. */
  readonly rawUrl: string;
  /** Query parameters, decoded; a repeated name keeps its last value. */
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface StandInAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export type AnswerFunction = (request: RecordedRequest) => StandInAnswer | Promise<StandInAnswer>;

export interface AwsStandIn {
  /** Base URL for the SDK's `endpoint`, e.g. `http://127.0.0.1:40123`. */
  readonly endpoint: string;
  /** Every request received since start (or the last `clear()`), oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** The only request received; fails the test when there were none or several. */
  only(): RecordedRequest;
  /** Changes how later requests are answered. */
  answerWith(answer: AnswerFunction): void;
  clear(): void;
  stop(): Promise<void>;
}

export async function startAwsStandIn(answer: AnswerFunction): Promise<AwsStandIn> {
  const requests: RecordedRequest[] = [];
  let current = answer;
  const sockets = new Set<Socket>();

  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const rawUrl = incoming.url ?? '/';
      const url = new URL(rawUrl, 'http://stand-in');
      const recorded: RecordedRequest = {
        method: incoming.method ?? '',
        path: decodeURIComponent(url.pathname),
        rawUrl,
        query: Object.fromEntries(url.searchParams.entries()),
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      Promise.resolve()
        .then(() => current(recorded))
        .then(
          (reply) => {
            outgoing.writeHead(reply.status, reply.headers ?? {});
            outgoing.end(reply.body ?? '');
          },
          (error: unknown) => {
            outgoing.writeHead(500, { 'content-type': 'text/plain' });
            outgoing.end(`stand-in answer failed: ${String(error)}`);
          },
        );
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    only() {
      if (requests.length !== 1) {
        throw new Error(
          `expected exactly one request, got ${requests.length}: ` +
            requests.map((r) => `${r.method} ${r.rawUrl}`).join(', '),
        );
      }
      return requests[0]!;
    },
    answerWith(next) {
      current = next;
    },
    clear() {
      requests.length = 0;
    },
    async stop() {
      // SDK clients keep connections alive: close them, or close() waits for their idle timeout.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An AWS query-protocol or REST-XML error body, as S3, SNS and SQS send it. */
export function s3ErrorXml(code: string, message: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message>` +
    '<RequestId>4442587FB7D0A2F9</RequestId><HostId>stand-in</HostId></Error>'
  );
}

/** The query parameters of an AWS query-protocol body (`Action=...&Version=...`). */
export function formParams(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body).entries());
}
