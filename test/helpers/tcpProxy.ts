import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Takes the dependency "down": closes the listener and cuts every open connection. */
  stop(): Promise<void>;
  /** Brings it back on the same port (or starts it, after a stop() right away reserved the port). */
  start(): Promise<void>;
  close(): Promise<void>;
  /**
   * Every open connection dies silently, as a pooled connection does when its backend goes away
   * while idle and the client has not noticed: nothing reaches the client until it sends, then its
   * socket closes. New connections work.
   */
  severQuietly(): void;
}

/**
 * A TCP relay in front of a real Postgres or Redis, so a test can take the dependency away and
 * give it back while the service keeps running, as an outage would, without touching the server.
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const pairs = new Set<[incoming: Socket, outgoing: Socket]>();
  let server: Server | undefined;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((incoming) => {
        const outgoing = createConnection(targetPort, targetHost);
        for (const s of [incoming, outgoing]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => (s === incoming ? outgoing : incoming).destroy());
        }
        incoming.pipe(outgoing).pipe(incoming);
        const pair: [Socket, Socket] = [incoming, outgoing];
        pairs.add(pair);
        incoming.on('close', () => pairs.delete(pair));
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });

  const stop = async () => {
    const closing = server ? new Promise<void>((resolve) => server!.close(() => resolve())) : Promise.resolve();
    for (const s of sockets) s.destroy();
    await closing;
    server = undefined;
  };

  const severQuietly = () => {
    for (const pair of pairs) {
      const [incoming, outgoing] = pair;
      pairs.delete(pair);
      incoming.unpipe(outgoing);
      outgoing.unpipe(incoming);
      sockets.delete(outgoing);
      outgoing.removeAllListeners('error');
      outgoing.on('error', () => undefined);
      outgoing.destroy();
      incoming.removeAllListeners('error');
      incoming.on('error', () => undefined);
      incoming.once('data', () => incoming.destroy());
      incoming.resume();
    }
  };

  await listen();
  return { port, stop, start: listen, close: stop, severQuietly };
}
