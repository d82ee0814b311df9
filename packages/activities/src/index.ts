import type { ApprovalActivities, InterpreterActivities, RunRecordActivities, NodeActivities } from '@weft/domain';
import { createRunRecordActivities, type RunRecordDeps } from './runs/run-record.activities';
import { createApprovalRecordActivities } from './approvals/approval-records.activities';
import { createNodeActivities, type NodeExecutors } from './nodes/node-activities';
import { BlobStore } from './nodes/blob-store';
import { NodeEvents } from './events/node-events';
import { SecretCipher } from './secrets/secret-cipher';
import { SecretsStore } from './secrets/secrets.store';
import { createApprovalNoticeActivities, type ApprovalNoticeOptions } from './approvals/approval-notice';

export * from './observability/logger';
export { redactSecrets, redactText, redactValue, isSensitiveKey, fatalErrorText, REDACTED } from './observability/log-redaction';
export { startTracing, tracingFromSettings, otlpTraceExporter, type Tracing, type TracingSetup } from './observability/tracing';
export { clientTracingInterceptors, activityTracingInterceptors, workflowSpanSinks } from './observability/temporal-tracing';
export { activityLogContext } from './observability/activity-log-context';
export * from './observability/metrics';
export * from './persistence/prisma-client';
export * from './events/run-event-stream';
export { NodeEvents } from './events/node-events';
export { boundedField, EVENT_VALUE_MAX_BYTES, type TruncatedValue } from './events/event-payload';
export * from './errors/node-failure';
export { BlobStore, type BlobStoreOptions, type BlobScope } from './nodes/blob-store';
export { INTERNAL_ERROR, errorReference } from './nodes/node-activities';
export { gateOutputs } from './nodes/output-gate';
export { SecretCipher, parseEncryptionKey } from './secrets/secret-cipher';
export { SecretsStore, scrub, scrubValue } from './secrets/secrets.store';
export { StreamingSecretMask } from './secrets/streaming-secret-mask';
export { SignedLinks, type SignedLinkCheck, type SignedLinkClaims } from './secrets/signed-link';
export type { ExecutorContext, NodeExecutor, NodeExecutors } from './nodes/node-activities';
export { createCodeExecutor, type CodeExecutor } from './code/code.executor';
export { CodeSandbox, type CodeSandboxOptions, type SandboxResult } from './code/code-sandbox';
export { createHttpExecutor, DEFAULT_MAX_RESPONSE_BYTES, type HttpExecutorOptions } from './http/http.executor';
export { parseHttpAllowlist, HttpAllowlistError, type HttpAllowlist, type AllowlistEntry } from './http/http-allowlist';
export { SsrfGuard, AddressRefusedError, guardedConnector, systemResolver, type Resolver } from './http/ssrf.guard';
export { classifyAddress, type AddressClass, type AddressKind } from './http/ip-classifier';
export * from './llm/model-provider.port';
export { OpenAiAdapter, OPENAI_DEFAULT_BASE_URL, baseUrlProblem, type OpenAiAdapterOptions } from './llm/openai.adapter';
export { createGuardedFetch, type GuardedFetchOptions, type ProviderFetch } from './llm/guarded-fetch';
export { ProviderRegistry, defaultProviderFactories, type ProviderConfig, type ProviderFactory, type ResolvedProvider } from './llm/provider-registry';
export { CircuitBreaker, type CircuitBreakerOptions, type BreakerPermit } from './llm/circuit-breaker';
export { createLlmExecutor, type LlmExecutorDeps } from './llm/llm.executor';
export { LLM_ERRORS, LLM_MAX_RETRY_AFTER_MS, describeEndpoint } from './llm/llm.errors';
export { retryAfterFromHeaders } from './errors/retry-after';
export { schemaProblems, validateJson, type SchemaIssue } from './llm/json-schema.check';
export { llmNodeDataIssues } from './llm/json-answer';
export { estimateTokens } from './llm/token-estimate';
export { recordLlmCall, type LlmCallRecord } from './llm/llm-usage.repository';
export { approvalView, type ApprovalRecordActivities } from './approvals/approval-records.activities';
export { FormTokens, formPageUrl, formUrl, type FormTokenCheck, type FormTokenClaims } from './approvals/form-token';
export { signWebhook, verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_SECRET_NAME } from './approvals/webhook-signature';
export { createApprovalNoticeActivities, webhookPayload, type ApprovalNoticeOptions } from './approvals/approval-notice';
export type { SmtpSettings } from './approvals/approval-email';

export interface ActivityDeps extends RunRecordDeps {
  /** every executor in the worker; a test may hand in only those it needs (the others fail with node_type_not_configured) */
  executors: Partial<NodeExecutors>;
  /** the key tenant secrets are encrypted with, and blob references signed with a key derived from (WEFT_ENCRYPTION_KEY) */
  encryptionKey: string;
  blobs?: BlobStore;
  /** nesting depth allowed in a node's outputs (WEFT_MAX_VALUE_DEPTH); the run limits' default when absent */
  maxValueDepth?: number;
  /** approval notices: form links' public URL, the webhook allowlist, SMTP; absent: links to 127.0.0.1:3000, no email */
  notices?: ApprovalNoticeOptions;
}
export type Activities = RunRecordActivities & NodeActivities & InterpreterActivities & ApprovalActivities;

/** Every activity the worker registers, built from the ports it is handed. */
export function createActivities(deps: ActivityDeps): Activities {
  const blobs = deps.blobs ?? new BlobStore(deps.prisma, { encryptionKey: deps.encryptionKey });
  return {
    ...createRunRecordActivities({ ...deps, blobs }),
    ...createApprovalRecordActivities(deps),
    ...createNodeActivities({
      prisma: deps.prisma,
      logger: deps.logger,
      blobs,
      secrets: new SecretsStore(deps.prisma, new SecretCipher(deps.encryptionKey)),
      executors: deps.executors,
      events: new NodeEvents(deps.events, deps.logger),
      metrics: deps.metrics,
      ...(deps.maxValueDepth !== undefined ? { maxValueDepth: deps.maxValueDepth } : {}),
    }),
    ...createApprovalNoticeActivities({
      prisma: deps.prisma,
      logger: deps.logger,
      secrets: new SecretsStore(deps.prisma, new SecretCipher(deps.encryptionKey)),
      encryptionKey: deps.encryptionKey,
      options: deps.notices ?? { publicUrl: 'http://127.0.0.1:3000' },
    }),
    // Does nothing, on purpose: see InterpreterActivities.
    pauseTask: async () => undefined,
  };
}
export { RunReconciler, startReconciler, type ReconcilerOptions } from './runs/run-reconciler';
export { TemporalExecutionInspector, connectExecutionInspector, type ExecutionInspector, type ExecutionState } from './runs/execution-inspector';
export type { KnowledgeRef, VectorRecord, VectorSearchRequest, VectorHit, VectorStore } from './knowledge/vector-store.port';
export {
  MilvusVectorStore,
  VECTOR_SEARCH_MAX_TOP_K,
  HYBRID_RRF_K,
  FULL_TEXT_HALF_SCORE,
  type MilvusVectorStoreOptions,
} from './knowledge/milvus-vector-store';
export type { ParsedDocument, ParseDocument, SegmentDraft, SplitDocument } from './knowledge/document-pipeline.types';
export { createIngestionActivities, type IngestionActivityDeps } from './knowledge/ingestion.activities';
export { IngestionEvents, jobCounts, progressOf } from './knowledge/ingestion-events';
export { Embedder, cacheKey, encodeVector, decodeVector, type EmbedderDeps, type EmbedResult } from './knowledge/embedder';
export { RetrievalService, type RetrievalDeps, type RetrievalRequest, type RetrievalAnswer, type SearchedKnowledge } from './knowledge/retrieval';
export { createKnowledgeRetrievalExecutor } from './knowledge/knowledge-retrieval.executor';
export { DocumentParser, parseDocument, closeSharedDocumentParser, type DocumentParserOptions } from './knowledge/parse/parse-document';
export { formatOf } from './knowledge/parse/document-format';
export { cleanText } from './knowledge/parse/clean-text';
export { splitDocument } from './knowledge/split/split-document';
export { EncryptionCodec, PayloadDecryptionError, ENCRYPTED_ENCODING, KEY_ID_METADATA } from './codec/encryption.codec';
export { parsePayloadKeyring, derivedPayloadKey, PayloadKeyringError, type PayloadKeyring, type PayloadKeySettings } from './codec/payload-keyring';
export { payloadDataConverter, FAILURE_CONVERTER_PATH, payloadKeySettings, payloadKeysProblem, type PayloadConfig } from './codec/payload-codec';
