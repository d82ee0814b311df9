import fs from 'node:fs';
import path from 'node:path';
import { workflowBundlePath } from '../../support/workflow-bundle';
import { ROOT, startTestServer, type TestServer } from './test-server';

const DIR = path.join(ROOT, '.run/unit');

/**
 * Jest globalSetup of the unit tier: one time-skipping test server and one workflow bundle (the one
 * every suite shares: test/support/workflow-bundle.ts) for all of its test files (each file runs its
 * own in-process Worker on its own task queue). Test files find both through the environment;
 * globalTeardown stops the server.
 */
export default async function globalSetup(): Promise<void> {
  fs.mkdirSync(DIR, { recursive: true });
  const [server, bundle] = await Promise.allSettled([
    startTestServer(path.join(DIR, 'test-server.log')),
    workflowBundlePath('plain'),
  ]);
  if (server.status === 'rejected' || bundle.status === 'rejected') {
    if (server.status === 'fulfilled') await server.value.stop();
    throw server.status === 'rejected' ? server.reason : (bundle as PromiseRejectedResult).reason;
  }
  (globalThis as { weftTestServer?: TestServer }).weftTestServer = server.value;
  process.env.WEFT_UNIT_TEMPORAL_ADDRESS = server.value.address;
  process.env.WEFT_UNIT_WORKFLOW_BUNDLE = bundle.value;
}
