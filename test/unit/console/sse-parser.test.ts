import { SseParser } from '../../../apps/console/src/api/sse-parser';

// The console's text/event-stream parser (api/sse.ts follows run and job streams with it).
describe("the console's SSE parser", () => {
  const stream = 'retry: 1000\n\nid: 1\nevent: node.started\ndata: {"nodeId":"a"}\n\n: a comment\n\nid: 2\nevent: llm.delta\ndata: {"text":"line one\\n"}\ndata: more\n\nevent: ping\ndata: {}\n\n';

  it('gives each event with its id, type and data, whatever the chunks', () => {
    const whole = new SseParser().feed(stream);
    expect(whole).toEqual([
      { id: '1', event: 'node.started', data: '{"nodeId":"a"}' },
      { id: '2', event: 'llm.delta', data: '{"text":"line one\\n"}\nmore' },
      { id: '2', event: 'ping', data: '{}' },
    ]);
    for (const size of [1, 2, 3, 7, 13]) {
      const p = new SseParser();
      const events = [];
      for (let i = 0; i < stream.length; i += size) events.push(...p.feed(stream.slice(i, i + size)));
      expect(events).toEqual(whole);
      expect(p.lastEventId).toBe('2');
    }
  });

  it('reads CRLF and CR line ends, a field without a colon, and the retry delay', () => {
    const p = new SseParser();
    expect(p.feed('retry: 2500\r\nevent: run.finished\r\ndata\r\n\r')).toEqual([]);
    expect(p.feed('\n')).toEqual([{ event: 'run.finished', data: '', retry: 2500 }]);
    expect(p.feed('data: x\r\rdata: y\n\n')).toEqual([
      { event: 'message', data: 'x' },
      { event: 'message', data: 'y' },
    ]);
  });

  it('keeps nothing of an event that never ended', () => {
    const p = new SseParser();
    expect(p.feed('id: 9\nevent: node.finished\ndata: {"nodeId":')).toEqual([]);
    expect(p.lastEventId).toBe('9');
  });
});
