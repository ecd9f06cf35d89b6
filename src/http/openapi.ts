import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/**
 * The OpenAPI 3 description of `/v1`, made from the route schemas, at `/openapi.json`, and a
 * browsable page of it at `/docs` (Swagger UI, served by thaw itself: no CDN).
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'thaw',
        description: 'Restore requests for archived S3 objects, and the emails that follow them.',
        version,
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
    // Only the public API is described; the SNS endpoint, probes and pages are not for clients.
    transform: (input) => {
      const transformed = jsonSchemaTransform(input);
      if (input.url.startsWith('/v1/')) return transformed;
      return { ...transformed, schema: { ...transformed.schema, hide: true } };
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: false } });
  app.get('/openapi.json', { config: { quiet: true } }, async () => app.swagger());
}
