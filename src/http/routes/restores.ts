import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RestoreRequestSpec } from '../../domain/restore-request';
import { ThawError } from '../../errors';
import type { RestoreStore } from '../../correlate/restore-store';
import type { RegisterRequest } from '../../restore/request-registrar';
import { createBearerAuth } from '../auth';
import { errorBody } from '../error-handler';
import { toRestoreView } from '../restore-view';
import {
  createRestoreBody,
  errorView,
  listRestoresQuery,
  restoreIdParams,
  restoreView,
} from '../schemas/restore-schemas';
import type { CreateRestoreBody } from '../schemas/restore-schemas';

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
      'Repeating a POST with the same key within 24 h returns the first request instead of a new one',
    ),
});

/** `/v1/restores`: register, read, list by object, and stop notifications for a request. */
export async function restoreRoutes(app: FastifyInstance, options: RestoreRouteOptions): Promise<void> {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  if (options.rateLimitPerMinute) {
    // In this plugin only: /v1/* is limited, SNS deliveries and probes are not.
    await app.register(rateLimit, {
      max: options.rateLimitPerMinute,
      timeWindow: 60_000,
      // Thrown by the plugin; the app's error handler turns it into the contract's error body.
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
      schema: {
        summary: 'Register interest in archived objects and (optionally) start their restore',
        tags: ['restores'],
        security,
        headers: idempotencyHeaders,
        body: createRestoreBody,
        response: {
          200: restoreView,
          201: restoreView,
          400: errorView,
          401: errorView,
          403: errorView,
          404: errorView,
          503: errorView,
        },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const outcome = await options.register(toSpec(request.body), key);
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
        summary: 'Read a restore request with its events and notifications',
        tags: ['restores'],
        security,
        params: restoreIdParams,
        response: { 200: restoreView, 401: errorView, 404: errorView },
      },
    },
    async (request, reply) => {
      const stored = await options.store.get(request.params.id);
      if (!stored) return reply.code(404).send(errorBody('not_found', 'no such restore request'));
      return toRestoreView(stored);
    },
  );

  routes.get(
    '/v1/restores',
    {
      schema: {
        summary: 'List the restore requests waiting on one object',
        tags: ['restores'],
        security,
        querystring: listRestoresQuery,
        response: { 200: z.object({ restores: z.array(restoreView) }), 400: errorView, 401: errorView },
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
        summary: 'Stop notifications for a restore request (its recipient gets no further email)',
        tags: ['restores'],
        security,
        params: restoreIdParams,
        response: { 200: restoreView, 401: errorView, 404: errorView },
      },
    },
    async (request, reply) => {
      if (!(await options.store.cancel(request.params.id))) {
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
