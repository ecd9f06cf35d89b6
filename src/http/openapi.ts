import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/**
 * package.json's `license`: thaw is not licensed for use by others. OpenAPI wants a URL with a
 * license; this one says what `UNLICENSED` means.
 */
const LICENSE = {
  name: 'UNLICENSED',
  url: 'https://docs.npmjs.com/cli/v10/configuring-npm/package-json#license',
};

/**
 * The OpenAPI 3 description of `/v1`, made from the route schemas, at `/openapi.json`, and a
 * browsable page of it at `/docs` (Swagger UI, served by thaw itself: no CDN). The document is
 * held to Redocly's `recommended` rules (test/unit/openapi-lint.test.ts).
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'thaw',
        description: 'Restore requests for archived S3 objects, and the emails that follow them.',
        version,
        license: LICENSE,
      },
      // Relative: the API is where this document is served from, whatever PUBLIC_BASE_URL says.
      servers: [{ url: '/', description: 'The thaw serving this document' }],
      tags: [{ name: 'restores', description: 'Restore requests and the emails that follow them' }],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
    // Only the public API is described; the SNS endpoint, probes and pages are not for clients.
    transform: (input) => {
      const transformed = jsonSchemaTransform(input);
      if (!input.url.startsWith('/v1/')) {
        return { ...transformed, schema: { ...transformed.schema, hide: true } };
      }
      return { ...transformed, schema: withResponseHeaders(input.schema, transformed.schema) };
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: false } });
  app.get('/openapi.json', { config: { quiet: true } }, async () => app.swagger());
}

type ResponseMap = Record<string, Record<string, unknown>>;

/**
 * fastify-type-provider-zod converts each response's schema and keeps its description, but drops
 * the `headers` a route documents with it (`Retry-After` on 429...); @fastify/swagger reads them
 * from the converted response, so they are copied back.
 */
function withResponseHeaders(route: FastifySchema, converted: FastifySchema): FastifySchema {
  const declared = route.response as ResponseMap | undefined;
  const responses = converted.response as ResponseMap | undefined;
  if (!declared || !responses) return converted;
  const merged: ResponseMap = {};
  for (const [status, response] of Object.entries(responses)) {
    const headers = declared[status]?.headers;
    merged[status] = headers ? { ...response, headers } : response;
  }
  return { ...converted, response: merged };
}
