import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RestoreRequestSpec } from '../../domain/restore-request';
import { ThawError } from '../../errors';
import { bodyFingerprint } from '../../correlate/idempotency-records';
import { isRequestId } from '../../correlate/request-id';
import type { RestoreStore } from '../../correlate/restore-store';
import type { RegisterRequest } from '../../register/request-registrar';
import { createBearerAuth } from '../auth';
import { errorBody } from '../error-handler';
import { toRestoreView } from '../restore-view';
import {
  createRestoreBody,
  listRestoresQuery,
  restoreIdParams,
  restoreView,
} from '../schemas/restore-schemas';
import type { CreateRestoreBody } from '../schemas/restore-schemas';
import { answer, everyOperation, failure, unwantedBody } from '../schemas/responses';

export interface RestoreRouteOptions {
  readonly apiToken: string;
  /** Requests per minute per client address; 0 turns the limit off. */
  readonly rateLimitPerMinute?: number;
  readonly register: RegisterRequest;
  readonly store: Pick<RestoreStore, 'get' | 'listIdsByObject' | 'cancel'>;
}

const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe(
      'Repeating a POST with the same key and body (within IDEMPOTENCY_TTL_SECONDS, default 24 h) ' +
        'answers the first request again without asking S3; the same key with another body is 422',
    ),
});

/**
 * The largest body the schema admits, so that no valid request is ever refused with 413: 1,000
 * objects whose bucket (63 characters), key (1,024 bytes) and versionId (1,024 characters) are
 * written with every character as a six-byte `\uXXXX` escape take 12.7 MB, the rest a few KB.
 */
const CREATE_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

const restoreAnswer = (description: string) => answer(restoreView, description);
const notFound = failure('`not_found`: no restore request has this id (whatever the string in its place).');

/** `/v1/restores`: register, read, list by object, and stop notifications for a request. */
export async function restoreRoutes(app: FastifyInstance, options: RestoreRouteOptions): Promise<void> {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The API takes JSON only: a text/plain body is refused with 415 like any other type, not
  // parsed as a string and refused with 400 (fastify parses text/plain by default). In this
  // plugin only: /sns reads text/plain.
  app.removeContentTypeParser('text/plain');
  if (options.rateLimitPerMinute) {
    // In this plugin only: /v1/* is limited, SNS deliveries and probes are not.
    await app.register(rateLimit, {
      max: options.rateLimitPerMinute,
      timeWindow: 60_000,
      // Thrown by the plugin; the app's error handler turns it into the published error body.
      errorResponseBuilder: (_request, context) =>
        new ThawError(
          'rate_limited',
          `more than ${context.max} requests a minute; retry in ${Math.ceil(context.ttl / 1000)} s`,
          {
            httpStatus: 429,
            retryable: true,
          },
        ),
    });
  }
  app.addHook('onRequest', createBearerAuth(options.apiToken));
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const security = [{ bearerAuth: [] }];

  routes.post(
    '/v1/restores',
    {
      bodyLimit: CREATE_BODY_LIMIT_BYTES,
      schema: {
        operationId: 'createRestore',
        summary: 'Register interest in archived objects and (optionally) start their restore',
        tags: ['restores'],
        security,
        headers: idempotencyHeaders,
        body: createRestoreBody,
        response: {
          200: restoreAnswer(
            'The request first made with this Idempotency-Key and the same body; S3 is not called again.',
          ),
          201: restoreAnswer(
            'Registered; unless `initiate` is false, S3 RestoreObject was asked for every archived object.',
          ),
          400: failure(
            '`invalid_body`: the body is not JSON or not a restore request (the message names the field); ' +
              '`invalid_header`: the Idempotency-Key is empty or longer than 200 characters.',
          ),
          ...everyOperation,
          403: failure("`s3_access_denied`: thaw's AWS credentials may not read or restore an object."),
          404: failure('`s3_not_found`: a named bucket, object or version does not exist.'),
          409: failure(
            '`idempotency_key_in_use`: a request with this Idempotency-Key is still being made; ' +
              'retry in a few seconds with the same key and body.',
          ),
          413: failure('`body_too_large`: the body is over 16 MiB, far beyond the largest valid request.'),
          415: failure('`unsupported_media_type`: the body is not `application/json`.'),
          422: failure('`idempotency_key_reused`: this Idempotency-Key came before with a different body.'),
          502: failure(
            "`upstream_rejected`: AWS refused thaw's own request to S3; sending this again will not help.",
          ),
          503: failure(
            'Retry later, with the same Idempotency-Key: S3 did not answer ' +
              '(`s3_unavailable`), Expedited retrieval has no capacity now and no `fallbackTier` was ' +
              'given (`glacier_expedited_unavailable`), Redis did not confirm the write, or thaw is ' +
              'shutting down.',
          ),
        },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const outcome = await options.register(
        toSpec(request.body),
        key === undefined ? undefined : { key, fingerprint: bodyFingerprint(request.body) },
      );
      request.log.info(
        { requestId: outcome.request.id, created: outcome.created },
        'restore request registered',
      );
      return reply.code(outcome.created ? 201 : 200).send(toRestoreView(outcome.request));
    },
  );

  routes.get(
    '/v1/restores/:id',
    {
      schema: {
        operationId: 'getRestore',
        summary: 'Read a restore request with its events and notifications',
        tags: ['restores'],
        security,
        params: restoreIdParams,
        response: {
          200: restoreAnswer('The restore request, with its events and notifications so far.'),
          ...everyOperation,
          404: notFound,
        },
      },
    },
    async (request, reply) => {
      // Any string that is not a request id is unknown, without asking the store (which says so too).
      const { id } = request.params;
      const stored = isRequestId(id) ? await options.store.get(id) : null;
      if (!stored) return reply.code(404).send(errorBody('not_found', 'no such restore request'));
      return toRestoreView(stored);
    },
  );

  routes.get(
    '/v1/restores',
    {
      schema: {
        operationId: 'listRestores',
        summary: 'List the restore requests waiting on one object',
        tags: ['restores'],
        security,
        querystring: listRestoresQuery,
        response: {
          200: answer(
            z.object({ restores: z.array(restoreView) }),
            'The restore requests naming this object (an empty list when there are none).',
          ),
          400: failure('`invalid_query`: `bucket` or `key` is missing or not valid.'),
          ...everyOperation,
        },
      },
    },
    async (request) => {
      const { bucket, key, versionId } = request.query;
      const ids = await options.store.listIdsByObject(bucket, key, versionId);
      const found = await Promise.all(ids.map((id) => options.store.get(id)));
      return { restores: found.flatMap((stored) => (stored ? [toRestoreView(stored)] : [])) };
    },
  );

  routes.delete(
    '/v1/restores/:id',
    {
      schema: {
        operationId: 'cancelRestore',
        summary: 'Stop notifications for a restore request (its recipient gets no further email)',
        tags: ['restores'],
        security,
        params: restoreIdParams,
        response: {
          200: restoreAnswer('The restore request, now cancelled: its recipient gets no further email.'),
          ...unwantedBody,
          ...everyOperation,
          404: notFound,
        },
      },
    },
    async (request, reply) => {
      if (!isRequestId(request.params.id) || !(await options.store.cancel(request.params.id))) {
        return reply.code(404).send(errorBody('not_found', 'no such restore request'));
      }
      const stored = await options.store.get(request.params.id);
      if (!stored) return reply.code(404).send(errorBody('not_found', 'no such restore request'));
      request.log.info({ requestId: stored.id }, 'restore request cancelled');
      return toRestoreView(stored);
    },
  );
}

function toSpec(body: CreateRestoreBody): RestoreRequestSpec {
  const single = body.objects === undefined;
  const objects = single
    ? [{ bucket: body.bucket!, key: body.key!, versionId: body.versionId ?? null }]
    : body.objects!.map((object) => ({
        bucket: object.bucket,
        key: object.key,
        versionId: object.versionId ?? null,
      }));
  return {
    objects,
    single,
    tier: body.tier,
    days: body.days,
    initiate: body.initiate,
    fallbackTier: body.fallbackTier ?? null,
    recipient: {
      email: body.recipient.email,
      ...(body.recipient.name !== undefined ? { name: body.recipient.name } : {}),
      locale: body.recipient.locale,
      timeZone: body.recipient.timeZone,
    },
    remindBeforeExpiry: body.remindBeforeExpiry,
  };
}
