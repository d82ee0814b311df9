import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ROOT } from './support/test-server';
import { statuses, useUnitEnv } from './support/unit-env';

/**
 * The generic runner of the JSON graph fixtures: every `*.json` under
 * packages/workflows/src/nodes/<type>/fixtures/ is one test case. A fixture is a graph (weft/v1),
 * the run's inputs, what the fake activities do, and what the run must end with. A new node type
 * adds a fixtures folder; nothing here changes.
 */
const NODES_DIR = path.join(ROOT, 'packages/workflows/src/nodes');

const behaviour = z
  .object({
    outputs: z.record(z.string(), z.unknown()).optional(),
    fail: z.object({ code: z.string(), message: z.string().optional(), retryable: z.boolean().optional(), retryAfterMs: z.number().optional() }).strict().optional(),
    delayMs: z.number().optional(),
  })
  .strict();

const nodeExpectation = z.union([
  z.string(),
  z.object({ status: z.string(), outputs: z.record(z.string(), z.unknown()).optional(), error: z.record(z.string(), z.unknown()).optional() }).strict(),
]);

const fixtureSchema = z
  .object({
    /** what the case shows; the test's name */
    name: z.string().min(1),
    graph: z.unknown(),
    inputs: z.record(z.string(), z.unknown()).optional(),
    /** graphs of sub-workflow nodes, by subgraphKey(): "wf_child@latest", "wf_child@2" */
    subgraphs: z.record(z.string(), z.unknown()).optional(),
    /** run limits (deployment settings) other than the defaults */
    limits: z.record(z.string(), z.number()).optional(),
    /** fake node activities by node key ("work[each=1]") or id: one behaviour, or one per attempt (the last repeats) */
    activities: z.record(z.string(), z.union([behaviour, z.array(behaviour).min(1)])).optional(),
    /** values kept outside history, by blob id (for outputs holding blob references) */
    blobs: z.record(z.string(), z.unknown()).optional(),
    expect: z
      .object({
        status: z.enum(['succeeded', 'partially-succeeded', 'failed']),
        outputs: z.record(z.string(), z.unknown()).optional(),
        /** matched as a subset; `messageContains` checks part of the message */
        error: z.object({ code: z.string(), nodeId: z.string().optional(), message: z.string().optional(), messageContains: z.string().optional() }).strict().optional(),
        /** node status by key ("answer", "work[each=1]", "bump[loop=2]"), or status with outputs/error */
        nodes: z.record(z.string(), nodeExpectation).optional(),
        /** fake activity attempts by node id */
        attempts: z.record(z.string(), z.number().int()).optional(),
        /** node keys in the order their executions finished (the others may come between) */
        finishOrder: z.array(z.string()).optional(),
        /** resolved config the last attempt of a node received (matched as a subset) */
        activityConfig: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
  })
  .strict();
type Fixture = z.infer<typeof fixtureSchema>;

function discover(): [string, string][] {
  const cases: [string, string][] = [];
  for (const type of fs.readdirSync(NODES_DIR).sort()) {
    const dir = path.join(NODES_DIR, type, 'fixtures');
    if (!fs.statSync(path.join(NODES_DIR, type)).isDirectory() || !fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) cases.push([`${type}/${file}`, path.join(dir, file)]);
  }
  return cases;
}

const cases = discover();
const env = useUnitEnv('fixtures');

describe('node fixtures', () => {
  it('finds fixtures for every node type that runs in the workflow', () => {
    const types = new Set(cases.map(([name]) => name.split('/')[0]));
    for (const type of ['start', 'end', 'if-else', 'template', 'variable-aggregator', 'assign', 'iteration', 'loop', 'wait', 'sub-workflow', 'code', 'http-request', 'llm']) {
      expect([type, types.has(type)]).toEqual([type, true]);
    }
  });

  it.each(cases)('%s', async (_name, file) => {
    const fixture: Fixture = fixtureSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    const { result, log } = await env.run({
      graph: fixture.graph,
      ...(fixture.inputs ? { inputs: fixture.inputs } : {}),
      ...(fixture.subgraphs ? { subgraphs: fixture.subgraphs } : {}),
      ...(fixture.limits ? { limits: fixture.limits } : {}),
      ...(fixture.activities ? { activities: fixture.activities } : {}),
      ...(fixture.blobs ? { blobs: fixture.blobs } : {}),
    });
    const want = fixture.expect;
    expect({ name: fixture.name, status: result.status, error: result.error }).toMatchObject({ name: fixture.name, status: want.status });
    if (want.outputs) expect(result.outputs).toEqual(want.outputs);
    if (want.error) {
      const { messageContains, ...error } = want.error;
      expect(result.error).toMatchObject(error);
      if (messageContains) expect(result.error?.message).toContain(messageContains);
    } else {
      expect(result.error).toBeUndefined();
    }
    // The run's record is told the same end, exactly once.
    expect(log.finished).toEqual([{ status: result.status, outputs: result.outputs, ...(result.error ? { error: result.error } : {}) }]);
    if (want.nodes) {
      const got = statuses(log);
      for (const [key, expected] of Object.entries(want.nodes)) {
        if (typeof expected === 'string') expect({ key, status: got[key] }).toEqual({ key, status: expected });
        else expect({ key, ...log.records.get(key) }).toMatchObject({ key, ...expected });
      }
    }
    if (want.finishOrder) {
      const seq = (key: string) => log.records.get(key)?.seq ?? -1;
      expect([...want.finishOrder].sort((a, b) => seq(a) - seq(b))).toEqual(want.finishOrder);
    }
    for (const [nodeId, n] of Object.entries(want.attempts ?? {})) expect({ nodeId, attempts: env.fakes.callsOf(nodeId).length }).toEqual({ nodeId, attempts: n });
    for (const [nodeId, config] of Object.entries(want.activityConfig ?? {})) expect(env.fakes.callsOf(nodeId).at(-1)?.config).toMatchObject(config as object);
  });
});
