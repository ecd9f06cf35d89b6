import { z } from 'zod';

/**
 * API shapes of `/v1/restores`. They validate input, type the handlers and, through
 * fastify-type-provider-zod, produce the OpenAPI description served at /openapi.json.
 */

const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** S3 general purpose bucket naming rules. */
export const bucketName = z
  .string()
  .min(3, 'bucket names have 3 to 63 characters')
  .max(63, 'bucket names have 3 to 63 characters')
  .regex(
    /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
    'bucket names use lower-case letters, digits, dots and hyphens, and start and end with a letter or digit',
  )
  .refine((name) => !name.includes('..'), 'bucket names have no two adjacent dots')
  .refine((name) => !/^\d+\.\d+\.\d+\.\d+$/.test(name), 'bucket names are not IP addresses')
  .refine(
    (name) =>
      !RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix)) &&
      !RESERVED_SUFFIXES.some((suffix) => name.endsWith(suffix)),
    'bucket name uses a reserved prefix or suffix',
  )
  .describe('S3 bucket name');

export const objectKey = z
  .string()
  .min(1, 'key must not be empty')
  .refine((key) => Buffer.byteLength(key, 'utf8') <= 1024, 'key is longer than 1024 bytes (UTF-8)')
  .describe('Object key as stored in S3 (plain, not URL-encoded)');

export const versionId = z
  .string()
  .min(1)
  .max(1024)
  .describe('Object version; omit for the current or any version');

const tier = z.enum(['Expedited', 'Standard', 'Bulk']);

const locale = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2}|-\d{3})?$/, 'locale is a language tag such as en or pt-BR')
  .refine((tag) => isSupportedLocale(tag), 'locale is not a known language tag');

const timeZone = z
  .string()
  .max(64)
  .refine((zone) => isTimeZone(zone), 'timeZone is not an IANA time zone such as Europe/Berlin');

// Names end up in email headers' neighbourhood and in logs: no control characters at all.
// eslint-disable-next-line no-control-regex
const noControlCharacters = (value: string) => !/[\u0000-\u001f\u007f]/.test(value);

export const recipientSchema = z.object({
  email: z.email('recipient.email is not an email address').max(254),
  name: z.string().min(1).max(200).refine(noControlCharacters, 'name has control characters').optional(),
  locale: locale.default('en'),
  timeZone: timeZone.default('UTC'),
});

export const objectRefSchema = z.object({
  bucket: bucketName,
  key: objectKey,
  versionId: versionId.optional(),
});

export const createRestoreBody = z
  .object({
    bucket: bucketName.optional(),
    key: objectKey.optional(),
    versionId: versionId.optional(),
    objects: z
      .array(objectRefSchema)
      .min(1, 'objects names 1 to 1000 objects')
      .max(1000, 'objects names 1 to 1000 objects')
      .optional()
      .describe('Several objects to be told about together, instead of bucket/key/versionId'),
    tier: tier.default('Standard'),
    days: z
      .number()
      .int()
      .min(1)
      .max(365)
      .default(7)
      .describe('Days the restored copy lives (ignored for Intelligent-Tiering)'),
    initiate: z
      .boolean()
      .default(true)
      .describe('Start the restore with S3 RestoreObject (false: only record interest)'),
    fallbackTier: z
      .enum(['Standard', 'Bulk'])
      .optional()
      .describe('Tier to use when Expedited capacity is not available'),
    remindBeforeExpiry: z
      .boolean()
      .default(true)
      .describe('Send the `expiring` reminder before the copy expires'),
    recipient: recipientSchema,
  })
  .strict()
  .superRefine((body, context) => {
    const single = body.bucket !== undefined || body.key !== undefined || body.versionId !== undefined;
    if (single && body.objects !== undefined) {
      context.addIssue({ code: 'custom', message: 'give either bucket/key/versionId or objects, not both' });
    } else if (!single && body.objects === undefined) {
      context.addIssue({ code: 'custom', message: 'bucket and key (or objects) are required' });
    } else if (single && (body.bucket === undefined || body.key === undefined)) {
      context.addIssue({ code: 'custom', message: 'bucket and key are both required' });
    }
    if (body.objects) {
      const seen = new Set<string>();
      body.objects.forEach((object, index) => {
        const identity = JSON.stringify([object.bucket, object.key, object.versionId ?? null]);
        if (seen.has(identity))
          context.addIssue({ code: 'custom', path: ['objects', index], message: 'object listed twice' });
        seen.add(identity);
      });
    }
  });

export type CreateRestoreBody = z.output<typeof createRestoreBody>;

/**
 * Any string may stand in the id's place and gets 404 when no request has it, never 400 (the
 * published interface); the router bounds its length (`maxParamLength`).
 */
export const restoreIdParams = z.object({
  id: z.string().describe('The id `POST /v1/restores` answered with'),
});

export const listRestoresQuery = z.object({
  bucket: bucketName,
  key: objectKey,
  versionId: versionId.optional(),
});

const status = z.enum(['requested', 'initiated', 'completed', 'expired', 'failed']);

const eventView = z.object({
  kind: z.enum(['initiated', 'completed', 'expired', 'failed']),
  eventTime: z.string(),
  receivedAt: z.string(),
  source: z.string(),
  effect: z.string().describe('applied, updated (a later expiry), late (changed nothing)'),
  object: z.number().int().optional().describe('Index in `objects` (several-object requests)'),
});

const notificationView = z.object({
  kind: z.enum(['initiated', 'completed', 'expiring', 'expired', 'delayed', 'failed']),
  state: z.string().describe('pending, queued, sending, sent, failed, suppressed, cancelled'),
  messageId: z.string().nullable().describe('SES MessageId once sent'),
  sentAt: z.string().nullable(),
  reason: z.string().nullable().optional(),
});

const objectView = z.object({
  bucket: z.string(),
  key: z.string(),
  versionId: z.string().nullable(),
  status,
  storageClass: z.string().nullable().optional(),
  expectedBy: z.string().nullable().optional(),
  restoreExpiryTime: z.string().nullable().optional(),
  failureReason: z.string().nullable().optional(),
  downloadedAt: z
    .string()
    .nullable()
    .optional()
    .describe('First time the customer followed the download link (PUBLIC_BASE_URL links only)'),
});

export const restoreView = z.object({
  id: z.string(),
  bucket: z.string().optional(),
  key: z.string().optional(),
  versionId: z.string().nullable().optional(),
  objects: z.array(objectView).optional(),
  tier: tier,
  days: z.number().nullable(),
  initiate: z.boolean(),
  status,
  storageClass: z.string().nullable().optional(),
  expectedBy: z.string().nullable().optional(),
  restoreExpiryTime: z.string().nullable().optional(),
  failureReason: z.string().nullable().optional(),
  downloadedAt: z
    .string()
    .nullable()
    .optional()
    .describe('First time the customer followed the download link (PUBLIC_BASE_URL links only)'),
  recipient: z.object({
    email: z.string(),
    name: z.string().optional(),
    locale: z.string(),
    timeZone: z.string(),
  }),
  events: z.array(eventView),
  notifications: z.array(notificationView),
  createdAt: z.string(),
  updatedAt: z.string(),
  cancelledAt: z.string().nullable(),
});

export type RestoreView = z.input<typeof restoreView>;

export const errorView = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

// Building Intl objects to validate every request is slow; answers are remembered (bounded:
// the values come from callers).
const known = new Map<string, boolean>();
function remembered(key: string, check: () => boolean): boolean {
  let answer = known.get(key);
  if (answer === undefined) {
    answer = check();
    if (known.size >= 2000) known.clear();
    known.set(key, answer);
  }
  return answer;
}

function isTimeZone(zone: string): boolean {
  return remembered(`zone:${zone}`, () => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  });
}

function isSupportedLocale(tag: string): boolean {
  return remembered(`locale:${tag}`, () => {
    try {
      return Intl.getCanonicalLocales(tag).length === 1;
    } catch {
      return false;
    }
  });
}
