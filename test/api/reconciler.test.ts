import { BlobStore, RunReconciler, TemporalExecutionInspector } from '@weft/activities';
import { insertApproval, openedApproval } from '../support/approval-rows';
import { fakeExecutors } from '../support/fake-executors';
import { end, graph, start } from '../support/graph-builder';
import { eventually, publishGraph, silentLogger, useSuiteHarness } from '../support/harness';
import { testEnv } from '../support/test-env';

/**
 * Run records that disagree with Temporal are set right (issue 7, "a reconciler fixes records that
 * disagree with Temporal"): on every read of an open run, and by the worker's periodic sweep.
 */
const suite = useSuiteHarness('reconciler', fakeExecutors());

const waiting = graph([start, { id: 'hold', type: 'wait', data: { duration: '60s' } }, end({ done: true })], [['start', 'hold'], ['hold', 'end']]);
const quick = graph([start, end({ greeting: 'hi' })], [['start', 'end']]);

function reconciler() {
  return new RunReconciler(suite.h.prisma, new TemporalExecutionInspector(suite.h.temporal), silentLogger, new BlobStore(suite.h.prisma, { encryptionKey: testEnv.encryptionKey }));
}

async function startWaiting(): Promise<{ runId: string; temporalId: string }> {
  const id = await publishGraph(suite.api, waiting, 'waiting');
  const r = await suite.api('POST', `/v1/workflows/${id}/runs`, {});
  const runId = r.body.data.id as string;
  const temporalId = r.body.data.temporal.workflowId as string;
  // Parked on the wait node's timer: the workflow has written its start (it does before any node).
  await eventually(async () => (await suite.h.temporal.workflow.getHandle(temporalId).fetchHistory()).events?.some((e) => e.timerStartedEventAttributes) ?? false);
  return { runId, temporalId };
}

it('a run terminated in Temporal reads as failed with run_terminated, and leaves no approval pending', async () => {
  const { runId, temporalId } = await startWaiting();
  // An approval the run had open when it was terminated: no workflow code runs to close it.
  const record = await suite.h.prisma.run.findUniqueOrThrow({ where: { id: runId } });
  const approval = await insertApproval(suite.h.prisma, openedApproval({ runId, workflowId: record.workflowId, tenantId: record.tenantId }));
  await suite.h.temporal.workflow.getHandle(temporalId).terminate('an operator stopped it');
  const run = (await suite.api('GET', `/v1/runs/${runId}`)).body.data;
  expect(run.status).toBe('failed');
  expect(run.error).toEqual({ code: 'run_terminated', message: 'The run was terminated by an operator' });
  expect(run.finishedAt).not.toBeNull();
  expect((await suite.api('GET', `/v1/approvals/${approval.id}`)).body.data).toMatchObject({ status: 'cancelled' });
});

it('a run whose end was never written gets it from the execution’s result', async () => {
  const id = await publishGraph(suite.api, quick, 'quick');
  const done = (await suite.api('POST', `/v1/workflows/${id}/runs`, { mode: 'blocking' })).body.data;
  expect(done.status).toBe('succeeded');
  // As if the workflow's last write had been lost.
  await suite.h.prisma.run.update({ where: { id: done.id }, data: { status: 'running', outputs: undefined, finishedAt: null } });
  await suite.h.prisma.$executeRawUnsafe(`UPDATE runs SET outputs = NULL WHERE id = '${done.id}'`);
  const read = (await suite.api('GET', `/v1/runs/${done.id}`)).body.data;
  expect(read).toMatchObject({ status: 'succeeded', outputs: { greeting: 'hi' } });
});

it('the sweep fails a run that was accepted but never started, after a grace period', async () => {
  const id = await publishGraph(suite.api, quick, 'quick');
  const tenantId = (await suite.h.prisma.workflow.findFirstOrThrow({ where: { id } })).tenantId;
  const old = new Date(Date.now() - 10 * 60_000);
  await suite.h.prisma.run.create({
    data: { id: 'run_neverstarted', tenantId, workflowId: id, version: 1, status: 'queued', inputs: {}, temporalWorkflowId: 'weft-run_neverstarted', createdAt: old },
  });
  const fresh = await suite.h.prisma.run.create({
    data: { id: 'run_juststarting', tenantId, workflowId: id, version: 1, status: 'queued', inputs: {}, temporalWorkflowId: 'weft-run_juststarting' },
  });
  const result = await reconciler().sweep(new Date(Date.now() + 60_000));
  expect(result.fixed).toBeGreaterThanOrEqual(1);
  const never = await suite.h.prisma.run.findUniqueOrThrow({ where: { id: 'run_neverstarted' } });
  expect(never.status).toBe('failed');
  expect(never.error).toMatchObject({ code: 'run_not_started' });
  expect(never.checkedAt).not.toBeNull();
  // A run accepted a moment ago may still be starting: left alone.
  expect((await suite.h.prisma.run.findUniqueOrThrow({ where: { id: fresh.id } })).status).toBe('queued');
});

it('a record closed while its execution still runs is opened again', async () => {
  const { runId, temporalId } = await startWaiting();
  await suite.h.prisma.run.update({ where: { id: runId }, data: { status: 'failed', finishedAt: new Date(Date.now() - 10 * 60_000) } });
  await eventually(async () => {
    await reconciler().sweep();
    return (await suite.h.prisma.run.findUniqueOrThrow({ where: { id: runId } })).status === 'running';
  }, 30_000, 1_000);
  const run = (await suite.api('GET', `/v1/runs/${runId}`)).body.data;
  expect(run).toMatchObject({ status: 'running', finishedAt: null });
  await suite.h.temporal.workflow.getHandle(temporalId).terminate('test done');
});
