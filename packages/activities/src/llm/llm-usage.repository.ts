import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../persistence/prisma-client';

export interface LlmCallRecord {
  tenantId: string;
  runId: string;
  nodeKey: string;
  attempt: number;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  finishReason: string | null;
}

/**
 * Records one LLM call and adds its tokens to the run's totals in one statement: the call is keyed
 * by (run, node key, attempt), and the totals move only when that row is new, so recording the
 * same attempt twice (an activity retried after a lost response) counts it once.
 * Returns whether the call was new.
 */
export async function recordLlmCall(prisma: PrismaClient, c: LlmCallRecord): Promise<boolean> {
  const id = `llm_${randomUUID().replace(/-/g, '')}`;
  const inserted = await prisma.$executeRaw`
    WITH call AS (
      INSERT INTO llm_calls (id, tenant_id, run_id, node_key, attempt, provider, model, input_tokens, output_tokens, finish_reason)
      SELECT ${id}::text, ${c.tenantId}::text, ${c.runId}::text, ${c.nodeKey}::text, ${c.attempt}::int, ${c.provider}::text, ${c.model}::text,
        ${c.inputTokens}::int, ${c.outputTokens}::int, ${c.finishReason}::text
      WHERE EXISTS (SELECT 1 FROM runs WHERE id = ${c.runId} AND tenant_id = ${c.tenantId})
      ON CONFLICT (run_id, node_key, attempt) DO NOTHING
      RETURNING input_tokens, output_tokens
    )
    UPDATE runs SET input_tokens = runs.input_tokens + call.input_tokens, output_tokens = runs.output_tokens + call.output_tokens
    FROM call WHERE runs.id = ${c.runId} AND runs.tenant_id = ${c.tenantId}`;
  return inserted > 0;
}
