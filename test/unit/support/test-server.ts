import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * The Java SDK's time-skipping test server, started by the unit tier itself. The SDK's own
 * launcher gives it 5 s to open its port (a busy machine can miss that) and downloads binaries by
 * default; here it is the pinned binary `scripts/lib.sh` installs, with as long as it needs.
 */
export interface TestServer {
  address: string;
  stop(): Promise<void>;
}

export const ROOT = path.resolve(__dirname, '../../..');
export const TEST_SERVER_BIN = process.env.WEFT_TEST_SERVER_BIN ?? path.join(ROOT, '.tools/bin/temporal-test-server');

/** A port the OS has just handed out (the server binds it a moment later; a lost race is retried). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

/**
 * The server runs under a small shell that holds the read end of a pipe from this process: when
 * this process ends in any way (a crash or SIGKILL included) the pipe closes and the shell stops
 * the server, so no test server outlives its test run. stop() closes the pipe itself.
 */
function launch(port: number, log: number): ChildProcess {
  const guard = [
    // Background jobs read /dev/null, not the pipe: hand the pipe to the watcher as fd 3.
    'exec 3<&0',
    '"$0" "$1" </dev/null & server=$!',
    '{ read -r _ <&3; kill "$server" 2>/dev/null; } & watcher=$!',
    'wait "$server"; code=$?',
    'kill "$watcher" 2>/dev/null',
    'exit $code',
  ].join('\n');
  return spawn('bash', ['-c', guard, TEST_SERVER_BIN, String(port)], { stdio: ['pipe', log, log], detached: true });
}

export async function startTestServer(logFile: string, timeoutMs = 120_000): Promise<TestServer> {
  if (!fs.existsSync(TEST_SERVER_BIN)) {
    throw new Error(`No Temporal test server at ${TEST_SERVER_BIN}: run the unit tier with \`npm run test:unit\` (it installs the server into .tools/)`);
  }
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const log = fs.openSync(logFile, 'a');
    const child = launch(port, log);
    fs.closeSync(log);
    // Nothing in this process waits on the server: the pipe and the handle must not keep Jest alive.
    child.unref();
    (child.stdin as unknown as { unref(): void }).unref();
    const stop = async () => {
      child.stdin?.end();
      const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
    };
    const deadline = Date.now() + timeoutMs;
    let gone = false;
    void exited(child).then(() => (gone = true));
    while (!gone && Date.now() < deadline && !(await portOpen(port))) await new Promise((r) => setTimeout(r, 100));
    if (!gone && Date.now() < deadline) return { address: `127.0.0.1:${port}`, stop };
    await stop();
    if (gone && attempt < 3) continue; // the port was taken in between: try another
    throw new Error(gone ? `The Temporal test server exited at start (see ${logFile})` : `The Temporal test server did not open its port within ${timeoutMs} ms (see ${logFile})`);
  }
}
