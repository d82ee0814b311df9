import { spawn, type ChildProcess } from 'node:child_process';

/** How a service process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  pid: number;
  /** still running: it neither exited nor was killed by a signal */
  alive(): boolean;
  /** what it wrote to stdout and stderr so far */
  output(): string;
  /** sends a signal (SIGTERM: the service drains; SIGKILL: it dies on the spot) */
  kill(signal: NodeJS.Signals): void;
  /** resolves when the process has ended, with its exit code or signal */
  exited: Promise<Exit>;
  /** SIGTERM, then SIGKILL if it has not ended after `killAfterMs`; resolves once it has ended */
  stop(killAfterMs?: number): Promise<Exit>;
}

const running = new Set<ChildProcess>();
// A test process that ends (or crashes) takes its services with it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * One of the production entry points (apps/<app>/dist/main.js) in a process of its own, with
 * `env` only (no inherited settings). Resolves once its output contains `ready` (a whole line, for a pattern).
 */
export async function spawnService(name: string, main: string, env: Record<string, string>, ready: string | RegExp): Promise<ServiceProcess> {
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s:\n${out.slice(-2000)}`)), 60_000);
    const check = () => {
      if (typeof ready === 'string' ? out.includes(ready) : ready.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it started:\n${out.slice(-2000)}`));
    });
  });
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  return {
    pid: child.pid!,
    alive: () => !ended(),
    output: () => out,
    kill: (signal) => void child.kill(signal),
    exited,
    async stop(killAfterMs = 15_000) {
      if (!ended()) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      const exit = await exited;
      clearTimeout(killer);
      return exit;
    },
  };
}
