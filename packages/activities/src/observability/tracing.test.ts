import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, trace } from '@opentelemetry/api';
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
      tracing.tracer.startSpan('exported span').end();
      await tracing.flush();
      const [sent] = collector.received;
      expect(sent?.path).toBe('/v1/traces');
      expect(sent?.body).toContain('exported span');
      expect(sent?.body).toContain('weft-test-otlp');
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
