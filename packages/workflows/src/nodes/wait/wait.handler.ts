import { condition } from '@temporalio/workflow';
import { DURATION_BOUNDS, parseDuration, type WaitData } from '@weft/domain';
import { failed, succeeded, type NodeHandler } from '../node-handler';

/** The longest a wait node may hold a run (the DSL refuses longer waits when a graph is saved). */
const MAX_WAIT_MS = Math.max(DURATION_BOUNDS.waitUntilAhead.max, DURATION_BOUNDS.waitDuration.max);

/**
 * A durable timer: the run holds no worker while it waits and survives worker restarts. The wake
 * time is absolute, so a wait interrupted by continue-as-new goes on for only what is left.
 */
export const waitHandler: NodeHandler<WaitData> = async (ctx) => {
  const { data, resume } = ctx;
  const wakeAt =
    (resume as { wakeAt?: number } | undefined)?.wakeAt ??
    (data.duration !== undefined ? Date.now() + parseDuration(data.duration) : Date.parse(data.until!));
  const ms = wakeAt - Date.now();
  // `until` is checked here too: a graph saved a year ago may name a time more than the bound ahead of now.
  if (!Number.isFinite(ms) || ms > MAX_WAIT_MS) return failed('wait_too_long', `A wait may last at most 366 days; this one would end at ${Number.isFinite(wakeAt) ? new Date(wakeAt).toISOString() : 'an invalid time'}`);
  if (ms > 0) {
    const drained = await condition(() => ctx.draining, ms);
    if (drained) return { status: 'suspended', state: { wakeAt } };
  }
  return succeeded({});
};
