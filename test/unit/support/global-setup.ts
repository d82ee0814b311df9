import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ROOT, startTestServer, type TestServer } from './test-server';
import { WORKFLOWS_ENTRY, workflowBundlerOptions } from '../../../apps/worker/src/workflow-bundle';

const DIR = path.join(ROOT, '.run/unit');
const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error };

/**
 * Jest globalSetup of the unit tier: one time-skipping test server and one workflow bundle for all
 * of its test files (each file runs its own in-process Worker on its own task queue). Test files
 * find both through the environment; globalTeardown stops the server.
 */
export default async function globalSetup(): Promise<void> {
  fs.mkdirSync(DIR, { recursive: true });
  const [server, bundle] = await Promise.allSettled([
    startTestServer(path.join(DIR, 'test-server.log')),
    // Bundled as the worker bundles (the domain shared by every run of the thread): the many runs of
    // these files on one worker would show state leaking from one run into another.
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, ...workflowBundlerOptions(), logger: quiet as never }),
  ]);
  if (server.status === 'rejected' || bundle.status === 'rejected') {
    if (server.status === 'fulfilled') await server.value.stop();
    throw server.status === 'rejected' ? server.reason : (bundle as PromiseRejectedResult).reason;
  }
  const codePath = path.join(DIR, 'workflow-bundle.js');
  fs.writeFileSync(codePath, bundle.value.code);
  (globalThis as { weftTestServer?: TestServer }).weftTestServer = server.value;
  process.env.WEFT_UNIT_TEMPORAL_ADDRESS = server.value.address;
  process.env.WEFT_UNIT_WORKFLOW_BUNDLE = codePath;
}
