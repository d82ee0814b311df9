/**
 * Records the histories of people in the loop (approvals decided and timed out, pause and resume)
 * next to the others, without touching them: `npm run replay:record:people`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DECIDE_APPROVAL_UPDATE, type ApprovalDecisionRequest } from '@weft/domain';
import { fakeExecutors } from '../support/fake-executors';
import { body, code, end, graph, start, startAt } from '../support/graph-builder';
import { eventually, httpClient, resetDatabase, startHarness, type Harness } from '../support/harness';
import { exportHistory, harnessCodec } from '../support/history-export';

const OUT = path.join(__dirname, 'histories');

let h: Harness;
let api: ReturnType<typeof httpClient>;
let stop: () => Promise<void>;

beforeAll(async () => {
  h = await startHarness('record-people');
  stop = (await h.startWorker(fakeExecutors())).stop;
  await resetDatabase(h.prisma);
  api = httpClient(h.url, await h.key('acme'));
});
afterAll(async () => {
  await stop();
  await h.close();
});

async function startRun(g: unknown): Promise<{ runId: string; wfId: string }> {
  const created = await api('POST', '/v1/workflows', { name: 'record', graph: g });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  await api('POST', `/v1/workflows/${created.body.data.id}/publish`);
  const r = await api('POST', `/v1/workflows/${created.body.data.id}/runs`, { inputs: {}, mode: 'async' });
  return { runId: r.body.data.id, wfId: r.body.data.temporal.workflowId };
}

async function save(name: string, runId: string, wfId: string) {
  await eventually(async () => ['succeeded', 'failed'].includes((await api('GET', `/v1/runs/${runId}`)).body.data.status), 60_000);
  const runIds: string[] = [];
  for await (const e of h.temporal.workflow.list({ query: `WorkflowId = "${wfId}"` })) runIds.push(e.runId);
  // Decoded by the codec endpoint: committed histories are clear text, readable by any key.
  for (const [i, temporalRunId] of runIds.reverse().entries()) {
    const json = await exportHistory(wfId, { runId: temporalRunId, codec: harnessCodec(h.url) });
    fs.writeFileSync(path.join(OUT, `${name}${runIds.length > 1 ? `.${i + 1}` : ''}.json`), json);
  }
}

const decide = (wfId: string, approvalId: string, action: string) =>
  h.temporal.workflow.getHandle(wfId).executeUpdate<unknown, [ApprovalDecisionRequest]>(DECIDE_APPROVAL_UPDATE, {
    args: [{ approvalId, action, values: { note: action }, actor: { kind: 'api-key', id: 'recorder', role: 'admin' } }],
  });

it('records approvals and a pause', async () => {
  // Two parallel approvals (one decided, one timing out) inside an iteration, joined after.
  const ask = (id: string, timeout: string) => ({ id, type: 'approval', data: { prompt: `${id} {{ each.item }}?`, timeout, fields: { note: { type: 'text' } } } });
  const approvals = graph(
    [
      start,
      {
        id: 'each',
        type: 'iteration',
        data: {
          items: '{{ start.items }}',
          parallelism: 2,
          output: '{{ pick.value }}',
          graph: {
            ...body(
              [startAt('s'), ask('a', '1h'), ask('b', '2s'), { id: 'pick', type: 'variable-aggregator', data: { sources: ['{{ a.action }}'] } }, end({}, 'e')],
              [['s', 'a'], ['s', 'b'], ['a', 'pick', 'approve'], ['a', 'pick', 'reject'], ['b', 'pick', 'timeout'], ['b', 'pick', 'approve'], ['pick', 'e']],
            ),
          },
        },
      },
      end({ actions: '{{ each.results }}' }),
    ],
    [['start', 'each'], ['each', 'end']],
    { items: { type: 'array', default: [1, 2] } },
  );
  const first = await startRun(approvals);
  const pending = await eventually(async () => {
    const rows = await h.prisma.approval.findMany({ where: { runId: first.runId, nodeId: 'a', status: 'pending' } });
    return rows.length === 2 && rows;
  }, 30_000);
  await decide(first.wfId, pending[1]!.id, 'reject');
  await decide(first.wfId, pending[0]!.id, 'approve');
  await save('approvals', first.runId, first.wfId);

  // Paused while a node runs, resumed after it finished.
  const paused = graph([start, code('slow', { value: 1, delayMs: 1500 }), code('after', { value: 2 }), end({ v: '{{ after.value }}' })], [['start', 'slow'], ['slow', 'after'], ['after', 'end']]);
  const second = await startRun(paused);
  await new Promise((r) => setTimeout(r, 500));
  await api('POST', `/v1/runs/${second.runId}/pause`);
  await new Promise((r) => setTimeout(r, 2000));
  await api('POST', `/v1/runs/${second.runId}/resume`);
  await save('pause-resume', second.runId, second.wfId);
});
