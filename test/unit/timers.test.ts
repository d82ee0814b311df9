import { statuses, useUnitEnv } from './support/unit-env';

const env = useUnitEnv('timers');

const DAY = 24 * 60 * 60 * 1000;

/** start → before (code) → hold (wait) → after (code) → end */
const waitGraph = (wait: Record<string, unknown>) => ({
  dsl: 'weft/v1',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'before', type: 'code', data: { language: 'javascript', code: 'function main(i) { return i; }', inputs: { value: 'b' } } },
    { id: 'hold', type: 'wait', data: wait },
    { id: 'after', type: 'code', data: { language: 'javascript', code: 'function main(i) { return i; }', inputs: { value: 'a' } } },
    { id: 'end', type: 'end', data: { outputs: { before: '{{ before.value }}', after: '{{ after.value }}' } } },
  ],
  edges: [
    { source: 'start', target: 'before' },
    { source: 'before', target: 'hold' },
    { source: 'hold', target: 'after' },
    { source: 'after', target: 'end' },
  ],
});

describe('wait on the time-skipping server', () => {
  it('a one-day wait takes milliseconds of wall time and a day of workflow time', async () => {
    const wallStart = Date.now();
    const { result, log } = await env.run({ graph: waitGraph({ duration: '1d' }) });
    const wall = Date.now() - wallStart;
    expect(result).toMatchObject({ status: 'succeeded', outputs: { before: 'b', after: 'a' } });
    const [before] = env.fakes.callsOf('before');
    const [after] = env.fakes.callsOf('after');
    expect(after!.scheduledAtMs - before!.scheduledAtMs).toBeGreaterThanOrEqual(DAY);
    expect(wall).toBeLessThan(5_000);
    expect(statuses(log)).toMatchObject({ hold: 'succeeded', after: 'succeeded' });
  });

  it('waits until a time two hours ahead of the server clock', async () => {
    const until = new Date((await env.now()) + 2 * 60 * 60 * 1000).toISOString();
    const { result } = await env.run({ graph: waitGraph({ until }) });
    expect(result.status).toBe('succeeded');
    const [before] = env.fakes.callsOf('before');
    const [after] = env.fakes.callsOf('after');
    expect(after!.scheduledAtMs).toBeGreaterThanOrEqual(Date.parse(until));
    expect(after!.scheduledAtMs - before!.scheduledAtMs).toBeLessThan(2 * 60 * 60 * 1000 + 60_000);
  });
});
