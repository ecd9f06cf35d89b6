import { z } from 'zod';
import { checkRedisTopology, redisEnvShape } from './redis-settings';
import { trustProxy } from './trust-proxy';

/**
 * The environment thaw reads, variable by variable: names, defaults and validation messages are
 * thaw's published interface (the README's table), kept exactly and only added to. Names carry
 * their unit where they have one; `config-schema.ts` turns these values into the `Config` shape.
 */

const DEFAULT_TRUSTED_HOSTS = String.raw`^sns\.[a-z]{2}(-gov)?-[a-z]+-\d\.amazonaws\.com(\.cn)?$`;

const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const requiredString = z.string({ message: 'is required' }).trim().min(1, 'is required');

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const csvList = z.string({ message: 'is required' }).transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

const topicArnList = csvList.pipe(
  z.array(z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, 'is not an SNS topic ARN')),
);

const regex = z.string().transform((source, ctx) => {
  try {
    return new RegExp(source);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a valid regular expression' });
    return z.NEVER;
  }
});

const url = z.url({ message: 'must be a URL' });

export const envSchema = z
  .object({
    PORT: integer(0, 65535).default(3000),
    HOST: z.string().default('0.0.0.0'),
    THAW_ROLE: z.enum(['serve', 'api', 'worker']).default('serve'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    ...redisEnvShape,

    AWS_REGION: z.string().min(1).default('us-east-1'),
    S3_ENDPOINT: url.optional(),
    S3_FORCE_PATH_STYLE: booleanString.default(false),
    SES_ENDPOINT: url.optional(),
    // SES is not offered in every region where buckets live; default: AWS_REGION.
    SES_REGION: z.string().min(1).optional(),
    MAIL_FROM: requiredString,
    SES_CONFIGURATION_SET: optionalString,

    // Any length is accepted (the published interface names no minimum); a short one is warned about at start.
    API_TOKEN: requiredString,
    ADMIN_TOKEN: optionalString,

    SNS_TOPIC_ARNS: topicArnList.pipe(z.array(z.string()).min(1, 'is required')),
    SNS_TRUSTED_HOSTS: regex.default(new RegExp(DEFAULT_TRUSTED_HOSTS)),
    SNS_MIN_SIGNATURE_VERSION: z.enum(['1', '2']).default('1').transform(Number),
    SNS_MAX_AGE_SECONDS: integer(0, 365 * 86400).default(86400),
    SNS_ALLOW_HTTP: booleanString.default(false),
    SNS_BODY_LIMIT_BYTES: integer(1024, 8 * 1024 * 1024).default(256 * 1024 + 16 * 1024),
    SNS_CERT_FETCH_TIMEOUT_MS: integer(100, 60000).default(5000),
    SNS_CERT_MAX_BYTES: integer(1024, 1024 * 1024).default(64 * 1024),
    SNS_CERT_CACHE_SIZE: integer(1, 10000).default(100),
    SNS_CERT_CACHE_TTL_SECONDS: integer(1, 30 * 86400).default(86400),
    SNS_CERT_FAILURE_TTL_SECONDS: integer(1, 86400).default(60),
    SNS_CERT_FETCHES_PER_MINUTE: integer(1, 10000).default(20),
    EVENTBRIDGE_KEYS_URL_ENCODED: booleanString.default(true),
    EVENT_DEDUPE_TTL_SECONDS: integer(60, 30 * 86400).default(86400),
    ENQUEUE_TIMEOUT_MS: integer(50, 60000).default(3000),

    REQUEST_RETENTION_SECONDS: integer(60, 3650 * 86400).default(30 * 86400),
    EARLY_EVENT_WINDOW_SECONDS: integer(0, 30 * 86400).default(86400),
    EXPIRING_REMINDER_SECONDS: integer(0, 30 * 86400).default(86400),
    OVERDUE_MARGIN_SECONDS: integer(0, 7 * 86400).default(3600),
    RESTORE_START_GRACE_SECONDS: integer(0, 7 * 86400).default(900),
    EXPIRY_CHECK_SECONDS: integer(0, 7 * 86400).default(3600),
    RECONCILE_INTERVAL_SECONDS: integer(1, 86400).default(60),
    RECONCILE_BATCH: integer(1, 10000).default(200),
    CORRELATION_CONCURRENCY: integer(1, 1000).default(16),
    WORKER_LOCK_MS: integer(1000, 600000).default(30000),
    S3_CONCURRENCY: integer(1, 256).default(16),
    IDEMPOTENCY_TTL_SECONDS: integer(60, 30 * 86400).default(86400),

    SNS_FEEDBACK_TOPIC_ARNS: topicArnList.optional(),
    SES_MAX_SEND_RATE: z.coerce.number().positive().max(10000).default(14),
    NOTIFY_CONCURRENCY: integer(1, 1000).default(8),
    SEND_IN_DOUBT_SECONDS: integer(5, 86400).default(120),
    SES_THROTTLE_BACKOFF_MS: integer(100, 600000).default(1000),
    TEMPLATES_DIR: optionalString,

    DOWNLOAD_LINK_TTL_SECONDS: integer(1, 604800).default(604800),
    PUBLIC_BASE_URL: url.optional(),

    RATE_LIMIT_PER_MINUTE: integer(0, 1_000_000).default(6000),
    TRUST_PROXY: trustProxy,
    THAW_STRICT_REDIS: booleanString.default(false),

    SHUTDOWN_GRACE_MS: integer(0, 600000).default(25000),
  })
  .superRefine(checkRedisTopology);
