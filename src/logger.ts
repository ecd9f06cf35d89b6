import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import pino from 'pino';
import type { Logger } from 'pino';

export type { Logger } from 'pino';

/** Field names that hold secrets wherever thaw could log them. */
const SECRET_FIELDS = [
  'apiToken',
  'adminToken',
  'authorization',
  'token',
  'Token',
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
];

/** The objects those fields can sit in when logged: a config, HTTP headers, AWS credentials. */
const SECRET_PARENTS = ['', 'config.', 'headers.', 'req.headers.', 'credentials.', 'err.config.'];

/**
 * Paths masked in every log line. Tokens in customer URLs (`/r/:token`, `/d/:token`) are masked
 * by the HTTP layer before a URL reaches a log line; tokens in Redis errors by `serializeError`.
 * Explicit paths, no `*.` wildcards: each wildcard made every log line ~1.5 µs slower (eight of
 * them cost the SNS endpoint 4 % of its CPU).
 */
export const REDACT_PATHS: readonly string[] = SECRET_PARENTS.flatMap((parent) =>
  SECRET_FIELDS.map((field) => `${parent}${field}`),
);

/** A Redis key holding a customer link token: `<prefix>:dl:<token>` or `<prefix>:page:<token>`. */
const TOKEN_KEY = /(:(?:dl|page):)[A-Za-z0-9_-]+/g;

/** How deep an error's fields are searched; anything deeper is left out rather than risked. */
const MAX_ERROR_DEPTH = 6;

/**
 * pino's error serializer, minus what a Redis error quotes. ioredis puts the failed command on the
 * error (`command: { name, args }`), and its arguments hold keys and values that can be customer
 * link tokens: `<prefix>:dl:<token>`, or a page token handed to a script as a plain value. So the
 * command keeps its name and loses its arguments, in the error and in every error inside it (a
 * cause, an aggregate, a cluster error's `lastNodeError`); token-bearing keys quoted in any text
 * are masked. Runs only when an error is logged.
 */
export function serializeError(value: unknown): unknown {
  return scrubbed(pino.stdSerializers.err(value as Error), 0);
}

function scrubbed(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.replace(TOKEN_KEY, '$1[token]');
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_ERROR_DEPTH) return '[nested]';
  if (Array.isArray(value)) return value.map((item) => scrubbed(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    copy[name] = name === 'command' ? commandName(field) : scrubbed(field, depth + 1);
  }
  return copy;
}

function commandName(command: unknown): { name: unknown } | undefined {
  return typeof command === 'object' && command !== null
    ? { name: (command as { name?: unknown }).name }
    : undefined;
}

const NO_TRACE: Record<string, string> = Object.freeze({});

/**
 * The trace a log line was written in (OpenTelemetry's field names, as its pino instrumentation
 * writes them), so a log search and a trace find each other. Outside a span, or with tracing off:
 * nothing.
 */
export function traceFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (!span) return NO_TRACE;
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return NO_TRACE;
  return {
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: `0${spanContext.traceFlags.toString(16)}`,
  };
}

export interface LoggerOptions {
  readonly level: string;
  readonly destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'thaw' },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      serializers: { err: serializeError },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceFields,
      // pino's default merge writes the line's fields into the mixin's object: a line outside a
      // trace keeps its own fields, untouched and without a copy.
      mixinMergeStrategy: (fields, trace) => (trace === NO_TRACE ? fields : Object.assign(trace, fields)),
    },
    options.destination ?? standardOutput(),
  );
}

/**
 * stdout written asynchronously: a synchronous write per log line was a quarter of the SNS
 * endpoint's CPU. Lines still leave one by one (no buffering threshold), and what is pending is
 * written out synchronously when the process exits, so the last lines before a crash survive.
 */
function standardOutput(): pino.DestinationStream {
  const destination = pino.destination({ dest: 1, sync: false });
  process.once('exit', () => {
    try {
      destination.flushSync();
    } catch {
      // nothing more can be done while exiting
    }
  });
  return destination;
}
