import { KNOWLEDGE_LIMITS } from '@weft/domain';
import { httpClient, resetDatabase, startHarness, type ApiClient, type Harness } from '../support/harness';

// The knowledge routes as a hostile tenant uses them, with no worker: multipart bodies built by
// hand (thousands of parts, odd filenames, a header bomb) and the retrieval bounds. Every answer is
// a 4xx with a code, never a 5xx, and nothing is stored for a refused upload.
let h: Harness;
let api: ApiClient;
let other: ApiClient;
let key: string;
let kb: string;

beforeAll(async () => {
  // A body limit past a document's: JSON texts reach the upload's own bounds.
  h = await startHarness('knowledge-hostile', { WEFT_MAX_BODY_BYTES: String(64 * 1024 * 1024) });
  await resetDatabase(h.prisma);
  key = await h.key('acme');
  api = httpClient(h.url, key);
  other = httpClient(h.url, await h.key('globex'));
  const r = await api('POST', '/v1/knowledge', { name: 'hostile' });
  kb = r.body.data.id;
});
afterAll(async () => {
  await h.close();
});

const BOUNDARY = 'b0undary';
const part = (disposition: string, content: string, extraHeaders = '') => `--${BOUNDARY}\r\n${extraHeaders}Content-Disposition: form-data; ${disposition}\r\n\r\n${content}\r\n`;
const form = (parts: string[]) => `${parts.join('')}--${BOUNDARY}--\r\n`;

async function upload(body: string) {
  const res = await fetch(`${h.url}/v1/knowledge/${kb}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    body,
  });
  return { status: res.status, body: (await res.json()) as any };
}

const documents = () => h.prisma.knowledgeDocument.count({ where: { knowledgeId: kb } });

describe('multipart uploads built to hurt', () => {
  it('10,000 tiny files are 413, 10,000 fields 422, a header bomb 400: nothing stored', async () => {
    const files = Array.from({ length: 10_000 }, (_, i) => part(`name="files"; filename="f${i}.txt"`, 'x'));
    expect(await upload(form(files))).toMatchObject({ status: 413, body: { code: 'upload_too_large' } });
    const fields = Array.from({ length: 10_000 }, (_, i) => part(`name="f${i}"`, 'x'));
    expect(await upload(form(fields))).toMatchObject({ status: 422, body: { code: 'upload_invalid' } });
    const headers = Array.from({ length: 5_000 }, (_, i) => `X-H${i}: v\r\n`).join('');
    expect(await upload(form([part('name="files"; filename="a.txt"', 'x', headers)]))).toMatchObject({ status: 400, body: { code: 'malformed_request' } });
    expect(await documents()).toBe(0);
  });

  it('names of 10,000 characters, with control characters or no last segment are 422 document_name_invalid; a path keeps its last segment', async () => {
    for (const disposition of [
      `name="files"; filename="${'a'.repeat(10_000)}.txt"`,
      `name="files"; filename*=utf-8''a%00b%1b%5B31m.txt`,
      'name="files"; filename="notes/"',
      'name="files"; filename="../.."',
    ]) {
      const r = await upload(form([part(disposition, 'x')]));
      expect({ disposition: disposition.slice(0, 60), status: r.status, code: r.body.code, issue: r.body.details?.issues?.[0]?.code }).toEqual({
        disposition: disposition.slice(0, 60),
        status: 422,
        code: 'upload_invalid',
        issue: 'document_name_invalid',
      });
    }
    expect(await documents()).toBe(0);
    const traversal = await upload(form([part('name="files"; filename="../../etc/passwd.txt"', 'root:x:0:0')]));
    expect(traversal.status).toBe(202);
    expect(traversal.body.data.documents).toEqual([expect.objectContaining({ name: 'passwd.txt' })]);
  });
});

describe('knowledge names', () => {
  it('a name with a terminal escape, a carriage return or a tab is 400: the command-line tool prints names as they are', async () => {
    for (const name of ['evil\u001b[2Jcleared', 'ok\rspoofed', 'tab\tbed', 'c1\u009bcontrol']) {
      const r = await api('POST', '/v1/knowledge', { name });
      expect({ name, status: r.status, code: r.body.code }).toEqual({ name, status: 400, code: 'malformed_request' });
    }
    expect((await api('POST', '/v1/knowledge', { name: 'Ünïcödé — fine 📚' })).status).toBe(201);
  });
});

describe('JSON text documents', () => {
  it('a text within its character bound whose UTF-8 is past the byte bound is 413, as a file of that size is', async () => {
    // 15 MiB of two-byte characters: a body the operator allowed (WEFT_MAX_BODY_BYTES), a document the worker would refuse.
    const text = 'é'.repeat(KNOWLEDGE_LIMITS.maxDocumentBytes);
    const r = await api('POST', `/v1/knowledge/${kb}/documents`, { documents: [{ name: 'accents.txt', text }] });
    expect(r).toMatchObject({ status: 413, body: { code: 'upload_too_large', message: expect.stringContaining('per document') } });
    expect(await h.prisma.knowledgeDocument.count({ where: { knowledgeId: kb, name: 'accents.txt' } })).toBe(0);
  }, 60_000);
});

describe('retrieval bounds', () => {
  it('refuses a query past 10,000 characters and topK or scoreThreshold out of range with 400; the edges answer 200', async () => {
    const path = `/v1/knowledge/${kb}/retrieve`;
    for (const body of [{ query: 'x'.repeat(10_001) }, { query: '' }, { query: 'x', topK: 0 }, { query: 'x', topK: 101 }, { query: 'x', topK: 1.5 }, { query: 'x', scoreThreshold: -0.01 }, { query: 'x', scoreThreshold: 1.01 }]) {
      expect({ body: JSON.stringify(body).slice(0, 40), ...(await api('POST', path, body)).body }).toMatchObject({ body: JSON.stringify(body).slice(0, 40), code: 'malformed_request' });
    }
    for (const body of [{ query: 'x'.repeat(10_000) }, { query: 'x', topK: 100, scoreThreshold: 1 }, { query: '   ' }, { query: '!!!' }, { query: 'passwd', topK: 1, scoreThreshold: 0 }]) {
      const r = await api('POST', path, body);
      expect({ body: JSON.stringify(body).slice(0, 40), status: r.status }).toEqual({ body: JSON.stringify(body).slice(0, 40), status: 200 });
      expect(r.body.data.count).toBe(r.body.data.results.length);
    }
    expect(await other('POST', path, { query: 'passwd' })).toMatchObject({ status: 404, body: { code: 'knowledge_not_found' } });
  });
});
