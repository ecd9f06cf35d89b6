import type { z } from 'zod';
import { envSchema } from './env-schema';
import { redisConfigOf } from './redis-settings';

/**
 * The environment (`env-schema.ts`, one key per variable) turned into the shape thaw's code reads,
 * deeply frozen. The type is inferred from this schema: a new setting is one line in the
 * environment schema and one here. Durations become milliseconds here, once, and their names say
 * so; the few kept in seconds are those whose readers take seconds (a signed message's age, a
 * Redis TTL in seconds, a presigned URL's lifetime).
 */
export const configSchema = envSchema.transform((e) =>
  deepFreeze({
    role: e.THAW_ROLE,
    logLevel: e.LOG_LEVEL,
    http: {
      port: e.PORT,
      host: e.HOST,
      /**
       * Whose X-Forwarded-For to believe for the client address (rate limits): `false` nobody, a
       * number of proxy hops, or proxy addresses/CIDRs. Default `false`.
       */
      trustProxy: e.TRUST_PROXY,
    },
    redis: redisConfigOf(e),
    aws: {
      /** Region tried first for a bucket (each bucket's own is learned from S3), and SES's default. */
      region: e.AWS_REGION,
      /** Region of the SES v2 endpoint; defaults to `region`. */
      sesRegion: e.SES_REGION ?? e.AWS_REGION,
      s3Endpoint: e.S3_ENDPOINT,
      s3ForcePathStyle: e.S3_FORCE_PATH_STYLE,
      sesEndpoint: e.SES_ENDPOINT,
    },
    mail: {
      from: e.MAIL_FROM,
      configurationSet: e.SES_CONFIGURATION_SET,
      /** Emails per second across all worker processes (SES MaxSendRate). Default 14. */
      maxSendRate: e.SES_MAX_SEND_RATE,
      concurrency: e.NOTIFY_CONCURRENCY,
      /** A send claim older than this, with no outcome recorded, is in doubt. Default 2 minutes. */
      inDoubtMs: ms(e.SEND_IN_DOUBT_SECONDS),
      throttleBackoffMs: e.SES_THROTTLE_BACKOFF_MS,
      /** An operator's template folder; its files replace the built-in ones. */
      templatesDir: e.TEMPLATES_DIR,
    },
    apiToken: e.API_TOKEN,
    /**
     * Token of the operator board's actions (`/admin/queues`); unset, the board is read-only (the
     * API token may look, nobody may act). Default: none.
     */
    adminToken: e.ADMIN_TOKEN,
    sns: {
      topicArns: e.SNS_TOPIC_ARNS,
      /** Topics carrying SES bounce/complaint/send feedback (SNS_FEEDBACK_TOPIC_ARNS). */
      feedbackTopicArns: e.SNS_FEEDBACK_TOPIC_ARNS ?? [],
      trustedHosts: e.SNS_TRUSTED_HOSTS,
      minSignatureVersion: e.SNS_MIN_SIGNATURE_VERSION,
      /** Oldest signed Timestamp accepted, in seconds (the verifier's unit); 0 turns the replay guard off. */
      maxAgeSeconds: e.SNS_MAX_AGE_SECONDS,
      allowHttp: e.SNS_ALLOW_HTTP,
      bodyLimitBytes: e.SNS_BODY_LIMIT_BYTES,
      certFetchTimeoutMs: e.SNS_CERT_FETCH_TIMEOUT_MS,
      certMaxBytes: e.SNS_CERT_MAX_BYTES,
      certCacheSize: e.SNS_CERT_CACHE_SIZE,
      /** How long a downloaded signing certificate is kept. Default one day. */
      certCacheTtlMs: ms(e.SNS_CERT_CACHE_TTL_SECONDS),
      /** A certificate URL whose download failed is not fetched again for this long. Default 60 s. */
      certFailureTtlMs: ms(e.SNS_CERT_FAILURE_TTL_SECONDS),
      /** Distinct certificate downloads per process per minute; past it `/sns` answers 503. Default 20. */
      certFetchesPerMinute: e.SNS_CERT_FETCHES_PER_MINUTE,
    },
    events: {
      eventBridgeKeysUrlEncoded: e.EVENTBRIDGE_KEYS_URL_ENCODED,
      /** How long a content-identical event is refused after the first one, in seconds (the producer's unit). */
      dedupeTtlSeconds: e.EVENT_DEDUPE_TTL_SECONDS,
      enqueueTimeoutMs: e.ENQUEUE_TIMEOUT_MS,
    },
    requests: {
      /** How long finished requests stay readable. Default 30 days. */
      retentionMs: ms(e.REQUEST_RETENTION_SECONDS),
      /** How long an event waits for a request registered after it. Default one day. */
      earlyEventWindowMs: ms(e.EARLY_EVENT_WINDOW_SECONDS),
      /** How long before a restored copy expires the `expiring` reminder goes out. Default one day. */
      expiringReminderMs: ms(e.EXPIRING_REMINDER_SECONDS),
      /** Grace after a restore's expected time before it counts as delayed. Default one hour. */
      overdueMarginMs: ms(e.OVERDUE_MARGIN_SECONDS),
      /** How long after registration a restore may take to show up in S3 before it counts as never started. Default 15 minutes. */
      restoreStartGraceMs: ms(e.RESTORE_START_GRACE_SECONDS),
      /** How long after a copy's expiry the reconciler checks for a lost expiry event. Default one hour. */
      expiryCheckMs: ms(e.EXPIRY_CHECK_SECONDS),
      /** How often the reconciler runs. Default one minute. */
      reconcileIntervalMs: ms(e.RECONCILE_INTERVAL_SECONDS),
      reconcileBatch: e.RECONCILE_BATCH,
      correlationConcurrency: e.CORRELATION_CONCURRENCY,
      /** BullMQ lock of a running job, and how often stalled jobs are looked for. Default 30 s. */
      workerLockMs: e.WORKER_LOCK_MS,
      /** Parallel S3 calls while registering a several-object request. Default 16. */
      s3Concurrency: e.S3_CONCURRENCY,
      /** How long an Idempotency-Key of POST /v1/restores is remembered. Default one day. */
      idempotencyTtlMs: ms(e.IDEMPOTENCY_TTL_SECONDS),
    },
    links: {
      /** Lifetime of a download link, in seconds (a presigned URL's unit). Default 7 days. */
      downloadTtlSeconds: e.DOWNLOAD_LINK_TTL_SECONDS,
      publicBaseUrl: e.PUBLIC_BASE_URL,
    },
    /** Requests per minute per client on `/v1/*`; 0 turns the limit off. */
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    /** Refuse to start unless Redis' maxmemory-policy is noeviction (otherwise only warn). */
    strictRedis: e.THAW_STRICT_REDIS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
  }),
);

/** thaw's configuration: what `configSchema` produces, read-only all the way down. */
export type Config = z.output<typeof configSchema>;

export type ThawRole = Config['role'];

function ms(seconds: number): number {
  return seconds * 1000;
}

/** `T` with every property and array read-only; a RegExp is left as it is (it keeps `lastIndex`). */
export type DeepReadonly<T> = T extends RegExp
  ? T
  : T extends readonly (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (value && typeof value === 'object' && !(value instanceof RegExp)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value as DeepReadonly<T>;
}
