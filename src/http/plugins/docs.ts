import swagger from '@fastify/swagger';
import scalar from '@scalar/fastify-api-reference';
import fp from 'fastify-plugin';

/** OpenAPI 3.1 generated from the route schemas, served at /openapi.json, and a reference at /docs. */
export const docsPlugin = fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Keywarden API',
          version: '1.0.0',
          description:
            'Personal Access Tokens and Platform API keys for a multi-tenant API. Send `Authorization: Bearer <credential>`; Platform API keys name the acting user in `x-meetergo-api-user-id`.',
        },
        components: {
          securitySchemes: {
            bearer: {
              type: 'http',
              scheme: 'bearer',
              description: 'A PAT (`rgo-…`) or a Platform API key (`ak_live:…`)',
            },
            session: { type: 'apiKey', in: 'cookie', name: 'kw_session', description: 'Dashboard session' },
          },
        },
        security: [{ bearer: [] }, { session: [] }],
      },
      transform: ({ schema, url, route }) => ({
        // A route without `config.auth` is public: say so rather than inherit the global requirement.
        schema: schema && !route.config?.auth && !schema.security ? { ...schema, security: [] } : schema,
        // Routes declared as `/` inside a prefix are documented as `/v4/user`, not `/v4/user/`.
        url: url.length > 1 ? url.replace(/\/$/, '') : url,
      }),
      refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    });
    await app.register(scalar, { routePrefix: '/docs', configuration: { url: '/openapi.json' } });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'keywarden-docs' },
);
