import { isIPv4, isIPv6 } from 'node:net';

/** What kind of network an address belongs to; only `public` is reachable without an allowlist entry. */
export type AddressKind =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'carrier-grade-nat'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  | 'unique-local'
  | 'documentation'
  | 'reserved';

/** IPv6 forms that carry an IPv4 address the packets actually reach. */
export type EmbeddingForm = 'IPv4-mapped' | 'IPv4-compatible' | 'NAT64' | '6to4';

export interface AddressClass {
  kind: AddressKind;
  /** the address as it was classified (no brackets, no zone) */
  address: string;
  /** the special-purpose range it fell in, e.g. "169.254.0.0/16" */
  range?: string;
  /** set when an IPv6 address was judged by the IPv4 address inside it */
  embedded?: { form: EmbeddingForm; ipv4: string };
}

/** An address as bytes: 4 for IPv4, 16 for IPv6. */
export type IpBytes = Uint8Array;

/** Strips `[...]` and an IPv6 zone (`%eth0`), as URL hostnames and resolvers may carry them. */
export function bareAddress(text: string): string {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  return s;
}

/**
 * Parses a canonical IP literal (dotted-decimal IPv4 or IPv6, brackets allowed). Other spellings
 * (`2130706433`, `0x7f.1`, `0177.0.0.1`) are not addresses here: URL parsing normalises them
 * before they reach us, and a resolver turns whatever is left into canonical addresses.
 */
export function parseIp(text: string): IpBytes | null {
  const s = bareAddress(text);
  if (isIPv4(s)) return Uint8Array.from(s.split('.').map(Number));
  if (!isIPv6(s)) return null;
  return parseIPv6(s);
}

function parseIPv6(text: string): IpBytes {
  const out = new Uint8Array(16);
  let s = text;
  let tail: number[] | null = null;
  if (s.includes('.')) {
    const i = s.lastIndexOf(':');
    tail = s.slice(i + 1).split('.').map(Number);
    s = `${s.slice(0, i + 1)}0:0`;
  }
  const [head = '', rest] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = rest ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  if (tail) out.set(tail, 12);
  return out;
}

function formatIPv4(bytes: IpBytes): string {
  return bytes.join('.');
}

/** Whether the first `prefix` bits of `address` equal those of `network` (same family only). */
export function inPrefix(address: IpBytes, network: IpBytes, prefix: number): boolean {
  if (address.length !== network.length) return false;
  const full = prefix >> 3;
  for (let i = 0; i < full; i++) if (address[i] !== network[i]) return false;
  const rest = prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (address[full]! & mask) === (network[full]! & mask);
}

interface Range {
  text: string;
  network: IpBytes;
  prefix: number;
  kind: AddressKind | EmbeddingForm;
}

function range(text: string, kind: Range['kind']): Range {
  const [net = '', len = ''] = text.split('/');
  return { text, network: parseIp(net)!, prefix: Number(len), kind };
}

// IANA special-purpose registries (RFC 6890 and successors); first match wins.
const IPV4_RANGES: Range[] = [
  range('0.0.0.0/32', 'unspecified'),
  range('0.0.0.0/8', 'reserved'), // "this network"
  range('10.0.0.0/8', 'private'),
  range('100.64.0.0/10', 'carrier-grade-nat'),
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link-local'), // includes the cloud metadata address 169.254.169.254
  range('172.16.0.0/12', 'private'),
  range('192.0.0.0/24', 'reserved'), // IETF protocol assignments
  range('192.0.2.0/24', 'documentation'),
  range('192.88.99.0/24', 'reserved'), // 6to4 relay anycast
  range('192.168.0.0/16', 'private'),
  range('198.18.0.0/15', 'reserved'), // benchmarking
  range('198.51.100.0/24', 'documentation'),
  range('203.0.113.0/24', 'documentation'),
  range('224.0.0.0/4', 'multicast'),
  range('255.255.255.255/32', 'broadcast'),
  range('240.0.0.0/4', 'reserved'),
];

const IPV6_RANGES: Range[] = [
  range('::/128', 'unspecified'),
  range('::1/128', 'loopback'),
  range('::ffff:0:0/96', 'IPv4-mapped'),
  range('::/96', 'IPv4-compatible'),
  range('64:ff9b::/96', 'NAT64'),
  range('64:ff9b:1::/48', 'reserved'), // local-use NAT64
  range('100::/64', 'reserved'), // discard-only
  range('2001:db8::/32', 'documentation'),
  range('2001::/23', 'reserved'), // IETF protocol assignments: Teredo, ORCHID, benchmarking
  range('2002::/16', '6to4'),
  range('3fff::/20', 'documentation'),
  range('fc00::/7', 'unique-local'),
  range('fe80::/10', 'link-local'),
  range('fec0::/10', 'reserved'), // deprecated site-local
  range('ff00::/8', 'multicast'),
];
const GLOBAL_UNICAST = range('2000::/3', 'public');

function embeddedIPv4(bytes: IpBytes, form: EmbeddingForm): IpBytes {
  return form === '6to4' ? bytes.slice(2, 6) : bytes.slice(12, 16);
}

function classifyBytes(bytes: IpBytes, address: string): AddressClass {
  const table = bytes.length === 4 ? IPV4_RANGES : IPV6_RANGES;
  const hit = table.find((r) => inPrefix(bytes, r.network, r.prefix));
  if (!hit) {
    // Everything outside 2000::/3 is unassigned or special: nothing a workflow should reach.
    if (bytes.length === 16 && !inPrefix(bytes, GLOBAL_UNICAST.network, GLOBAL_UNICAST.prefix)) {
      return { kind: 'reserved', address, range: 'outside 2000::/3' };
    }
    return { kind: 'public', address };
  }
  if (hit.kind === 'IPv4-mapped' || hit.kind === 'IPv4-compatible' || hit.kind === 'NAT64' || hit.kind === '6to4') {
    const ipv4 = embeddedIPv4(bytes, hit.kind);
    const inner = classifyBytes(ipv4, formatIPv4(ipv4));
    // IPv4-compatible addresses are deprecated and not routed: refuse them even around a public address.
    const kind = hit.kind === 'IPv4-compatible' && inner.kind === 'public' ? 'reserved' : inner.kind;
    return { kind, address, range: inner.range ?? hit.text, embedded: { form: hit.kind, ipv4: inner.address } };
  }
  return { kind: hit.kind, address, range: hit.text };
}

/** Classifies an IP literal; null when the text is not one (a host name, or a non-canonical spelling). */
export function classifyAddress(text: string): AddressClass | null {
  const bytes = parseIp(text);
  return bytes ? classifyBytes(bytes, bareAddress(text)) : null;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address: the one a socket to it reaches. */
export function unmapIPv4(bytes: IpBytes): IpBytes | null {
  const mapped = IPV6_RANGES[2]!;
  return bytes.length === 16 && inPrefix(bytes, mapped.network, mapped.prefix) ? bytes.slice(12, 16) : null;
}

/** "link-local address 169.254.169.254 (169.254.0.0/16, inside the IPv4-mapped IPv6 address ::ffff:a9fe:a9fe)" */
export function describeAddressClass(c: AddressClass): string {
  const where = c.embedded ? c.embedded.ipv4 : c.address;
  const parts = [c.range, c.embedded ? `inside the ${c.embedded.form} IPv6 address ${c.address}` : undefined].filter(Boolean);
  return `${c.kind} address ${where}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}
