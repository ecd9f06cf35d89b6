import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createTokenCheck } from '../auth';
import { errorBody } from '../error-handler';

export interface AdminRouteOptions {
  readonly queues: readonly Queue[];
  /** ADMIN_TOKEN, or API_TOKEN when no separate one is set. */
  readonly token: string;
}

export const ADMIN_PATH = '/admin/queues';

/**
 * Bull Board at `/admin/queues`: the queues, their jobs, failures and retries, for operators.
 * Guarded by the token, as a Bearer header (scripts) or as the password of HTTP Basic auth
 * (browsers prompt for it; any user name).
 */
export async function adminRoutes(app: FastifyInstance, options: AdminRouteOptions): Promise<void> {
  const matches = createTokenCheck(options.token);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!matches(presentedToken(request.headers.authorization))) {
      await reply
        .code(401)
        .header('www-authenticate', 'Basic realm="thaw admin", charset="UTF-8"')
        .send(errorBody('unauthorized', 'the admin token is required'));
    }
  });
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_PATH);
  createBullBoard({
    queues: options.queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'thaw queues' } },
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: ADMIN_PATH });
}

function presentedToken(header: string | undefined): string | null {
  if (!header) return null;
  const bearer = /^Bearer\s+(.+)$/i.exec(header);
  if (bearer?.[1]) return bearer[1].trim();
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!basic?.[1]) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : null;
}
