import { REDACTED } from '@weft/activities';
import { auditSafe } from './audit-log';
import { graphSummary } from './audit-summaries';

// What the audit log stores of a before/after goes through auditSafe (AuditLog.record); the
// integration suite (test/api/audit.test.ts) checks that no entry written through the API
// carries a secret value.
describe('auditSafe: the redaction guard of audit entries', () => {
  it('blanks every key named like a credential or a secret value, at any depth', () => {
    const given = {
      name: 'openai',
      apiKey: 'k-1',
      provider: { api_key: 'k-2', 'X-Api-Key': 'k-3', clientSecret: 'k-4', password: 'k-5', db_passwd: 'k-6' },
      secrets: ['a', 'b'],
      refreshToken: 'k-7',
      headers: [{ Authorization: 'Basic abc' }],
      value: 'the plaintext',
      encryptionKey: 'k-8',
      Plaintext: 'k-9',
    };
    const stored = auditSafe(given) as Record<string, any>;
    expect(stored).toEqual({
      name: 'openai',
      apiKey: REDACTED,
      provider: { api_key: REDACTED, 'X-Api-Key': REDACTED, clientSecret: REDACTED, password: REDACTED, db_passwd: REDACTED },
      secrets: REDACTED,
      refreshToken: REDACTED,
      headers: [{ Authorization: REDACTED }],
      value: REDACTED,
      encryptionKey: REDACTED,
      Plaintext: REDACTED,
    });
    // The caller's object is not changed.
    expect(given.apiKey).toBe('k-1');
  });

  it('redacts credential-looking text under any key: API keys, bearer values, JWTs, form tokens, URL passwords', () => {
    const apiKey = `sk-${'A'.repeat(43)}`;
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhY2N0XzEifQ.c2lnbmF0dXJlc2lnbmF0dXJl';
    const form = `f1.apr_1.${Date.now().toString(36)}.${'B'.repeat(43)}`;
    const stored = JSON.stringify(
      auditSafe({ comment: `use ${apiKey}`, note: `Bearer ${jwt}`, link: `/v1/forms/${form}`, baseUrl: 'https://user:hunter2@llm.example/v1', q: 'https://x.example/?api_key=zzz' }),
    );
    for (const plain of [apiKey, jwt, form, 'hunter2', 'zzz']) expect(stored).not.toContain(plain);
    expect(JSON.parse(stored).baseUrl).toBe(`https://user:${REDACTED}@llm.example/v1`);
  });

  it('keeps what an entry is for: ids, names, versions, counts, roles, flags, null', () => {
    const summary = { workflowId: 'wf_1', name: 'triage', version: 3, role: 'admin', existed: false, fields: ['reason'], prefix: 'sk-ab12', keyId: 'key_1', promptTokens: 12, comment: null };
    expect(auditSafe(summary)).toEqual(summary);
  });

  it('stores a note instead of a summary that is too deep or too large (never the whole value)', () => {
    let deep: Record<string, unknown> = { apiKey: 'k-deep' };
    for (let i = 0; i < 12; i++) deep = { inner: deep };
    expect(auditSafe(deep as never)).toEqual({ omitted: 'value_too_deep' });
    expect(auditSafe({ text: 'x'.repeat(70_000) })).toEqual({ omitted: 'value_too_large' });
  });
});

describe('graphSummary', () => {
  it('counts nodes and edges and hashes the graph whatever the order of its keys', () => {
    const a = { nodes: [{ id: 's', type: 'start', data: { x: 1, y: 2 } }], edges: [] };
    const b = { edges: [], nodes: [{ data: { y: 2, x: 1 }, type: 'start', id: 's' }] };
    expect(graphSummary(a)).toEqual({ nodes: 1, edges: 0, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(graphSummary(b).sha256).toBe(graphSummary(a).sha256);
    expect(graphSummary({ ...a, nodes: [] }).sha256).not.toBe(graphSummary(a).sha256);
  });
});
