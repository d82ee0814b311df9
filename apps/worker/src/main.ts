import { createLogger } from '@weft/activities';
import { loadWorkerConfig } from './config';
import { createWorker } from './worker';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = createLogger({ service: 'weft-worker', level: config.LOG_LEVEL });
  const { worker, close } = await createWorker(config, logger);
  logger.info('worker started', { taskQueue: config.TEMPORAL_TASK_QUEUE, address: config.TEMPORAL_ADDRESS });
  // Worker.run() installs SIGINT/SIGTERM handlers that drain in-flight tasks before resolving.
  await worker.run();
  await close();
  logger.info('worker stopped');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
