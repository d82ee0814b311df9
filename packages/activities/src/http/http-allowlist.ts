import { bareAddress, inPrefix, parseIp, unmapIPv4, type IpBytes } from './ip-classifier';

/**
 * Targets exempt from the SSRF guard. An address entry (`10.0.0.0/8`, `127.0.0.1:8080`) matches
 * the address actually connected to; a host entry (`svc.internal`, `*.corp.example:8443`) matches
 * the URL's host name, whatever it resolves to — the operator vouches for the name.
 */
export type AllowlistEntry =
  | { kind: 'address'; text: string; network: IpBytes; prefix: number; port?: number }
  | { kind: 'host'; text: string; host: string; wildcard: boolean; port?: number };

export interface HttpAllowlist {
  entries: AllowlistEntry[];
}

export const EMPTY_ALLOWLIST: HttpAllowlist = { entries: [] };

/** A bad WEFT_HTTP_ALLOWLIST (or WEFT_MODEL_PROVIDER_ALLOWLIST); the message names every bad entry and why. */
export class HttpAllowlistError extends Error {
  readonly code = 'http_allowlist_invalid';
  constructor(
    readonly problems: string[],
    setting = 'WEFT_HTTP_ALLOWLIST',
  ) {
    super(`${setting} is invalid: ${problems.join('; ')}`);
    this.name = 'HttpAllowlistError';
  }
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw new Error(`port "${text}" must be a number from 1 to 65535`);
  return Number(text);
}

/** Splits `host`, `host:port`, `[v6]`, `[v6]:port` and a bare IPv6 address into host and port. */
function splitHostPort(text: string): { host: string; port?: number } {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw new Error('"[" without a closing "]"');
    const rest = text.slice(close + 1);
    if (rest && !rest.startsWith(':')) throw new Error(`unexpected "${rest}" after "]"`);
    return { host: text.slice(1, close), ...(rest ? { port: parsePort(rest.slice(1)) } : {}) };
  }
  const colons = text.split(':').length - 1;
  if (colons === 1) {
    const [host = '', port = ''] = text.split(':');
    return { host, port: parsePort(port) };
  }
  return { host: text };
}

function parseAddressEntry(text: string, addr: string, prefixText: string | undefined, port?: number): AllowlistEntry {
  const network = parseIp(addr);
  if (!network) throw new Error(`"${addr}" is not an IPv4 or IPv6 address`);
  const max = network.length * 8;
  if (prefixText !== undefined && (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max)) {
    throw new Error(`prefix length "/${prefixText}" must be 0 to ${max}`);
  }
  return { kind: 'address', text, network, prefix: prefixText === undefined ? max : Number(prefixText), ...(port ? { port } : {}) };
}

function parseEntry(text: string): AllowlistEntry {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw new Error('write a host, host:port or CIDR, without a scheme');
  if (text.includes('/')) {
    const [addr = '', prefix = '', ...more] = text.split('/');
    if (more.length) throw new Error('more than one "/"');
    return parseAddressEntry(text, bareAddress(addr), prefix);
  }
  const { host, port } = splitHostPort(text);
  if (!host) throw new Error('empty host');
  if (parseIp(host)) return parseAddressEntry(text, host, undefined, port);
  const wildcard = host.startsWith('*.');
  const name = (wildcard ? host.slice(2) : host).toLowerCase().replace(/\.$/, '');
  if (name.includes('*')) throw new Error('"*" is only allowed as the first label ("*.example.com")');
  // Let the WHATWG URL parser spell the name the way request URLs will be spelled.
  let normalised: string;
  try {
    normalised = new URL(`http://${name}/`).hostname;
  } catch {
    throw new Error(`"${host}" is not a valid host name`);
  }
  // "127.1", "2130706433" and "0x7f.1" are addresses in URLs: treat them as the address they mean.
  if (!wildcard && parseIp(normalised)) return parseAddressEntry(text, normalised, undefined, port);
  if (!HOST_NAME.test(normalised)) throw new Error(`"${host}" is not a valid host name`);
  return { kind: 'host', text, host: normalised, wildcard, ...(port ? { port } : {}) };
}

/**
 * Parses WEFT_HTTP_ALLOWLIST or WEFT_MODEL_PROVIDER_ALLOWLIST (comma-separated hosts, host:ports, IP
 * addresses, IP:ports and CIDRs; blank entries ignored), or a list of such entries. Throws
 * HttpAllowlistError naming `setting` and every bad entry.
 */
export function parseHttpAllowlist(value: string | readonly string[] | undefined, setting?: string): HttpAllowlist {
  const items = (typeof value === 'string' ? value.split(',') : (value ?? [])).map((s) => s.trim()).filter(Boolean);
  const entries: AllowlistEntry[] = [];
  const problems: string[] = [];
  items.forEach((text, i) => {
    try {
      entries.push(parseEntry(text));
    } catch (err) {
      problems.push(`entry ${i + 1} "${text}": ${(err as Error).message}`);
    }
  });
  if (problems.length) throw new HttpAllowlistError(problems, setting);
  return { entries };
}

/** What a connection is about to reach: the URL's host name, the resolved address and the port. */
export interface ConnectTarget {
  hostname: string;
  address: string;
  port: number;
}

function hostMatches(entry: Extract<AllowlistEntry, { kind: 'host' }>, hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return entry.wildcard ? name.endsWith(`.${entry.host}`) : name === entry.host;
}

/** Whether a host name alone is allowlisted (before it is resolved). */
export function allowsHost(list: HttpAllowlist, hostname: string, port: number): AllowlistEntry | undefined {
  return list.entries.find((e) => e.kind === 'host' && (e.port === undefined || e.port === port) && hostMatches(e, hostname));
}

/** The entry that allows this target, if any. */
export function allowsTarget(list: HttpAllowlist, target: ConnectTarget): AllowlistEntry | undefined {
  const bytes = parseIp(target.address);
  if (!bytes) return allowsHost(list, target.hostname, target.port);
  // ::ffff:127.0.0.1 reaches 127.0.0.1, so an IPv4 entry covers it too.
  const candidates = [bytes, unmapIPv4(bytes)].filter((b): b is IpBytes => b !== null);
  return list.entries.find((e) => {
    if (e.port !== undefined && e.port !== target.port) return false;
    if (e.kind === 'host') return hostMatches(e, target.hostname);
    return candidates.some((b) => inPrefix(b, e.network, e.prefix));
  });
}
