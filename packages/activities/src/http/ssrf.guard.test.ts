import type { buildConnector } from 'undici';
import { Agent, request } from 'undici';
import { parseHttpAllowlist, EMPTY_ALLOWLIST } from './http-allowlist';
import { AddressRefusedError, guardedConnector, SsrfGuard, type Resolver } from './ssrf.guard';

/**
 * Everything here stops before a socket: the resolver is simulated and the socket opener is a
 * spy that records what it was asked to open and never opens anything.
 */
function fakeResolver(answers: Record<string, string[] | string[][]>) {
  const asked: string[] = [];
  const calls = new Map<string, number>();
  const resolve: Resolver = async (hostname) => {
    asked.push(hostname);
    const answer = answers[hostname];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    const n = calls.get(hostname) ?? 0;
    calls.set(hostname, n + 1);
    // A list of lists answers differently each time: DNS rebinding.
    const addresses = Array.isArray(answer[0]) ? (answer as string[][])[Math.min(n, answer.length - 1)]! : (answer as string[]);
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolve, asked };
}

function spyOpener() {
  const opened: buildConnector.Options[] = [];
  const open: buildConnector.connector = (options, callback) => {
    opened.push(options);
    callback(new Error('spy opener: no sockets in unit tests'), null);
  };
  return { open, opened };
}

async function refusal(promise: Promise<unknown>): Promise<AddressRefusedError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AddressRefusedError);
  return err as AddressRefusedError;
}

describe('SsrfGuard', () => {
  it('refuses every internal IP literal without asking the resolver', async () => {
    const { resolve, asked } = fakeResolver({});
    const guard = new SsrfGuard(EMPTY_ALLOWLIST, resolve);
    const literals = ['127.0.0.1', '10.0.0.1', '172.16.0.1', '192.168.0.1', '169.254.169.254', '100.64.0.1', '224.0.0.1', '0.0.0.0',
      '255.255.255.255', '240.0.0.1', '[::1]', '[::]', '[fe80::1]', '[fc00::1]', '[ff02::1]', '[::ffff:a9fe:a9fe]', '[::ffff:7f00:1]', '[64:ff9b::a00:1]'];
    for (const host of literals) {
      const err = await refusal(guard.resolveTarget(host, 80));
      expect(err.code).toBe('http_address_refused');
    }
    expect(asked).toEqual([]);
  });

  it('says which address class was refused', async () => {
    const guard = new SsrfGuard(EMPTY_ALLOWLIST, fakeResolver({}).resolve);
    const err = await refusal(guard.resolveTarget('[::ffff:a9fe:a9fe]', 80));
    expect(err.message).toBe(
      'Refused to connect to the link-local address 169.254.169.254 (169.254.0.0/16, inside the IPv4-mapped IPv6 address ::ffff:a9fe:a9fe): ' +
        'requests to internal addresses are blocked; an operator can allow this target with WEFT_HTTP_ALLOWLIST',
    );
  });

  it('judges names by what they resolve to (wildcard DNS such as *.nip.io)', async () => {
    const { resolve } = fakeResolver({ '169.254.169.254.nip.io': ['169.254.169.254'], 'public.example': ['93.184.216.34'], 'v6.example': ['2606:4700::1'] });
    const guard = new SsrfGuard(EMPTY_ALLOWLIST, resolve);
    const err = await refusal(guard.resolveTarget('169.254.169.254.nip.io', 80));
    expect(err.message).toContain('link-local address 169.254.169.254 (169.254.0.0/16) (169.254.169.254.nip.io resolves to it)');
    await expect(guard.resolveTarget('public.example', 443)).resolves.toBe('93.184.216.34');
    await expect(guard.resolveTarget('v6.example', 443)).resolves.toBe('2606:4700::1');
  });

  it('refuses a name when any of its addresses is internal', async () => {
    const guard = new SsrfGuard(EMPTY_ALLOWLIST, fakeResolver({ 'mixed.example': ['93.184.216.34', '10.0.0.7'] }).resolve);
    expect((await refusal(guard.resolveTarget('mixed.example', 80))).classification).toMatchObject({ kind: 'private', address: '10.0.0.7' });
  });

  it('refuses localhost names without resolving them, unless allowlisted', async () => {
    const { resolve, asked } = fakeResolver({ localhost: ['127.0.0.1'] });
    const guard = new SsrfGuard(EMPTY_ALLOWLIST, resolve);
    for (const host of ['localhost', 'LOCALHOST.', 'app.localhost']) await refusal(guard.resolveTarget(host, 80));
    expect(asked).toEqual([]);
    const allowing = new SsrfGuard(parseHttpAllowlist('localhost:8080'), resolve);
    await expect(allowing.resolveTarget('localhost', 8080)).resolves.toBe('127.0.0.1');
    await refusal(allowing.resolveTarget('localhost', 8081));
  });

  it('lets allowlisted hosts, ports and networks through', async () => {
    const { resolve } = fakeResolver({ 'svc.internal': ['192.168.3.4'], 'db.internal': ['10.1.2.3'], 'other.internal': ['192.168.3.5'] });
    const guard = new SsrfGuard(parseHttpAllowlist('svc.internal, 10.0.0.0/8, 127.0.0.1:9000'), resolve);
    await expect(guard.resolveTarget('svc.internal', 80)).resolves.toBe('192.168.3.4');
    await expect(guard.resolveTarget('db.internal', 5432)).resolves.toBe('10.1.2.3');
    await expect(guard.resolveTarget('127.0.0.1', 9000)).resolves.toBe('127.0.0.1');
    await refusal(guard.resolveTarget('127.0.0.1', 9001));
    await refusal(guard.resolveTarget('other.internal', 80));
  });
});

describe('guardedConnector', () => {
  it('opens the socket to the checked address, never to the name (so a later DNS answer cannot differ)', async () => {
    const { resolve } = fakeResolver({ 'public.example': ['93.184.216.34'] });
    const spy = spyOpener();
    const connect = guardedConnector(new SsrfGuard(EMPTY_ALLOWLIST, resolve), spy.open);
    await new Promise<void>((done) => connect({ hostname: 'public.example', host: 'public.example', protocol: 'https:', port: '' }, () => done()));
    expect(spy.opened).toEqual([{ hostname: '93.184.216.34', host: 'public.example', protocol: 'https:', port: '' }]);
  });

  it('refuses a rebinding name on the connection that would reach the internal address', async () => {
    // First answer public, then the metadata address: each connection is checked on its own answer.
    const { resolve, asked } = fakeResolver({ 'rebind.example': [['93.184.216.34'], ['169.254.169.254']] });
    const spy = spyOpener();
    const connect = guardedConnector(new SsrfGuard(EMPTY_ALLOWLIST, resolve), spy.open);
    const attempt = () =>
      new Promise<Error | null>((done) => connect({ hostname: 'rebind.example', host: 'rebind.example', protocol: 'http:', port: '80' }, (...args) => done(args[0])));
    expect((await attempt())?.message).toBe('spy opener: no sockets in unit tests');
    const second = await attempt();
    expect(second).toBeInstanceOf(AddressRefusedError);
    expect((second as AddressRefusedError).classification.kind).toBe('link-local');
    expect(asked).toEqual(['rebind.example', 'rebind.example']);
    expect(spy.opened.map((o) => o.hostname)).toEqual(['93.184.216.34']);
  });

  it('is what undici calls: a request through the guarded agent fails before any socket', async () => {
    const { resolve } = fakeResolver({ 'evil.example': ['10.0.0.5'], '127.0.0.1.nip.io': ['127.0.0.1'] });
    const spy = spyOpener();
    const agent = new Agent({ connect: guardedConnector(new SsrfGuard(EMPTY_ALLOWLIST, resolve), spy.open) });
    try {
      for (const url of ['http://evil.example/', 'http://127.0.0.1.nip.io:8080/', 'http://[::ffff:10.0.0.1]/', 'http://2130706433/']) {
        const err = await refusal(request(url, { dispatcher: agent }));
        expect(err.code).toBe('http_address_refused');
      }
      expect(spy.opened).toEqual([]);
    } finally {
      await agent.close();
    }
  });
});
