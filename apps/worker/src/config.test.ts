import { loadWorkerConfig, noticeOptions } from './config';

const KEY = { WEFT_ENCRYPTION_KEY: 'ab'.repeat(32) };

describe('worker config', () => {
  it('parses both allowlists once, empty by default, and the value depth limit', () => {
    const defaults = loadWorkerConfig(KEY);
    expect(defaults.WEFT_HTTP_ALLOWLIST).toEqual({ entries: [] });
    expect(defaults.WEFT_MODEL_PROVIDER_ALLOWLIST).toEqual({ entries: [] });
    expect(defaults.WEFT_MAX_VALUE_DEPTH).toBe(64);
    expect([defaults.MILVUS_ADDRESS, defaults.MILVUS_TOKEN]).toEqual(['127.0.0.1:19530', undefined]);
    expect(loadWorkerConfig({ ...KEY, MILVUS_ADDRESS: 'milvus:19530', MILVUS_TOKEN: 'root:Milvus' })).toMatchObject({ MILVUS_ADDRESS: 'milvus:19530', MILVUS_TOKEN: 'root:Milvus' });
    const set = loadWorkerConfig({ ...KEY, WEFT_MODEL_PROVIDER_ALLOWLIST: '10.0.0.5:8000, models.internal', WEFT_MAX_VALUE_DEPTH: '32' });
    expect(set.WEFT_MODEL_PROVIDER_ALLOWLIST.entries.map((e) => e.text)).toEqual(['10.0.0.5:8000', 'models.internal']);
    expect(set.WEFT_MAX_VALUE_DEPTH).toBe(32);
  });

  it('refuses a bad allowlist entry at start-up, naming the setting and the entry', () => {
    expect(() => loadWorkerConfig({ ...KEY, WEFT_MODEL_PROVIDER_ALLOWLIST: 'http://10.0.0.5:8000' })).toThrow(
      'Invalid worker configuration: WEFT_MODEL_PROVIDER_ALLOWLIST: entry 1 "http://10.0.0.5:8000": write a host, host:port or CIDR, without a scheme',
    );
    expect(() => loadWorkerConfig({ ...KEY, WEFT_HTTP_ALLOWLIST: '10.0.0.0/33' })).toThrow(/^Invalid worker configuration: WEFT_HTTP_ALLOWLIST: entry 1 "10\.0\.0\.0\/33"/);
  });

  it('refuses payload keys the codec could not use, naming the setting (README "Encrypted history")', () => {
    expect(loadWorkerConfig({ ...KEY, WEFT_PAYLOAD_KEYS: `a:${'cd'.repeat(32)}`, WEFT_PAYLOAD_KEY_ID: 'a' })).toMatchObject({ WEFT_PAYLOAD_KEY_ID: 'a' });
    expect(() => loadWorkerConfig({ ...KEY, WEFT_PAYLOAD_KEYS: 'a:tooshort' })).toThrow("Invalid worker configuration: WEFT_PAYLOAD_KEYS: key 'a' must be 32 bytes, as 64 hex characters or base64");
    expect(() => loadWorkerConfig({ ...KEY, WEFT_PAYLOAD_KEYS: `a:${'cd'.repeat(32)}`, WEFT_PAYLOAD_KEY_ID: 'b' })).toThrow("Invalid worker configuration: WEFT_PAYLOAD_KEY_ID: 'b' is not a key of WEFT_PAYLOAD_KEYS");
  });

  it('builds the approval notice settings: links to the API, email only with an SMTP host', () => {
    const bare = noticeOptions(loadWorkerConfig({ ...KEY, WEFT_API_PORT: '8080' }));
    expect(bare).toEqual({ publicUrl: 'http://127.0.0.1:8080', allowlist: { entries: [] } });
    const mail = noticeOptions(
      loadWorkerConfig({ ...KEY, WEFT_PUBLIC_URL: 'https://weft.example.com', WEFT_SMTP_HOST: 'smtp.example.com', WEFT_SMTP_PORT: '465', WEFT_SMTP_SECURE: 'true', WEFT_SMTP_USER: 'weft', WEFT_SMTP_PASS: 'pw', WEFT_SMTP_FROM: 'Weft <weft@example.com>' }),
    );
    expect(mail).toMatchObject({ publicUrl: 'https://weft.example.com', smtp: { host: 'smtp.example.com', port: 465, secure: true, user: 'weft', pass: 'pw', from: 'Weft <weft@example.com>' } });
    expect(() => loadWorkerConfig({ ...KEY, WEFT_SMTP_SECURE: 'yes' })).toThrow(/WEFT_SMTP_SECURE/);
  });

  it('bounds the workflow cache, and refuses more workflow tasks than cache slots', () => {
    const defaults = loadWorkerConfig(KEY);
    expect(defaults.WEFT_WORKER_MAX_WORKFLOW_TASKS).toBeLessThanOrEqual(defaults.WEFT_WORKER_MAX_CACHED_WORKFLOWS);
    expect(defaults.WEFT_WORKER_MAX_CACHED_WORKFLOWS).toBeLessThan(1000);
    expect(loadWorkerConfig({ ...KEY, WEFT_WORKER_MAX_CACHED_WORKFLOWS: '20', WEFT_WORKER_MAX_WORKFLOW_TASKS: '20' }).WEFT_WORKER_MAX_CACHED_WORKFLOWS).toBe(20);
    expect(() => loadWorkerConfig({ ...KEY, WEFT_WORKER_MAX_CACHED_WORKFLOWS: '20' })).toThrow(
      'Invalid worker configuration: WEFT_WORKER_MAX_WORKFLOW_TASKS: must not exceed WEFT_WORKER_MAX_CACHED_WORKFLOWS (a task needs a cache slot)',
    );
    expect(() => loadWorkerConfig({ ...KEY, WEFT_WORKER_WORKFLOW_HEAP_MB: '64' })).toThrow(/WEFT_WORKER_WORKFLOW_HEAP_MB/);
  });

  it('runs ingestion on a task queue and slots of its own, and refuses to share the run queue', () => {
    const defaults = loadWorkerConfig(KEY);
    expect(defaults).toMatchObject({ WEFT_INGESTION_WORKER: true, TEMPORAL_INGESTION_TASK_QUEUE: 'weft-ingestion', WEFT_INGESTION_MAX_ACTIVITIES: 8, WEFT_INGESTION_MAX_WORKFLOW_TASKS: 10 });
    expect(loadWorkerConfig({ ...KEY, WEFT_INGESTION_WORKER: 'false', TEMPORAL_INGESTION_TASK_QUEUE: 'weft' }).WEFT_INGESTION_WORKER).toBe(false);
    expect(() => loadWorkerConfig({ ...KEY, TEMPORAL_INGESTION_TASK_QUEUE: 'weft' })).toThrow(
      'Invalid worker configuration: TEMPORAL_INGESTION_TASK_QUEUE: must differ from TEMPORAL_TASK_QUEUE (ingestion must not take the slots of interactive runs)',
    );
    expect(() => loadWorkerConfig({ ...KEY, WEFT_INGESTION_MAX_CACHED_WORKFLOWS: '5' })).toThrow(/WEFT_INGESTION_MAX_WORKFLOW_TASKS: must not exceed WEFT_INGESTION_MAX_CACHED_WORKFLOWS/);
  });

  it('serves runs, ingestion or both, never nothing, and bounds the shutdown grace', () => {
    const defaults = loadWorkerConfig(KEY);
    expect([defaults.WEFT_RUN_WORKER, defaults.WEFT_INGESTION_WORKER]).toEqual([true, true]);
    expect(defaults.WEFT_WORKER_SHUTDOWN_GRACE_MS).toBeGreaterThan(defaults.WEFT_CODE_TIMEOUT_MS);
    expect(loadWorkerConfig({ ...KEY, WEFT_RUN_WORKER: 'false' })).toMatchObject({ WEFT_RUN_WORKER: false, WEFT_INGESTION_WORKER: true });
    expect(loadWorkerConfig({ ...KEY, WEFT_INGESTION_WORKER: 'false' })).toMatchObject({ WEFT_RUN_WORKER: true, WEFT_INGESTION_WORKER: false });
    expect(() => loadWorkerConfig({ ...KEY, WEFT_RUN_WORKER: 'false', WEFT_INGESTION_WORKER: 'false' })).toThrow(/WEFT_RUN_WORKER: .*serve nothing/);
    expect(() => loadWorkerConfig({ ...KEY, WEFT_WORKER_SHUTDOWN_GRACE_MS: '-1' })).toThrow(/WEFT_WORKER_SHUTDOWN_GRACE_MS/);
  });

  it('traces only with a collector endpoint set (empty is unset), and refuses one that is no URL', () => {
    expect(loadWorkerConfig(KEY)).toMatchObject({ OTEL_SERVICE_NAME: 'weft-worker', WEFT_TRACE_SAMPLE_RATIO: 1 });
    expect(loadWorkerConfig(KEY).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(loadWorkerConfig({ ...KEY, OTEL_EXPORTER_OTLP_ENDPOINT: '' }).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(loadWorkerConfig({ ...KEY, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://collector:4318');
    expect(() => loadWorkerConfig({ ...KEY, OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => loadWorkerConfig({ ...KEY, WEFT_TRACE_SAMPLE_RATIO: '2' })).toThrow(/WEFT_TRACE_SAMPLE_RATIO/);
  });
});
