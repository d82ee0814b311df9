import type { WorkerOptions } from '@temporalio/worker';
import type { Logger } from '@weft/activities';
import type { WorkerConfig } from './config';

/**
 * How a Worker drains (docs/deployment.md "Rolling deploys"): on SIGTERM it stops polling; running
 * activities get WEFT_WORKER_SHUTDOWN_GRACE_MS to finish, then are cancelled (they fail with
 * worker_shutdown, retried at once on another worker); past WEFT_WORKER_SHUTDOWN_FORCE_MS more,
 * the SDK gives up waiting and Worker.run() rejects.
 */
export function shutdownOptions(config: WorkerConfig): Pick<WorkerOptions, 'shutdownGraceTime' | 'shutdownForceTime'> {
  return {
    shutdownGraceTime: config.WEFT_WORKER_SHUTDOWN_GRACE_MS,
    // Counted by the SDK from the shutdown request, not from the end of the grace.
    shutdownForceTime: config.WEFT_WORKER_SHUTDOWN_GRACE_MS + config.WEFT_WORKER_SHUTDOWN_FORCE_MS,
  };
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * The process's own bound on a shutdown: the SDK's Runtime turns SIGTERM/SIGINT into
 * Worker.shutdown() (its own handlers), and this logs the drain and makes sure the process exits
 * (code 1) even if something the Workers do not own keeps it alive past grace + force + 2 s.
 */
export function boundShutdown(config: WorkerConfig, logger: Logger): void {
  const bound = config.WEFT_WORKER_SHUTDOWN_GRACE_MS + config.WEFT_WORKER_SHUTDOWN_FORCE_MS + 2_000;
  let started = false;
  const onSignal = (signal: string) => {
    if (started) return;
    started = true;
    logger.info('worker draining', { signal, graceMs: config.WEFT_WORKER_SHUTDOWN_GRACE_MS, forceMs: config.WEFT_WORKER_SHUTDOWN_FORCE_MS });
    setTimeout(() => {
      logger.error('worker did not stop within its shutdown bound; exiting', { boundMs: bound });
      process.exit(1);
    }, bound).unref();
  };
  for (const s of SIGNALS) process.on(s, () => onSignal(s));
}
