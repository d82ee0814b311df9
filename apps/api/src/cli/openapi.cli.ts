import { writeFileSync } from 'node:fs';
import { createApp, type AppDeps } from '../app';
import { apiConfigSchema } from '../config';
import { mountedRoutes } from '../http/route';
import { buildOpenApiDocument } from '../openapi/openapi';

// Writes the OpenAPI document that GET /v1/openapi.json serves, without a database, Redis or Temporal:
// the app is built with no dependencies (nothing is called while routes are mounted), as the
// document's own test builds it. The console's typed client is generated from this file
// (apps/console/scripts/gen-api.mjs), so a contract change breaks the console's build.
const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node apps/api/dist/cli/openapi.cli.js <file.json>\n');
  process.exit(2);
}
const app = createApp({
  config: apiConfigSchema.parse({ WEFT_ENCRYPTION_KEY: '0'.repeat(64) }),
  prisma: {},
  redis: {},
  temporal: {},
  logger: { http: () => undefined },
} as unknown as AppDeps);
writeFileSync(out, `${JSON.stringify(buildOpenApiDocument(mountedRoutes(app).declared), null, 2)}\n`);
process.exit(0);
