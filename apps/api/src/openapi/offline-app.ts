import type { Express } from 'express';
import { createApp, type AppDeps } from '../app';
import { apiConfigSchema } from '../config';

/**
 * The app built with no PostgreSQL, Redis or Temporal behind it: nothing is called while routes are
 * mounted or while the OpenAPI document is served, so this is enough to write the document (the
 * console's build, cli/openapi.cli.ts) and to test it (openapi.test.ts).
 */
export function appWithoutServices(): Express {
  return createApp({
    config: apiConfigSchema.parse({ WEFT_ENCRYPTION_KEY: '0'.repeat(64) }),
    prisma: {},
    redis: {},
    temporal: {},
    logger: { http: () => undefined },
  } as unknown as AppDeps);
}
