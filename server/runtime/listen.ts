import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The port could not be bound: the operator's to fix, said in one sentence, without a stack. */
export class ListenError extends Error {
  override name = 'ListenError';
  readonly operatorMessage = true;
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

function explain(err: NodeJS.ErrnoException, port: number, host: string): Error {
  const where = `${host}:${port}`;
  if (err.code === 'EADDRINUSE')
    return new ListenError(
      `Port ${port} is already in use on ${host} (another instance of this service, or another program). ` +
        `Stop that process, or choose another port: PORT=${port + 1} npm start (PORT=0 picks a free one).`,
      err.code,
    );
  if (err.code === 'EACCES')
    return new ListenError(
      `Not allowed to listen on ${where}: ports below 1024 need privileges. Choose another port, e.g. PORT=3000.`,
      err.code,
    );
  if (err.code === 'EADDRNOTAVAIL')
    return new ListenError(
      `HOST=${host} is not an address of this machine. Use 0.0.0.0 (all interfaces) or 127.0.0.1 (this machine only).`,
      err.code,
    );
  return err;
}

/** Listens and resolves with the real bound address; a bind failure rejects with a ListenError. */
export async function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (err) {
    throw explain(err as NodeJS.ErrnoException, port, host);
  }
  return server.address() as AddressInfo;
}

const ALL_INTERFACES = new Set(['0.0.0.0', '::']);

/**
 * The "listening" log fields: where the socket really is bound (`0.0.0.0` means every interface,
 * reachable from other machines), and a URL that reaches it from this machine.
 */
export function listeningFields(bound: AddressInfo) {
  const everywhere = ALL_INTERFACES.has(bound.address);
  const reachableAt = everywhere ? '127.0.0.1' : bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    address: bound.address,
    port: bound.port,
    interfaces: everywhere ? 'all' : 'this address only',
    url: `http://${reachableAt}:${bound.port}`,
  };
}
