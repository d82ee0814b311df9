// Prisma CLI config. Prisma 6.19.3 runs migrations through its JS schema engine over a pg driver
// adapter, so no Rust engine binary is ever downloaded (see docs/adr/0002-prisma-6-js-engine.md).
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import type { PrismaConfig } from 'prisma';

function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL must be set for the Prisma CLI');
  return url;
}

// Introspection reads catalog columns of type `name` (OID 19) and `"char"` (OID 18), which the JS
// engine cannot deserialize (prisma/orm#27403); report them as text (OID 25).
const CATALOG_TEXT_TYPES = new Set([18, 19]);
class CatalogFriendlyClient extends pg.Client {
  override query(...args: unknown[]): never {
    const fix = (res: pg.QueryResult | undefined) => {
      for (const field of res?.fields ?? []) if (CATALOG_TEXT_TYPES.has(field.dataTypeID)) field.dataTypeID = 25;
      return res;
    };
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (err: unknown, res: pg.QueryResult) => (last as (e: unknown, r: unknown) => void)(err, fix(res));
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      return (result as Promise<pg.QueryResult>).then(fix) as never;
    }
    return result as never;
  }
}

function adapterFor(connectionString: string): PrismaPg {
  return new PrismaPg({ connectionString, Client: CatalogFriendlyClient } as pg.PoolConfig);
}

// adapter-pg's own shadow database handling drops the database before closing its pool; this
// one closes the pool first, then drops the database.
async function connectToShadowDb() {
  const main = new URL(databaseUrl());
  const name = `weft_shadow_${randomUUID().replace(/-/g, '')}`;
  const admin = new pg.Client({ connectionString: main.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const shadowUrl = new URL(main.toString());
  shadowUrl.pathname = `/${name}`;
  const adapter = await adapterFor(shadowUrl.toString()).connect();
  const dispose = adapter.dispose.bind(adapter);
  adapter.dispose = async () => {
    await dispose();
    const dropper = new pg.Client({ connectionString: main.toString() });
    await dropper.connect();
    await dropper.query(`DROP DATABASE IF EXISTS "${name}"`);
    await dropper.end();
  };
  return adapter;
}

export default {
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  async adapter() {
    const factory = adapterFor(databaseUrl());
    return Object.assign(factory, { connectToShadowDb });
  },
} satisfies PrismaConfig;
