import type { FastifyError, FastifyInstance } from 'fastify';
import { ThawError } from '../errors';

/** The published error body (README, "HTTP"): `{"error": {"code": "...", "message": "..."}}`. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * What a 5xx answer says: a generic phrase per status and the request id, which is also on the
 * log line holding the details. An internal error's text (an S3 or Redis message, a key, an
 * address) never reaches the caller.
 */
const SERVER_ERROR_PHRASES: Readonly<Record<number, string>> = {
  502: 'an upstream service refused the request',
  503: 'temporarily unavailable; retry later',
  504: 'an upstream service did not answer in time',
};

export function serverErrorBody(code: string, status: number, requestId: string): ErrorBody {
  return errorBody(code, `${SERVER_ERROR_PHRASES[status] ?? 'internal error'} (request ${requestId})`);
}

// Fastify's own error codes that reach clients, mapped to stable codes of ours.
const FASTIFY_CODES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_body',
};

// A schema validation failure, coded by the part of the request that failed (fastify's
// `validationContext`), so a bad query or path is never reported as a bad body.
const VALIDATION_CODES: Readonly<Record<string, string>> = {
  body: 'invalid_body',
  querystring: 'invalid_query',
  params: 'invalid_path',
  headers: 'invalid_header',
};

/**
 * One place turns errors into answers. Our own errors carry their status and code; fastify's
 * client errors keep their status and message; anything else is a 500. Every 5xx logs the error
 * and answers with its code, a generic message and the request id only.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ThawError, request, reply) => {
    if (error instanceof ThawError) {
      if (error.httpStatus < 500) {
        return reply.code(error.httpStatus).send(errorBody(error.code, error.message));
      }
      request.log.warn({ err: error }, error.message);
      return reply.code(error.httpStatus).send(serverErrorBody(error.code, error.httpStatus, request.id));
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      const code = error.validation
        ? (VALIDATION_CODES[error.validationContext ?? ''] ?? 'invalid_request')
        : (FASTIFY_CODES[error.code] ?? 'bad_request');
      return reply.code(status).send(errorBody(code, error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(serverErrorBody('internal_error', 500, request.id));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(errorBody('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`)),
  );
}
