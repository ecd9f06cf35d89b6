import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SnsIngest } from '../ingest/sns-ingest';
import type { Logger } from '../logger';
import { maskTokens } from '../observability/masked-url';
import type { Metrics } from '../observability/metrics';
import { errorBody, installErrorHandler, serverErrorBody } from './error-handler';
import { registerOpenApi } from './openapi';
import { adminRoutes } from './routes/admin';
import type { AdminRouteOptions } from './routes/admin';
import { downloadRoutes } from './routes/download';
import type { DownloadRouteOptions } from './routes/download';
import { operationsRoutes } from './routes/operations';
import { restoreRoutes } from './routes/restores';
import type { RestoreRouteOptions } from './routes/restores';
import { snsRoutes } from './routes/sns';
import { statusPageRoutes } from './routes/status-page';
import type { StatusPageRouteOptions } from './routes/status-page';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route writes its own log line; the generic one is skipped. */
    logsItself?: boolean;
    /** Probes and scrapes: logged at debug only. */
    quiet?: boolean;
  }
}

/**
 * Errors fastify meets while routing. A path parameter that is not valid percent-encoding
 * (`/v1/restores/%ZZ`) or is longer than maxParamLength names nothing that exists: 404 in the
 * published error body, as for any other unknown id (fastify's own answers are 400 and 414, in
 * its own format).
 */
function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.code(404).send(errorBody('not_found', 'no such resource'));
    return;
  }
  request.log.error({ err: error }, 'unhandled framework error');
  void reply.code(500).send(serverErrorBody('internal_error', 500, request.id));
}

/**
 * fastify's `trustProxy` for TRUST_PROXY. A hop count becomes a function trusting the socket peer
 * and the next hops-1 X-Forwarded-For entries from the right: fastify 5.12 takes a bare number as
 * "trust nobody" (a direct client could otherwise claim hops), which would put every client behind
 * the load balancer in one rate-limit bucket. A hop count assumes every request comes through the
 * proxies; where thaw is reachable directly, TRUST_PROXY names the proxies' addresses instead.
 */
function trustedProxies(
  setting: false | number | readonly string[],
): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return setting === false ? false : [...setting];
}

export interface AppDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Absent in the `worker` role, which serves the operations endpoints only. */
  readonly snsIngest: SnsIngest | undefined;
  readonly snsBodyLimitBytes: number;
  /** Absent in the `worker` role. */
  readonly restores: RestoreRouteOptions | undefined;
  /** Customer links (`/d/:token`); absent in the `worker` role. */
  readonly downloads: DownloadRouteOptions | undefined;
  /** The customer's status page (`/r/:token`); only with PUBLIC_BASE_URL, never in the `worker` role. */
  readonly statusPage?: StatusPageRouteOptions;
  /** The operator board at /admin/queues: read-only with API_TOKEN, actions with ADMIN_TOKEN. */
  readonly admin?: AdminRouteOptions;
  readonly isReady: () => Promise<boolean>;
  readonly version: string;
  /**
   * Whose X-Forwarded-For names the client (rate limits): `false` nobody, a number of proxy hops,
   * or proxy addresses/CIDRs (config TRUST_PROXY). Never `true`: a client could choose its address.
   */
  readonly trustProxy?: false | number | readonly string[];
  /** Traces are on: each request's server span is named by its route (`POST /v1/restores`). */
  readonly traced?: boolean;
}

/**
 * Builds the HTTP app without listening (tests use `inject`; only main.ts listens).
 * Every route is registered here, explicitly.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps FastifyInstance's default generics.
    loggerInstance: deps.logger as FastifyBaseLogger,
    // One line per request, written by the onResponse hook below (or by the route itself).
    logController: new LogController({ disableRequestLogging: true }),
    // Large S3 keys make long URLs in /v1/restores?key=...; fastify's default (100) is too small.
    routerOptions: { maxParamLength: 2048 },
    return503OnClosing: true,
    frameworkErrors: (error, request, reply) =>
      answerFrameworkError(error, request as FastifyRequest, reply as FastifyReply),
    trustProxy: trustedProxies(deps.trustProxy ?? false),
    // Unique across processes and restarts: a 5xx answer names it, and support finds the log line.
    genReqId: () => randomUUID(),
  });
  installErrorHandler(app);
  if (deps.traced) {
    // The HTTP instrumentation knows the path, not the route; a span per distinct path would make
    // `/v1/restores/:id` and `/r/:token` thousands of operations (and put tokens in span names).
    app.addHook('onRequest', (request, _reply, done) => {
      const route = request.routeOptions.url;
      const span = trace.getActiveSpan();
      if (span && route) {
        span.updateName(`${request.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      done();
    });
  }
  app.addHook('onResponse', async (request, reply) => {
    const config = request.routeOptions.config;
    if (config.logsItself) return;
    const level = config.quiet && reply.statusCode < 400 ? 'debug' : 'info';
    request.log[level](
      {
        method: request.method,
        url: maskTokens(request.url),
        status: reply.statusCode,
        durationMs: reply.elapsedTime,
      },
      'request completed',
    );
  });

  if (deps.restores) await registerOpenApi(app, deps.version);
  if (deps.snsIngest) {
    await app.register(snsRoutes, { ingest: deps.snsIngest, bodyLimitBytes: deps.snsBodyLimitBytes });
  }
  if (deps.restores) await app.register(restoreRoutes, deps.restores);
  if (deps.downloads) await app.register(downloadRoutes, deps.downloads);
  if (deps.statusPage) await app.register(statusPageRoutes, deps.statusPage);
  if (deps.admin) await app.register(adminRoutes, deps.admin);
  await app.register(operationsRoutes, { metrics: deps.metrics, isReady: deps.isReady });
  return app;
}
