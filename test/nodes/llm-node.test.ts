import { recordLlmCall } from '@weft/activities';
import { end, graph, start, tpl } from '../support/graph-builder';
import { publishGraph } from '../support/harness';
import { pieces, words } from '../support/openai-server';
import { PROVIDER_KEY, ask, llmGraph, startLlmSuite, type LlmSuite } from '../support/llm-suite';

// The llm node end to end: real API, Temporal, PostgreSQL and Redis; the vendor is the local
// OpenAI-compatible server, reached through the real openai SDK.
let s: LlmSuite;

beforeAll(async () => {
  s = await startLlmSuite('llm', {}, { others: 1 });
});
afterAll(() => s.close());
beforeEach(() => s.server.reset());

const callsOf = (runId: string) => s.h.prisma.llmCall.findMany({ where: { runId }, orderBy: [{ nodeKey: 'asc' }, { attempt: 'asc' }] });

describe('llm node', () => {
  it('answers without streaming, with the tenant key, the resolved messages and its usage', async () => {
    s.server.enqueue({ kind: 'text', text: 'Weft runs LLM graphs on Temporal.' });
    const messages = [{ role: 'system', content: 'Be brief.' }, ...ask('Question: {{ start.q }}')];
    const { run, nodes } = await s.run(llmGraph({ messages, temperature: 0.3, maxTokens: 64 }));
    expect(run.status).toBe('succeeded');
    const usage = { inputTokens: words('Be brief.') + words('Question: What is Weft?'), outputTokens: 6 };
    expect(run.outputs).toEqual({ text: 'Weft runs LLM graphs on Temporal.', json: null, usage, finishReason: 'stop' });

    const [req] = s.server.chats();
    expect(req!.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(req!.body).toMatchObject({ model: 'gpt-test', temperature: 0.3, max_tokens: 64, messages: [messages[0], { role: 'user', content: 'Question: What is Weft?' }] });
    expect(req!.body.stream).toBeFalsy();

    expect(run.usage).toEqual(usage);
    const calls = await callsOf(run.id);
    expect(calls.map((c) => [c.nodeKey, c.attempt, c.provider, c.model, c.inputTokens, c.outputTokens, c.finishReason])).toEqual([
      ['ask', 1, 'local', 'gpt-test', usage.inputTokens, usage.outputTokens, 'stop'],
    ]);
    expect(nodes.find((n) => n.key === 'ask').attempts).toHaveLength(1);
  });

  it('streams: llm.delta events land in the run stream in batches and add up to the text', async () => {
    const text = 'Durable workflows keep every step of an LLM application safe across crashes and deploys, one event at a time.';
    s.server.enqueue({ kind: 'text', text, chunkDelayMs: 5 });
    const { run } = await s.run(llmGraph({ messages: ask(), stream: true }));
    expect(run.status).toBe('succeeded');
    expect(run.outputs.text).toBe(text);
    expect(s.server.chats()[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });

    const deltas = (await s.events.read(run.id)).filter((e) => e.type === 'llm.delta');
    expect(deltas.map((d) => d.data.text).join('')).toBe(text);
    expect(deltas.every((d) => d.data.nodeId === 'ask' && d.data.attempt === 1)).toBe(true);
    // Batched (16 characters here): fewer events than streamed pieces, each but the last full.
    expect(deltas.length).toBeLessThan(pieces(text).length);
    expect(deltas.slice(0, -1).every((d) => (d.data.text as string).length >= 16)).toBe(true);
    expect(run.usage).toEqual({ inputTokens: words('What is Weft?'), outputTokens: pieces(text).length });
  });

  it('JSON mode: sends the schema, parses the answer and hands it downstream', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' }, population: { type: 'integer' } }, required: ['city', 'population'] };
    s.server.enqueue({ kind: 'text', text: '{"city": "Paris", "population": 2100000}' });
    const g = graph(
      [start, { id: 'ask', type: 'llm', data: { model: 'gpt-test', messages: ask('Biggest city of France?'), responseFormat: { type: 'json', schema } } }, tpl('say', '{{ ask.json.city }} has {{ ask.json.population }} people'), end({ said: '{{ say.text }}', city: '{{ ask.json }}' })],
      [['start', 'ask'], ['ask', 'say'], ['say', 'end']],
    );
    const { run } = await s.run(g);
    expect(run.outputs).toEqual({ said: 'Paris has 2100000 people', city: { city: 'Paris', population: 2100000 } });
    expect(s.server.chats()[0]!.body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'response', schema, strict: false } });
  });

  it('JSON mode falls back to json_object (schema in a system line) when the endpoint refuses json_schema', async () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };
    s.server.enqueue({ kind: 'error', status: 400, message: "Unsupported value: 'response_format.type' json_schema" }, { kind: 'text', text: '{"ok": true}' });
    const { run, nodes } = await s.run(llmGraph({ messages: ask('Fine?'), responseFormat: { type: 'json', schema } }));
    expect(run.outputs.json).toEqual({ ok: true });
    const [, second] = s.server.chats();
    expect(second!.body.response_format).toEqual({ type: 'json_object' });
    const hint = second!.body.messages[0];
    expect(hint.role).toBe('system');
    const prefix = 'Reply with one JSON value only, matching this JSON Schema: ';
    expect(hint.content.startsWith(prefix)).toBe(true);
    expect(JSON.parse(hint.content.slice(prefix.length))).toEqual(schema);
    expect(nodes.find((n) => n.key === 'ask').attempts).toHaveLength(1);
  });

  it('invalid JSON fails each attempt, and the node ends with llm_invalid_json after its attempts', async () => {
    s.server.rule = () => ({ kind: 'text', text: 'Sure! The city is Paris.' });
    const { run, nodes } = await s.run(llmGraph({ messages: ask(), responseFormat: { type: 'json' } }, { retry: { maxAttempts: 3, initialInterval: '100ms' } }));
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'llm_invalid_json', nodeId: 'ask' });
    expect(run.error.message).toMatch(/^The model's answer is not usable JSON \(attempt 3 of 3\): the answer is not JSON/);
    const attempts = nodes.find((n) => n.key === 'ask').attempts;
    expect(attempts.map((a: any) => [a.attempt, a.status, a.error.code])).toEqual([
      [1, 'failed', 'llm_invalid_json'],
      [2, 'failed', 'llm_invalid_json'],
      [3, 'failed', 'llm_invalid_json'],
    ]);
    expect(s.server.chats()).toHaveLength(3);
    // JSON mode without a schema: json_object, and a system line naming JSON (OpenAI requires it).
    expect(s.server.chats()[0]!.body.response_format).toEqual({ type: 'json_object' });
    expect(s.server.chats()[0]!.body.messages[0]).toEqual({ role: 'system', content: 'Reply with one JSON object only.' });
    // Every attempt was a paid call: all three are recorded and counted.
    const calls = await callsOf(run.id);
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    const each = { inputTokens: words('Reply with one JSON object only.') + words('What is Weft?'), outputTokens: pieces('Sure! The city is Paris.').length };
    expect(run.usage).toEqual({ inputTokens: 3 * each.inputTokens, outputTokens: 3 * each.outputTokens });
  });

  it('an answer that breaks the schema counts as invalid JSON too', async () => {
    s.server.enqueue({ kind: 'text', text: '{"city": 42}' });
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const { run } = await s.run(llmGraph({ messages: ask(), responseFormat: { type: 'json', schema } }));
    expect(run.error).toMatchObject({ code: 'llm_invalid_json' });
    expect(run.error.message).toContain('$.city Instance type "number" is invalid. Expected "string"');
  });

  it('an unusable response schema is refused when the graph is saved', async () => {
    const r = await s.api('POST', '/v1/workflows', { name: 'x', graph: llmGraph({ messages: ask(), responseFormat: { type: 'json', schema: { type: 'text' } } }) });
    expect(r.status).toBe(422);
    expect(r.body.details.issues).toEqual([expect.objectContaining({ code: 'llm_response_schema_invalid', nodeId: 'ask', message: expect.stringContaining('unknown type "text"') })]);
  });

  it('an unusable response schema in a version stored before that check fails at once, before any call', async () => {
    const good = llmGraph({ messages: ask(), responseFormat: { type: 'json', schema: { type: 'object' } } }, { retry: { maxAttempts: 3 } });
    const workflowId = await publishGraph(s.api, good);
    const bad = JSON.parse(JSON.stringify(good).replace('{"type":"object"}', '{"type":"text"}'));
    await s.h.prisma.workflowVersion.updateMany({ where: { workflowId }, data: { graph: bad } });
    const r = await s.api('POST', `/v1/workflows/${workflowId}/runs`, { inputs: {}, mode: 'blocking', timeoutMs: 60_000 });
    expect(r.body.data.error).toMatchObject({ code: 'llm_response_schema_invalid' });
    expect(r.body.data.error.message).toContain('unknown type "text"');
    const nodes = (await s.api('GET', `/v1/runs/${r.body.data.id}/nodes`)).body.data as any[];
    expect(nodes.find((n) => n.key === 'ask').attempts).toHaveLength(1);
    expect(s.server.chats()).toHaveLength(0);
  });

  it('sums usage over every llm node of the run, and counts a call recorded twice once', async () => {
    s.server.enqueue({ kind: 'text', text: 'first answer' }, { kind: 'text', text: 'the second answer' });
    const g = graph(
      [start, { id: 'a', type: 'llm', data: { model: 'gpt-test', messages: ask('one two') } }, { id: 'b', type: 'llm', data: { model: 'gpt-test-mini', messages: ask('{{ a.text }} three') } }, end({ b: '{{ b.text }}' })],
      [['start', 'a'], ['a', 'b'], ['b', 'end']],
    );
    const { run } = await s.run(g);
    expect(run.outputs).toEqual({ b: 'the second answer' });
    const calls = await callsOf(run.id);
    expect(calls.map((c) => [c.nodeKey, c.model, c.inputTokens, c.outputTokens])).toEqual([
      ['a', 'gpt-test', 2, 2],
      ['b', 'gpt-test-mini', 3, 3],
    ]);
    expect(run.usage).toEqual({ inputTokens: 5, outputTokens: 5 });
    const again = { tenantId: calls[0]!.tenantId, runId: run.id, nodeKey: 'a', attempt: 1, provider: 'local', model: 'gpt-test', inputTokens: 2, outputTokens: 2, finishReason: 'stop' };
    expect(await recordLlmCall(s.h.prisma, again)).toBe(false);
    expect((await s.api('GET', `/v1/runs/${run.id}`)).body.data.usage).toEqual({ inputTokens: 5, outputTokens: 5 });
  });

  it('names a provider by data.provider; an unknown one fails at once with llm_provider_not_found', async () => {
    const other = s.others[0]!;
    await s.addProvider('second', other.url, 'sk-second');
    other.enqueue({ kind: 'text', text: 'from the second provider' });
    const { run: second } = await s.run(llmGraph({ provider: 'second', messages: ask() }));
    expect(second.outputs.text).toBe('from the second provider');
    expect(other.chats()[0]!.headers.authorization).toBe('Bearer sk-second');
    expect(s.server.chats()).toHaveLength(0);
    expect((await callsOf(second.id))[0]!.provider).toBe('second');
    const { run, nodes } = await s.run(llmGraph({ provider: 'nope', messages: ask() }, { retry: { maxAttempts: 3 } }));
    expect(run.error).toMatchObject({ code: 'llm_provider_not_found', message: "No model provider named 'nope' in this tenant" });
    expect(nodes.find((n) => n.key === 'ask').attempts).toHaveLength(1);
  });

  it('never shows the provider key: not in the provider list, not in run records, not in a vendor error quoting it', async () => {
    const list = await s.api('GET', '/v1/model-providers');
    expect(list.body.data.map((p: any) => p.name)).toEqual(['local', 'second']);
    expect(Object.keys(list.body.data[0]).sort()).toEqual(['baseUrl', 'createdAt', 'id', 'name', 'type']);
    expect(JSON.stringify(list.body)).not.toContain(PROVIDER_KEY);

    s.server.enqueue({ kind: 'error', status: 401, message: `Incorrect API key provided: ${PROVIDER_KEY}` });
    const { run, nodes } = await s.run(llmGraph({ messages: ask() }, { retry: { maxAttempts: 3 } }));
    expect(run.error).toMatchObject({ code: 'llm_unauthorized' });
    expect(run.error.message).toContain('Incorrect API key provided: [secret]');
    expect(nodes.find((n) => n.key === 'ask').attempts).toHaveLength(1);
    const everything = JSON.stringify([run, nodes, (await s.api('GET', `/v1/runs/${run.id}`)).body, await s.events.read(run.id)]);
    expect(everything).not.toContain(PROVIDER_KEY);
    const rows = JSON.stringify(await s.h.prisma.nodeAttempt.findMany({ where: { runId: run.id } }));
    expect(rows).not.toContain(PROVIDER_KEY);
  });
});
