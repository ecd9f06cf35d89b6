import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './error-handler';

/**
 * Compares a presented token with the configured one in constant time: both sides are hashed
 * first, so the comparison takes the same time whatever the length or content of what was sent.
 */
export function createTokenCheck(token: string): (presented: string | null | undefined) => boolean {
  const expected = digest(token);
  return (presented) => typeof presented === 'string' && timingSafeEqual(digest(presented), expected);
}

/** `Authorization: Bearer <token>` on every request of the plugin it is added to. */
export function createBearerAuth(token: string) {
  const matches = createTokenCheck(token);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match?.[1] || !matches(match[1].trim())) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send(errorBody('unauthorized', 'a valid Authorization: Bearer token is required'));
    }
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
