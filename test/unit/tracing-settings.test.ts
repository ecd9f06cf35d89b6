import { readTracingSettings } from '../../src/observability/tracing-settings';

describe('tracing settings from the standard OTEL_* variables', () => {
  it('is off with none of them set', () => {
    expect(readTracingSettings({})).toEqual({ enabled: false });
  });

  it('turns on with an OTLP endpoint, over http/protobuf unless told otherwise', () => {
    expect(readTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({
      enabled: true,
      exporter: 'otlp',
      protocol: 'http/protobuf',
      instrumentations: ['http', 'ioredis', 'aws-sdk'],
    });
    expect(
      readTracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }),
    ).toMatchObject({ enabled: true, exporter: 'otlp' });
  });

  it('takes the traces-specific protocol over the general one', () => {
    expect(
      readTracingSettings({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      }),
    ).toMatchObject({ protocol: 'http/json' });
  });

  it('turns on with OTEL_TRACES_EXPORTER alone (the SDK default endpoint, or the console)', () => {
    expect(readTracingSettings({ OTEL_TRACES_EXPORTER: 'otlp' })).toMatchObject({
      enabled: true,
      exporter: 'otlp',
    });
    expect(readTracingSettings({ OTEL_TRACES_EXPORTER: 'console' })).toMatchObject({
      enabled: true,
      exporter: 'console',
    });
  });

  it('stays off when OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none says so, endpoint or not', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(readTracingSettings({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toEqual({ enabled: false });
    expect(readTracingSettings({ ...endpoint, OTEL_SDK_DISABLED: 'TRUE' })).toEqual({ enabled: false });
    expect(readTracingSettings({ ...endpoint, OTEL_SDK_DISABLED: 'false' })).toMatchObject({ enabled: true });
    expect(readTracingSettings({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toEqual({ enabled: false });
  });

  it('says why it stays off for an exporter or protocol it does not bundle', () => {
    const grpc = readTracingSettings({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
    expect(grpc).toEqual({ enabled: false, problem: expect.stringContaining('grpc is not supported') });
    const zipkin = readTracingSettings({ OTEL_TRACES_EXPORTER: 'zipkin' });
    expect(zipkin).toEqual({
      enabled: false,
      problem: expect.stringContaining('OTEL_TRACES_EXPORTER=zipkin'),
    });
    expect(readTracingSettings({ OTEL_TRACES_EXPORTER: 'otlp,console' })).toMatchObject({ enabled: false });
  });

  it('installs the instrumentations OTEL_NODE_ENABLED/DISABLED_INSTRUMENTATIONS choose, by their standard names', () => {
    const on = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    const chosen = (env: NodeJS.ProcessEnv) => {
      const settings = readTracingSettings({ ...on, ...env });
      return settings.enabled ? settings.instrumentations : undefined;
    };
    expect(chosen({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'ioredis' })).toEqual(['http', 'aws-sdk']);
    expect(chosen({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: ' IORedis , http,fs' })).toEqual(['aws-sdk']);
    expect(chosen({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,aws-sdk' })).toEqual(['http', 'aws-sdk']);
    expect(
      chosen({
        OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,aws-sdk',
        OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http',
      }),
    ).toEqual(['aws-sdk']);
    expect(chosen({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: '' })).toEqual(['http', 'ioredis', 'aws-sdk']);
  });
});
