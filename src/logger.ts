import pino from 'pino';
import type { Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths that may hold secrets anywhere thaw logs an object. Tokens in customer URLs
 * (`/r/:token`, `/d/:token`) are masked by the HTTP layer before a URL reaches a log line.
 */
const REDACT_PATHS = [
  'apiToken',
  '*.apiToken',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'headers.authorization',
  'token',
  '*.token',
  'Token',
  '*.Token',
  'accessKeyId',
  '*.accessKeyId',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
];

export interface LoggerOptions {
  readonly level: string;
  readonly destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'thaw' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
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
