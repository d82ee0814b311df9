import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message as the local mail server received it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  /** the raw RFC 5322 message */
  raw: string;
}

export interface SmtpTarget {
  port: number;
  received: ReceivedMail[];
  close(): Promise<void>;
}

/**
 * A mail server the approval notices are sent to in tests, on 127.0.0.1 and a free port (plain
 * SMTP, no TLS, any credentials). Recipients at `reject.test` are refused with 550 (permanent),
 * those at `later.test` with 451 (try again).
 */
export async function startSmtpTarget(): Promise<SmtpTarget> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'test' });
    },
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith('@reject.test')) return callback(Object.assign(new Error('no such mailbox'), { responseCode: 550 }));
      if (address.address.endsWith('@later.test')) return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
      callback();
    },
    onData(stream, session, callback) {
      const parts: Buffer[] = [];
      stream.on('data', (d: Buffer) => parts.push(d));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(parts).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
