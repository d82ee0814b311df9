import { parentPort } from 'node:worker_threads';
import { DocumentProblem, detailOf } from './document-problem';
import { parseAndClean } from './parse-format';
import type { ParseReply, ParseRequest } from './parse.protocol';

/**
 * The entry of a parse thread (a worker_threads Worker started by ParserPool): parses one
 * document at a time. The pool bounds its heap (resourceLimits), its wall time and the process's
 * memory growth, and replaces the thread when any bound is crossed.
 */
const port = parentPort;
if (!port) throw new Error('parse.thread must run in a worker thread');

port.on('message', (req: ParseRequest) => {
  void parseAndClean(req.bytes, req.format, req.maxChars).then(
    (doc): void => reply({ id: req.id, ok: true, text: doc.text, ...(doc.title ? { title: doc.title } : {}) }),
    (err: unknown): void => {
      const problem = err instanceof DocumentProblem ? err : new DocumentProblem('unreadable', 'it could not be parsed', detailOf(err));
      reply({ id: req.id, ok: false, kind: problem.kind, reason: problem.reason, ...(problem.detail ? { detail: problem.detail } : {}) });
    },
  );
});

function reply(message: ParseReply): void {
  port!.postMessage(message);
}
