import type { GraphNode, Issue, LlmData } from '@weft/domain';
import { LLM_ERRORS } from './llm.errors';
import { schemaProblems, validateJson, type SchemaIssue } from './json-schema.check';
import type { ChatMessage, ChatResponseFormat, ProviderCapabilities } from './model-provider.port';

/** The node's `responseFormat`, with its two spellings of "text" folded into one. */
export type AnswerFormat = { kind: 'text' } | { kind: 'json'; schema?: Record<string, unknown> };

export function answerFormat(f: LlmData['responseFormat'] | undefined): AnswerFormat {
  if (f === undefined || f === 'text' || f.type === 'text') return { kind: 'text' };
  return { kind: 'json', ...(f.schema ? { schema: f.schema } : {}) };
}

/** Why a response schema cannot be used, as one line, or undefined when it can. */
export function responseSchemaProblem(format: AnswerFormat): string | undefined {
  if (format.kind !== 'json' || !format.schema) return undefined;
  const issues = schemaProblems(format.schema);
  return issues.length ? `The node's response schema is invalid: ${describeIssues(issues)}` : undefined;
}

/**
 * The save-time check of an llm node's response schema (GraphValidationOptions.checkNodeData): a
 * schema the worker could not use is a 422 when the graph is saved, not a failed run later.
 */
export function llmNodeDataIssues(node: GraphNode): Issue[] {
  if (node.type !== 'llm' || typeof node.data !== 'object' || node.data === null) return [];
  const format = (node.data as { responseFormat?: unknown }).responseFormat;
  if (typeof format !== 'object' || format === null || (format as { type?: unknown }).type !== 'json') return [];
  const schema = (format as { schema?: unknown }).schema;
  if (schema === undefined) return [];
  return schemaProblems(schema)
    .slice(0, 5)
    .map((i) => ({ code: LLM_ERRORS.schemaInvalid, message: `The node's response schema is invalid: ${i.path} ${i.message}`, path: ['responseFormat', 'schema'] }));
}

/**
 * The strongest JSON guarantee the endpoint offers: json_schema when there is a schema and the
 * endpoint takes it, json_object otherwise. JSON mode on OpenAI needs the word "JSON" in the
 * conversation, and a model told the schema in words does better, so a system line says so
 * whenever the schema is not sent as such.
 */
export function chatFormat(format: AnswerFormat, caps: ProviderCapabilities, messages: ChatMessage[], schemaRefused = false) {
  if (format.kind === 'text') return { responseFormat: { type: 'text' } as ChatResponseFormat, messages };
  if (format.schema && caps.jsonSchema && !schemaRefused) {
    return { responseFormat: { type: 'json_schema', name: 'response', schema: format.schema } as ChatResponseFormat, messages };
  }
  const mentionsJson = messages.some((m) => /json/i.test(m.content));
  const hint = format.schema
    ? `Reply with one JSON value only, matching this JSON Schema: ${JSON.stringify(format.schema)}`
    : mentionsJson
      ? undefined
      : 'Reply with one JSON object only.';
  return {
    responseFormat: (caps.jsonMode ? { type: 'json_object' } : { type: 'text' }) as ChatResponseFormat,
    messages: hint ? [{ role: 'system' as const, content: hint }, ...messages] : messages,
  };
}

/** A 400 that says the endpoint does not take `response_format: json_schema`. */
export function refusesJsonSchema(message: string): boolean {
  return /json_schema|response_format/i.test(message);
}

export type JsonAnswer = { ok: true; value: unknown } | { ok: false; problem: string; issues: SchemaIssue[] };

/**
 * Reads the model's answer as JSON (a Markdown code fence around it is tolerated: many models add
 * one even in JSON mode) and checks it against the schema.
 */
export function parseJsonAnswer(text: string, schema?: Record<string, unknown>): JsonAnswer {
  const fenced = /^\s*```(?:json)?\s*\n?([\s\S]*?)\n?\s*```\s*$/i.exec(text);
  let value: unknown;
  try {
    value = JSON.parse(fenced ? fenced[1]! : text);
  } catch (err) {
    const snippet = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    return { ok: false, problem: `the answer is not JSON (${(err as Error).message}): ${JSON.stringify(snippet)}`, issues: [] };
  }
  if (!schema) return { ok: true, value };
  const issues = validateJson(value, schema);
  return issues.length ? { ok: false, problem: `the answer does not match the response schema: ${describeIssues(issues)}`, issues } : { ok: true, value };
}

function describeIssues(issues: SchemaIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => `${i.path} ${i.message}`);
  return shown.join('; ') + (issues.length > 5 ? ` (and ${issues.length - 5} more)` : '');
}
