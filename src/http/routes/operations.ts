import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../observability/metrics';
import { errorBody } from '../error-handler';

export interface OperationsRouteOptions {
  readonly metrics: Metrics;
  /** Resolves true when the dependencies a request needs (Redis) answer. */
  readonly isReady: () => Promise<boolean>;
}

/** `/healthz` (the process answers), `/readyz` (Redis answers), `/metrics` (Prometheus text). */
export async function operationsRoutes(app: FastifyInstance, options: OperationsRouteOptions): Promise<void> {
  app.get('/healthz', { config: { quiet: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { quiet: true } }, async (_request, reply) => {
    const ready = await options.isReady().catch(() => false);
    if (ready) return { status: 'ready' };
    return reply.code(503).send(errorBody('not_ready', 'Redis does not answer'));
  });

  app.get('/metrics', { config: { quiet: true } }, async (_request, reply) => {
    const text = await options.metrics.registry.metrics();
    return reply.type(options.metrics.registry.contentType).send(text);
  });
}
