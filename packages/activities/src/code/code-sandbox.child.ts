/**
 * Entry point of a sandbox child process (forked by sandbox-process.ts from the compiled
 * dist/code/code-sandbox.child.js). It runs one execution at a time and answers over IPC; the
 * parent kills it on a wall-time overrun or a cancelled run, and replaces it when it dies.
 */
import { runInSandbox } from './code-runner';
import type { ChildMessage, RunRequest } from './code-sandbox.protocol';

const send = (message: ChildMessage) => process.send?.(message);

// Orphaned (the worker died): nothing is left to answer to.
process.on('disconnect', () => process.exit(0));

process.on('message', (message: RunRequest) => {
  if (message?.type !== 'run') return;
  runInSandbox(message).then(
    (outcome) => send({ type: 'result', id: message.id, ...outcome }),
    (err: unknown) => {
      // A bug of ours, not of the user's code: say so, and let the parent replace this process.
      process.stderr.write(`sandbox runner failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(70);
    },
  );
});

send({ type: 'ready' });
