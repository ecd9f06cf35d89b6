import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as a thaw process exported it over OTLP/HTTP (JSON encoding). */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Empty for a trace's root. */
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  /** The exporting process's `thaw.role` resource attribute. */
  readonly role: string;
  readonly serviceName: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Start time, ns since the epoch. */
  readonly start: bigint;
}

export const SPAN_KINDS: Readonly<Record<number, string>> = {
  1: 'internal',
  2: 'server',
  3: 'client',
  4: 'producer',
  5: 'consumer',
};

/**
 * A loopback OTLP/HTTP receiver (`POST /v1/traces`, JSON), as a collector would listen on 4318:
 * it keeps every span it is sent in memory, for a test to read back.
 */
export interface OtlpReceiver {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT (the exporters append /v1/traces). */
  readonly url: string;
  readonly spans: ReceivedSpan[];
  close(): Promise<void>;
}

interface OtlpAttribute {
  readonly key: string;
  readonly value: Readonly<Record<string, unknown>>;
}

interface OtlpExport {
  readonly resourceSpans?: readonly {
    readonly resource?: { readonly attributes?: readonly OtlpAttribute[] };
    readonly scopeSpans?: readonly {
      readonly spans?: readonly {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        startTimeUnixNano?: string | number;
        attributes?: readonly OtlpAttribute[];
      }[];
    }[];
  }[];
}

function attributesOf(list: readonly OtlpAttribute[] | undefined): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) attributes[key] = Object.values(value)[0];
  return attributes;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
      for (const resourceSpans of body.resourceSpans ?? []) {
        const resource = attributesOf(resourceSpans.resource?.attributes);
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ?? '',
              name: span.name,
              kind: span.kind,
              role: String(resource['thaw.role']),
              serviceName: String(resource['service.name']),
              attributes: attributesOf(span.attributes),
              start: BigInt(span.startTimeUnixNano ?? 0),
            });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The span and its ancestors among `spans`, nearest first. */
export function lineage(spans: readonly ReceivedSpan[], span: ReceivedSpan): ReceivedSpan[] {
  const byId = new Map(spans.map((candidate) => [candidate.spanId, candidate]));
  const chain: ReceivedSpan[] = [];
  for (let current: ReceivedSpan | undefined = span; current; current = byId.get(current.parentSpanId)) {
    chain.push(current);
  }
  return chain;
}

/** The children of `parent` among `spans`, in the order they were received. */
export function childrenOf(spans: readonly ReceivedSpan[], parent: ReceivedSpan): ReceivedSpan[] {
  return spans.filter((span) => span.parentSpanId === parent.spanId);
}

/** The spans of one trace as an indented tree, children in the order they started. */
export function spanTree(spans: readonly ReceivedSpan[], traceId: string): string {
  const inTrace = spans
    .filter((span) => span.traceId === traceId)
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const ids = new Set(inTrace.map((span) => span.spanId));
  const lines: string[] = [];
  const visit = (span: ReceivedSpan, depth: number) => {
    const labels = [span.role, SPAN_KINDS[span.kind] ?? String(span.kind)].filter((label) => label !== '');
    lines.push(`${'  '.repeat(depth)}${span.name}  [${labels.join(', ')}]`);
    for (const child of inTrace.filter((candidate) => candidate.parentSpanId === span.spanId))
      visit(child, depth + 1);
  };
  for (const root of inTrace.filter((span) => !ids.has(span.parentSpanId))) visit(root, 0);
  return lines.join('\n');
}
