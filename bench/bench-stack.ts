/**
 * What every benchmark against the dev stack sets up: a tenant and a workflow row (runs point at
 * it), a worker with the benchmark's workflow bundle and the real activities (executors given),
 * a client, and a way to add run rows and clean it all up.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { RunEventStream, createActivities, createLogger, createPrismaClient, payloadDataConverter, type NodeExecutors } from '@weft/activities';
import type { Graph } from '@weft/domain';
import { workflowBundlerOptions } from '../apps/worker/src/workflow-bundle';

export const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/weft';

export async function openBenchStack(name: string, draft: Graph, executors: Partial<NodeExecutors>, workerOptions: Partial<WorkerOptions> = {}) {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const prisma = createPrismaClient(databaseUrl, 4);
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
  const tenant = await prisma.tenant.upsert({ where: { name: 'bench' }, create: { id: `tn_${randomUUID()}`, name: 'bench' }, update: {} });
  const wf = await prisma.workflow.create({ data: { id: `wf_${randomUUID()}`, tenantId: tenant.id, name, draft: draft as never } });
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  // Bundled as the worker bundles (the domain evaluated once per workflow thread), with the benchmark's entry.
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./bench.workflows'), ...workflowBundlerOptions(), logger: new DefaultLogger('WARN') });
  const encryptionKey = process.env.WEFT_ENCRYPTION_KEY ?? randomBytes(32).toString('hex');
  const activities = createActivities({ prisma, events: new RunEventStream(redis), logger: createLogger({ service: 'bench', silent: true }), encryptionKey, executors });
  // The production data converter (payload codec included) for every workflow the bench compares.
  const dataConverter = payloadDataConverter({ WEFT_ENCRYPTION_KEY: encryptionKey });
  const worker = await Worker.create({ connection: await NativeConnection.connect({ address }), taskQueue, workflowBundle, activities, dataConverter, ...workerOptions });
  const client = new Client({ connection: await Connection.connect({ address }), dataConverter });
  return {
    prisma,
    tenant,
    wf,
    taskQueue,
    worker,
    client,
    /** A run row for a run about to start (run records and node records point at it). */
    async newRun(): Promise<{ runId: string; workflowId: string }> {
      const runId = `run_${randomUUID().replace(/-/g, '')}`;
      const workflowId = `bench-${runId}`;
      await prisma.run.create({ data: { id: runId, tenantId: tenant.id, workflowId: wf.id, version: null, status: 'queued', inputs: {}, temporalWorkflowId: workflowId } });
      return { runId, workflowId };
    },
    async close() {
      await prisma.run.deleteMany({ where: { workflowId: wf.id } });
      await prisma.workflow.delete({ where: { id: wf.id } });
      await prisma.$disconnect();
      redis.disconnect();
    },
  };
}

export function runBench(main: () => Promise<void>): void {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
