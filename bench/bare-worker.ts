/**
 * The bare-Temporal side of `npm run bench:api`, in a process of its own like the product's worker:
 * a Worker with nothing but an empty workflow, on its own task queue, with the SDK's defaults.
 * Settings: TEMPORAL_ADDRESS, BENCH_BARE_TASK_QUEUE. Logs "bare worker started" when it polls.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const taskQueue = process.env.BENCH_BARE_TASK_QUEUE;
  if (!taskQueue) throw new Error('BENCH_BARE_TASK_QUEUE is required');
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./bare.workflows'), logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  const worker = await Worker.create({ connection, taskQueue, workflowBundle });
  const running = worker.run();
  console.log('bare worker started');
  await running;
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
