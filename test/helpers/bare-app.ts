import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app';
import { createLogger } from '../../src/logger';
import type { Metrics } from '../../src/observability/metrics';
import { createMetrics } from '../../src/observability/metrics';

/**
 * The HTTP app with every route an `api` process serves, built without Redis, S3 or listening:
 * enough to read what the app publishes (/openapi.json, /metrics). The restore routes answer as
 * if no request existed.
 */
export async function buildBareApp(metrics: Metrics = createMetrics()): Promise<FastifyInstance> {
  return buildApp({
    logger: createLogger({ level: 'silent' }),
    metrics,
    snsIngest: undefined,
    snsBodyLimitBytes: 1024,
    restores: {
      apiToken: 'bare-app-token-0123456789',
      register: async () => {
        throw new Error('the bare app registers nothing');
      },
      store: { get: async () => null, listIdsByObject: async () => [], cancel: async () => false },
    },
    downloads: undefined,
    isReady: async () => true,
    version: '0.0.0-test',
  });
}
