import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_URL_FULL, ATTR_URL_QUERY } from '@opentelemetry/semantic-conventions';
import { redactText } from './log-redaction';

export interface TracingSetup {
  /** `service.name` of every span this process records (weft-api, weft-worker) */
  serviceName: string;
  /** where finished spans go: OTLP over HTTP in production (otlpTraceExporter), an InMemorySpanExporter in tests */
  exporter: SpanExporter;
  /** `batch` (the default) exports in the background; `simple` exports each span as it ends, for tests that read the exporter */
  processor?: 'batch' | 'simple';
  /** the share of new traces recorded (0–1); a trace begun elsewhere follows its caller's decision */
  sampleRatio?: number;
}

/** A process's tracing: the tracer its own spans use, and what the Temporal interceptors need (temporal-tracing.ts). */
export interface Tracing {
  tracer: Tracer;
  resource: Resource;
  spanProcessor: SpanProcessor;
  /** exports what is buffered (tests read the exporter after it) */
  flush(): Promise<void>;
  /** flushes, then takes the provider, the context manager and the instrumentation away again */
  shutdown(): Promise<void>;
}

let started = false;

/**
 * Starts tracing in this process: a tracer provider registered globally (the Temporal interceptors
 * and the undici instrumentation find it there), W3C trace-context propagation, and client spans
 * for every outgoing request made through undici (the http-request node, the LLM adapters), taken
 * from undici's diagnostics channels rather than by patching modules. Only called when tracing is
 * configured: otherwise no provider exists and every span is the API's no-op.
 */
export function startTracing(setup: TracingSetup): Tracing {
  if (started) throw new Error('tracing is started already in this process (one provider per process)');
  started = true;
  const resource = new Resource({ [ATTR_SERVICE_NAME]: setup.serviceName });
  const spanProcessor = setup.processor === 'simple' ? new SimpleSpanProcessor(setup.exporter) : new BatchSpanProcessor(setup.exporter);
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [spanProcessor],
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(setup.sampleRatio ?? 1) }),
  });
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new UndiciInstrumentation({
        // Calls made outside any traced work (a background sweep) would each start a trace of one span.
        requireParentforSpans: true,
        // A URL may carry a credential in its query (an http-request node's `?api_key=…`): spans get it redacted.
        startSpanHook: (request) => outgoingUrlAttributes(request.origin, request.path),
      }),
    ],
  });
  return {
    tracer: provider.getTracer('weft'),
    resource,
    spanProcessor,
    flush: () => provider.forceFlush(),
    async shutdown() {
      unregister();
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
      started = false;
    },
  };
}

/** An outgoing request's URL attributes with every query value, userinfo and credential-looking text replaced. */
export function outgoingUrlAttributes(origin: string, path: string): Record<string, string> {
  try {
    const url = new URL(path, origin);
    const query = [...url.searchParams.keys()].map((key) => `${encodeURIComponent(key)}=REDACTED`).join('&');
    url.username = url.username ? 'REDACTED' : '';
    url.password = '';
    url.search = '';
    const search = query ? `?${query}` : '';
    return { [ATTR_URL_FULL]: `${redactText(url.toString())}${search}`, [ATTR_URL_QUERY]: search };
  } catch {
    return {};
  }
}

/** OTLP over HTTP (protobuf-free JSON) to a collector: `endpoint` is its base URL, as OTEL_EXPORTER_OTLP_ENDPOINT is. */
export function otlpTraceExporter(endpoint: string): SpanExporter {
  return new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
}

/** Tracing as the apps' settings say: OTLP export when an endpoint is set, none at all (no provider) when not. */
export function tracingFromSettings(settings: { serviceName: string; otlpEndpoint?: string | undefined; sampleRatio?: number }): Tracing | undefined {
  if (!settings.otlpEndpoint) return undefined;
  return startTracing({ serviceName: settings.serviceName, exporter: otlpTraceExporter(settings.otlpEndpoint), sampleRatio: settings.sampleRatio ?? 1 });
}
