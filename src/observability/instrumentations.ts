import { IncomingMessage } from 'node:http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { maskTokens } from './masked-url';
import type { InstrumentationName } from './tracing-settings';

/** Probes and scrapes: a span each would bury the traces that matter. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * The standard instrumentations thaw uses, patched into ioredis, node:http and the AWS SDK as they
 * are required: so this runs before anything else loads them (instrument-first.ts). Spans go to
 * whichever tracer provider is registered later (tracer-provider.ts).
 *
 * - HTTP, incoming only: the server span of each request, named by its route (http/app.ts), its
 *   path without customer tokens. Outgoing HTTP is left to the AWS SDK's own spans (one per call,
 *   not one per attempt and connection).
 * - ioredis, only inside a span: BullMQ's blocking polls and lock renewals would each start a
 *   trace. The statement is the command name alone: arguments hold keys with customer link tokens
 *   and request contents.
 * - AWS SDK: one client span per S3 or SES call, with its request id.
 *
 * OTEL_NODE_DISABLED_INSTRUMENTATIONS=ioredis drops the Redis spans, most of a trace's spans.
 */
export function installInstrumentations(chosen: readonly InstrumentationName[]): void {
  const available: Record<InstrumentationName, () => Instrumentation> = {
    http: () =>
      new HttpInstrumentation({
        disableOutgoingRequestInstrumentation: true,
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has(pathOf(request)),
        requestHook: (span, request) => {
          if (request instanceof IncomingMessage) span.setAttribute('url.path', maskTokens(pathOf(request)));
        },
      }),
    ioredis: () =>
      new IORedisInstrumentation({
        requireParentSpan: true,
        dbStatementSerializer: (command) => command,
      }),
    'aws-sdk': () => new AwsInstrumentation({ suppressInternalInstrumentation: true }),
  };
  registerInstrumentations({ instrumentations: chosen.map((name) => available[name]()) });
}

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
