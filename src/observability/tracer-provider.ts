import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type * as OtlpHttpExporter from '@opentelemetry/exporter-trace-otlp-http';
import type * as OtlpProtoExporter from '@opentelemetry/exporter-trace-otlp-proto';
import type * as Resources from '@opentelemetry/resources';
import type * as SdkTraceNode from '@opentelemetry/sdk-trace-node';
import type { Telemetry } from 'bullmq';
import type { Logger } from '../logger';
import { raceTimeout } from '../timeout';
import type * as QueueTelemetryModule from './queue-telemetry';
import type { TracingSettings } from './tracing-settings';

/** Traces of one process: BullMQ's telemetry option, and the flush that ends them at shutdown. */
export interface Tracing {
  /** BullMQ's `telemetry` option; undefined with tracing off (BullMQ then calls no tracer at all). */
  readonly queueTelemetry: Telemetry<Context> | undefined;
  /** Sends the spans still buffered; the last releaser at shutdown. */
  shutdown(): Promise<void>;
}

/** How long the exit waits for the last spans to reach the collector. */
const FLUSH_AT_EXIT_MS = 5000;

export const TRACING_OFF: Tracing = { queueTelemetry: undefined, shutdown: async () => undefined };

export interface TracingIdentity {
  /** serve, api or worker: a resource attribute, so a trace shows which role ran each span. */
  readonly role: string;
  readonly version: string;
  /** Where the SDK's own warnings go: an export the collector refused or never answered. */
  readonly logger: Logger;
}

/**
 * Registers the global tracer provider that thaw's spans and the instrumentations' spans
 * (instrumentations.ts) go to: W3C trace context, spans batched to the exporter the settings name.
 * The resource is `service.name` (OTEL_SERVICE_NAME, default thaw), `service.version`, `thaw.role`,
 * plus OTEL_RESOURCE_ATTRIBUTES; the sampler is OTEL_TRACES_SAMPLER's (default parent-based,
 * always on).
 */
export function startTracing(settings: TracingSettings, identity: TracingIdentity): Tracing {
  if (!settings.enabled) return TRACING_OFF;
  // Loaded only when tracing is on; type-only imports above keep the SDK out of a tracing-off start.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider } =
    require('@opentelemetry/sdk-trace-node') as typeof SdkTraceNode;
  const { defaultResource, envDetector, detectResources, resourceFromAttributes } =
    require('@opentelemetry/resources') as typeof Resources;
  const { queueTelemetry } = require('./queue-telemetry') as typeof QueueTelemetryModule;
  /* eslint-enable @typescript-eslint/no-require-imports */

  const resource = defaultResource()
    .merge(
      resourceFromAttributes({
        'service.name': 'thaw',
        'service.version': identity.version,
        'thaw.role': identity.role,
      }),
    )
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(exporterFor(settings))],
  });
  provider.register();
  // Without a diag logger the SDK is silent: a collector that is down would lose every span unseen.
  const report = (message: string, ...args: unknown[]) =>
    identity.logger.warn(
      { detail: message, ...(args.length > 0 ? { args } : {}) },
      'OpenTelemetry reported a problem: spans may be lost',
    );
  const ignore = () => undefined;
  diag.setLogger(
    { error: report, warn: report, info: ignore, debug: ignore, verbose: ignore },
    DiagLogLevel.WARN,
  );
  return {
    queueTelemetry: queueTelemetry(identity.version),
    // Bounded: with the collector down, the last batch would otherwise hold up the exit for the
    // exporter's retries; those spans are lost either way (and reported as such).
    shutdown: async () => {
      await raceTimeout(provider.shutdown(), FLUSH_AT_EXIT_MS, () => undefined);
    },
  };

  function exporterFor(chosen: TracingSettings & { enabled: true }) {
    if (chosen.exporter === 'console') return new ConsoleSpanExporter();
    /* eslint-disable @typescript-eslint/no-require-imports */
    if (chosen.protocol === 'http/json') {
      const { OTLPTraceExporter } =
        require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttpExporter;
      return new OTLPTraceExporter();
    }
    const { OTLPTraceExporter } =
      require('@opentelemetry/exporter-trace-otlp-proto') as typeof OtlpProtoExporter;
    /* eslint-enable @typescript-eslint/no-require-imports */
    return new OTLPTraceExporter();
  }
}
