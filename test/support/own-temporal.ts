import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const STACK_SH = path.join(__dirname, '..', '..', 'scripts', 'stack.sh');

/** A loopback port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface OwnTemporal {
  address: string;
  /** stops the server and starts it again on the same port and SQLite file */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A Temporal dev server of a suite's own, started and stopped by scripts/stack.sh (the same flags,
 * dynamic config and search attributes as every other), on a free port and a SQLite file in a temp
 * directory: a suite may restart it without touching the server the other suites share.
 */
export async function startOwnTemporal(name: string): Promise<OwnTemporal> {
  const dir = mkdtempSync(path.join(tmpdir(), `weft-${name}-`));
  const port = await freePort();
  const env = {
    ...process.env,
    WEFT_STACK_NAME: `${name}-${process.pid}`,
    TEMPORAL_PORT: String(port),
    TEMPORAL_UI_PORT: 'off',
    WEFT_TEMPORAL_DB: path.join(dir, 'temporal.sqlite'),
  };
  const stack = (command: string) => promisify(execFile)('bash', [STACK_SH, command], { env, timeout: 120_000 });
  await stack('temporal');
  return {
    address: `127.0.0.1:${port}`,
    async restart() {
      await stack('down');
      await stack('temporal');
    },
    async stop() {
      await stack('down');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
