import type { FastifyInstance } from 'fastify';
import { ThawError, toError } from '../../errors';
import type { SnsIngest } from '../../ingest/sns-ingest';
import { errorBody, serverErrorBody } from '../error-handler';

export interface SnsRouteOptions {
  readonly ingest: SnsIngest;
  /** SNS bodies are at most 256 KiB plus the envelope; larger ones get 413. */
  readonly bodyLimitBytes: number;
}

/**
 * `POST /sns`, the SNS HTTP/S subscription endpoint. SNS sends JSON as `text/plain`, so every
 * content type is taken as a raw string: the signature covers the exact decoded values, and the
 * body must not pass through any parser that could alter them before verification.
 */
export async function snsRoutes(app: FastifyInstance, options: SnsRouteOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'string', bodyLimit: options.bodyLimitBytes },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/sns',
    { bodyLimit: options.bodyLimitBytes, config: { logsItself: true } },
    async (request, reply) => {
      const started = process.hrtime.bigint();
      const headerType = request.headers['x-amz-sns-message-type'];
      const body = typeof request.body === 'string' ? request.body : '';
      const log = { snsMessageId: request.headers['x-amz-sns-message-id'] };
      try {
        if (body.length === 0) throw new ThawError('empty_body', 'body is empty', { httpStatus: 400 });
        const result = await options.ingest(body, typeof headerType === 'string' ? headerType : undefined);
        request.log.info(
          { ...log, ...result, status: 200, durationMs: elapsedMs(started) },
          `sns ${result.type} ${result.outcome}`,
        );
        return reply.code(200).send({ status: result.outcome, events: result.events });
      } catch (thrown) {
        const durationMs = elapsedMs(started);
        if (!(thrown instanceof ThawError)) {
          request.log.error({ ...log, status: 500, err: toError(thrown), durationMs }, 'sns message failed');
          return reply.code(500).send(serverErrorBody('internal_error', 500, request.id));
        }
        const { code, httpStatus } = thrown;
        if (httpStatus >= 500) {
          // SNS retries a 5xx. The answer names the code and the request id; what went wrong
          // inside (a Redis or certificate host's message) stays in this log line.
          request.log.warn(
            { ...log, status: httpStatus, code, reason: thrown.message, durationMs },
            `sns message not taken: ${code}`,
          );
          return reply.code(httpStatus).send(serverErrorBody(code, httpStatus, request.id));
        }
        request.log.info(
          { ...log, status: httpStatus, code, reason: thrown.message, durationMs },
          `sns message refused: ${code}`,
        );
        return reply.code(httpStatus).send(errorBody(code, thrown.message));
      }
    },
  );
}

function elapsedMs(started: bigint): number {
  return Number((process.hrtime.bigint() - started) / 1000n) / 1000;
}
