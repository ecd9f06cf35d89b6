import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RestoreRequest } from '../../domain/restore-request';
import type { DownloadLinks } from '../../notify/download-links';
import { simplePage } from '../simple-page';

export interface DownloadRouteOptions {
  readonly links: DownloadLinks;
  readonly getRequest: (id: string) => Promise<RestoreRequest | null>;
  /** Remembers the click, so the `expiring` reminder goes only to customers who have not downloaded. */
  readonly recordDownload: (id: string, objectIndex: number) => Promise<unknown>;
}

/**
 * `GET /d/:token`: a short link from an email. Answers 302 to a URL presigned now (so links
 * outlive the 7-day presign limit), or a clear page when the link is unknown or the copy is gone.
 * The token is a credential: it never reaches a log line (the HTTP layer masks it), and the
 * redirect carries no Referer.
 */
export async function downloadRoutes(app: FastifyInstance, options: DownloadRouteOptions): Promise<void> {
  app.get<{ Params: { token: string } }>('/d/:token', async (request, reply) => {
    secureHeaders(reply);
    const target = await options.links.resolve(request.params.token);
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
  });
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
