/**
 * GET /v1/runs/:id/events against the real stack: resuming with Last-Event-ID exactly after the
 * last event seen, the replay of an ended run, pings, what a client that goes away leaves behind,
 * node events published by activities, and secrets masked in llm.delta.
 */
import { liveEventsOf } from '../../apps/api/src/app';
import { end, graph, start, tpl } from '../support/graph-builder';
import { eventually, publishGraph } from '../support/harness';
import { ask, startLlmSuite, type LlmSuite } from '../support/llm-suite';
import { openEvents, type SseEvent, type SseStream } from '../support/sse-client';

let s: LlmSuite;
let key: string;

beforeAll(async () => {
  s = await startLlmSuite('events', {}, { env: { WEFT_SSE_PING_MS: '250', WEFT_SSE_MAX_CONNECTIONS: '4', WEFT_SSE_RECHECK_MS: '300' } });
  key = await s.h.key('acme');
}, 120_000);
afterAll(() => s.close());
afterEach(() => s.server.reset());

/** start → if-else → (llm, streamed) or (template, skipped here) → aggregator → end */
const answerGraph = graph(
  [
    start,
    { id: 'route', type: 'if-else', data: { cases: [{ id: 'ask', logic: 'and', conditions: [{ left: '{{ start.q }}', op: 'not-empty' }] }] } },
    { id: 'ask', type: 'llm', data: { model: 'gpt-test', messages: ask(), stream: true }, retry: { maxAttempts: 2, initialInterval: '100ms' } },
    tpl('fallback', 'no question'),
    { id: 'pick', type: 'variable-aggregator', data: { sources: ['{{ ask.text }}', '{{ fallback.text }}'] } },
    end({ answer: '{{ pick.value }}' }),
  ],
  [['start', 'route'], ['route', 'ask', 'ask'], ['route', 'fallback', 'else'], ['ask', 'pick'], ['fallback', 'pick'], ['pick', 'end']],
  { q: { type: 'string', default: 'What is Weft?' } },
);

const ANSWER = 'Weft runs every graph as a durable Temporal workflow, one node at a time, and keeps a full history of it.';
const slowly = { kind: 'text' as const, text: ANSWER, chunkDelayMs: 100 };
/** keeps a run open for about two seconds */
const briefly = { kind: 'text' as const, text: 'one two three four five six', chunkDelayMs: 300 };

const open = (runId: string, options: { lastEventId?: string; query?: string } = {}) => openEvents(s.h.url, runId, key, options);
/** Whether stream id a comes after b ("<ms>-<seq>", compared as numbers). */
const later = (a: string, b: string) => {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am! > bm! || (am === bm && as! > bs!);
};
const numbered = (events: SseEvent[]) => events.filter((e) => e.id !== undefined);
const byNode = (events: SseEvent[], nodeId: string) => events.filter((e) => e.event.startsWith('node.') && e.data.nodeId === nodeId).map((e) => e.event);

/** Everything of a stream until it ends by itself (after run.finished). */
async function readToEnd(stream: SseStream): Promise<SseEvent[]> {
  const events = await stream.collect((e) => e.event === 'run.finished');
  await stream.ended;
  return events;
}

describe('live run events', () => {
  let runId: string;
  let full: SseEvent[];
  let resumedAt: string;
  let firstK: SseEvent[];

  it('resumes exactly after Last-Event-ID (no gap, no duplicate) while the run goes on; pings while idle', async () => {
    s.server.enqueue(slowly);
    runId = await s.start(answerGraph);
    const whole = open(runId);
    const part = await open(runId);
    expect(part.status).toBe(200);
    expect(part.headers.get('content-type')).toMatch(/^text\/event-stream/);

    // The client sees k events, then goes away; the run goes on without it.
    const k = 5;
    firstK = [];
    while (firstK.length < k) firstK.push(...(await part.collect(() => true)));
    part.close();
    resumedAt = firstK.at(-1)!.id!;
    // More events are published while it is away.
    await eventually(async () => (await s.events.read(runId, resumedAt)).length >= 3, 30_000, 50);

    const resumed = await open(runId, { lastEventId: resumedAt });
    const rest = await readToEnd(resumed);
    full = await readToEnd(await whole);

    // Every event has an id; ids increase; the client got each event exactly once.
    expect(numbered(full)).toEqual(full);
    for (let i = 1; i < full.length; i++) expect(later(full[i]!.id!, full[i - 1]!.id!)).toBe(true);
    expect([...firstK, ...rest]).toEqual(full);
    expect(rest[0]!.id).toBe(full[k]!.id);
    expect(new Set(full.map((e) => e.id)).size).toBe(full.length);

    // The stream pinged while the model was slow (pings carry no id, so a resume never skips one).
    expect((await whole).pings.length).toBeGreaterThan(0);
    expect((await whole).pings.every((p) => p.id === undefined && typeof p.data.at === 'string')).toBe(true);
  });

  it('carries node events from activities, in order, and the llm deltas in between', () => {
    const types = full.map((e) => e.event);
    expect(types[0]).toBe('run.started');
    expect(types.at(-1)).toBe('run.finished');
    expect(full.at(-1)!.data).toMatchObject({ runId, status: 'succeeded', outputs: { answer: ANSWER } });
    expect(byNode(full, 'start')).toEqual(['node.started', 'node.finished']);
    expect(byNode(full, 'route')).toEqual(['node.started', 'node.finished']);
    expect(byNode(full, 'fallback')).toEqual(['node.started', 'node.skipped']);
    expect(byNode(full, 'ask')).toEqual(['node.started', 'node.finished']);
    expect(byNode(full, 'pick')).toEqual(['node.started', 'node.finished']);
    const at = (type: string, nodeId: string) => full.findIndex((e) => e.event === type && e.data.nodeId === nodeId);
    const deltas = full.filter((e) => e.event === 'llm.delta');
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.map((d) => d.data.text).join('')).toBe(ANSWER);
    expect(at('node.started', 'ask')).toBeLessThan(full.indexOf(deltas[0]!));
    expect(at('node.finished', 'ask')).toBeGreaterThan(full.indexOf(deltas.at(-1)!));
    expect(at('node.finished', 'start')).toBeLessThan(at('node.started', 'route'));
    expect(full[at('node.started', 'ask')]!.data).toMatchObject({ nodeId: 'ask', key: 'ask', type: 'llm', status: 'running', attempt: 1 });
    expect(full[at('node.finished', 'ask')]!.data).toMatchObject({ nodeId: 'ask', type: 'llm', status: 'succeeded', outputs: { text: ANSWER, finishReason: 'stop' } });
    expect(full[at('node.finished', 'ask')]!.data.startedAt).toEqual(expect.any(String));
    expect(full[at('node.finished', 'ask')]!.data.finishedAt).toEqual(expect.any(String));
  });

  it('replays an ended run and closes, from the start, after an id given as a query, or at once after its last event', async () => {
    const again = await open(runId);
    expect(await readToEnd(again)).toEqual(full);
    const fromQuery = await open(runId, { query: `?lastEventId=${encodeURIComponent(resumedAt)}` });
    expect(await readToEnd(fromQuery)).toEqual(full.slice(firstK.length));
    const atEnd = await open(runId, { lastEventId: full.at(-1)!.id });
    expect(await atEnd.collect()).toEqual([]);
    await atEnd.ended;
  });

  it('refuses a malformed Last-Event-ID, another tenant’s run and a stream past the cap', async () => {
    const bad = await open(runId, { lastEventId: 'yesterday' });
    expect([bad.status, bad.body.code]).toEqual([400, 'malformed_request']);
    const other = await openEvents(s.h.url, runId, await s.h.key('globex'));
    expect([other.status, other.body.code]).toEqual([404, 'run_not_found']);

    s.server.enqueue(briefly);
    const live = await s.start(answerGraph);
    const streams = await Promise.all([1, 2, 3, 4].map(() => open(live)));
    expect(streams.map((x) => x.status)).toEqual([200, 200, 200, 200]);
    const fifth = await open(live);
    expect([fifth.status, fifth.body.code, fifth.headers.get('retry-after')]).toEqual([503, 'events_capacity_reached', '5']);
    for (const x of streams) x.close();
    await eventually(async () => liveEventsOf(s.h.app).stats().connections === 0, 10_000, 20);
    await eventually(async () => (await s.api('GET', `/v1/runs/${live}`)).body.data.status === 'succeeded', 60_000);
  });

  it('releases everything of a client that goes away: subscription, timers, the reader connection', async () => {
    s.server.enqueue(briefly);
    const live = await s.start(answerGraph);
    const a = await open(live);
    const b = await open(live, { lastEventId: '0-0' });
    await a.collect((e) => e.event === 'run.started');
    await b.collect((e) => e.event === 'run.started');
    const events = liveEventsOf(s.h.app);
    expect(events.stats()).toMatchObject({ connections: 2, subscribers: 2, reading: true });
    expect(events.stats().timers).toBeGreaterThanOrEqual(2);
    const clients = async () => (await s.h.redis.client('LIST')) as string;
    expect(await clients()).toContain(`name=${events.hub.connectionName}`);

    a.close();
    b.close();
    await eventually(async () => {
      const st = events.stats();
      return st.connections === 0 && st.subscribers === 0 && st.timers === 0 && !st.reading;
    }, 10_000, 20);
    await eventually(async () => !(await clients()).includes(`name=${events.hub.connectionName}`), 10_000, 50);
    await eventually(async () => (await s.api('GET', `/v1/runs/${live}`)).body.data.status === 'succeeded', 60_000);
  });

  it('publishes node.retrying with the attempt and what stopped the previous one', async () => {
    s.server.enqueue({ kind: 'error', status: 500, message: 'the model is overloaded' }, { kind: 'text', text: 'second time lucky' });
    const live = await s.start(answerGraph);
    const events = await readToEnd(await open(live));
    expect(byNode(events, 'ask')).toEqual(['node.started', 'node.retrying', 'node.finished']);
    const retrying = events.find((e) => e.event === 'node.retrying')!;
    expect(retrying.data).toMatchObject({ nodeId: 'ask', status: 'retrying', attempt: 2, error: { code: 'llm_provider_error' } });
    expect(retrying.data.error.message).toContain('overloaded');
  });

  it('masks a secret the model repeats in its deltas, even split across two of them, and in its answer', async () => {
    const secret = `sk-weft-${Date.now()}-SECRETVALUE`;
    expect((await s.api('PUT', '/v1/secrets/API_TOKEN', { value: secret })).status).toBe(200);
    const cut = secret.length - 7;
    s.server.enqueue({ kind: 'text', text: `Your key: ${secret} is safe.`, chunks: [`Your key: ${secret.slice(0, cut)}`, `${secret.slice(cut)} is`, ' safe.'], chunkDelayMs: 50 });
    const g = graph(
      [start, { id: 'ask', type: 'llm', data: { model: 'gpt-test', messages: ask('Repeat my key {{ secrets.API_TOKEN }}'), stream: true } }, end({ answer: '{{ ask.text }}' })],
      [['start', 'ask'], ['ask', 'end']],
    );
    const live = await s.start(g);
    const events = await readToEnd(await open(live));
    const deltas = events.filter((e) => e.event === 'llm.delta').map((e) => e.data.text as string);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Your key: [secret] is safe.');
    expect(JSON.stringify(events)).not.toContain(secret.slice(0, 12));
    expect(JSON.stringify(events)).not.toContain(secret.slice(-8));
    expect(events.at(-1)!.data.outputs).toEqual({ answer: 'Your key: [secret] is safe.' });
    // The model did see the secret: the masking is on the way out only.
    expect(JSON.stringify(s.server.chats()[0]!.body.messages)).toContain(secret);
  });

  it('ends the stream of a run closed from outside Weft (terminated in Temporal), with a run.finished', async () => {
    const id = await publishGraph(s.api, graph([start, { id: 'w', type: 'wait', data: { duration: '1h' } }, end({})], [['start', 'w'], ['w', 'end']]));
    const started = await s.api('POST', `/v1/workflows/${id}/runs`, { inputs: {} });
    const live = started.body.data.id as string;
    const stream = await open(live);
    await stream.collect((e) => e.event === 'run.started');
    await s.h.temporal.workflow.getHandle(started.body.data.temporal.workflowId).terminate('test: closed from outside');
    const rest = await stream.collect((e) => e.event === 'run.finished', { timeoutMs: 30_000 });
    await stream.ended;
    expect(rest.at(-1)).toMatchObject({ event: 'run.finished', data: { runId: live, status: 'failed', error: { code: 'run_terminated' } } });
    expect(rest.at(-1)!.id).toEqual(expect.any(String));
  });
});
