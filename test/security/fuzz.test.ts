import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { NoSuchKey } from '@aws-sdk/client-s3';
import { ThawError } from '../../src/errors';
import { parseRestoreMessage } from '../../src/ingest/restore-message';
import { parseSnsBody } from '../../src/ingest/sns-message';
import { s3RestoreRecord, eventBridgeMessage } from '../../src/simulate/restore-notifications';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { TEST_TOKEN } from '../helpers/restore-flow';
import { HeadObjectCommand, mockS3 } from '../helpers/s3-mock';
import type { S3Mock } from '../helpers/s3-mock';
import { startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';

/**
 * Property-based fuzzing of the edges: whatever arrives, the parsers either read it or refuse it
 * with a 4xx ThawError; the HTTP endpoints never answer 5xx, nothing is left unhandled, and the
 * process stays up.
 */
const RUNS = process.env.THAW_CHAOS === 'long' ? 3000 : 300;
const prefix = uniquePrefix('fuzz');
let world: SnsWorld;
let thaw: TestThaw;
let redis: Redis;
let s3: S3Mock;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  s3 = mockS3();
  s3.on(HeadObjectCommand).rejects(
    new NoSuchKey({ message: 'no such key', $metadata: { httpStatusCode: 404 } }),
  );
  world = await startSnsWorld();
  redis = testRedis();
  thaw = await startTestThaw(prefix, { ...world.env, THAW_ROLE: 'api', RATE_LIMIT_PER_MINUTE: '0' });
});
afterAll(async () => {
  await thaw.stop();
  await deletePrefix(redis, prefix);
  await redis.quit();
  await world.close();
  s3.restore();
  process.off('unhandledRejection', onUnhandled);
});

/** A refusal thaw may give: a ThawError answering 4xx. */
function refusedCleanly(error: unknown): boolean {
  return error instanceof ThawError && error.httpStatus >= 400 && error.httpStatus < 500;
}

/** A valid S3 restore record with any of its fields replaced by anything. */
const mutatedRecord = fc
  .tuple(
    fc.constantFrom('initiated', 'completed', 'expired'),
    fc.constantFrom(
      'eventVersion',
      'eventSource',
      'eventTime',
      'eventName',
      's3',
      'glacierEventData',
      'responseElements',
    ),
    fc.oneof(fc.jsonValue(), fc.string(), fc.constant(undefined)),
    fc.constantFrom('key', 'size', 'versionId', 'sequencer', 'eTag'),
    fc.oneof(fc.jsonValue(), fc.string({ unit: 'binary' })),
  )
  .map(([kind, field, value, objectField, objectValue]) => {
    const record = s3RestoreRecord({ kind, bucket: 'fuzz-bucket', key: 'a/b c.txt' }) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    record[field] = value;
    if (record.s3?.object) record.s3.object[objectField] = objectValue;
    return JSON.stringify({ Records: [record] });
  });

describe('fuzzing the event parser', () => {
  it('reads or refuses (400) any JSON, any mutated S3 record, any mutated EventBridge event', () => {
    const eventBridge = fc
      .tuple(fc.constantFrom('initiated', 'completed', 'expired'), fc.jsonValue())
      .map(([kind, noise]) => {
        const event = JSON.parse(eventBridgeMessage({ kind, bucket: 'fuzz-bucket', key: 'k' })) as Record<
          string,
          unknown
        >;
        return JSON.stringify({
          ...event,
          detail:
            typeof noise === 'object' && noise !== null ? { ...(event.detail as object), ...noise } : noise,
        });
      });
    fc.assert(
      fc.property(
        fc.oneof(fc.json(), fc.string(), mutatedRecord, eventBridge),
        fc.boolean(),
        (message, encoded) => {
          try {
            const parsed = parseRestoreMessage(message, encoded);
            if (parsed.kind === 'events')
              for (const event of parsed.events) expect(typeof event.key).toBe('string');
          } catch (error) {
            expect(refusedCleanly(error)).toBe(true);
            expect((error as ThawError).httpStatus).toBe(400);
          }
        },
      ),
      { numRuns: RUNS * 3 },
    );
  });

  it('reads or refuses any SNS body', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.json(), fc.string(), fc.string({ unit: 'binary' })),
        fc.option(fc.constantFrom('Notification', 'SubscriptionConfirmation', 'x')),
        (body, header) => {
          try {
            parseSnsBody(body, header ?? undefined);
          } catch (error) {
            expect(refusedCleanly(error)).toBe(true);
          }
        },
      ),
      { numRuns: RUNS * 3 },
    );
  });
});

describe('fuzzing the HTTP doors', () => {
  const email = fc.oneof(fc.emailAddress(), fc.string());
  const body = fc.oneof(
    fc.jsonValue(),
    fc.record(
      {
        bucket: fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,20}[a-z0-9]$/), fc.string(), fc.integer()),
        key: fc.oneof(fc.string({ unit: 'binary', maxLength: 1100 }), fc.jsonValue()),
        versionId: fc.oneof(fc.string(), fc.constant(null)),
        objects: fc.array(fc.record({ bucket: fc.string(), key: fc.string() }), { maxLength: 3 }),
        tier: fc.oneof(fc.constantFrom('Expedited', 'Standard', 'Bulk'), fc.string()),
        days: fc.oneof(fc.integer({ min: -5, max: 400 }), fc.double(), fc.string()),
        initiate: fc.oneof(fc.boolean(), fc.string()),
        recipient: fc.oneof(
          fc.record(
            {
              email,
              name: fc.string(),
              locale: fc.oneof(fc.constantFrom('en', 'pt-BR', 'de'), fc.string()),
              timeZone: fc.oneof(fc.constantFrom('UTC', 'Europe/Berlin'), fc.string()),
            },
            { requiredKeys: ['email'] },
          ),
          fc.jsonValue(),
        ),
      },
      { requiredKeys: [] },
    ),
  );

  it('never answers /v1/restores with a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const response = await thaw.app.inject({
          method: 'POST',
          url: '/v1/restores',
          headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        });
        expect([200, 201, 400, 404]).toContain(response.statusCode);
      }),
      { numRuns: RUNS },
    );
  });

  it('never answers /sns with a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.string({ unit: 'binary' })), async (payload) => {
        const response = await thaw.app.inject({
          method: 'POST',
          url: '/sns',
          headers: { 'content-type': 'text/plain' },
          payload,
        });
        expect([400, 403, 413]).toContain(response.statusCode);
      }),
      { numRuns: RUNS },
    );
  });

  it('left nothing unhandled and is still up', async () => {
    expect(unhandled).toEqual([]);
    expect((await thaw.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });
});
