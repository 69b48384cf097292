import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useTestService } from './helpers/service';

/**
 * Slow clients (issue 18 item 9): a socket that trickles its headers or body is cut off with 408
 * after the configured timeout, and sockets beyond the cap are dropped at once. Short settings here
 * stand for the production ones (10 s, 30 s, 2048): the mechanism is the same.
 */
const s = useTestService({
  HTTP_HEADERS_TIMEOUT_MS: '500',
  HTTP_REQUEST_TIMEOUT_MS: '1500',
  HTTP_MAX_CONNECTIONS: '3',
});

interface RawConnection {
  socket: Socket;
  /** Resolves with everything the server sent, once it closed the connection. */
  closed: Promise<{ received: string; afterMs: number }>;
}

async function open(): Promise<RawConnection> {
  const { hostname, port } = new URL(s.url);
  const socket = connect(Number(port), hostname);
  const started = performance.now();
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString()));
  const closed = new Promise<{ received: string; afterMs: number }>((resolve) => {
    socket.on('close', () => resolve({ received, afterMs: performance.now() - started }));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { socket, closed };
}

describe('slow clients', () => {
  it('cuts off a request whose body never finishes: 408 and the socket closed, within the request timeout', async () => {
    const { socket, closed } = await open();
    socket.write(
      'POST /api/trpc/auth.login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"json":',
    );
    const { received, afterMs } = await closed;
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(afterMs).toBeGreaterThanOrEqual(1_400);
    expect(afterMs).toBeLessThan(4_000);
  });

  it('cuts off a client that never finishes its headers, within the headers timeout', async () => {
    const { socket, closed } = await open();
    socket.write('GET /api/health HTTP/1.1\r\nHost: test\r\nX-Slow: ');
    const { received, afterMs } = await closed;
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(afterMs).toBeLessThan(3_000);
  });

  it('drops connections beyond HTTP_MAX_CONNECTIONS at once, and accepts again when one closes', async () => {
    const held = await Promise.all([open(), open(), open()]);
    const extra = await open();
    extra.socket.write('GET /api/health HTTP/1.1\r\nHost: test\r\n\r\n');
    const refused = await extra.closed;
    expect(refused.received).toBe('');
    expect(refused.afterMs).toBeLessThan(1_000);

    held[0]!.socket.destroy();
    await held[0]!.closed;
    await expect.poll(async () => (await fetch(`${s.url}/api/health`)).status, { timeout: 5_000 }).toBe(200);
    for (const c of held) c.socket.destroy();
  });
});
