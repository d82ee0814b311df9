/**
 * Encrypted history end to end (README "Encrypted history"): the real API and worker with the
 * payload codec, the llm node against the local OpenAI-compatible server. What Temporal stores (as
 * the CLI exports it) holds neither the run input nor the model's answer; the run's history route
 * and the codec endpoint (operator token only) decode them; a key rotation keeps old runs readable.
 */
import { randomBytes } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { payloadDataConverter } from '@weft/activities';
import { end, graph, start, tpl } from '../support/graph-builder';
import { httpClient, runGraph, startHarness, workflowBundle, type Harness } from '../support/harness';
import { exportHistory, harnessCodec } from '../support/history-export';
import { ask, llmGraph, startLlmSuite, type LlmSuite } from '../support/llm-suite';
import { testEnv } from '../support/test-env';

const KEY_A = randomBytes(32).toString('hex');
const KEY_B = randomBytes(32).toString('base64');
const INPUT = `codec-input-${randomBytes(6).toString('hex')}-plum`;
const ANSWER = `codec-answer-${randomBytes(6).toString('hex')}-quince`;

const b64 = (s: string) => Buffer.from(s).toString('base64');
/** A string's base64 at each of the three alignments it can have inside a longer text, without the edge characters. */
const base64Forms = (s: string) => ['', 'x', 'xx'].map((pad) => b64(pad + s).slice(pad.length ? 4 : 0, -4));
const expectNoTrace = (text: string, ...secrets: string[]) => {
  for (const secret of secrets) {
    expect(text).not.toContain(secret);
    for (const form of base64Forms(secret)) expect(text).not.toContain(form);
  }
};

type ExportedEvent = Record<string, any>;
const startedInput = (json: string) => (JSON.parse(json).events as ExportedEvent[])[0]!.workflowExecutionStartedEventAttributes.input.payloads[0];
const metadataText = (payload: { metadata: Record<string, string> }) => Object.fromEntries(Object.entries(payload.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));

let s: LlmSuite;
let run: any;
let stored: string;

beforeAll(async () => {
  s = await startLlmSuite('codec', {}, { env: { WEFT_PAYLOAD_KEYS: `a:${KEY_A}` } });
  s.server.enqueue({ kind: 'text', text: ANSWER });
  ({ run } = await s.run(llmGraph({ messages: ask('Say something about {{ start.q }}') }), { q: INPUT }));
  expect(run.status).toBe('succeeded');
  expect(run.outputs.text).toBe(ANSWER);
  stored = await exportHistory(run.temporal.workflowId);
});
afterAll(() => s?.close());

describe('history in Temporal', () => {
  it('holds neither the run input nor the model answer, in clear or in base64: payloads are ciphertext under key a', () => {
    expect(JSON.parse(stored).events.length).toBeGreaterThan(5);
    expectNoTrace(stored, INPUT, ANSWER);
    expect(metadataText(startedInput(stored))).toEqual({ encoding: 'binary/encrypted', 'encryption-key-id': 'a' });
  });

  it('reads in clear through the codec endpoint, as the CLI of an operator with the token does, and replays so (as committed histories are recorded)', async () => {
    const decoded = await exportHistory(run.temporal.workflowId, { codec: harnessCodec(s.h.url) });
    expect(metadataText(startedInput(decoded)).encoding).toBe('json/plain');
    expect(Buffer.from(startedInput(decoded).data, 'base64').toString()).toContain(INPUT);
    // The answer is inside an activity's result (a JSON payload): its base64 at one of its alignments.
    expect(base64Forms(ANSWER).filter((form) => decoded.includes(form))).not.toHaveLength(0);
    const dataConverter = payloadDataConverter({ WEFT_ENCRYPTION_KEY: testEnv.encryptionKey });
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter }, JSON.parse(decoded), run.temporal.workflowId)).resolves.toBeUndefined();
  });

  it('reads decoded through GET /v1/runs/:id/history, with no ciphertext in it', async () => {
    const res = await s.api('GET', `/v1/runs/${run.id}/history?limit=500`);
    expect(res.status).toBe(200);
    const events = res.body.data.events as ExportedEvent[];
    expect(events[0]!.workflowExecutionStartedEventAttributes.input.payloads[0].inputs).toEqual({ q: INPUT });
    const text = JSON.stringify(events);
    expect(text).toContain(ANSWER);
    expect(text).not.toContain('binary/encrypted');
    expect(text).not.toContain(b64('binary/encrypted'));
    expect(text).not.toContain('$undecodedPayload');
  });
});

describe('a failure in history', () => {
  it("holds no failure message in clear: a vendor's error text is encrypted in the failed activity, and reads decoded", async () => {
    const said = `vendor-refusal-${randomBytes(6).toString('hex')}-fig`;
    s.server.enqueue({ kind: 'error', status: 400, message: said });
    const { run: failed } = await s.run(llmGraph({ messages: ask() }), { q: 'a question' });
    expect(failed.status).toBe('failed');
    const raw = await exportHistory(failed.temporal.workflowId);
    const failure = (JSON.parse(raw).events as ExportedEvent[]).find((e) => e.activityTaskFailedEventAttributes)!.activityTaskFailedEventAttributes.failure;
    expect(failure.message).toBe('Encoded failure');
    expect(metadataText(failure.encodedAttributes).encoding).toBe('binary/encrypted');
    expectNoTrace(raw, said);
    const res = await s.api('GET', `/v1/runs/${failed.id}/history?limit=500`);
    const shown = (res.body.data.events as ExportedEvent[]).find((e) => e.activityTaskFailedEventAttributes)!.activityTaskFailedEventAttributes.failure;
    expect(shown.message).toContain(said);
    expect(shown.applicationFailureInfo.type).toBe('llm_bad_request');
    expect(JSON.stringify(shown)).not.toMatch(/stack_trace|encodedAttributes|Encoded failure/);
  });
});

describe('the codec endpoint', () => {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    httpClient(s.h.url)('POST', path, body, { 'x-namespace': 'default', ...headers });
  const operator = { authorization: `Bearer ${testEnv.codecToken}` };

  it('refuses a caller without the token, with a wrong one and with a tenant API key (401)', async () => {
    const payloads = [startedInput(stored)];
    const tenantKey = await s.h.key('acme', 'admin');
    const callers: Record<string, string>[] = [{}, { authorization: 'Bearer not-the-operator-token' }, { authorization: `Bearer ${tenantKey}` }, { authorization: testEnv.codecToken }];
    for (const headers of callers) {
      const res = await post('/codec/decode', { payloads }, headers);
      expect([res.status, res.body.code]).toEqual([401, 'unauthorized']);
      expectNoTrace(JSON.stringify(res.body), INPUT);
    }
    expect((await post('/codec/encode', { payloads }, {})).status).toBe(401);
  });

  it('decodes for the operator: encrypted payloads decrypted, others passed through as they are', async () => {
    const plain = { metadata: { encoding: b64('json/plain') }, data: b64('"as it was"') };
    const res = await post('/codec/decode', { payloads: [startedInput(stored), plain] }, operator);
    expect(res.status).toBe(200);
    const [input, same] = res.body.payloads;
    expect(metadataText(input).encoding).toBe('json/plain');
    expect(JSON.parse(Buffer.from(input.data, 'base64').toString()).inputs).toEqual({ q: INPUT });
    expect(same).toEqual(plain);
  });

  it('encodes for the operator, with the current key, what it then decodes', async () => {
    const plain = { metadata: { encoding: b64('json/plain') }, data: b64(JSON.stringify(INPUT)) };
    const encoded = await post('/codec/encode', { payloads: [plain] }, operator);
    expect(encoded.status).toBe(200);
    expect(metadataText(encoded.body.payloads[0])).toEqual({ encoding: 'binary/encrypted', 'encryption-key-id': 'a' });
    expectNoTrace(JSON.stringify(encoded.body), INPUT);
    expect((await post('/codec/decode', encoded.body, operator)).body).toEqual({ payloads: [plain] });
  });

  it('answers a tampered payload, another namespace and a malformed body with an error, never a 5xx', async () => {
    const input = startedInput(stored);
    const data = Buffer.from(input.data, 'base64');
    data[20] = data[20]! ^ 1;
    const tampered = await post('/codec/decode', { payloads: [{ ...input, data: data.toString('base64') }] }, operator);
    expect([tampered.status, tampered.body.code]).toEqual([422, 'codec_payload_undecodable']);
    expect(tampered.body.message).toMatch(/^Payload 0 cannot be decoded: .*key 'a' does not decrypt/);
    const other = await post('/codec/decode', { payloads: [input] }, { ...operator, 'x-namespace': 'someone-else' });
    expect([other.status, other.body.code]).toEqual([403, 'codec_namespace_not_served']);
    for (const body of [{}, { payloads: 'x' }, { payloads: [{ data: '%%%' }] }, { payloads: [], extra: 1 }]) {
      expect((await post('/codec/decode', body, operator)).status).toBe(400);
    }
    const garbage = await post('/codec/decode', { payloads: [{ metadata: { encoding: b64('binary/encrypted'), 'encryption-key-id': b64('a') }, data: b64('short') }] }, operator);
    expect(garbage.status).toBe(422);
  });

  it("answers the Temporal Web UI's CORS preflight for its origin only, and lets it read the answers", async () => {
    const ui = 'http://127.0.0.1:8233'; // TEMPORAL_UI_URL's default, the allowed origin when WEFT_CODEC_ALLOWED_ORIGINS is unset
    const preflight = (origin: string) =>
      fetch(`${s.h.url}/codec/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
      });
    const allowed = await preflight(ui);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ui);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Authorization.*Content-Type.*X-Namespace/);
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    const refused = await preflight('http://evil.example');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const answer = await post('/codec/decode', { payloads: [] }, { ...operator, origin: ui });
    expect([answer.status, answer.headers.get('access-control-allow-origin')]).toEqual([200, ui]);
    const unauthenticated = await post('/codec/decode', { payloads: [] }, { origin: ui });
    expect([unauthenticated.status, unauthenticated.headers.get('access-control-allow-origin')]).toEqual([401, ui]);
  });
});

describe('key rotation', () => {
  let rotated: Harness;
  let onlyB: Harness;
  afterAll(async () => {
    await rotated?.close();
    await onlyB?.close();
  });

  it('encrypts new runs with key b while runs written under key a still read; without key a they read as undecoded, named', async () => {
    rotated = await startHarness('codec-rotated', { WEFT_PAYLOAD_KEYS: `a:${KEY_A},b:${KEY_B}`, WEFT_PAYLOAD_KEY_ID: 'b' });
    const stop = (await rotated.startWorker()).stop;
    const api = httpClient(rotated.url, await rotated.key('acme'));
    try {
      const { run: fresh } = await runGraph(api, graph([start, tpl('t', 'got {{ start.q }}'), end({ t: '{{ t.text }}' })], [['start', 't'], ['t', 'end']], { q: { type: 'string' } }), { q: INPUT });
      expect(fresh.outputs).toEqual({ t: `got ${INPUT}` });
      const freshStored = await exportHistory(fresh.temporal.workflowId);
      expect(metadataText(startedInput(freshStored))['encryption-key-id']).toBe('b');
      expectNoTrace(freshStored, INPUT);
    } finally {
      await stop();
    }
    const old = await api('GET', `/v1/runs/${run.id}/history?limit=500`);
    expect(old.status).toBe(200);
    expect(old.body.data.events[0].workflowExecutionStartedEventAttributes.input.payloads[0].inputs).toEqual({ q: INPUT });

    onlyB = await startHarness('codec-only-b', { WEFT_PAYLOAD_KEYS: `b:${KEY_B}` });
    const lost = await httpClient(onlyB.url, await onlyB.key('acme'))('GET', `/v1/runs/${run.id}/history?limit=500`);
    expect(lost.status).toBe(200);
    expect(lost.body.data.events[0].workflowExecutionStartedEventAttributes.input.payloads[0]).toEqual({ $undecodedPayload: { encoding: 'binary/encrypted', bytes: expect.any(Number) } });
    expectNoTrace(JSON.stringify(lost.body), INPUT, ANSWER);
    expect(JSON.stringify(lost.body)).not.toContain(startedInput(stored).data.slice(0, 40));
    const refused = await httpClient(onlyB.url)('POST', '/codec/decode', { payloads: [startedInput(stored)] }, { authorization: `Bearer ${testEnv.codecToken}` });
    expect([refused.status, refused.body.message]).toEqual([422, "Payload 0 cannot be decoded: The payload was encrypted with key 'a', which is not in the keyring (WEFT_PAYLOAD_KEYS)"]);
  });
});
