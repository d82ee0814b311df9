import { ask, startLlmSuite, type LlmSuite } from '../support/llm-suite';
import { eventually, httpClient } from '../support/harness';
import { end, graph, start, startAt } from '../support/graph-builder';
import { DECIDE_APPROVAL_UPDATE, type ApprovalDecisionRequest } from '@weft/domain';

let s: LlmSuite;
beforeAll(async () => {
  s = await startLlmSuite('run-control');
}, 120_000);
afterAll(async () => {
  await s?.close();
});

const runOf = async (runId: string) => (await s.api('GET', `/v1/runs/${runId}`)).body.data;
const eventTypes = async (runId: string) => (await s.events.read(runId)).map((e) => e.type);

describe('pause, resume and cancel', () => {
  it('pauses while an LLM stream runs: it finishes, nothing new starts, resume goes on', async () => {
    const text = Array.from({ length: 12 }, (_, i) => `w${i}`).join(' ');
    s.server.reset();
    s.server.enqueue({ kind: 'text', text, chunkDelayMs: 150 }, { kind: 'text', text: 'second answer' });
    const g = graph(
      [
        start,
        { id: 'first', type: 'llm', data: { model: 'gpt-test', messages: ask('one'), stream: true } },
        { id: 'second', type: 'llm', data: { model: 'gpt-test', messages: ask('two') } },
        end({ first: '{{ first.text }}', second: '{{ second.text }}' }),
      ],
      [['start', 'first'], ['first', 'second'], ['second', 'end']],
    );
    const runId = await s.start(g);
    await eventually(async () => s.server.chats().length === 1, 30_000, 50);
    const paused = await s.api('POST', `/v1/runs/${runId}/pause`);
    expect([paused.status, paused.body.data?.status]).toEqual([200, 'paused']);
    // A retried pause changes nothing.
    expect((await s.api('POST', `/v1/runs/${runId}/pause`)).body.data.status).toBe('paused');

    // The running stream ends; the next node does not start while paused.
    await eventually(async () => s.server.chats()[0]!.chunksSent >= 12 && (await runOf(runId)).live?.nodes.length === 0, 30_000, 100);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(s.server.chats()).toHaveLength(1);
    const during = await runOf(runId);
    expect(during).toMatchObject({ status: 'paused', live: { status: 'paused', paused: true, nodes: [] } });
    expect((await s.h.prisma.run.findUniqueOrThrow({ where: { id: runId } })).status).toBe('paused');

    const resumed = await s.api('POST', `/v1/runs/${runId}/resume`);
    expect([resumed.status, resumed.body.data.status]).toEqual([200, 'running']);
    const done = await eventually(async () => {
      const r = await runOf(runId);
      return r.status === 'succeeded' && r;
    }, 30_000);
    expect(done.outputs).toEqual({ first: text, second: 'second answer' });
    expect(s.server.chats()).toHaveLength(2);
    const types = await eventTypes(runId);
    expect(types.indexOf('run.paused')).toBeGreaterThan(-1);
    expect(types.indexOf('run.resumed')).toBeGreaterThan(types.indexOf('run.paused'));
    // Resuming or pausing an ended run is a conflict that names its status; another tenant sees nothing.
    const late = await s.api('POST', `/v1/runs/${runId}/resume`);
    expect([late.status, late.body.code, late.body.details]).toEqual([409, 'run_state_conflict', { status: 'succeeded' }]);
    const other = httpClient(s.h.url, await s.h.key('other-tenant'));
    expect((await other('POST', `/v1/runs/${runId}/pause`)).status).toBe(404);
  }, 90_000);

  it('an approval parks the run as waiting; the live state names it; cancel closes it', async () => {
    const g = graph(
      [start, { id: 'gate', type: 'approval', data: { prompt: 'Go on with {{ start.q }}?', timeout: '1h' } }, end({ action: '{{ gate.action }}' })],
      [['start', 'gate'], ['gate', 'end', 'approve']],
      { q: { type: 'string', default: 'the plan' } },
    );
    const runId = await s.start(g);
    const waiting = await eventually(async () => {
      const r = await runOf(runId);
      return r.status === 'waiting' && r.live?.nodes.length === 1 && r;
    }, 30_000);
    const approvalId = waiting.live.nodes[0].approvalId;
    expect(waiting.live.nodes[0]).toMatchObject({ nodeId: 'gate', state: 'waiting' });
    const row = await s.h.prisma.approval.findUniqueOrThrow({ where: { id: approvalId } });
    expect(row).toMatchObject({ runId, nodeId: 'gate', status: 'pending', prompt: 'Go on with the plan?' });
    expect(await eventTypes(runId)).toContain('approval.requested');
    // Paused while waiting, then cancelled: the approval is closed, nothing is left to reap.
    expect((await s.api('POST', `/v1/runs/${runId}/pause`)).body.data.status).toBe('paused');
    const cancel = await s.api('POST', `/v1/runs/${runId}/cancel`);
    expect([200, 202]).toContain(cancel.status);
    await eventually(async () => (await runOf(runId)).status === 'cancelled', 30_000);
    expect((await s.h.prisma.approval.findUniqueOrThrow({ where: { id: approvalId } })).status).toBe('cancelled');
    expect((await s.api('POST', `/v1/runs/${runId}/cancel`)).status).toBe(200);
  }, 90_000);
});

describe('approvals across continue-as-new', () => {
  it('a loop whose passes each wait for a decision carries the pause and open approvals into new executions', async () => {
    const passes = 6;
    const g = graph(
      [
        start,
        {
          id: 'rounds',
          type: 'loop',
          data: {
            variables: { approved: 0 },
            maxIterations: passes,
            graph: {
              nodes: [
                startAt('roundStart'),
                { id: 'ok', type: 'approval', data: { prompt: 'Round {{ rounds.index }}?', timeout: '1h', fields: { note: { type: 'text' } } } },
                { id: 'count', type: 'assign', data: { assignments: [{ variable: 'approved', op: 'increment', value: 1 }] } },
                end({}, 'roundEnd'),
              ],
              edges: [
                { source: 'roundStart', target: 'ok' },
                { source: 'ok', sourceHandle: 'approve', target: 'count' },
                { source: 'ok', sourceHandle: 'reject', target: 'roundEnd' },
                { source: 'count', target: 'roundEnd' },
              ],
            },
          },
        },
        end({ approved: '{{ rounds.variables.approved }}', passes: '{{ rounds.iterations }}' }),
      ],
      [['start', 'rounds'], ['rounds', 'end']],
    );
    const runId = await s.start(g);
    const run = await runOf(runId);
    const handle = s.h.temporal.workflow.getHandle(run.temporal.workflowId);
    for (let round = 0; round < passes; round++) {
      const pending = await eventually(async () => (await s.h.prisma.approval.findMany({ where: { runId, status: 'pending' } }))[0], 30_000, 50);
      expect(pending.prompt).toBe(`Round ${round}?`);
      if (round === 3) {
        // Paused while waiting: the decision is taken, nothing after it starts until resumed.
        expect((await s.api('POST', `/v1/runs/${runId}/pause`)).body.data.status).toBe('paused');
      }
      await handle.executeUpdate<unknown, [ApprovalDecisionRequest]>(DECIDE_APPROVAL_UPDATE, {
        args: [{ approvalId: pending.id, action: round === 2 ? 'reject' : 'approve', values: { note: `r${round}` }, actor: { kind: 'api-key', id: 'test', role: 'operator' } }],
      });
      if (round === 3) {
        await new Promise((r) => setTimeout(r, 500));
        expect(await s.h.prisma.approval.count({ where: { runId, status: 'pending' } })).toBe(0);
        expect((await runOf(runId)).status).toBe('paused');
        expect((await s.api('POST', `/v1/runs/${runId}/resume`)).body.data.status).toMatch(/running|waiting/);
      }
    }
    const done = await eventually(async () => {
      const r = await runOf(runId);
      return r.status === 'succeeded' && r;
    }, 30_000);
    expect(done.outputs).toEqual({ approved: passes - 1, passes });
    // The run went on in more than one execution (the test server suggests continue-as-new early).
    const executions: string[] = [];
    for await (const e of s.h.temporal.workflow.list({ query: `WorkflowId = "${run.temporal.workflowId}"` })) executions.push(e.runId);
    expect(executions.length).toBeGreaterThan(1);
    const decided = await s.h.prisma.approval.findMany({ where: { runId }, orderBy: { requestedAt: 'asc' } });
    expect(decided.map((a) => [a.status, a.action])).toEqual(Array.from({ length: passes }, (_, i) => ['decided', i === 2 ? 'reject' : 'approve']));
  }, 120_000);
});
