import type * as Instrumentations from './instrumentations';
import { readTracingSettings } from './tracing-settings';
import type { TracingSettings } from './tracing-settings';

/**
 * Imported first by main.ts, before fastify, ioredis or the AWS SDK load: OpenTelemetry's
 * instrumentations patch those modules as they are required, so they must be in place before.
 * With tracing off (no OTEL_* variables), nothing of OpenTelemetry's SDK is loaded.
 */
export const tracingSettings: TracingSettings = readTracingSettings(process.env);

if (tracingSettings.enabled) {
  // A require, not an import: the instrumentation packages load only when tracing is on.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./instrumentations') as typeof Instrumentations).installInstrumentations(
    tracingSettings.instrumentations,
  );
}
