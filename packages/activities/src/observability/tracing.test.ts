import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { request } from 'undici';
import { startTracing, tracingFromSettings } from './tracing';

/** A loopback server recording what it is sent: an OTLP collector, or any target of an outgoing call. */
async function recorder(): Promise<{ url: string; received: { path: string; headers: IncomingMessage['headers']; body: string }[]; close(): Promise<void> }> {
  const received: { path: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('tracing settings', () => {
  it('without an endpoint sets nothing up: no provider, spans are the API no-op', () => {
    expect(tracingFromSettings({ serviceName: 'weft-test' })).toBeUndefined();
    const span = trace.getTracer('t').startSpan('nothing');
    expect(span.isRecording()).toBe(false);
    span.end();
  });

  it('with an endpoint exports spans over OTLP/HTTP to <endpoint>/v1/traces, named by service', async () => {
    const collector = await recorder();
    const tracing = tracingFromSettings({ serviceName: 'weft-test-otlp', otlpEndpoint: `${collector.url}/` })!;
    try {
      tracing.tracer.startSpan('exported span', { attributes: { 'weft.note': 'token=s3cr3tvalue' } }).end();
      await tracing.flush();
      const [sent] = collector.received;
      expect(sent?.path).toBe('/v1/traces');
      expect(sent?.body).toContain('exported span');
      expect(sent?.body).toContain('weft-test-otlp');
      // A redacted span (a view of the recorded one) goes through the OTLP exporter as any span does.
      expect(sent?.body).toContain('token=[REDACTED]');
      expect(sent?.body).not.toContain('s3cr3tvalue');
    } finally {
      await tracing.shutdown();
      await collector.close();
    }
  });

  it('is one provider per process, and can start again once shut down', async () => {
    const first = startTracing({ serviceName: 'one', exporter: new InMemorySpanExporter(), processor: 'simple' });
    expect(() => startTracing({ serviceName: 'two', exporter: new InMemorySpanExporter() })).toThrow(/one provider per process/);
    await first.shutdown();
    const again = startTracing({ serviceName: 'again', exporter: new InMemorySpanExporter(), processor: 'simple' });
    await again.shutdown();
  });
});

describe('outgoing calls', () => {
  it('are client spans under the active span, with query values redacted, and carry traceparent to the callee', async () => {
    const target = await recorder();
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ serviceName: 'weft-test', exporter, processor: 'simple' });
    try {
      await tracing.tracer.startActiveSpan('parent', async (parent) => {
        const res = await request(`${target.url}/hook?api_key=s3cr3t&page=2`);
        await res.body.text();
        parent.end();
      });
      // Outside any span: no span and no header (a background call does not start a trace).
      await (await request(`${target.url}/background`)).body.text();

      const parent = exporter.getFinishedSpans().find((s) => s.name === 'parent')!;
      const clients = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);
      expect(clients).toHaveLength(1);
      expect(clients[0]!.parentSpanId).toBe(parent.spanContext().spanId);
      expect(clients[0]!.attributes['url.full']).toBe(`${target.url}/hook?api_key=REDACTED&page=REDACTED`);
      expect(JSON.stringify(clients[0]!.attributes)).not.toContain('s3cr3t');
      expect(target.received[0]!.headers.traceparent).toContain(`-${parent.spanContext().traceId}-${clients[0]!.spanContext().spanId}-`);
      expect(target.received[1]!.headers.traceparent).toBeUndefined();
    } finally {
      await tracing.shutdown();
      await target.close();
    }
  });
});

describe('exported spans', () => {
  it('are redacted as log lines are: attributes, exception events and the status message', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ serviceName: 'weft-test', exporter, processor: 'simple' });
    try {
      // What the Temporal interceptors record of a failed activity, its message quoting a tenant's URL and a vendor's answer.
      const span = tracing.tracer.startSpan('RunActivity:nodeHttpRequest', {
        attributes: { 'http.request.header.authorization': 'Bearer abc', 'weft.note': 'called https://h.example/x?api_key=s3cr3t', 'weft.list': ['client_secret=s3cr3t', 'plain'], 'weft.count': 3 },
      });
      const failure = new Error('GET https://h.example/x?api_key=s3cr3t failed: {"error":"bad","password":"s3cr3t"}');
      span.recordException(failure);
      span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
      span.end();
      await tracing.flush();
      const [exported] = exporter.getFinishedSpans();
      expect(JSON.stringify({ a: exported!.attributes, e: exported!.events, s: exported!.status })).not.toContain('s3cr3t');
      expect(exported!.attributes).toMatchObject({ 'http.request.header.authorization': '[REDACTED]', 'weft.list': ['client_secret=[REDACTED]', 'plain'], 'weft.count': 3 });
      expect(exported!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'GET https://h.example/x?api_key=[REDACTED] failed: {"error":"bad","password":"[REDACTED]"}' });
      expect(exported!.events[0]!.name).toBe('exception');
      // The view is still the span: its name, ids and times.
      expect(exported!.name).toBe('RunActivity:nodeHttpRequest');
      expect(exported!.spanContext().spanId).toBe(span.spanContext().spanId);
      expect(exported!.duration).toEqual(expect.any(Array));
    } finally {
      await tracing.shutdown();
    }
  });
});
