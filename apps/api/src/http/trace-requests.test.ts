import type { AddressInfo } from 'node:net';
import { propagation, context } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import express from 'express';
import { startTracing, type Tracing } from '@weft/activities';
import { traceRequests, type CallerTraceOptions } from './trace-requests';

/**
 * The API's server span under a hostile caller: a tenant's `traceparent` must not decide sampling
 * nor put the request into a trace of its choosing, and its `baggage` must not reach the work the
 * request does (it would travel on in workflow and activity headers).
 */
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const traceparent = (flags: '00' | '01') => `00-${CALLER_TRACE}-${CALLER_SPAN}-${flags}`;

let tracing: Tracing | undefined;
// An exporter per test: shutting a tracing down stops its exporter for good.
let exporter: InMemorySpanExporter;

afterEach(async () => {
  await tracing?.shutdown();
  tracing = undefined;
});

/** One request to a loopback app traced as configured; answers the baggage the handler saw. */
async function send(headers: Record<string, string>, options: CallerTraceOptions & { sampleRatio: number }): Promise<{ baggage: string[] }> {
  exporter = new InMemorySpanExporter();
  tracing = startTracing({ serviceName: 'weft-test', exporter, processor: 'simple', sampleRatio: options.sampleRatio });
  const app = express();
  app.use(traceRequests(tracing.tracer, options));
  app.get('/v1/things/:id', (_req, res) => {
    const entries = propagation.getBaggage(context.active())?.getAllEntries() ?? [];
    res.json({ baggage: entries.map(([k]) => k) });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/things/1`, { headers });
    const body = (await res.json()) as { baggage: string[] };
    await tracing.flush();
    return body;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('a caller\'s trace context', () => {
  it('is a link by default: the request starts its own trace, recorded or not by Weft\'s ratio alone', async () => {
    await send({ traceparent: traceparent('00') }, { sampleRatio: 1 });
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('GET /v1/things/:id');
    expect(span!.spanContext().traceId).not.toBe(CALLER_TRACE);
    expect(span!.parentSpanId).toBeUndefined();
    expect(span!.links).toEqual([expect.objectContaining({ context: expect.objectContaining({ traceId: CALLER_TRACE, spanId: CALLER_SPAN }) })]);
  });

  it('cannot force recording past WEFT_TRACE_SAMPLE_RATIO with its sampled flag', async () => {
    await send({ traceparent: traceparent('01') }, { sampleRatio: 0 });
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('brings no baggage into the request\'s work', async () => {
    const { baggage } = await send({ traceparent: traceparent('01'), baggage: 'tenant=acme,big=xxxxxxxx' }, { sampleRatio: 1 });
    expect(baggage).toEqual([]);
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  });

  it('is continued with trustCaller (behind a gateway that controls it), baggage still dropped', async () => {
    const { baggage } = await send({ traceparent: traceparent('01'), baggage: 'tenant=acme' }, { sampleRatio: 0, trustCaller: true });
    const [span] = exporter.getFinishedSpans();
    expect(span!.spanContext().traceId).toBe(CALLER_TRACE);
    expect(span!.parentSpanId).toBe(CALLER_SPAN);
    expect(baggage).toEqual([]);
  });

  it('a malformed traceparent is neither parent nor link', async () => {
    await send({ traceparent: `00-${'0'.repeat(32)}-${CALLER_SPAN}-01` }, { sampleRatio: 1 });
    const [span] = exporter.getFinishedSpans();
    expect(span!.links).toEqual([]);
    expect(span!.parentSpanId).toBeUndefined();
  });
});
