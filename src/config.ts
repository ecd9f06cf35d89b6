import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Configuration is read from the environment once, here, validated by one schema that also gives
 * its type, and frozen. Nothing else in thaw reads `process.env`.
 * Names and defaults are thaw's published interface (the README's table): kept, only added to.
 * Names carry their unit where they have one.
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

const TRUST_PROXY_FORMS =
  'the number of proxies in front of thaw (1 behind one load balancer), or a comma-separated list of their addresses or CIDRs (10.0.0.0/8,192.168.1.7), or false';

/** Range names proxy-addr (fastify's trustProxy) knows besides addresses and CIDRs. */
const PROXY_RANGE_NAMES: ReadonlySet<string> = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrCidr(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address = '', bits, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/**
 * TRUST_PROXY: who may tell thaw the client's address (X-Forwarded-For), which the rate limit
 * counts by. `false`/`0`: nobody; `N`: the N proxies nearest thaw (the client is the Nth entry from
 * the right); a list: proxies at those addresses. `true` (every hop) let a client choose its own
 * address by sending the header, so it is refused rather than guessed at.
 */
const trustProxy = z
  .string()
  .default('false')
  .transform((value, ctx): false | number | string[] => {
    const text = value.trim();
    const word = text.toLowerCase();
    if (word === 'false' || word === 'no' || word === '0') return false;
    if (word === 'true' || word === 'yes') {
      ctx.addIssue({
        code: 'custom',
        message: `true is refused: it believed every X-Forwarded-For entry, so any client could choose its own address; set ${TRUST_PROXY_FORMS}`,
      });
      return z.NEVER;
    }
    if (/^\d{1,3}$/.test(text)) return Number(text) || false;
    const entries = text.split(',').map((entry) => entry.trim());
    if (entries.every(isAddressOrCidr)) return entries;
    ctx.addIssue({ code: 'custom', message: `must be ${TRUST_PROXY_FORMS}` });
    return z.NEVER;
  });

const envSchema = z.object({
  PORT: integer(0, 65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  THAW_ROLE: z.enum(['serve', 'api', 'worker']).default('serve'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  REDIS_URL: url.default('redis://127.0.0.1:6379'),
  THAW_PREFIX: z
    .string()
    // `:` too: prefixes like `tests:thaw` are a common way to share one Redis.
    .regex(/^[\w{}.:-]{1,64}$/, 'may hold letters, digits, _ . - : { } only')
    .default('thaw'),

  AWS_REGION: z.string().min(1).default('us-east-1'),
  S3_ENDPOINT: url.optional(),
  S3_FORCE_PATH_STYLE: booleanString.default(false),
  SES_ENDPOINT: url.optional(),
  // SES is not offered in every region where buckets live; default: AWS_REGION.
  SES_REGION: z.string().min(1).optional(),
  MAIL_FROM: requiredString,
  SES_CONFIGURATION_SET: optionalString,

  // Any length is accepted (the contract names no minimum); a short one is warned about at start.
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
});

export type ThawRole = 'serve' | 'api' | 'worker';

export interface Config {
  readonly role: ThawRole;
  readonly logLevel: string;
  readonly http: {
    readonly port: number;
    readonly host: string;
    /**
     * Whose X-Forwarded-For to believe for the client address (rate limits): `false` nobody, a
     * number of proxy hops, or proxy addresses/CIDRs. Default `false`.
     */
    readonly trustProxy: false | number | readonly string[];
  };
  readonly redis: { readonly url: string; readonly prefix: string };
  readonly aws: {
    /** Region tried first for a bucket (each bucket's own is learned from S3), and SES's default. */
    readonly region: string;
    /** Region of the SES v2 endpoint; defaults to `region`. */
    readonly sesRegion: string;
    readonly s3Endpoint: string | undefined;
    readonly s3ForcePathStyle: boolean;
    readonly sesEndpoint: string | undefined;
  };
  readonly mail: {
    readonly from: string;
    readonly configurationSet: string | undefined;
    /** Emails per second across all worker processes (SES MaxSendRate). */
    readonly maxSendRate: number;
    readonly concurrency: number;
    /** A send claim older than this, with no outcome recorded, is in doubt, seconds. */
    readonly inDoubtSeconds: number;
    readonly throttleBackoffMs: number;
    /** An operator's template folder; its files replace the built-in ones. */
    readonly templatesDir: string | undefined;
  };
  readonly apiToken: string;
  /**
   * Token of the operator board's actions (`/admin/queues`); unset, the board is read-only (the
   * API token may look, nobody may act). Default: none.
   */
  readonly adminToken: string | undefined;
  readonly sns: {
    readonly topicArns: readonly string[];
    /** Topics carrying SES bounce/complaint/send feedback (SNS_FEEDBACK_TOPIC_ARNS). */
    readonly feedbackTopicArns: readonly string[];
    readonly trustedHosts: RegExp;
    readonly minSignatureVersion: number;
    /** Oldest signed Timestamp accepted, in seconds; 0 turns the replay guard off. */
    readonly maxAgeSeconds: number;
    readonly allowHttp: boolean;
    readonly bodyLimitBytes: number;
    readonly certFetchTimeoutMs: number;
    readonly certMaxBytes: number;
    readonly certCacheSize: number;
    readonly certCacheTtlSeconds: number;
    /** A certificate URL whose download failed is not fetched again for this long, seconds. Default 60. */
    readonly certFailureTtlSeconds: number;
    /** Distinct certificate downloads per process per minute; past it `/sns` answers 503. Default 20. */
    readonly certFetchesPerMinute: number;
  };
  readonly events: {
    readonly eventBridgeKeysUrlEncoded: boolean;
    /** How long a content-identical event is refused after the first one, in seconds. */
    readonly dedupeTtlSeconds: number;
    readonly enqueueTimeoutMs: number;
  };
  readonly requests: {
    /** How long finished requests stay readable, in seconds. */
    readonly retentionSeconds: number;
    /** How long an event waits for a request registered after it, in seconds. */
    readonly earlyEventWindowSeconds: number;
    /** How long before a restored copy expires the `expiring` reminder goes out, in seconds. */
    readonly expiringReminderSeconds: number;
    /** Grace after a restore's expected time before it counts as delayed, in seconds. */
    readonly overdueMarginSeconds: number;
    /** How long after registration a restore may take to show up in S3 before it counts as never started, in seconds. */
    readonly restoreStartGraceSeconds: number;
    /** How long after a copy's expiry the reconciler checks for a lost expiry event, in seconds. */
    readonly expiryCheckSeconds: number;
    /** How often the reconciler runs, in seconds. */
    readonly reconcileIntervalSeconds: number;
    readonly reconcileBatch: number;
    readonly correlationConcurrency: number;
    /** BullMQ lock of a running job, and how often stalled jobs are looked for, in milliseconds. */
    readonly workerLockMs: number;
    /** Parallel S3 calls while registering a several-object request. */
    readonly s3Concurrency: number;
    readonly idempotencyTtlSeconds: number;
  };
  readonly links: { readonly downloadTtlSeconds: number; readonly publicBaseUrl: string | undefined };
  /** Requests per minute per client on `/v1/*`; 0 turns the limit off. */
  readonly rateLimitPerMinute: number;
  /** Refuse to start unless Redis' maxmemory-policy is noeviction (otherwise only warn). */
  readonly strictRedis: boolean;
  readonly shutdownGraceMs: number;
}

export class ConfigError extends Error {
  readonly code = 'config_invalid';
  readonly retryable = false;
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Shortest token that is not warned about: 16 characters of a random token are ~95 bits. */
export const RECOMMENDED_TOKEN_LENGTH = 16;

/** Settings that work but should not reach production; logged as warnings at start. */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  const short = (name: string, value: string) => {
    if (value.length < RECOMMENDED_TOKEN_LENGTH) {
      warnings.push(
        `${name} is shorter than ${RECOMMENDED_TOKEN_LENGTH} characters: use a long random token (openssl rand -hex 24) outside local tests`,
      );
    }
  };
  short('API_TOKEN', config.apiToken);
  if (config.adminToken === config.apiToken) {
    warnings.push(
      'ADMIN_TOKEN equals API_TOKEN: every API client may act on the operator board (add, retry, clean, empty, pause); give it a token of its own',
    );
  } else if (config.adminToken !== undefined) short('ADMIN_TOKEN', config.adminToken);
  if (config.sns.allowHttp) {
    warnings.push(
      'SNS_ALLOW_HTTP is true: certificate and subscription URLs may be plain http (local use only)',
    );
  }
  if (config.links.publicBaseUrl === undefined && config.aws.s3Endpoint === undefined) {
    // Against AWS, a presigned URL dies with the credentials that signed it (a task or instance
    // role's session lasts hours, not the 7 days asked), and with a session token it is ~1,600
    // characters: longer than an email line may be, so the text part has to cut it.
    warnings.push(
      'PUBLIC_BASE_URL is unset: emails carry presigned S3 URLs, which stop working when the role session that signed them ends and are too long for one email line; set it so links are minted at click time',
    );
  }
  warnings.push(...replayWindowWarnings(config));
  return warnings;
}

/**
 * A signed SNS message may be replayed (by anyone who saw it) for SNS_MAX_AGE_SECONDS; an event is
 * remembered, and a repeat refused, for EVENT_DEDUPE_TTL_SECONDS. A replay between the two is
 * processed again. A warning, not a refusal: both values keep the meaning the contract gives
 * SNS_MAX_AGE_SECONDS (0 included), and correlation ignores events from before a restore thaw
 * started, so a replay cannot move such a request.
 */
function replayWindowWarnings(config: Config): string[] {
  const { maxAgeSeconds } = config.sns;
  const { dedupeTtlSeconds } = config.events;
  const remedy =
    'an old restore event replayed after its dedupe record expired is processed again (requests that only record interest, or stored before the upgrade, may move); set SNS_MAX_AGE_SECONDS between 1 and EVENT_DEDUPE_TTL_SECONDS (which may be raised to 30 days)';
  if (maxAgeSeconds === 0) {
    return [
      `SNS_MAX_AGE_SECONDS is 0 (no age check) while EVENT_DEDUPE_TTL_SECONDS (${dedupeTtlSeconds}) is finite: ${remedy}`,
    ];
  }
  if (maxAgeSeconds > dedupeTtlSeconds) {
    return [
      `SNS_MAX_AGE_SECONDS (${maxAgeSeconds}) is longer than EVENT_DEDUPE_TTL_SECONDS (${dedupeTtlSeconds}): ${remedy}`,
    ];
  }
  return [];
}

/** Parses and freezes the configuration; throws one ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(blankToUndefined(env));
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(env)'} ${issue.message}`,
    );
    throw new ConfigError(problems);
  }
  const e = result.data;
  return deepFreeze({
    role: e.THAW_ROLE,
    logLevel: e.LOG_LEVEL,
    http: { port: e.PORT, host: e.HOST, trustProxy: e.TRUST_PROXY },
    redis: { url: e.REDIS_URL, prefix: e.THAW_PREFIX },
    aws: {
      region: e.AWS_REGION,
      sesRegion: e.SES_REGION ?? e.AWS_REGION,
      s3Endpoint: e.S3_ENDPOINT,
      s3ForcePathStyle: e.S3_FORCE_PATH_STYLE,
      sesEndpoint: e.SES_ENDPOINT,
    },
    mail: {
      from: e.MAIL_FROM,
      configurationSet: e.SES_CONFIGURATION_SET,
      maxSendRate: e.SES_MAX_SEND_RATE,
      concurrency: e.NOTIFY_CONCURRENCY,
      inDoubtSeconds: e.SEND_IN_DOUBT_SECONDS,
      throttleBackoffMs: e.SES_THROTTLE_BACKOFF_MS,
      templatesDir: e.TEMPLATES_DIR,
    },
    apiToken: e.API_TOKEN,
    adminToken: e.ADMIN_TOKEN,
    sns: {
      topicArns: e.SNS_TOPIC_ARNS,
      feedbackTopicArns: e.SNS_FEEDBACK_TOPIC_ARNS ?? [],
      trustedHosts: e.SNS_TRUSTED_HOSTS,
      minSignatureVersion: e.SNS_MIN_SIGNATURE_VERSION,
      maxAgeSeconds: e.SNS_MAX_AGE_SECONDS,
      allowHttp: e.SNS_ALLOW_HTTP,
      bodyLimitBytes: e.SNS_BODY_LIMIT_BYTES,
      certFetchTimeoutMs: e.SNS_CERT_FETCH_TIMEOUT_MS,
      certMaxBytes: e.SNS_CERT_MAX_BYTES,
      certCacheSize: e.SNS_CERT_CACHE_SIZE,
      certCacheTtlSeconds: e.SNS_CERT_CACHE_TTL_SECONDS,
      certFailureTtlSeconds: e.SNS_CERT_FAILURE_TTL_SECONDS,
      certFetchesPerMinute: e.SNS_CERT_FETCHES_PER_MINUTE,
    },
    events: {
      eventBridgeKeysUrlEncoded: e.EVENTBRIDGE_KEYS_URL_ENCODED,
      dedupeTtlSeconds: e.EVENT_DEDUPE_TTL_SECONDS,
      enqueueTimeoutMs: e.ENQUEUE_TIMEOUT_MS,
    },
    requests: {
      retentionSeconds: e.REQUEST_RETENTION_SECONDS,
      earlyEventWindowSeconds: e.EARLY_EVENT_WINDOW_SECONDS,
      expiringReminderSeconds: e.EXPIRING_REMINDER_SECONDS,
      overdueMarginSeconds: e.OVERDUE_MARGIN_SECONDS,
      restoreStartGraceSeconds: e.RESTORE_START_GRACE_SECONDS,
      expiryCheckSeconds: e.EXPIRY_CHECK_SECONDS,
      reconcileIntervalSeconds: e.RECONCILE_INTERVAL_SECONDS,
      reconcileBatch: e.RECONCILE_BATCH,
      correlationConcurrency: e.CORRELATION_CONCURRENCY,
      workerLockMs: e.WORKER_LOCK_MS,
      s3Concurrency: e.S3_CONCURRENCY,
      idempotencyTtlSeconds: e.IDEMPOTENCY_TTL_SECONDS,
    },
    links: { downloadTtlSeconds: e.DOWNLOAD_LINK_TTL_SECONDS, publicBaseUrl: e.PUBLIC_BASE_URL },
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    strictRedis: e.THAW_STRICT_REDIS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
  });
}

/**
 * Just what the operator commands (`thaw failed`, `thaw sending`) need: where Redis is and which
 * prefix the deployment uses, validated by the same rules as the service's.
 */
export function loadRedisConfig(env: Record<string, string | undefined>): Config['redis'] {
  const schema = envSchema.pick({ REDIS_URL: true, THAW_PREFIX: true });
  const result = schema.safeParse(blankToUndefined(env));
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  return Object.freeze({ url: result.data.REDIS_URL, prefix: result.data.THAW_PREFIX });
}

/** An empty variable means "not set", as in most shells' `VAR=` idiom. */
function blankToUndefined(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) out[name] = value === '' ? undefined : value;
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof RegExp)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
