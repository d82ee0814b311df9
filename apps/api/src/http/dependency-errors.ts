import { DependencyUnavailableError } from './http.errors';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', '57P01', '57P03']);

/** node-postgres' own words for a connection lost or never made; the driver adapter passes them through as plain Errors. */
const PG_CONNECTION_LOST = /^(?:Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed and is not queryable|Connection terminated due to connection timeout)/;

function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) out.push(e);
  return out;
}

/**
 * Recognises "a dependency is down" failures from PostgreSQL (Prisma/pg), Redis (ioredis) and
 * Temporal (gRPC UNAVAILABLE / DEADLINE_EXCEEDED) so the client gets 503, not 500.
 */
export function asDependencyError(err: unknown): DependencyUnavailableError | undefined {
  for (const e of chain(err)) {
    const x = e as { name?: string; code?: string | number; message?: string; constructor?: { name?: string } };
    const name = `${x?.name ?? ''} ${x?.constructor?.name ?? ''}`;
    const message = x?.message ?? '';
    if (/Prisma|DriverAdapter/.test(name) || /P1001|P1002|P1017|Can't reach database/.test(`${x.code ?? ''} ${message}`)) {
      if (/connect|reach|terminat|ECONNREFUSED|closed|timeout/i.test(message) || x.code === 'P1001') return new DependencyUnavailableError('database', err);
    }
    if (/ServiceError|GrpcError|TransportError/.test(name) || x?.code === 14 || x?.code === 4) {
      if (x?.code === 14 || x?.code === 4 || /UNAVAILABLE|DEADLINE|connect/i.test(message)) return new DependencyUnavailableError('temporal', err);
    }
    if (/Redis|MaxRetriesPerRequest/.test(`${name} ${message}`)) return new DependencyUnavailableError('redis', err);
    if (typeof x?.code === 'string' && CONNECTION_CODES.has(x.code)) return new DependencyUnavailableError('database', err);
    if (PG_CONNECTION_LOST.test(message)) return new DependencyUnavailableError('database', err);
  }
  return undefined;
}
