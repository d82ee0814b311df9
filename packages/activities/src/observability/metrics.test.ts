import { CappedLabel, createApiMetrics, createMetricsRegistry, createWorkerMetrics, scrapeAllowed } from './metrics';

const values = async (registry: ReturnType<typeof createMetricsRegistry>, name: string) =>
  (await registry.getSingleMetric(name)!.get()).values.map((v) => ({ labels: v.labels, value: v.value, metric: (v as { metricName?: string }).metricName }));

describe('metrics', () => {
  it('keeps the first N model names as labels and counts the rest as other', async () => {
    const cap = new CappedLabel(2, 8);
    expect([cap.of('gpt-a'), cap.of('gpt-b'), cap.of('gpt-c'), cap.of('gpt-a'), cap.of(''), cap.of('a-very-long-model-name')]).toEqual(['gpt-a', 'gpt-b', 'other', 'gpt-a', 'other', 'other']);

    const registry = createMetricsRegistry({ processMetrics: false });
    const metrics = createWorkerMetrics(registry, { maxModels: 1 });
    metrics.llmCall({ providerType: 'openai', model: 'tenant-model-1', outcome: 'ok', inputTokens: 3, outputTokens: 5 });
    metrics.llmCall({ providerType: 'openai', model: 'tenant-model-2', outcome: 'error' });
    expect(await values(registry, 'weft_llm_calls_total')).toEqual([
      { labels: { provider: 'openai', model: 'tenant-model-1', outcome: 'ok' }, value: 1, metric: undefined },
      { labels: { provider: 'openai', model: 'other', outcome: 'error' }, value: 1, metric: undefined },
    ]);
    expect((await values(registry, 'weft_llm_tokens_total')).map((v) => [v.labels.direction, v.value])).toEqual([
      ['input', 3],
      ['output', 5],
    ]);
  });

  it('labels node executions and runs only with values from closed lists', async () => {
    const registry = createMetricsRegistry({ processMetrics: false });
    const metrics = createWorkerMetrics(registry);
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
    metrics.nodesRecorded([
      { key: 'a', nodeId: 'a', seq: 1, type: 'code', status: 'succeeded', startedAt: at(0), finishedAt: at(1500) },
      { key: 'b', nodeId: 'b', seq: 2, type: 'run_7f3a', status: 'succeeded', startedAt: at(0), finishedAt: at(0) },
    ]);
    metrics.runFinished('succeeded');
    metrics.runFinished('Robert; DROP TABLE');
    metrics.nodeRetried('llm');
    const nodes = await values(registry, 'weft_node_execution_duration_seconds');
    expect(nodes.filter((v) => v.metric === 'weft_node_execution_duration_seconds_count').map((v) => [v.labels.type, v.value])).toEqual([
      ['code', 1],
      ['other', 1],
    ]);
    expect(nodes.find((v) => v.metric === 'weft_node_execution_duration_seconds_sum' && v.labels.type === 'code')!.value).toBe(1.5);
    expect((await values(registry, 'weft_runs_finished_total')).map((v) => v.labels.status)).toEqual(['succeeded', 'other']);
    expect(await registry.metrics()).toContain('weft_node_retries_total{type="llm"} 1');
  });

  it('reads the SSE gauge on each scrape and labels HTTP requests by route template', async () => {
    const registry = createMetricsRegistry({ processMetrics: false });
    const metrics = createApiMetrics(registry);
    let open = 2;
    metrics.sseConnectionsFrom(() => open);
    expect(await registry.metrics()).toContain('weft_sse_connections 2');
    open = 0;
    expect(await registry.metrics()).toContain('weft_sse_connections 0');
    metrics.httpRequest('BREW', '/v1/runs/:id', 404, 0.01);
    expect(await registry.metrics()).toContain('weft_http_request_duration_seconds_count{method="other",route="/v1/runs/:id",status="404"} 1');
  });

  it('lets a scrape in without a token set, and with a token only when it is sent', () => {
    expect(scrapeAllowed(undefined, undefined)).toBe(true);
    const token = 'metrics-token-0123456789';
    expect(scrapeAllowed(undefined, token)).toBe(false);
    expect(scrapeAllowed('Bearer wrong', token)).toBe(false);
    expect(scrapeAllowed(`Bearer ${token}x`, token)).toBe(false);
    expect(scrapeAllowed(`Bearer ${token}`, token)).toBe(true);
  });
});
