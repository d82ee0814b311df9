import { condition } from '@temporalio/workflow';
import { parseDuration, type WaitData } from '@weft/domain';
import { succeeded, type NodeHandler } from './node-handler';

/**
 * A durable timer: the run holds no worker while it waits and survives worker restarts. The wake
 * time is absolute, so a wait interrupted by continue-as-new goes on for only what is left.
 */
export const waitHandler: NodeHandler<WaitData> = async ({ data, runtime, resume }) => {
  const wakeAt =
    (resume as { wakeAt?: number } | undefined)?.wakeAt ??
    (data.duration !== undefined ? Date.now() + parseDuration(data.duration) : Date.parse(data.until!));
  const ms = wakeAt - Date.now();
  if (ms > 0) {
    const drained = await condition(() => runtime.draining, ms);
    if (drained) return { status: 'suspended', state: { wakeAt } };
  }
  return succeeded({});
};
