import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseHttpAllowlist } from '../http/http-allowlist';
import { NodeFailure } from '../errors/node-failure';
import { createWebhookSender } from './approval-webhook';
import { verifyWebhookSignature } from './webhook-signature';

// A receiver on loopback that answers with the status the path names; every request is kept.
const seen: { path: string; headers: Record<string, unknown>; body: string }[] = [];
let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      const status = Number((req.url ?? '/200').split('/')[1]) || 200;
      if (status === 999) return; // never answers
      res.writeHead(status, status >= 300 && status < 400 ? { location: '/200' } : {}).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const notice = (path: string) => ({ url: `http://127.0.0.1:${port}${path}`, body: '{"approvalId":"apr_1"}', secret: 's3cret', deliveryId: 'apr_1' });
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (err: unknown) => err as NodeFailure);

describe('the approval webhook sender', () => {
  const allowed = () => createWebhookSender({ allowlist: parseHttpAllowlist([`127.0.0.1:${port}`]), timeoutMs: 1000 });

  it('posts the body signed with the secret, with the delivery id, to an allowlisted receiver', async () => {
    const sender = allowed();
    await expect(sender.send(notice('/200'))).resolves.toEqual({ status: 200 });
    const got = seen.at(-1)!;
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['weft-delivery']).toBe('apr_1');
    expect(verifyWebhookSignature('s3cret', got.headers['weft-signature'] as string, got.body)).toEqual({ ok: true });
    await sender.close();
  });

  it('retries 5xx, 429 and timeouts; gives up at once on a 4xx or a redirect (not followed)', async () => {
    const sender = allowed();
    for (const [path, code, retryable] of [
      ['/503', 'http_status_503', true],
      ['/429', 'http_status_429', true],
      ['/999', 'http_timeout', true],
      ['/404', 'approval_notice_rejected', false],
      ['/302', 'approval_notice_rejected', false],
    ] as const) {
      const before = seen.length;
      const err = await failure(sender.send(notice(path)));
      expect([path, err instanceof NodeFailure && err.code, err.retryable]).toEqual([path, code, retryable]);
      expect(seen.slice(before).map((s) => s.path)).toEqual([path]);
    }
    await sender.close();
  });

  it('refuses internal addresses before any connection, as the http-request node does', async () => {
    // The resolver stands for DNS: it is asked, and what it answers is judged before connecting.
    const resolve = jest.fn(async (host: string) => [{ address: host === 'internal.example.com' ? '10.1.2.3' : '93.184.216.34', family: 4 }]);
    const sender = createWebhookSender({ allowlist: parseHttpAllowlist([]), resolve });
    const before = seen.length;
    for (const url of [`http://127.0.0.1:${port}/200`, 'http://localhost/', 'http://10.0.0.1/', 'http://169.254.169.254/latest', 'http://[::1]/', 'http://internal.example.com/']) {
      const err = await failure(sender.send({ ...notice('/'), url }));
      expect([url, (err as NodeFailure).code, (err as NodeFailure).retryable]).toEqual([url, 'http_address_refused', false]);
    }
    expect(resolve).toHaveBeenCalledWith('internal.example.com');
    expect(seen.length).toBe(before);
    const bad = await failure(sender.send({ ...notice('/'), url: 'ftp://example.com/' }));
    expect((bad as NodeFailure).code).toBe('http_url_invalid');
    await sender.close();
  });
});
