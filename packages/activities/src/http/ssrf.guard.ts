import { lookup } from 'node:dns/promises';
import type { buildConnector } from 'undici';
import { allowsHost, allowsTarget, type HttpAllowlist } from './http-allowlist';
import { bareAddress, classifyAddress, describeAddressClass, type AddressClass } from './ip-classifier';

/** Resolves a host name to the addresses a socket could connect to (the system resolver by default). */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** A connection the guard refused, before any socket was opened. */
export class AddressRefusedError extends Error {
  readonly code = 'http_address_refused';
  constructor(
    readonly hostname: string,
    readonly port: number,
    readonly classification: AddressClass,
  ) {
    const host = bareAddress(hostname);
    const via = host === classification.address ? '' : ` (${host} resolves to it)`;
    super(
      `Refused to connect to the ${describeAddressClass(classification)}${via}: requests to internal ` +
        'addresses are blocked; an operator can allow this target with WEFT_HTTP_ALLOWLIST',
    );
    this.name = 'AddressRefusedError';
  }
}

/** A host name that resolved to nothing. */
export class HostNotFoundError extends Error {
  readonly code = 'ENOTFOUND';
  constructor(readonly hostname: string) {
    super(`${hostname} did not resolve to any address`);
    this.name = 'HostNotFoundError';
  }
}

// RFC 6761: these names are loopback by definition; judge them without asking a resolver.
const LOOPBACK_NAME = /(^|\.)localhost\.?$/i;

/**
 * Decides whether a connection may be opened. Everything not public (loopback, private, link-local,
 * CGNAT, multicast, reserved, …, also inside IPv4-mapped/NAT64/6to4 IPv6) is refused unless the
 * allowlist names the host, the host and port, or a network containing the address.
 */
export class SsrfGuard {
  constructor(
    private readonly allowlist: HttpAllowlist,
    private readonly resolve: Resolver = systemResolver,
  ) {}

  /** Throws when the address may not be reached under this host name and port. */
  check(hostname: string, address: string, port: number): void {
    if (allowsTarget(this.allowlist, { hostname: bareAddress(hostname), address, port })) return;
    const classification = classifyAddress(address);
    if (!classification) throw new AddressRefusedError(hostname, port, { kind: 'reserved', address, range: 'not an IP address' });
    if (classification.kind !== 'public') throw new AddressRefusedError(hostname, port, classification);
  }

  /**
   * Checks a URL host before anything else happens: an IP literal is judged at once; a name is
   * judged later, by its resolved addresses (and `localhost` names right away).
   */
  precheck(hostname: string, port: number): void {
    const host = bareAddress(hostname);
    if (classifyAddress(host)) return this.check(host, host, port);
    if (LOOPBACK_NAME.test(host) && !allowsHost(this.allowlist, host, port)) {
      throw new AddressRefusedError(host, port, { kind: 'loopback', address: host, range: 'the localhost name' });
    }
  }

  /**
   * Resolves the host and returns the one address to connect to. Every resolved address must
   * pass, so a name that answers with a mix (or changes its answer between requests) cannot
   * slip an internal address through.
   */
  async resolveTarget(hostname: string, port: number): Promise<string> {
    const host = bareAddress(hostname);
    this.precheck(host, port);
    if (classifyAddress(host)) return host;
    const addresses = (await this.resolve(host)).map((a) => a.address);
    if (!addresses.length) throw new HostNotFoundError(host);
    for (const address of addresses) this.check(host, address, port);
    return addresses[0]!;
  }
}

/**
 * Wraps undici's socket opener so that the address it connects to is the one the guard checked:
 * the guard resolves the name, and the opener receives the checked IP (TLS still verifies the
 * certificate against the original name, which undici derives from `host`).
 */
export function guardedConnector(guard: SsrfGuard, openSocket: buildConnector.connector): buildConnector.connector {
  return (options, callback) => {
    const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
    guard.resolveTarget(options.hostname, port).then(
      (address) => {
        try {
          openSocket({ ...options, hostname: address }, callback);
        } catch (err) {
          callback(err as Error, null);
        }
      },
      (err: Error) => callback(err, null),
    );
  };
}
