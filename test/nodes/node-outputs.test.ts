import { Writable } from 'node:stream';
import winston from 'winston';
import { createCodeExecutor, createHttpExecutor, type CodeExecutor } from '@weft/activities';
import { end, graph, start, type N } from '../support/graph-builder';
import { httpClient, resetDatabase, runGraph, startHarness, type ApiClient, type Harness } from '../support/harness';
import { startHttpTarget, type HttpTarget } from '../support/http-target';

// What every effectful node returns passes one gate before workflow state and run records: text
// PostgreSQL cannot store is repaired, too-deep values fail the node (and the run ends), and an
// error nobody expected reaches users as internal_error with a reference, its details in the log.
let target: HttpTarget;
let h: Harness;
let api: ApiClient;
const code: CodeExecutor = createCodeExecutor({ timeoutMs: 2_000 });
const logged: Record<string, any>[] = [];
const logger = winston.createLogger({
  format: winston.format.json(),
  transports: [new winston.transports.Stream({ stream: new Writable({ write: (line, _enc, done) => (logged.push(JSON.parse(String(line))), done()) }) })],
});
const ORM_TEXT = 'Invalid `prisma.nodeExecution.upsert()` invocation in /srv/weft/packages/activities/dist/runs/node-records.repository.js:12:7 Foreign key constraint violated: `node_executions_run_id_fkey (index)`';

beforeAll(async () => {
  target = await startHttpTarget();
  h = await startHarness('node-outputs', {}, logger);
  await resetDatabase(h.prisma);
  await h.startWorker({
    code,
    'http-request': createHttpExecutor({ allowlist: [`127.0.0.1:${target.port}`] }),
    // Stands for any error an executor or the record writes did not expect (here: ORM text).
    llm: async () => {
      throw new Error(ORM_TEXT);
    },
  });
  api = httpClient(h.url, await h.key('acme'));
});
afterAll(async () => {
  await h?.close();
  await target?.close();
  await code.close();
});

const fetchNode = (url: string): N => ({ id: 'fetch', type: 'http-request', data: { method: 'GET', url }, retry: { maxAttempts: 3, initialInterval: '100ms' } });
const codeNode = (source: string): N => ({ id: 'calc', type: 'code', data: { language: 'javascript', code: source, inputs: {} } });
const nodeOf = (nodes: any[], key: string) => nodes.find((n) => n.key === key);

describe('node outputs', () => {
  it('an http answer with U+0000 in a string and a key is stored with U+FFFD instead', async () => {
    const g = graph([start, fetchNode(target.url('/echo?nul=a%00b&k%00=v')), end({ query: '{{ fetch.json.query }}' })], [['start', 'fetch'], ['fetch', 'end']]);
    const { run, nodes } = await runGraph(api, g);
    expect(run.status).toBe('succeeded');
    expect(run.outputs.query).toEqual({ nul: 'a\ufffdb', ['k\ufffd']: 'v' });
    expect(nodeOf(nodes, 'fetch').outputs.json.query).toEqual({ nul: 'a\ufffdb', ['k\ufffd']: 'v' });
  });

  it('a code node returning a lone surrogate succeeds with U+FFFD in outputs and node records', async () => {
    const g = graph([start, codeNode("function main() { return { s: 'x\\ud800y', pair: '\\ud83d\\ude00' } }"), end({ s: '{{ calc.s }}', pair: '{{ calc.pair }}' })], [['start', 'calc'], ['calc', 'end']]);
    const { run, nodes } = await runGraph(api, g);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ s: 'x\ufffdy', pair: '\ud83d\ude00' });
    expect(nodeOf(nodes, 'calc').outputs).toEqual({ s: 'x\ufffdy', pair: '\ud83d\ude00' });
  });

  it('a 200-level JSON answer fails the node with node_output_too_deep at once, and the run ends failed', async () => {
    const g = graph([start, fetchNode(target.url('/deep?levels=200')), end({ json: '{{ fetch.json }}' })], [['start', 'fetch'], ['fetch', 'end']]);
    const { run, nodes } = await runGraph(api, g);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'node_output_too_deep', nodeId: 'fetch', message: "The node's outputs are nested more than 64 levels deep" });
    expect(nodeOf(nodes, 'fetch').attempts.map((a: any) => [a.attempt, a.status, a.error.code])).toEqual([[1, 'failed', 'node_output_too_deep']]);
  });
});

describe('internal errors', () => {
  it('reach users as internal_error with a reference, retried under the node policy; the log holds the details', async () => {
    const ask: N = { id: 'ask', type: 'llm', data: { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, retry: { maxAttempts: 2, initialInterval: '100ms' } };
    const { run, nodes } = await runGraph(api, graph([start, ask, end({ text: '{{ ask.text }}' })], [['start', 'ask'], ['ask', 'end']]));
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'internal_error', nodeId: 'ask', message: expect.stringMatching(/^An internal error stopped this attempt \(reference ref_[0-9a-f]{12}\)$/) });
    const attempts = nodeOf(nodes, 'ask').attempts;
    expect(attempts.map((a: any) => [a.attempt, a.status, a.error.code])).toEqual([
      [1, 'failed', 'internal_error'],
      [2, 'failed', 'internal_error'],
    ]);
    const shown = JSON.stringify([run, nodes]);
    for (const internal of ['prisma', '/srv/weft', 'node_executions_run_id_fkey', '.js:']) expect(shown).not.toContain(internal);

    const reference = /reference (ref_[0-9a-f]{12})/.exec(run.error.message)![1];
    const line = logged.find((l) => l.reference === reference);
    expect(line).toMatchObject({ level: 'error', runId: run.id, nodeKey: 'ask', attempt: 2, error: { message: ORM_TEXT, stack: expect.stringContaining('node-outputs.test.ts') } });
  });
});
