import { AsyncLocalStorage } from 'node:async_hooks';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import winston from 'winston';
import { redactSecrets } from './log-redaction';

/**
 * Per-request (or per-activity) facts that every log line written inside it carries: `request_id`
 * (API requests), `run_id` (run routes and activities). The store is the request's own object, so
 * a fact learnt half-way (the id of the run a request just created) is added with `annotateLog`.
 */
export const logContext = new AsyncLocalStorage<Record<string, string>>();

/** Adds facts to the current request's (or activity's) log context; outside one it does nothing. */
export function annotateLog(facts: Record<string, string>): void {
  const store = logContext.getStore();
  if (store) Object.assign(store, facts);
}

const withContext = winston.format((info) => Object.assign(info, logContext.getStore() ?? {}));

/**
 * The trace a line was written in, when one is being recorded (tracing.ts); without a tracer
 * provider no span is ever active and this costs one lookup.
 */
const withTrace = winston.format((info) => {
  const span = trace.getSpan(context.active())?.spanContext();
  if (span && isSpanContextValid(span)) Object.assign(info, { trace_id: span.traceId, span_id: span.spanId });
  return info;
});

export type Logger = winston.Logger;

/**
 * JSON lines on stdout, one logger per process, tagged with the service name; credentials redacted.
 * A line below the logger's level is dropped before any format runs: winston formats every line
 * and leaves the level to the transport, and the SDK's debug lines (several per run, each
 * redacted and serialised) were paid for and then thrown away.
 */
export function createLogger(options: { service: string; level?: string; silent?: boolean }): Logger {
  const logger: Logger = winston.createLogger({
    level: options.level ?? 'info',
    silent: options.silent ?? false,
    defaultMeta: { service: options.service },
    format: winston.format.combine(
      winston.format((info) => (logger.isLevelEnabled(info.level) ? info : false))(),
      withContext(),
      withTrace(),
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      redactSecrets(),
      winston.format.json(),
    ),
    transports: [new winston.transports.Console()],
  });
  return logger;
}
