import { allowsTarget, HttpAllowlistError, parseHttpAllowlist } from './http-allowlist';

describe('parseHttpAllowlist', () => {
  it('reads hosts, host:ports, addresses, address:ports and CIDRs, ignoring blanks', () => {
    const list = parseHttpAllowlist(' 127.0.0.1:8080, 10.0.0.0/8,,[::1]:3000, fd00::/8, svc.internal, *.corp.example:8443, API.Example.com:443, ::1, 127.1 ,');
    expect(list.entries.map((e) => [e.kind, e.text, e.port ?? null])).toEqual([
      ['address', '127.0.0.1:8080', 8080],
      ['address', '10.0.0.0/8', null],
      ['address', '[::1]:3000', 3000],
      ['address', 'fd00::/8', null],
      ['host', 'svc.internal', null],
      ['host', '*.corp.example:8443', 8443],
      ['host', 'API.Example.com:443', 443],
      ['address', '::1', null],
      ['address', '127.1', null],
    ]);
    expect(list.entries[5]).toMatchObject({ host: 'corp.example', wildcard: true });
    expect(list.entries[6]).toMatchObject({ host: 'api.example.com', wildcard: false });
    expect(list.entries[8]).toMatchObject({ prefix: 32, network: Uint8Array.from([127, 0, 0, 1]) });
  });

  it('takes an empty value or a list of entries', () => {
    expect(parseHttpAllowlist(undefined).entries).toEqual([]);
    expect(parseHttpAllowlist('').entries).toEqual([]);
    expect(parseHttpAllowlist(['127.0.0.1:80', 'svc']).entries).toHaveLength(2);
  });

  it('names every bad entry and why, at once', () => {
    const bad = ['10.0.0.0/33', '10.0.0.0/x', 'http://svc.internal', 'svc:0', 'svc:99999', 'bad host!', '[::1', '*.', 'a.*.b', '1.2.3.4/8/9', 'fd00::/129', '[::1]x'];
    let error: unknown;
    try {
      parseHttpAllowlist(['127.0.0.1', ...bad].join(','));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HttpAllowlistError);
    const e = error as HttpAllowlistError;
    expect(e.code).toBe('http_allowlist_invalid');
    expect(e.problems).toHaveLength(bad.length);
    expect(e.problems[0]).toBe('entry 2 "10.0.0.0/33": prefix length "/33" must be 0 to 32');
    expect(e.problems[2]).toBe('entry 4 "http://svc.internal": write a host, host:port or CIDR, without a scheme');
    expect(e.problems[3]).toBe('entry 5 "svc:0": port "0" must be a number from 1 to 65535');
    expect(e.problems[5]).toBe('entry 7 "bad host!": "bad host!" is not a valid host name');
    expect(e.message).toMatch(/^WEFT_HTTP_ALLOWLIST is invalid: entry 2 "10\.0\.0\.0\/33"/);
  });
});

describe('allowsTarget', () => {
  const list = parseHttpAllowlist('127.0.0.1:8080, 10.0.0.0/8, fd00::/8, svc.internal, *.corp.example:8443, [::1]:3000');
  const allowed = (hostname: string, address: string, port: number) => allowsTarget(list, { hostname, address, port })?.text;

  it('matches an address entry on the address connected to, and its port when it names one', () => {
    expect(allowed('127.0.0.1', '127.0.0.1', 8080)).toBe('127.0.0.1:8080');
    expect(allowed('127.0.0.1', '127.0.0.1', 8081)).toBeUndefined();
    expect(allowed('127.0.0.2', '127.0.0.2', 8080)).toBeUndefined();
    expect(allowed('::1', '::1', 3000)).toBe('[::1]:3000');
    expect(allowed('::1', '::1', 8080)).toBeUndefined();
  });

  it('matches CIDRs on the resolved address, whatever the name', () => {
    expect(allowed('db.internal', '10.20.30.40', 5432)).toBe('10.0.0.0/8');
    expect(allowed('db.internal', '11.0.0.1', 5432)).toBeUndefined();
    expect(allowed('x', 'fd12::1', 80)).toBe('fd00::/8');
    expect(allowed('x', 'fc00::1', 80)).toBeUndefined();
  });

  it('lets an IPv4 entry cover the IPv4-mapped IPv6 spelling of its address', () => {
    expect(allowed('::ffff:7f00:1', '::ffff:7f00:1', 8080)).toBe('127.0.0.1:8080');
    expect(allowed('::ffff:a0a:a0a', '::ffff:10.10.10.10', 80)).toBe('10.0.0.0/8');
  });

  it('matches host entries on the URL host name; a wildcard covers subdomains only', () => {
    expect(allowed('svc.internal', '192.168.5.5', 80)).toBe('svc.internal');
    expect(allowed('SVC.internal.', '192.168.5.5', 80)).toBe('svc.internal');
    expect(allowed('a.svc.internal', '192.168.5.5', 80)).toBeUndefined();
    expect(allowed('api.corp.example', '10.9.9.9', 8443)).toBe('10.0.0.0/8');
    expect(allowed('api.corp.example', '192.168.1.1', 8443)).toBe('*.corp.example:8443');
    expect(allowed('api.corp.example', '192.168.1.1', 443)).toBeUndefined();
    expect(allowed('corp.example', '192.168.1.1', 8443)).toBeUndefined();
  });
});
