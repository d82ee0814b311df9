import { z } from 'zod';
import { RUN_STATUSES } from '@weft/domain';
import { anyJson, jsonObject, nullableJsonObject, publicErrorSchema, timestamp } from '../http/dto-fields';
import type { RunNodesReader } from './run-nodes';

/**
 * The response schemas of runs and node executions. runDto (runs.dto.ts) returns RunDto; the node
 * reader (run-nodes.ts) is held to its schema by the check at the bottom. Either way the build fails
 * when a mapper and its schema disagree, so adding a field is one line here and one there.
 */

const parentLinkSchema = z.object({
  runId: z.string(),
  nodeId: z.string().nullable(),
  nodeKey: z.string().nullable(),
  iterationIndex: z.number().int().min(0).optional(),
  loopIndex: z.number().int().min(0).optional(),
});

const childRunSchema = z.object({
  id: z.string(),
  workflowId: z.string(),
  version: z.number().int().min(1).nullable(),
  status: z.string().meta({ enum: [...RUN_STATUSES] }),
  nodeId: z.string().nullable(),
  nodeKey: z.string().nullable(),
  iterationIndex: z.number().int().min(0).optional(),
  loopIndex: z.number().int().min(0).optional(),
  createdAt: timestamp,
  finishedAt: timestamp.nullable(),
});

const liveNodeSchema = z.object({
  nodeId: z.string(),
  key: z.string(),
  type: z.string(),
  state: z.enum(['running', 'waiting']),
  startedAt: timestamp,
  iterationIndex: z.number().int().min(0).optional(),
  loopIndex: z.number().int().min(0).optional(),
  approvalId: z.string().optional().meta({ description: 'the open approval a waiting node parks on' }),
  progress: z.object({ done: z.number().int().min(0), total: z.number().int().min(0).optional() }).optional().meta({ description: 'containers: items or passes done' }),
});

const liveStateSchema = z.object({
  status: z.enum(['running', 'waiting', 'paused']),
  paused: z.boolean(),
  nodes: z.array(liveNodeSchema).meta({ description: 'nodes running or waiting now (containers and the nodes inside them)' }),
});

export const runSchema = z.object({
  id: z.string(),
  workflowId: z.string(),
  version: z.union([z.number().int().min(1), z.literal('draft')]),
  status: z.string().meta({ enum: [...RUN_STATUSES] }),
  inputs: jsonObject('the run inputs, defaults applied'),
  outputs: nullableJsonObject('the merged outputs of the end nodes that ran; null until the run ends'),
  error: publicErrorSchema.nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  usage: z
    .object({ inputTokens: z.number().int().min(0), outputTokens: z.number().int().min(0) })
    .meta({ description: 'tokens of every LLM call of the run and of its child runs (sub-workflow nodes), all attempts' }),
  parentRunId: z.string().nullable().meta({ description: 'the run whose sub-workflow node started this one' }),
  parent: parentLinkSchema.nullable(),
  originRunId: z.string().nullable().meta({ description: 'a rerun: the run it was started from (POST /v1/runs/:id/rerun)' }),
  rerunFromNodeId: z.string().nullable().meta({ description: 'a rerun: the top-level node it started from; the nodes before it were reused' }),
  children: z.array(childRunSchema).optional().meta({ description: 'the first 100 child runs (a single run read only); all of them with GET /v1/runs?parentRunId=' }),
  childCount: z.number().int().min(0).optional(),
  temporal: z.object({ workflowId: z.string(), runId: z.string().nullable(), uiUrl: z.string() }),
  live: liveStateSchema.optional().meta({ description: "an open run's live state, from its workflow (a single run read only; absent when the run has ended or no worker answered)" }),
});
export type RunDto = z.infer<typeof runSchema>;

export const nodeAttemptSchema = z.object({
  attempt: z.number().int().min(1),
  status: z.string(),
  error: publicErrorSchema.nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const nodeExecutionSchema = z.object({
  nodeId: z.string(),
  key: z.string().meta({ description: 'tells executions of one node apart inside iterations and loops, e.g. answer[each=2]' }),
  type: z.string(),
  status: z.string(),
  attempts: z.array(nodeAttemptSchema),
  inputs: anyJson('the resolved inputs; null when not recorded'),
  outputs: anyJson('the outputs; null when the node has none (yet)'),
  error: publicErrorSchema.nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  iterationIndex: z.number().int().min(0).optional(),
  loopIndex: z.number().int().min(0).optional(),
});
export type NodeExecutionDto = z.infer<typeof nodeExecutionSchema>;

/** true when A fits B and has no field B lacks. */
type Matches<A, B> = [A] extends [B] ? ([Exclude<keyof A, keyof B>] extends [never] ? true : false) : false;

export const NODE_DTO_MATCHES_SCHEMA: Matches<Awaited<ReturnType<RunNodesReader['list']>>['items'][number], NodeExecutionDto> = true;
