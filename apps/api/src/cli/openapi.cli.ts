import { writeFileSync } from 'node:fs';
import { mountedRoutes } from '../http/route';
import { appWithoutServices } from '../openapi/offline-app';
import { buildOpenApiDocument } from '../openapi/openapi';

// Writes the OpenAPI document that GET /v1/openapi.json serves, without a database, Redis or Temporal
// (openapi/offline-app.ts), as the document's own test builds it. The console's typed client is generated from this file
// (apps/console/scripts/gen-api.mjs), so a contract change breaks the console's build.
const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node apps/api/dist/cli/openapi.cli.js <file.json>\n');
  process.exit(2);
}
writeFileSync(out, `${JSON.stringify(buildOpenApiDocument(mountedRoutes(appWithoutServices()).declared), null, 2)}\n`);
process.exit(0);
