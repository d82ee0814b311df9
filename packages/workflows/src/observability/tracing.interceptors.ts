/**
 * Workflow interceptors of a traced worker (apps/worker bundles this module only when tracing is
 * configured): the run is a span, child of the API's StartWorkflow span, and each activity, child
 * workflow and continue-as-new it starts carries its span's context on. Spans are recorded in the
 * sandbox with ids from the workflow's seeded randomness and leave through the `exporter` sink.
 *
 * Only an execution started with a trace context in its headers is traced. The decision is read
 * from history (the start event's headers), so a replay makes it again the same way, and a run
 * started before tracing was turned on replays exactly as it ran: the OpenTelemetry interceptors
 * add awaits around the calls they wrap, and those shift when promises settle, which a history
 * recorded without them (an approval's updates and local activities) does not survive.
 */
import type {
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptorsFactory,
  WorkflowInternalsInterceptor,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';

/** The header the OpenTelemetry client interceptor puts the caller's trace context in. */
const TRACE_HEADER = '_tracer-data';

interface Traced {
  inbound: OpenTelemetryInboundInterceptor;
  outbound: OpenTelemetryOutboundInterceptor;
  internals: OpenTelemetryInternalsInterceptor;
}

export const interceptors: WorkflowInterceptorsFactory = () => {
  // Per execution: set when its `execute` sees a trace context, before any outbound call.
  let otel: Traced | undefined;
  const inbound: WorkflowInboundCallsInterceptor = {
    execute(input, next) {
      if (input.headers[TRACE_HEADER] === undefined) return next(input);
      otel = { inbound: new OpenTelemetryInboundInterceptor(), outbound: new OpenTelemetryOutboundInterceptor(), internals: new OpenTelemetryInternalsInterceptor() };
      return otel.inbound.execute(input, next);
    },
    handleSignal: (input, next) => (otel ? otel.inbound.handleSignal(input, next) : next(input)),
    handleUpdate: (input, next) => (otel ? otel.inbound.handleUpdate(input, next) : next(input)),
    validateUpdate: (input, next) => (otel ? otel.inbound.validateUpdate(input, next) : next(input)),
    handleQuery: (input, next) => (otel ? otel.inbound.handleQuery(input, next) : next(input)),
  };
  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input, next) => (otel ? otel.outbound.scheduleActivity(input, next) : next(input)),
    scheduleLocalActivity: (input, next) => (otel ? otel.outbound.scheduleLocalActivity(input, next) : next(input)),
    startChildWorkflowExecution: (input, next) => (otel ? otel.outbound.startChildWorkflowExecution(input, next) : next(input)),
    continueAsNew: (input, next) => (otel ? otel.outbound.continueAsNew(input, next) : next(input)),
    signalWorkflow: (input, next) => (otel ? otel.outbound.signalWorkflow(input, next) : next(input)),
    startNexusOperation: (input, next) => (otel ? otel.outbound.startNexusOperation(input, next) : next(input)),
    getLogAttributes: (input, next) => (otel ? otel.outbound.getLogAttributes(input, next) : next(input)),
  };
  const internals: WorkflowInternalsInterceptor = {
    dispose: (input, next) => (otel ? otel.internals.dispose(input, next) : next(input)),
  };
  return { inbound: [inbound], outbound: [outbound], internals: [internals] };
};
