import { BlobStore, createCodeExecutor, type CodeExecutor } from '@weft/activities';
import { end, graph, start, tpl, type N } from '../support/graph-builder';
import { runGraph, useSuiteHarness } from '../support/harness';
import { testEnv } from '../support/test-env';

// Values kept outside history travel as references that only the platform can write (an HMAC
// under a key derived from WEFT_ENCRYPTION_KEY). User data of the same shape is data: it comes
// back exactly as it was, never swapped for a stored value of the tenant, never for null.
const executor: CodeExecutor = createCodeExecutor({ timeoutMs: 2_000, memoryLimitBytes: 32 * 1024 * 1024 });
const suite = useSuiteHarness('blob-refs', { code: executor });
afterAll(() => executor.close());

const codeNode = (id: string, code: string, inputs: Record<string, unknown> = {}): N => ({ id, type: 'code', data: { language: 'javascript', code, inputs } });
const BIG = 200_000;

/** A run whose `big` output is kept outside history; returns its run id and the stored reference. */
async function runWithBigOutput() {
  const g = graph(
    [start, codeNode('make', `function main() { return { big: 'x'.repeat(${BIG}), small: 1 } }`), codeNode('use', 'function main({ big }) { return { length: big.length } }', { big: '{{ make.big }}' }), end({ length: '{{ use.length }}', big: '{{ make.big }}' })],
    [['start', 'make'], ['make', 'use'], ['use', 'end']],
  );
  const { run, nodes } = await runGraph(suite.api, g);
  const row = await suite.h.prisma.nodeExecution.findFirstOrThrow({ where: { runId: run.id, key: 'make' } });
  return { run, nodes, ref: (row.outputs as any).big as { $weftBlob: string; size: number; mac: string } };
}

describe('blob references', () => {
  it('a large output round-trips: signed reference in the records, the value in outputs, node list and the next node', async () => {
    const { run, nodes, ref } = await runWithBigOutput();
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ length: BIG, big: 'x'.repeat(BIG) });
    expect(nodes.find((n) => n.key === 'make').outputs).toEqual({ big: 'x'.repeat(BIG), small: 1 });
    expect(ref).toEqual({ $weftBlob: expect.stringMatching(/^blob_/), size: BIG + 2, mac: expect.stringMatching(/^[\w-]{43}$/) });
  });

  it('user data shaped like a reference stays verbatim end to end, also naming a real blob of the tenant or carrying a forged mac', async () => {
    const { ref } = await runWithBigOutput();
    const lookalikes = {
      unknown: { $weftBlob: 'blob_00000000000000000000000000000000', size: 3 },
      otherRun: { $weftBlob: ref.$weftBlob, size: ref.size },
      tampered: { ...ref, mac: `${ref.mac.slice(0, -2)}AA` },
      nested: [{ $weftBlob: ref.$weftBlob, size: ref.size, note: 'not a reference: an extra key' }],
    };
    const g = graph(
      [
        start,
        codeNode('user', `function main() { return ${JSON.stringify(lookalikes)} }`),
        // Passed on as the config of another node (inflated by its activity) and rendered by a template.
        codeNode('echo', 'function main(inputs) { return inputs }', { otherRun: '{{ user.otherRun }}', tampered: '{{ user.tampered }}' }),
        tpl('show', '{{ user.unknown.size }} {{ user.tampered.size }}'),
        end({
          user: { unknown: '{{ user.unknown }}', otherRun: '{{ user.otherRun }}', tampered: '{{ user.tampered }}', nested: '{{ user.nested }}' },
          echo: { otherRun: '{{ echo.otherRun }}', tampered: '{{ echo.tampered }}' },
          shown: '{{ show.text }}',
        }),
      ],
      [['start', 'user'], ['user', 'echo'], ['echo', 'show'], ['show', 'end']],
    );
    const { run, nodes } = await runGraph(suite.api, g);
    expect(run.status).toBe('succeeded');
    expect(run.outputs.user).toEqual(lookalikes);
    expect(run.outputs.echo).toEqual({ otherRun: lookalikes.otherRun, tampered: lookalikes.tampered });
    expect(run.outputs.shown).toBe(`3 ${ref.size}`);
    expect(nodes.find((n) => n.key === 'user').outputs).toEqual(lookalikes);
    expect(nodes.find((n) => n.key === 'echo').outputs).toEqual({ otherRun: lookalikes.otherRun, tampered: lookalikes.tampered });
    expect(nodes.find((n) => n.key === 'echo').inputs).toMatchObject({ inputs: { otherRun: lookalikes.otherRun, tampered: lookalikes.tampered } });
  });

  it('resolves only references whose mac verifies, for the tenant that wrote them; unsigned ones only within their own run', async () => {
    const { run, ref } = await runWithBigOutput();
    const blobs = new BlobStore(suite.h.prisma, { encryptionKey: testEnv.encryptionKey });
    const tenantId = (await suite.h.prisma.run.findUniqueOrThrow({ where: { id: run.id } })).tenantId;
    const value = 'x'.repeat(BIG);

    await expect(blobs.inflate(tenantId, { a: ref })).resolves.toEqual({ a: value });
    const tampered = { ...ref, mac: ref.mac.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) };
    const resized = { ...ref, size: 3 };
    for (const forged of [tampered, resized, { ...ref, mac: '' }]) await expect(blobs.inflate(tenantId, { a: forged })).resolves.toEqual({ a: forged });
    // Another tenant's mac is another mac, and rows are looked up within the tenant.
    await expect(blobs.inflate('ten_other', { a: ref })).resolves.toEqual({ a: ref });
    // Under another WEFT_ENCRYPTION_KEY the same reference does not verify.
    const otherKey = new BlobStore(suite.h.prisma, { encryptionKey: 'ab'.repeat(32) });
    await expect(otherKey.inflate(tenantId, { a: ref })).resolves.toEqual({ a: ref });

    const unsigned = { $weftBlob: ref.$weftBlob, size: ref.size };
    await expect(blobs.inflate(tenantId, [unsigned], { runId: run.id })).resolves.toEqual([value]);
    await expect(blobs.inflate(tenantId, [unsigned], { runId: 'run_other' })).resolves.toEqual([unsigned]);
    await expect(blobs.inflate(tenantId, [unsigned])).resolves.toEqual([unsigned]);

    // loadBlobs answers only for the ids that verified; the caller keeps every other value.
    await expect(blobs.load(tenantId, [ref, tampered], { runId: 'run_other' })).resolves.toEqual({ [ref.$weftBlob]: value });
    await expect(blobs.load(tenantId, [tampered], { runId: 'run_other' })).resolves.toEqual({});
    await expect(blobs.load(tenantId, [ref.$weftBlob], { runId: run.id })).resolves.toEqual({ [ref.$weftBlob]: value });
    await expect(blobs.load(tenantId, [ref.$weftBlob], { runId: 'run_other' })).resolves.toEqual({});
  });
});
