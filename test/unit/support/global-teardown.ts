import type { TestServer } from './test-server';

/** Stops the unit tier's test server (a crashed Jest stops it too: see test-server.ts). */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { weftTestServer?: TestServer };
  await holder.weftTestServer?.stop();
  delete holder.weftTestServer;
}
