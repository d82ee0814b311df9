import type { Request, Response } from 'express';
import { ValidationFailedError } from '@weft/domain';
import { createLogger } from '@weft/activities';
import { errorMiddleware } from './error.middleware';

const PRISMA_TEXT =
  '\nInvalid `prisma.workflowVersion.findFirst()` invocation in\n/srv/weft/apps/api/dist/workflows/workflows.service.js:77:51\n\n  76 \n→ 77 const found = await this.prisma.workflowVersion.findFirst(\nValue out of range for the type: `version`';

function answer(err: unknown, headers: Record<string, string> = {}) {
  const sent: { status?: number; body?: any } = {};
  const res = {
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
      return this;
    },
  } as unknown as Response;
  const req = { id: 'req-1', headers } as unknown as Request;
  errorMiddleware(createLogger({ service: 'test', silent: true }))(err, req, res, () => undefined);
  return sent;
}

describe('errorMiddleware', () => {
  it('sanitizes messages inside the details of a domain error', () => {
    const err = new ValidationFailedError('run_invalid_inputs', 'The run inputs have 1 problem(s)', [{ code: 'input_invalid', message: PRISMA_TEXT, path: ['x'] }]);
    const { status, body } = answer(err);
    expect(status).toBe(422);
    expect(body.details.issues).toEqual([{ code: 'input_invalid', message: 'Value out of range', path: ['x'] }]);
  });

  it('answers an unknown error with internal_error, a reference and no internals', () => {
    const { status, body } = answer(Object.assign(new Error(PRISMA_TEXT), { code: 'P2020' }));
    expect(status).toBe(500);
    expect(body).toEqual({ code: 'internal_error', message: 'Something went wrong on our side (reference req-1)', request_id: 'req-1' });
  });

  it("maps the router's undecodable path parameter and zlib's bad body to 400", () => {
    const uri = Object.assign(new URIError("Failed to decode param '%ED%A0%80'"), { status: 400, statusCode: 400 });
    expect(answer(uri)).toMatchObject({ status: 400, body: { code: 'request_invalid_text' } });
    const zlib = Object.assign(new Error('incorrect header check'), { status: 400, code: 'Z_DATA_ERROR', errno: -3 });
    expect(answer(zlib, { 'content-encoding': 'gzip' })).toMatchObject({ status: 400, body: { code: 'request_encoding_invalid' } });
    expect(answer(Object.assign(new Error('unsupported content encoding "zstd"'), { status: 415, type: 'encoding.unsupported', encoding: 'zstd' }))).toMatchObject({
      status: 415,
      body: { code: 'request_encoding_unsupported', details: { encoding: 'zstd' } },
    });
    expect(answer(Object.assign(new Error('request entity too large'), { status: 413, type: 'entity.too.large' }))).toMatchObject({ status: 413, body: { code: 'payload_too_large' } });
  });
});
