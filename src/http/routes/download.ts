import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RestoreRequest } from '../../domain/restore-request';
import type { DownloadLinks } from '../../notify/download-links';
import { simplePage } from '../simple-page';
import { withoutSecret } from './status-page';

export interface DownloadRouteOptions {
  readonly links: DownloadLinks;
  readonly getRequest: (id: string) => Promise<RestoreRequest | null>;
  /** Remembers the click, so the `expiring` reminder goes only to customers who have not downloaded. */
  readonly recordDownload: (id: string, objectIndex: number) => Promise<unknown>;
}

/**
 * `GET /d/:token`: a short link from an email. Answers 302 to a URL presigned now (so links
 * outlive the 7-day presign limit), or a clear page when the link is unknown or the copy is gone.
 * The token is a credential: it never reaches a log line (the HTTP layer masks it in the URL, and
 * a failure is logged with it cut out: a Redis error quotes the `<prefix>:dl:<token>` key it failed
 * on), and the redirect carries no Referer. A failure on our side is a plain 503 page.
 */
export async function downloadRoutes(app: FastifyInstance, options: DownloadRouteOptions): Promise<void> {
  app.get<{ Params: { token: string } }>('/d/:token', async (request, reply) => {
    secureHeaders(reply);
    const { token } = request.params;
    try {
      return await follow(options, token, request, reply);
    } catch (thrown) {
      request.log.error({ err: withoutSecret(thrown, token) }, 'download link failed');
      return reply
        .code(503)
        .header('retry-after', '60')
        .type('text/html; charset=utf-8')
        .send(
          simplePage(
            'Temporarily unavailable',
            'Something went wrong on our side. Please try the link again in a few minutes.',
          ),
        );
    }
  });
}

/** Resolves the token and answers: 302 to a fresh presigned URL, 404 unknown, 410 gone. */
async function follow(
  options: DownloadRouteOptions,
  token: string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const target = await options.links.resolve(token);
  const stored = target ? await options.getRequest(target.requestId) : null;
  if (!target || !stored || stored.cancelledAt !== null) {
    return reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(
        simplePage(
          'Link not found',
          'This download link is unknown or has expired. Please ask for the file again.',
        ),
      );
  }
  const state = stored.objectStates[target.objectIndex];
  const url =
    state?.status === 'completed'
      ? await options.links.presignNow(stored, target.objectIndex, Date.now())
      : null;
  if (!url) {
    return reply
      .code(410)
      .type('text/html; charset=utf-8')
      .send(
        simplePage(
          'This file is no longer available',
          'The restored copy of this file has expired and was removed. If you still need it, please ask for it again.',
        ),
      );
  }
  request.log.info({ requestId: stored.id, object: target.objectIndex }, 'download link followed');
  // Only the first click is news (the request was just read, so a repeat costs no write).
  if (state?.downloadedAt === null) {
    try {
      await options.recordDownload(stored.id, target.objectIndex);
    } catch (error) {
      // The download matters more than the bookkeeping: at worst the customer gets a reminder.
      request.log.warn({ err: error, requestId: stored.id }, 'could not record the download');
    }
  }
  return reply.redirect(url, 302);
}

export function secureHeaders(reply: FastifyReply): void {
  reply
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
}
