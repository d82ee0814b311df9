import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { EncryptionCodec, createLogger, parsePayloadKeyring } from '@weft/activities';
import { errorMiddleware, notFoundRoute } from '../http/error.middleware';
import { codecAccess, codecOrigins } from './codec-access';
import { codecRouter } from './codec.router';

describe('codecOrigins', () => {
  it("is the Temporal Web UI's origin by default, else the origins listed (paths and trailing slashes dropped)", () => {
    expect(codecOrigins('', 'http://127.0.0.1:8233/namespaces/default')).toEqual(['http://127.0.0.1:8233']);
    expect(codecOrigins(' https://temporal.example.com/ , http://localhost:8233', 'http://127.0.0.1:8233')).toEqual(['https://temporal.example.com', 'http://localhost:8233']);
  });
});

describe('codecAccess', () => {
  const token = 'operator-codec-token-0123456789';
  const codec = new EncryptionCodec(parsePayloadKeyring({ encryptionKey: randomBytes(32).toString('hex') }));
  let server: Server;
  let url: string;
  let secret: { metadata: Record<string, string>; data: string };

  beforeAll(async () => {
    const app = express();
    app.use(express.json({ limit: '1mb' }));
    app.use(codecAccess({ token, allowedOrigins: ['http://127.0.0.1:8233'] }));
    app.use(codecRouter(codec, 'default'));
    app.use(notFoundRoute);
    app.use(errorMiddleware(createLogger({ service: 'test', silent: true })));
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const [encrypted] = await codec.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"a tenant\'s prompt"') }]);
    secret = { metadata: Object.fromEntries(Object.entries(encrypted!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(encrypted!.data!).toString('base64') };
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (path: string, authorization?: string) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify({ payloads: [secret] }) });

  it('decodes for the operator token', async () => {
    const res = await post('/codec/decode', `Bearer ${token}`);
    expect(res.status).toBe(200);
    const { payloads } = (await res.json()) as { payloads: { data: string }[] };
    expect(Buffer.from(payloads[0]!.data, 'base64').toString()).toBe('"a tenant\'s prompt"');
  });

  // Express routes without regard to case (and a trailing slash): every spelling that reaches a route is guarded.
  it.each(['/codec/decode', '/CODEC/decode', '/Codec/Decode', '/codec/decode/', '/CODEC/ENCODE'])('refuses %s without the token (401), and decodes nothing', async (path) => {
    for (const authorization of [undefined, 'Bearer sk-a-tenants-api-key-0123456789', `Bearer ${token}x`]) {
      const res = await post(path, authorization);
      const text = await res.text();
      expect([path, authorization, res.status]).toEqual([path, authorization, 401]);
      expect(text).not.toContain(Buffer.from('"a tenant\'s prompt"').toString('base64'));
    }
  });
});
