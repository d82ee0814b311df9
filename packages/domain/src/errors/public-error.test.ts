import { sanitizeErrorMessage, toPublicError } from './public-error';

/** As Prisma 6 (JS engine, adapter-pg) words a P2003 thrown inside a node activity. */
const PRISMA_P2003 = [
  '',
  'Invalid `prisma.nodeAttempt.create()` invocation in',
  '/work/main/packages/activities/dist/nodes/node-activities.js:52:30',
  '',
  '  49     const attempt = ctx.info.attempt;',
  '  50     const attemptKey = { runId_nodeKey_attempt: { runId, nodeKey: node.key, attempt } };',
  '  51 ',
  '→ 52     await prisma.nodeAttempt.create(',
  'Foreign key constraint violated on the constraint: `node_attempts_run_id_fkey`',
].join('\n');

const PRISMA_P2002 = '\nInvalid `prisma.run.create()` invocation in\n/srv/weft/apps/api/dist/runs/runs.service.js:71:41\n\n  70 \n→ 71 run = await this.prisma.run.create(\nUnique constraint failed on the fields: (`tenant_id`,`idempotency_key`)';

const STACK = [
  "TypeError: Cannot read properties of undefined (reading 'graph')",
  '    at resolveSubgraphs (/work/main/apps/api/dist/runs/subgraphs.js:31:29)',
  '    at async RunsService.start (/work/main/apps/api/dist/runs/runs.service.js:60:27)',
  '    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)',
  '    at Layer.handle (/work/main/node_modules/router/lib/layer.js:152:17)',
].join('\n');

const INTERNALS = [/\/work\//, /\/srv\//, /node_modules/, /node:internal/, /prisma\./, /invocation/, /_fkey/, /tenant_id/, /\.js:\d+/, /→/, /\bat\s/];

function expectNoInternals(text: string) {
  for (const pattern of INTERNALS) expect(text).not.toMatch(pattern);
}

describe('sanitizeErrorMessage', () => {
  it('reduces a Prisma P2003 with invocation text, paths and source lines to its plain words', () => {
    const out = sanitizeErrorMessage(PRISMA_P2003);
    expectNoInternals(out);
    expect(out).toBe('Foreign key constraint violated');
  });

  it('drops the column list of a P2002', () => {
    const out = sanitizeErrorMessage(PRISMA_P2002);
    expectNoInternals(out);
    expect(out).toBe('Unique constraint failed');
  });

  it('keeps the message of a stack trace and drops its frames', () => {
    const out = sanitizeErrorMessage(STACK);
    expectNoInternals(out);
    expect(out).toBe("TypeError: Cannot read properties of undefined (reading 'graph')");
  });

  it('drops the column and type names Prisma quotes', () => {
    expect(sanitizeErrorMessage("The provided value for the column is too long for the column's type. Column: `name`")).toBe("The provided value for the column is too long for the column's type.");
    expect(sanitizeErrorMessage('Null constraint violation on the fields: (`tenant_id`)')).toBe('Null constraint violation');
  });

  it("strips a PostgreSQL error's table and constraint names", () => {
    const out = sanitizeErrorMessage('insert or update on table "node_attempts" violates foreign key constraint "node_attempts_run_id_fkey"');
    expect(out).toBe('insert or update violates foreign key');
  });

  it('replaces SQL, environment values, connection strings and file paths', () => {
    expect(sanitizeErrorMessage('query failed: SELECT "public"."runs"."id" FROM "public"."runs" WHERE id = $1')).toBe('query failed: [query]');
    expect(sanitizeErrorMessage('could not start: DATABASE_URL=postgresql://weft:hunter2@db:5432/weft is unreachable')).not.toMatch(/hunter2|postgresql/);
    expect(sanitizeErrorMessage('cannot reach postgresql://weft:hunter2@db:5432/weft')).toBe('cannot reach [redacted]');
    expect(sanitizeErrorMessage("ENOENT: no such file or directory, open '/home/weft/.data/encryption.key'")).toBe("ENOENT: no such file or directory, open '[path]'");
    expect(sanitizeErrorMessage('failed in C:\\weft\\apps\\api\\dist\\main.js')).toBe('failed in [path]');
    expect(sanitizeErrorMessage('Cannot find module /app/node_modules/zod/index.js')).toBe('Cannot find module [path]');
  });

  it('keeps plain words, URLs of the tenant, and route-like text untouched', () => {
    for (const plain of [
      'The http-request node got status 503 from https://api.example.com/v1/items',
      'Node answer failed after 3 attempts: model gpt-4o-mini is not available',
      'Please select a value from the list',
      "Workflow 'wf_123' has no published version 2",
      'Loop count ran 1000 passes without breakWhen holding',
      "ReferenceError: 'process' is not defined",
    ]) {
      expect(sanitizeErrorMessage(plain)).toBe(plain);
    }
  });

  it('keeps a reference id, even when nothing else survives', () => {
    expect(sanitizeErrorMessage('Unexpected error in the interpreter (reference ref_9f2c1a)')).toBe('Unexpected error in the interpreter (reference ref_9f2c1a)');
    expect(sanitizeErrorMessage(`${PRISMA_P2003.replace(/Foreign.*$/, '')} (reference ref_77)`)).toBe('Something went wrong on our side (reference ref_77)');
  });

  it('uses the fallback when nothing meaningful is left, and bounds the length', () => {
    expect(sanitizeErrorMessage('    at Object.<anonymous> (/work/x.js:1:1)', 'The node failed')).toBe('The node failed');
    expect(sanitizeErrorMessage('')).toBe('Something went wrong on our side');
    expect(sanitizeErrorMessage('word '.repeat(1_000)).length).toBeLessThanOrEqual(1_000);
  });
});

describe('toPublicError', () => {
  it('keeps our codes and node ids, sanitizes the message', () => {
    expect(toPublicError({ code: 'node_failed', message: PRISMA_P2003, nodeId: 'answer' })).toEqual({
      code: 'node_failed',
      message: 'Foreign key constraint violated',
      nodeId: 'answer',
    });
  });

  it("turns codes that are not ours into internal_error and takes a Temporal failure's type", () => {
    const prismaError = Object.assign(new Error(PRISMA_P2003), { code: 'P2003' });
    expect(toPublicError(prismaError)).toEqual({ code: 'internal_error', message: 'Foreign key constraint violated' });
    expect(toPublicError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))!.code).toBe('internal_error');
    expect(toPublicError(Object.assign(new Error('The model answered 404'), { type: 'llm_model_not_found' }))).toEqual({ code: 'llm_model_not_found', message: 'The model answered 404' });
  });

  it('answers null for no error and a generic message for odd shapes', () => {
    expect(toPublicError(null)).toBeNull();
    expect(toPublicError(undefined)).toBeNull();
    expect(toPublicError(STACK)).toEqual({ code: 'internal_error', message: "TypeError: Cannot read properties of undefined (reading 'graph')" });
    expect(toPublicError(42)).toEqual({ code: 'internal_error', message: 'Something went wrong on our side' });
    expect(toPublicError({ code: 'run_stalled', nodeId: 'n/../../etc' })).toEqual({ code: 'run_stalled', message: 'Something went wrong on our side' });
    expect(toPublicError({ code: 'record_write_failed', message: 'boom' })).toEqual({ code: 'internal_error', message: 'boom' });
  });
});
