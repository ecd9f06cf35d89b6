/**
 * Whether thaw exports traces, decided by OpenTelemetry's own environment variables (no
 * thaw-specific names): an OTLP endpoint, or OTEL_TRACES_EXPORTER, turns them on; OTEL_SDK_DISABLED
 * or OTEL_TRACES_EXPORTER=none keeps them off. Nothing set: off, and no OpenTelemetry code loads.
 * OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS choose among the
 * instrumentations by the names OpenTelemetry's Node auto-instrumentation gives them (`http`,
 * `ioredis`, `aws-sdk`). Everything else (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
 * OTEL_TRACES_SAMPLER(_ARG), OTEL_BSP_*, OTEL_EXPORTER_OTLP_*_HEADERS, _TIMEOUT...) is read by the
 * SDK itself.
 */
export type TracingSettings =
  | { readonly enabled: false; readonly problem?: string }
  | ({
      readonly enabled: true;
      readonly exporter: 'otlp';
      /** OTLP over HTTP; gRPC's exporter (and its dependencies) is not bundled. */
      readonly protocol: 'http/protobuf' | 'http/json';
    } & Instrumented)
  | ({ readonly enabled: true; readonly exporter: 'console' } & Instrumented);

export const INSTRUMENTATION_NAMES = ['http', 'ioredis', 'aws-sdk'] as const;
export type InstrumentationName = (typeof INSTRUMENTATION_NAMES)[number];

interface Instrumented {
  /** The instrumentations to install; thaw's own and BullMQ's spans are always made. */
  readonly instrumentations: readonly InstrumentationName[];
}

const PROTOCOLS = new Set(['http/protobuf', 'http/json']);

export function readTracingSettings(env: NodeJS.ProcessEnv): TracingSettings {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return { enabled: false };
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (exporters.includes('none')) return { enabled: false };
  if (exporters.length === 0 && !endpoint?.trim()) return { enabled: false };
  const [exporter = 'otlp', ...others] = exporters;
  if (others.length > 0 || (exporter !== 'otlp' && exporter !== 'console')) {
    return {
      enabled: false,
      problem: `OTEL_TRACES_EXPORTER=${env.OTEL_TRACES_EXPORTER} is not supported (otlp, console or none): traces are off`,
    };
  }
  const instrumented = { instrumentations: chosenInstrumentations(env) };
  if (exporter === 'console') return { enabled: true, exporter, ...instrumented };
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ??
    env.OTEL_EXPORTER_OTLP_PROTOCOL ??
    'http/protobuf'
  )
    .trim()
    .toLowerCase();
  if (!PROTOCOLS.has(protocol)) {
    return {
      enabled: false,
      problem: `OTLP protocol ${protocol} is not supported (http/protobuf, the default, or http/json; collectors take both on port 4318): traces are off`,
    };
  }
  return {
    enabled: true,
    exporter: 'otlp',
    protocol: protocol as 'http/protobuf' | 'http/json',
    ...instrumented,
  };
}

/** All of them, or those OTEL_NODE_ENABLED_INSTRUMENTATIONS names, less those it disables. */
function chosenInstrumentations(env: NodeJS.ProcessEnv): InstrumentationName[] {
  const listed = (value: string | undefined) =>
    new Set(
      (value ?? '')
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter((name) => name !== ''),
    );
  const enabled = listed(env.OTEL_NODE_ENABLED_INSTRUMENTATIONS);
  const disabled = listed(env.OTEL_NODE_DISABLED_INSTRUMENTATIONS);
  return INSTRUMENTATION_NAMES.filter(
    (name) => (enabled.size === 0 || enabled.has(name)) && !disabled.has(name),
  );
}
