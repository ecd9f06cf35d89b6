import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RestoreRequest } from '../../domain/restore-request';
import type { DownloadLinks } from '../../notify/download-links';
import type { PageRenderer, RenderedPage } from '../../pages/page-renderer';
import { downloadableIndexes } from '../../pages/status-view-model';
import { simplePage } from '../simple-page';

export interface StatusPageRouteOptions {
  /** Page tokens to request ids, and `/d/<token>` links for the objects that are ready. */
  readonly links: Pick<DownloadLinks, 'resolvePage' | 'linksFor'>;
  readonly getRequest: (id: string) => Promise<RestoreRequest | null>;
  readonly pages: PageRenderer;
  /** Clock, ms since the epoch; tests pin it. Default `Date.now`. */
  readonly now?: () => number;
}

const HTML = 'text/html; charset=utf-8';

/**
 * `GET /r/:token`: the customer's "where is my restore?" page, linked from every email when
 * PUBLIC_BASE_URL is set. Server-rendered and readable without JavaScript; it refreshes itself
 * while something is still restoring. The token is a credential: the HTTP layer masks it in the
 * request log line, this route never logs it, and no Referer carries it onwards.
 */
export async function statusPageRoutes(app: FastifyInstance, options: StatusPageRouteOptions): Promise<void> {
  const policy = contentSecurityPolicy(options.pages.styleSource);
  const clock = options.now ?? Date.now;

  app.get<{ Params: { token: string } }>('/r/:token', async (request, reply) => {
    pageHeaders(reply, policy);
    const now = clock();
    const { token } = request.params;
    try {
      const id = await options.links.resolvePage(token);
      const stored = id ? await options.getRequest(id) : null;
      // A withdrawn request is as gone as an unknown one, but we know its reader's language.
      if (!stored || stored.cancelledAt !== null) {
        return send(reply, 404, options.pages.notFound(stored?.recipient.locale, now));
      }
      const links = await options.links.linksFor(stored, downloadableIndexes(stored, now), now);
      return send(reply, 200, options.pages.status(stored, links.urls, now));
    } catch (thrown) {
      request.log.error({ err: withoutSecret(thrown, token) }, 'status page failed');
      return send(reply, 503, unavailablePage(options.pages, now));
    }
  });
}

function send(reply: FastifyReply, status: number, page: RenderedPage): FastifyReply {
  return reply.code(status).type(HTML).header('content-language', page.locale).send(page.html);
}

/**
 * Nothing but the page's own stylesheet (by hash) may load: no scripts, images, fonts, frames,
 * form targets or base URL. `default-src 'none'` covers every kind not named.
 */
export function contentSecurityPolicy(styleSource: string): string {
  return [
    "default-src 'none'",
    `style-src ${styleSource}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function pageHeaders(reply: FastifyReply, policy: string): void {
  reply
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('x-robots-tag', 'noindex, nofollow')
    .header('content-security-policy', policy);
}

function unavailablePage(pages: PageRenderer, now: number): RenderedPage {
  try {
    return pages.unavailable(now);
  } catch {
    // The templates themselves may be what failed: a plain page needs none of them.
    const html = simplePage(
      'Temporarily unavailable',
      'Something went wrong on our side. Please try again later.',
    );
    return { html, locale: 'en' };
  }
}

/**
 * The error as a log line may show it, with the token cut out: a Redis error can quote the
 * command it failed on, and the page token is part of that key.
 */
export function withoutSecret(thrown: unknown, secret: string): Error {
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  const mask = (text: string): string => (secret === '' ? text : text.split(secret).join('[token]'));
  const safe = new Error(mask(error.message));
  safe.name = error.name;
  safe.stack = mask(error.stack ?? '');
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? Object.assign(safe, { code }) : safe;
}
