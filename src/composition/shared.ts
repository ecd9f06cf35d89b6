import type { RedisClient } from '../redis/redis-connection';
import type { Config } from '../config';
import type { StoreTuning } from '../correlate/restore-store';
import type { RedisKeys } from '../keys';
import type { Logger } from '../logger';
import { createDownloadLinks } from '../notify/download-links';
import type { DownloadLinks } from '../notify/download-links';
import type { Mailer } from '../notify/mailer';
import { createPresigner } from '../notify/presigned-url';
import type { TemplateRenderer } from '../notify/template-renderer';
import type { AwsRejectionObserver } from '../observability/aws-rejections';
import type { Metrics } from '../observability/metrics';
import type { Tracing } from '../observability/tracer-provider';
import type { QueueTelemetry } from '../queue/queues';
import type { RegionalS3 } from '../restore/regional-s3';
import type { S3Restorer } from '../restore/s3-restorer';
import type { Shutdown } from '../shutdown';

/** What the composition root builds once and hands to the HTTP side and the worker side. */
export interface Shared {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Counts and logs AWS refusing a request thaw built (a thaw bug). */
  readonly onAwsRejected: AwsRejectionObserver;
  readonly keys: RedisKeys;
  readonly tuning: StoreTuning;
  readonly s3: RegionalS3;
  readonly restorer: S3Restorer;
  readonly renderer: TemplateRenderer;
  readonly shutdown: Shutdown;
  readonly version: string;
  /** Parts a benchmark or test may swap (an in-process counting mailer); production passes none. */
  readonly overrides: StartOverrides;
  /** BullMQ's telemetry option when traces are on (job data carries the trace), else undefined. */
  readonly queueTelemetry: QueueTelemetry | undefined;
}

export interface StartOverrides {
  readonly mailer?: Mailer;
  /** Traces, when OTEL_* variables turn them on (main.ts) or a test collects spans itself. */
  readonly tracing?: Tracing;
}

export function storeTuning(config: Config): StoreTuning {
  const { requests } = config;
  return {
    retentionMs: requests.retentionMs,
    overdueMarginMs: requests.overdueMarginMs,
    expiryCheckMs: requests.expiryCheckMs,
    reminderLeadMs: requests.expiringReminderMs,
    earlyWindowMs: requests.earlyEventWindowMs,
    idempotencyTtlMs: requests.idempotencyTtlMs,
    historyCap: 3000,
  };
}

/** Download links over one Redis connection (the HTTP side's fails fast, the workers' waits). */
export function downloadLinks(shared: Shared, redis: RedisClient): DownloadLinks {
  return createDownloadLinks({
    redis,
    keys: shared.keys,
    presign: createPresigner({ s3: shared.s3 }),
    linkTtlSeconds: shared.config.links.downloadTtlSeconds,
    publicBaseUrl: shared.config.links.publicBaseUrl,
    retentionMs: shared.config.requests.retentionMs,
  });
}
