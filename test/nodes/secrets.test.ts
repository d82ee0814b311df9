import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Writable } from 'node:stream';
import winston from 'winston';
import { createCodeExecutor, createHttpExecutor, payloadDataConverter } from '@weft/activities';
import { end, graph, start } from '../support/graph-builder';
import { httpClient, publishGraph, resetDatabase, startHarness, type ApiClient, type Harness } from '../support/harness';
import { startHttpTarget, type HttpTarget } from '../support/http-target';
import { testEnv } from '../support/test-env';

const TEMPORAL = path.join(__dirname, '..', '..', '.tools', 'bin', 'temporal');
const SECRET = `tok-${randomUUID()}`;

// Every line the API and the worker log in this suite, and everything written to the console
// (the Temporal SDK logs activity failures there).
const logged: string[] = [];
const logger = winston.createLogger({
  level: 'silly',
  format: winston.format.json(),
  transports: [new winston.transports.Stream({ stream: new Writable({ write: (chunk, _enc, done) => (logged.push(String(chunk)), done()) }) })],
});

let h: Harness;
let api: ApiClient;
let target: HttpTarget;
let stopWorker: () => Promise<void>;
const code = createCodeExecutor({ timeoutMs: 2_000 });
const consoleSpies: jest.SpyInstance[] = [];

beforeAll(async () => {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method].bind(console);
    consoleSpies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      original(...args);
    }));
  }
  target = await startHttpTarget();
  h = await startHarness('secrets', {}, logger);
  await resetDatabase(h.prisma);
  stopWorker = (await h.startWorker({ code, 'http-request': createHttpExecutor({ allowlist: [`127.0.0.1:${target.port}`] }) })).stop;
  api = httpClient(h.url, await h.key('acme'));
});
afterAll(async () => {
  await stopWorker();
  await h.close();
  await target.close();
  await code.close();
  consoleSpies.forEach((s) => s.mockRestore());
});

/** Everything stored about a run, as text: the run row, its node records and attempts. */
async function storedText(runId: string): Promise<string> {
  const rows = await h.prisma.$queryRawUnsafe<{ t: string }[]>(
    `SELECT row_to_json(r)::text AS t FROM runs r WHERE id = $1
     UNION ALL SELECT row_to_json(n)::text FROM node_executions n WHERE run_id = $1
     UNION ALL SELECT row_to_json(a)::text FROM node_attempts a WHERE run_id = $1`,
    runId,
  );
  return rows.map((r) => r.t).join('\n');
}

describe('tenant secrets', () => {
  it('are write-only through the API and encrypted at rest', async () => {
    const put = await api('PUT', '/v1/secrets/API_TOKEN', { value: SECRET });
    expect(put.status).toBe(200);
    expect(JSON.stringify(put.body)).not.toContain(SECRET);
    const list = await api('GET', '/v1/secrets');
    expect(list.body.data).toEqual([expect.objectContaining({ name: 'API_TOKEN' })]);
    expect(JSON.stringify(list.body)).not.toContain(SECRET);
    const stored = await h.prisma.$queryRawUnsafe<{ t: string }[]>(`SELECT row_to_json(s)::text AS t FROM secrets s`);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.t).not.toContain(SECRET);
    expect((await api('PUT', '/v1/secrets/bad-name', { value: 'x' })).status).toBe(400);
  });

  it('resolve only inside the activity: absent from history, run records, events and logs', async () => {
    const g = graph(
      [
        start,
        {
          id: 'call',
          type: 'http-request',
          data: { method: 'POST', url: target.url('/status/200'), auth: { type: 'bearer', token: '{{ secrets.API_TOKEN }}' }, headers: { 'x-copy': 'v={{ secrets.API_TOKEN }}' }, body: { type: 'json', content: { note: 'no secret here' } } },
        },
        // A server that echoes the request back: the secret returns in the outputs and is masked.
        { id: 'echo', type: 'http-request', data: { url: target.url('/echo'), auth: { type: 'bearer', token: '{{ secrets.API_TOKEN }}' } } },
        // Refused by the SSRF guard before any connection is made.
        { id: 'refused', type: 'http-request', data: { url: `http://127.0.0.1:1/?t={{ secrets.API_TOKEN }}` }, onError: 'branch' },
        // Code that puts the secret into its error message: the message is scrubbed.
        { id: 'leaky', type: 'code', data: { code: 'function main(i) { throw new Error("token " + i.t); }', inputs: { t: '{{ secrets.API_TOKEN }}' } }, onError: 'branch' },
        { id: 'note', type: 'template', data: { template: '{{ refused.error.code }}; {{ leaky.error.code }}: {{ leaky.error.message }}' } },
        end({ status: '{{ call.status }}', echoed: '{{ echo.json.headers.authorization }}', note: '{{ note.text }}' }),
      ],
      [['start', 'call'], ['call', 'echo'], ['echo', 'refused'], ['refused', 'end'], ['refused', 'leaky', 'error'], ['leaky', 'end'], ['leaky', 'note', 'error'], ['note', 'end']],
    );
    const workflowId = await publishGraph(api, g);
    const r = await api('POST', `/v1/workflows/${workflowId}/runs`, { inputs: {}, mode: 'blocking', timeoutMs: 60_000 });
    expect(r.status).toBe(200);
    const run = r.body.data;
    expect(run.status).toBe('succeeded');
    expect(run.outputs.status).toBe(200);
    expect(run.outputs.echoed).toBe('Bearer [secret]');
    expect(run.outputs.note).toBe('http_address_refused; code_runtime_error: Error: token [secret]');

    // The target got the plaintext: the secret was resolved where the request was made.
    const seen = target.seen.find((s) => s.path === '/status/200')!;
    expect(seen.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(seen.headers['x-copy']).toBe(`v=${SECRET}`);

    const history = execFileSync(TEMPORAL, ['workflow', 'show', '--address', testEnv.temporalAddress, '-w', run.temporal.workflowId, '--output', 'json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(history).not.toContain(SECRET);
    expect(Buffer.from(history).toString('base64')).not.toContain(Buffer.from(SECRET).toString('base64'));
    // Payloads are ciphertext in Temporal (README "Encrypted history"): decrypted here as an operator would.
    const decoded = (await decryptedPayloads(JSON.parse(history))).join('\n');
    expect(decoded).toContain('secrets.API_TOKEN'); // the reference travels, the value does not
    expect(decoded).not.toContain(SECRET);

    const stored = await storedText(run.id);
    expect(stored).toContain('secrets.API_TOKEN');
    expect(stored).not.toContain(SECRET);
    const nodes = await api('GET', `/v1/runs/${run.id}/nodes`);
    expect(JSON.stringify(nodes.body)).not.toContain(SECRET);
    expect(JSON.stringify((await api('GET', `/v1/runs/${run.id}`)).body)).not.toContain(SECRET);

    // The run's event stream (what the SSE endpoint serves).
    const events = await h.redis.xrange(`weft:run:${run.id}:events`, '-', '+');
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain(SECRET);

    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('\n')).not.toContain(SECRET);
  });

  it('fail the node with secret_not_found when a secret does not exist', async () => {
    const g = graph(
      [start, { id: 'call', type: 'http-request', data: { url: target.url('/status/200'), auth: { type: 'bearer', token: '{{ secrets.MISSING }}' } } }, end({})],
      [['start', 'call'], ['call', 'end']],
    );
    const workflowId = await publishGraph(api, g);
    const r = await api('POST', `/v1/workflows/${workflowId}/runs`, { inputs: {}, mode: 'blocking', timeoutMs: 60_000 });
    expect(r.body.data.status).toBe('failed');
    expect(r.body.data.error).toMatchObject({ code: 'secret_not_found', nodeId: 'call' });
    expect(r.body.data.error.message).toContain("'MISSING'");
  });
});

/** The data of every payload in an exported history, decrypted with the suite's payload key. */
async function decryptedPayloads(history: unknown): Promise<string[]> {
  const found: Array<{ metadata: Record<string, Uint8Array>; data: Uint8Array }> = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.data === 'string' && o.metadata && typeof o.metadata === 'object') {
      const metadata = Object.fromEntries(Object.entries(o.metadata as Record<string, string>).map(([k, b64]) => [k, Buffer.from(b64, 'base64')]));
      found.push({ metadata, data: Buffer.from(o.data, 'base64') });
      return;
    }
    Object.values(o).forEach(walk);
  };
  walk(history);
  const [codec] = payloadDataConverter({ WEFT_ENCRYPTION_KEY: testEnv.encryptionKey }).payloadCodecs;
  const plain = await codec.decode(found);
  return plain.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8'));
}
