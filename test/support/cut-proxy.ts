import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback TCP proxy in front of a dependency that can play an outage at an exact moment: once
 * armed with a marker, the first client message containing those bytes (a query parameter, say)
 * cuts every connection and refuses new ones, as a database that just went away would. Never
 * armed, it is a plain forwarder (on `listenPort`, a free one when 0): a dependency that comes up
 * at an address.
 */
export async function startCutProxy(target: { host: string; port: number }, listenPort = 0) {
  let marker: Buffer | undefined;
  let down = false;
  const sockets = new Set<Socket>();
  const cut = () => {
    down = true;
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  const server = createServer((client) => {
    if (down) return void client.destroy();
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      if (marker && chunk.includes(marker)) return cut();
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    /** The next client message that contains `text` takes the dependency down. */
    cutWhenSent(text: string) {
      marker = Buffer.from(text);
    },
    get down() {
      return down;
    },
    async close() {
      cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
