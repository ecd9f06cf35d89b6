import type { IncomingMessage } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createTokenCheck } from '../auth';
import { errorBody } from '../error-handler';

export interface AdminRouteOptions {
  readonly queues: readonly Queue[];
  /** API_TOKEN: may look at the board (queues, jobs, failures), never act on it. */
  readonly viewToken: string;
  /** ADMIN_TOKEN: may also act (add, retry, clean, empty, pause, …). Absent: nobody may act. */
  readonly actionToken: string | undefined;
}

export const ADMIN_PATH = '/admin/queues';

/** What the presented token allows: `act` (ADMIN_TOKEN), `look` (API_TOKEN), or nothing. */
type BoardRights = 'act' | 'look';

/** The only methods a read-only caller may use: every board action is a PUT, POST or PATCH. */
const LOOKING_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/** Name of the route constraint that sends each request to the board its token allows. */
const RIGHTS_CONSTRAINT = 'thawBoardRights';

/**
 * Bull Board at `/admin/queues`, for operators. The token comes as a Bearer header (scripts) or
 * as the password of HTTP Basic auth (browsers prompt for it; any user name).
 *
 * Two rights, two boards: with API_TOKEN the board is read-only (bull-board's `readOnlyMode` on
 * every queue, so the UI offers no actions and its API refuses them); with ADMIN_TOKEN, set on its
 * own, a second board with the same address acts. A route constraint picks the board per request.
 * Before either board, a hook refuses any method but GET and HEAD without ADMIN_TOKEN (403), so a
 * bull-board route that forgot its read-only check still cannot change a queue.
 */
export async function adminRoutes(app: FastifyInstance, options: AdminRouteOptions): Promise<void> {
  const rightsOf = createRightsCheck(options);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const rights = rightsOf(request.headers.authorization);
    if (rights === null) {
      await reply
        .code(401)
        .header('www-authenticate', 'Basic realm="thaw admin", charset="UTF-8"')
        .send(errorBody('unauthorized', 'the API or admin token is required'));
    } else if (rights === 'look' && !LOOKING_METHODS.has(request.method)) {
      await reply
        .code(403)
        .send(errorBody('forbidden', "the board's actions need ADMIN_TOKEN; API_TOKEN may only look"));
    }
  });

  if (options.actionToken === undefined) {
    await app.register(board, { queues: options.queues, rights: 'look' });
    return;
  }
  // Derived for every request once a route uses it (find-my-way's rule), so cheap for the rest.
  app.addConstraintStrategy({
    name: RIGHTS_CONSTRAINT,
    storage: () => {
      // Route handlers per rights value; find-my-way's handler type stays its own business.
      const handlers = new Map<unknown, never>();
      return {
        get: (value) => handlers.get(value) ?? null,
        set: (value, handler) => void handlers.set(value, handler as never),
      };
    },
    deriveConstraint: (request: IncomingMessage): BoardRights =>
      request.url?.startsWith(ADMIN_PATH) && rightsOf(request.headers.authorization) === 'act'
        ? 'act'
        : 'look',
  });
  await app.register(board, { queues: options.queues, rights: 'look', constrained: true });
  await app.register(board, { queues: options.queues, rights: 'act', constrained: true });
}

interface BoardOptions {
  readonly queues: readonly Queue[];
  readonly rights: BoardRights;
  /** Whether its routes carry the rights constraint (only when both boards exist). */
  readonly constrained?: boolean;
}

/** One Bull Board, read-only unless it is for `act`; registered in a context of its own. */
async function board(app: FastifyInstance, options: BoardOptions): Promise<void> {
  if (options.constrained) {
    // Every route the board and its static/view plugins add answers only requests of its rights.
    app.addHook('onRoute', (route) => {
      route.constraints = { ...route.constraints, [RIGHTS_CONSTRAINT]: options.rights };
    });
  }
  const readOnlyMode = options.rights !== 'act';
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_PATH);
  createBullBoard({
    queues: options.queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode })),
    serverAdapter,
    options: { uiConfig: { boardTitle: readOnlyMode ? 'thaw queues (read-only)' : 'thaw queues' } },
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: ADMIN_PATH });
}

function createRightsCheck(options: AdminRouteOptions): (header: string | undefined) => BoardRights | null {
  const isViewToken = createTokenCheck(options.viewToken);
  const isActionToken =
    options.actionToken === undefined ? () => false : createTokenCheck(options.actionToken);
  return (header) => {
    const presented = presentedToken(header);
    if (presented === null) return null;
    if (isActionToken(presented)) return 'act';
    return isViewToken(presented) ? 'look' : null;
  };
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
