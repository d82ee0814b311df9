import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { REDACTED, isSensitiveKey, redactText } from './log-redaction';

/**
 * Spans pass the same redaction as log lines before they leave the process. Spans are written by
 * code Weft does not own: the Temporal interceptors record an activity's failure as the span's
 * status message and an `exception` event (message and stack), and a node's failure message quotes
 * what a tenant or a vendor wrote (`GET …?api_key=… failed`, an upstream body). Secrets resolved
 * into a node are scrubbed before that, but a credential typed into a node or sent back by a vendor
 * is not a secret Weft knows; the log redacts it, so the trace backend must not get it either.
 */
export class RedactingSpanExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.inner.export(spans.map(redactSpan), resultCallback);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** A view of `span` with its attributes, events' attributes and status message redacted; the span itself is not changed. */
export function redactSpan(span: ReadableSpan): ReadableSpan {
  const attributes = redactAttributes(span.attributes);
  let eventsChanged = false;
  const events = span.events.map((event) => {
    const redacted = event.attributes ? redactAttributes(event.attributes) : event.attributes;
    if (redacted === event.attributes) return event;
    eventsChanged = true;
    return { ...event, attributes: redacted };
  });
  const message = span.status.message === undefined ? undefined : redactText(span.status.message);
  if (attributes === span.attributes && !eventsChanged && message === span.status.message) return span;
  // Everything else (spanContext(), name, times, links, resource) is the span's own, through the prototype.
  return Object.create(span, {
    attributes: { value: attributes, enumerable: true },
    events: { value: eventsChanged ? events : span.events, enumerable: true },
    status: { value: message === span.status.message ? span.status : { ...span.status, message }, enumerable: true },
  }) as ReadableSpan;
}

function redactAttributes(attributes: Attributes): Attributes {
  let copy: Attributes | undefined;
  for (const [key, value] of Object.entries(attributes)) {
    const next = isSensitiveKey(key) && value !== undefined && value !== '' ? REDACTED : redactAttribute(value);
    if (next !== value) (copy ??= { ...attributes })[key] = next;
  }
  return copy ?? attributes;
}

function redactAttribute(value: AttributeValue | undefined): AttributeValue | undefined {
  if (typeof value === 'string') return redactText(value);
  if (!Array.isArray(value) || !value.some((v) => typeof v === 'string')) return value;
  const strings = value as readonly (string | null | undefined)[];
  const next = strings.map((v) => (typeof v === 'string' ? redactText(v) : v));
  return next.some((v, i) => v !== strings[i]) ? (next as AttributeValue) : value;
}
