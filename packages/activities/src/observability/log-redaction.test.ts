import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import winston from 'winston';
import { REDACTED, fatalErrorText, isSensitiveKey, redactText, redactValue } from './log-redaction';
import { createLogger, logContext } from './logger';

const weftKey = () => `sk-${randomBytes(32).toString('base64url')}`;

/** What createLogger (at `level`) writes, parsed, for each call of `write`. */
function logged(write: (logger: winston.Logger) => void, level = 'debug'): Record<string, any>[] {
  const lines: Record<string, any>[] = [];
  const logger = createLogger({ service: 'test', level });
  logger.clear();
  logger.add(
    new winston.transports.Stream({
      stream: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, any>);
          done();
        },
      }),
    }),
  );
  write(logger);
  return lines;
}

describe('sensitive keys', () => {
  it.each(['authorization', 'Authorization', 'proxy-authorization', 'apiKey', 'api_key', 'x-api-key', 'providerApiKey', 'password', 'db_password', 'secret', 'clientSecret', 'token', 'access_token', 'formToken', 'cookie', 'Set-Cookie', 'credentials', 'secrets', 'apiKeys', 'WEFT_ENCRYPTION_KEY', 'encryptionKey', 'codecKeys', 'WEFT_CODEC_KEYS', 'WEFT_PAYLOAD_KEYS', 'privateKey', 'signing_key'])(
    '%s is sensitive',
    (key) => expect(isSensitiveKey(key)).toBe(true),
  );

  it.each(['tokens', 'promptTokens', 'maxTokens', 'keyId', 'runId', 'message', 'authorized', 'secretName', 'idempotencyKey', 'nodeKey', 'key', 'keys'])('%s is not', (key) => expect(isSensitiveKey(key)).toBe(false));
});

describe('redactText', () => {
  it('redacts Authorization values and keeps their scheme', () => {
    expect(redactText('sent Authorization: Bearer abc.DEF-123_x~+/= to the host')).toBe(`sent Authorization: Bearer ${REDACTED} to the host`);
    expect(redactText('basic dXNlcjpwYXNz')).toBe(`basic ${REDACTED}`);
  });

  it('redacts Weft API keys and OpenAI-style keys wherever they appear', () => {
    const key = weftKey();
    expect(key).toHaveLength(46);
    expect(redactText(`key ${key} refused`)).toBe(`key ${REDACTED} refused`);
    expect(redactText('upstream said: Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwxyz0123')).toBe(`upstream said: Incorrect API key provided: ${REDACTED}`);
  });

  it('redacts credentials in query strings and name=value text', () => {
    expect(redactText('GET https://h.example/x?api_key=abc123&page=2')).toBe(`GET https://h.example/x?api_key=${REDACTED}&page=2`);
    expect(redactText('retrying with token=t0k3n, password=hunter2')).toBe(`retrying with token=${REDACTED}, password=${REDACTED}`);
  });

  it('redacts name=value credentials whatever their prefix (client_secret, refresh_token, X-Amz-Signature)', () => {
    expect(redactText('POST /oauth client_secret=s3cr3t&refresh_token=r3fr3sh&grant_type=x')).toBe(`POST /oauth client_secret=${REDACTED}&refresh_token=${REDACTED}&grant_type=x`);
    expect(redactText('https://b.s3.example/o?X-Amz-Credential=AKIA1&X-Amz-Signature=abcdef&sig=zz')).toBe(
      `https://b.s3.example/o?X-Amz-Credential=${REDACTED}&X-Amz-Signature=${REDACTED}&sig=${REDACTED}`,
    );
  });

  it('redacts credentials in JSON quoted into a text', () => {
    expect(redactText('upstream 401: {"error":"bad","api_key": "abc\\"def","client_secret":"s3","outputTokens":12}')).toBe(
      `upstream 401: {"error":"bad","api_key": "${REDACTED}","client_secret":"${REDACTED}","outputTokens":12}`,
    );
  });

  it('redacts the password of a URL and keeps its user name', () => {
    expect(redactText('cannot connect to postgresql://weft:hunter2@db.internal:5432/weft')).toBe(`cannot connect to postgresql://weft:${REDACTED}@db.internal:5432/weft`);
    expect(redactText('Request cannot be constructed from a URL that includes credentials: https://u:p4ss@h.example/x')).toBe(
      `Request cannot be constructed from a URL that includes credentials: https://u:${REDACTED}@h.example/x`,
    );
  });

  it('gets through hostile text (an upstream answer quoted in an error) with its bounded patterns', () => {
    // Unbounded repetitions made these quadratic (minutes here, past the test's timeout); bounded, they pass at once.
    for (const text of ['a.'.repeat(100_000), 'x://u'.repeat(50_000), `${'k'.repeat(200_000)}=v`]) expect(redactText(text)).toBe(text);
  });

  it('redacts signed form tokens and JWTs', () => {
    const token = `f1.${Buffer.from('apr_1').toString('base64url')}.${Date.now().toString(36)}.${randomBytes(32).toString('base64url')}`;
    expect(redactText(`/v1/forms/${token}`)).toBe(`/v1/forms/${REDACTED}`);
    // Invitation links (members/invitations.ts) are logged as the accept route's path.
    const invitation = `i1.${Buffer.from('inv_1').toString('base64url')}.${Date.now().toString(36)}.${randomBytes(32).toString('base64url')}`;
    expect(redactText(`/v1/invitations/${invitation}/accept`)).toBe(`/v1/invitations/${REDACTED}/accept`);
    expect(redactText(`refresh rt_${randomBytes(32).toString('base64url')} end`)).toBe(`refresh ${REDACTED} end`);
    expect(redactText('jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl end')).toBe(`jwt ${REDACTED} end`);
  });

  it('leaves ordinary text alone', () => {
    const text = 'task-queue weft-ingestion: run run_0123456789abcdef finished; disk-usage ok; 12 tokens';
    expect(redactText(text)).toBe(text);
  });
});

describe('redactValue', () => {
  it('redacts nested sensitive keys and credential-looking strings, without touching the original', () => {
    const key = weftKey();
    const meta = { request: { headers: { Authorization: `Bearer ${key}`, 'content-type': 'application/json' }, url: 'https://api.example.com/v1' }, list: [{ api_key: 'plain' }, `uses ${key}`], usage: { promptTokens: 12 } };
    const copy = structuredClone(meta);
    expect(redactValue(meta)).toEqual({
      request: { headers: { Authorization: REDACTED, 'content-type': 'application/json' }, url: 'https://api.example.com/v1' },
      list: [{ api_key: REDACTED }, `uses ${REDACTED}`],
      usage: { promptTokens: 12 },
    });
    expect(meta).toEqual(copy);
  });

  it('returns the same object when nothing is sensitive, and survives cycles', () => {
    const meta: Record<string, unknown> = { a: 1, b: { c: 'text' } };
    expect(redactValue(meta)).toBe(meta);
    meta.self = meta;
    expect(() => redactValue(meta)).not.toThrow();
  });

  it('shows an error nested in metadata by its redacted message and stack', () => {
    const key = weftKey();
    const out = redactValue({ cause: new Error(`upstream refused ${key}`) }) as { cause: { name: string; message: string; stack: string } };
    expect(out.cause).toMatchObject({ name: 'Error', message: `upstream refused ${REDACTED}` });
    expect(out.cause.stack).not.toContain(key);
  });
});

describe('the logger', () => {
  it('never writes a credential: sensitive fields, messages and nested values are redacted', () => {
    const key = weftKey();
    const [line] = logged((logger) =>
      logger.warn(`call with ${key} failed`, { authorization: `Bearer ${key}`, password: 'hunter2', headers: { cookie: 'session=abc' }, detail: `token=${key}`, tokens: 42 }),
    );
    const text = JSON.stringify(line);
    expect(text).not.toContain(key);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('session=abc');
    expect(line).toMatchObject({ message: `call with ${REDACTED} failed`, authorization: REDACTED, password: REDACTED, headers: { cookie: REDACTED }, detail: `token=${REDACTED}`, tokens: 42, level: 'warn', service: 'test' });
  });

  it('redacts an error logged as the message, stack included', () => {
    const key = weftKey();
    const [line] = logged((logger) => logger.error(new Error(`bad key ${key}`)));
    expect(JSON.stringify(line)).not.toContain(key);
    expect(line!.message).toBe(`bad key ${REDACTED}`);
  });

  it('adds the log context (request_id, run_id) and no trace_id when no span is active', () => {
    const [line] = logContext.run({ request_id: 'req-1', run_id: 'run_1' }, () => logged((logger) => logger.info('inside')));
    expect(line).toMatchObject({ message: 'inside', request_id: 'req-1', run_id: 'run_1' });
    expect(line).not.toHaveProperty('trace_id');
  });
});

describe('fatalErrorText', () => {
  it('prints a start-up error with its causes, redacted', () => {
    const err = new Error('could not start', { cause: new Error('connect to postgresql://weft:hunter2@db:5432/weft failed') });
    const text = fatalErrorText(err);
    expect(text).toContain('could not start');
    expect(text).toContain(`caused by: Error: connect to postgresql://weft:${REDACTED}@db:5432/weft failed`);
    expect(text).not.toContain('hunter2');
    expect(fatalErrorText('token=abc')).toBe(`token=${REDACTED}`);
  });
});

describe("the logger's level", () => {
  it('drops a line below it before any format reads its metadata, and formats the rest', () => {
    let reads = 0;
    // Nested: winston copies the top level of the metadata itself; only formats read deeper.
    const meta = () => ({
      nested: {
        get probe() {
          reads += 1;
          return 'value';
        },
      },
    });
    const lines = logged((logger) => {
      logger.debug('hidden', meta());
      logger.log('silly', 'hidden too', meta());
      expect(reads).toBe(0);
      logger.info('shown', meta());
    }, 'info');
    expect(reads).toBeGreaterThan(0);
    expect(lines).toEqual([expect.objectContaining({ level: 'info', message: 'shown', nested: { probe: 'value' } })]);
  });

  it('follows a level changed later', () => {
    const lines = logged((logger) => {
      logger.info('before');
      logger.level = 'debug';
      logger.debug('after');
    }, 'warn');
    expect(lines.map((l) => l.message)).toEqual(['after']);
  });
});
