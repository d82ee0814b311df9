import { classifyAddress, describeAddressClass, parseIp, type AddressKind } from './ip-classifier';

describe('classifyAddress', () => {
  const cases: [string, AddressKind][] = [
    // IPv4
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.15.255.255', 'public'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['100.64.0.1', 'carrier-grade-nat'],
    ['100.127.255.255', 'carrier-grade-nat'],
    ['100.128.0.1', 'public'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.254', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['198.18.0.1', 'reserved'],
    ['192.88.99.1', 'reserved'],
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    // IPv6
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['fec0::1', 'reserved'],
    ['ff02::1', 'multicast'],
    ['ff05::1:3', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001::1', 'reserved'],
    ['100::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['::2', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['2a00:1450:4001:80b::200e', 'public'],
    // IPv4 inside IPv6
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['[::ffff:7f00:1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['::8.8.8.8', 'reserved'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['64:ff9b:1::1', 'reserved'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    ['2002:808:808::1', 'public'],
  ];

  it.each(cases)('%s is %s', (address, kind) => {
    expect(classifyAddress(address)?.kind).toBe(kind);
  });

  it('names the IPv4 address and the IPv6 form it was found in', () => {
    const c = classifyAddress('::ffff:a9fe:a9fe')!;
    expect(c).toEqual({ kind: 'link-local', address: '::ffff:a9fe:a9fe', range: '169.254.0.0/16', embedded: { form: 'IPv4-mapped', ipv4: '169.254.169.254' } });
    expect(describeAddressClass(c)).toBe('link-local address 169.254.169.254 (169.254.0.0/16, inside the IPv4-mapped IPv6 address ::ffff:a9fe:a9fe)');
    expect(describeAddressClass(classifyAddress('10.1.2.3')!)).toBe('private address 10.1.2.3 (10.0.0.0/8)');
  });

  it('does not take host names or non-canonical spellings for addresses', () => {
    for (const s of ['example.com', 'localhost', '2130706433', '0177.0.0.1', '0x7f.1', '127.1', '1.2.3.4.5', '::ffff:1.2.3', '', '[::1']) {
      expect(classifyAddress(s)).toBeNull();
    }
  });

  // Non-canonical spellings reach the guard as the WHATWG URL parser normalises them.
  it.each([
    ['http://2130706433/', '127.0.0.1', 'loopback'],
    ['http://0177.0.0.1/', '127.0.0.1', 'loopback'],
    ['http://0x7f.1/', '127.0.0.1', 'loopback'],
    ['http://127.1/', '127.0.0.1', 'loopback'],
    ['http://0x7f000001/', '127.0.0.1', 'loopback'],
    ['http://017700000001/', '127.0.0.1', 'loopback'],
    ['http://127.0.0.1./', '127.0.0.1', 'loopback'],
    ['http://0/', '0.0.0.0', 'unspecified'],
    ['http://169.254.43518/', '169.254.169.254', 'link-local'],
    ['http://0xA9.0xFE.0xA9.0xFE/', '169.254.169.254', 'link-local'],
    ['http://2852039166/', '169.254.169.254', 'link-local'],
    ['http://3232235777/', '192.168.1.1', 'private'],
    ['http://012.0.0.1/', '10.0.0.1', 'private'],
    ['http://[0:0:0:0:0:0:0:1]/', '[::1]', 'loopback'],
    ['http://[::ffff:169.254.169.254]/', '[::ffff:a9fe:a9fe]', 'link-local'],
    ['http://[::ffff:7f00:1]/', '[::ffff:7f00:1]', 'loopback'],
    ['http://[::ffff:127.0.0.1]:8080/', '[::ffff:7f00:1]', 'loopback'],
    ['http://[64:ff9b::169.254.169.254]/', '[64:ff9b::a9fe:a9fe]', 'link-local'],
  ])('%s is seen as %s (%s)', (url, hostname, kind) => {
    const host = new URL(url).hostname;
    expect(host).toBe(hostname);
    expect(classifyAddress(host)?.kind).toBe(kind);
  });

  it('parses IPv6 with an embedded IPv4 tail into the same bytes as its hex form', () => {
    expect(parseIp('::ffff:127.0.0.1')).toEqual(parseIp('::ffff:7f00:1'));
    expect(Array.from(parseIp('1:2:3:4:5:6:7:8')!)).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
    expect(Array.from(parseIp('fe80::')!.slice(0, 2))).toEqual([0xfe, 0x80]);
  });
});
