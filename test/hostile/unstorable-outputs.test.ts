import { startHttpTarget, type HttpTarget } from '../support/http-target';
import { graph, start, end } from '../support/graph-builder';
import { publishGraph } from '../support/harness';
import { othersStillServed, runEnd, startRun, useHostileStack } from '../support/hostile-stack';

/**
 * Node outputs PostgreSQL cannot store (issue 7, item 4) used to make the run-record write fail on
 * every retry, for ever. Now such text is stored with U+FFFD in place, too-deep values fail their
 * node, and a record write that still fails gives up after bounded retries and ends the run anyway.
 */
let target: HttpTarget;
beforeAll(async () => {
  target = await startHttpTarget();
});
afterAll(async () => {
  await target.close();
});
const stack = useHostileStack('unstorable', { WEFT_HTTP_ALLOWLIST: '127.0.0.1' });

const codeNode = (id: string, source: string, extra: Record<string, unknown> = {}) => ({ id, type: 'code', data: { language: 'javascript', code: source }, ...extra });

it('a code node returning U+0000 and an unpaired surrogate succeeds; the text is stored with U+FFFD', async () => {
  const id = await publishGraph(stack.mallory, graph([start, codeNode('c', 'function main() { return { s: "a\\u0000b\\ud800c" }; }'), end({ s: '{{ c.s }}' })], [['start', 'c'], ['c', 'end']]));
  const runId = await startRun(stack.mallory, id);
  await othersStillServed(stack);
  const run = await runEnd(stack.mallory, runId);
  expect(run.status).toBe('succeeded');
  expect(run.outputs.s).toBe('a\ufffdb\ufffdc');
  const nodes = (await stack.mallory('GET', `/v1/runs/${runId}/nodes`)).body.data as any[];
  expect(nodes.find((n) => n.nodeId === 'c').outputs.s).toBe('a\ufffdb\ufffdc');
});

it('an http response carrying U+0000 succeeds and is stored with U+FFFD', async () => {
  const http = { id: 'h', type: 'http-request', data: { method: 'POST', url: target.url('/echo'), body: { type: 'text', content: 'x\u0000y' } } };
  const id = await publishEcho(http);
  const run = await runEnd(stack.mallory, await startRun(stack.mallory, id));
  expect(run.status).toBe('succeeded');
  expect(JSON.stringify(run.outputs)).not.toContain('\\u0000');
  expect(JSON.stringify(run.outputs)).toContain('x\ufffdy');
});

// A graph string with U+0000 is refused by the API now; the node's body is built from a code node instead.
async function publishEcho(http: { id: string; type: string; data: Record<string, unknown> }) {
  const maker = codeNode('mk', 'function main() { return { t: "x" + String.fromCharCode(0) + "y" }; }');
  const node = { ...http, data: { ...http.data, body: { type: 'text', content: '{{ mk.t }}' } } };
  return publishGraph(stack.mallory, graph([start, maker, node, end({ echoed: '{{ h.json }}' })], [['start', 'mk'], ['mk', 'h'], ['h', 'end']]));
}

it('a code node returning a value nested 200 levels deep fails with node_output_too_deep; onError applies', async () => {
  const deep = 'function main() { let v = {}; for (let i = 0; i < 200; i++) v = { v }; return { v }; }';
  const id = await publishGraph(
    stack.mallory,
    graph([start, codeNode('c', deep, { onError: 'default', default: { v: 'flat' } }), end({ v: '{{ c.v }}' })], [['start', 'c'], ['c', 'end']]),
  );
  const runId = await startRun(stack.mallory, id);
  await othersStillServed(stack);
  const run = await runEnd(stack.mallory, runId);
  expect(run.status).toBe('partially-succeeded');
  expect(run.outputs).toEqual({ v: 'flat' });
  const node = ((await stack.mallory('GET', `/v1/runs/${runId}/nodes`)).body.data as any[]).find((n) => n.nodeId === 'c');
  expect(node.error.code).toBe('node_output_too_deep');
});

it('a run whose end cannot be written gives up after bounded retries and still ends its record', async () => {
  // The database refuses this one run's outputs, whatever the writer does, as a broken column would.
  await stack.h.prisma.$executeRawUnsafe(`
    CREATE OR REPLACE FUNCTION weft_test_refuse_outputs() RETURNS trigger AS $$
    BEGIN
      IF NEW.outputs::text LIKE '%refuse-me%' THEN RAISE EXCEPTION 'refused by a test trigger'; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
  await stack.h.prisma.$executeRawUnsafe('CREATE TRIGGER weft_test_refuse BEFORE UPDATE ON runs FOR EACH ROW EXECUTE FUNCTION weft_test_refuse_outputs()');
  try {
    const id = await publishGraph(stack.mallory, graph([start, end({ v: 'refuse-me' })], [['start', 'end']]));
    const run = await runEnd(stack.mallory, await startRun(stack.mallory, id), 120_000);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({});
    expect(run.error).toMatchObject({ code: 'run_record_incomplete' });
  } finally {
    await stack.h.prisma.$executeRawUnsafe('DROP TRIGGER IF EXISTS weft_test_refuse ON runs');
    await stack.h.prisma.$executeRawUnsafe('DROP FUNCTION IF EXISTS weft_test_refuse_outputs()');
  }
  expect(stack.worker.alive()).toBe(true);
}, 150_000);
