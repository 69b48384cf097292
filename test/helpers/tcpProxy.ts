import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Takes the dependency "down": closes the listener and cuts every open connection. */
  stop(): Promise<void>;
  /** Brings it back on the same port (or starts it, after a stop() right away reserved the port). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP relay in front of a real Postgres or Redis, so a test can take the dependency away and
 * give it back while the service keeps running, as an outage would, without touching the server.
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
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

  await listen();
  return { port, stop, start: listen, close: stop };
}
