import type { FastifyInstance } from 'fastify';
import { ThawError } from '../../errors';
import type { SnsIngest } from '../../ingest/sns-ingest';
import { errorBody } from '../error-handler';

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
      } catch (error) {
        if (!(error instanceof ThawError)) throw error;
        const level = error.httpStatus >= 500 ? 'warn' : 'info';
        request.log[level](
          {
            ...log,
            status: error.httpStatus,
            code: error.code,
            reason: error.message,
            durationMs: elapsedMs(started),
          },
          `sns message refused: ${error.code}`,
        );
        return reply.code(error.httpStatus).send(errorBody(error.code, error.message));
      }
    },
  );
}

function elapsedMs(started: bigint): number {
  return Number((process.hrtime.bigint() - started) / 1000n) / 1000;
}
